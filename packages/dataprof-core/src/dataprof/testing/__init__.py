"""Tools for testing connectors: the conformance kit and small known datasets.

Shipped in the dataprof-core wheel (it imports pytest and pyarrow, so import it
only from tests). See :class:`ConnectorConformanceTests`.
"""

from dataprof.testing.conformance import ConnectorConformanceTests, comparable_rows, normalize_type
from dataprof.testing.datasets import standard_table

__all__ = ["ConnectorConformanceTests", "comparable_rows", "normalize_type", "standard_table"]
