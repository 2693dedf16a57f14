"""The profiling engine: one pass, mergeable, honest about exactness."""

from dataprof.profiling.models import (
    Anomaly,
    ColumnProfile,
    Metric,
    MetricSource,
    ProfileMode,
    RunStatus,
    Severity,
    TableProfile,
    TopValue,
)

__all__ = [
    "Anomaly",
    "ColumnProfile",
    "Metric",
    "MetricSource",
    "ProfileMode",
    "RunStatus",
    "Severity",
    "TableProfile",
    "TopValue",
]
