"""dataprof's redshift backend."""

from dataprof_redshift.connector import RedshiftConnector

__all__ = ["RedshiftConnector"]
