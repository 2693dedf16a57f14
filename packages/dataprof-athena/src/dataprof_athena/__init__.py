"""dataprof's athena backend."""

from dataprof_athena.connector import AthenaConnector

__all__ = ["AthenaConnector"]
