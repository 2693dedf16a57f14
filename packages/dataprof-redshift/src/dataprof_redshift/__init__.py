"""dataprof's redshift backend: Redshift Serverless or a provisioned cluster, read and
profiled through the Redshift Data API."""

from dataprof_redshift.connector import RedshiftConnector
from dataprof_redshift.params import RedshiftParams

__all__ = ["RedshiftConnector", "RedshiftParams"]
