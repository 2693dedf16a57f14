"""Tools for testing connectors: the conformance kit and small known datasets.

Shipped in the dataprof-core wheel (it imports pytest and pyarrow, so import it
only from tests). See :class:`ConnectorConformanceTests`.
"""

from dataprof.testing.conformance import ConnectorConformanceTests, comparable_rows, normalize_type
from dataprof.testing.datasets import standard_table
from dataprof.testing.postgres import PostgresServer
from dataprof.testing.profile_agreement import assert_pushdown_agrees
from dataprof.testing.same_profile import assert_same_profile

__all__ = [
    "ConnectorConformanceTests",
    "PostgresServer",
    "assert_pushdown_agrees",
    "assert_same_profile",
    "comparable_rows",
    "normalize_type",
    "standard_table",
]
