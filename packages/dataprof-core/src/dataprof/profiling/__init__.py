"""The profiling engine: one pass, mergeable, honest about exactness.

``profile_table(connector)`` is the one call most callers need. Underneath it are
three calls that make partial profiles values: ``profile_batches`` (a pass over
record batches gives a :class:`ProfileState`), ``merge_states`` (associative and
commutative) and ``finalize`` (a state becomes a :class:`TableProfile`); states
travel between processes as bytes (``ProfileState.to_bytes``/``from_bytes``).
Plugins add metrics through :class:`ColumnMetric`; connectors compute profiles in
their own engine through :class:`SupportsPushdown`.
"""

from dataprof.profiling.engine import (
    AUTO_FULL_SCAN_MAX_BYTES,
    AUTO_FULL_SCAN_MAX_ROWS,
    DEFAULT_SAMPLE_SIZE,
    PARALLEL_MIN_ROWS,
    profile_table,
)
from dataprof.profiling.metric_names import METRIC_DESCRIPTIONS
from dataprof.profiling.models import (
    Anomaly,
    ColumnProfile,
    HistoryComparison,
    Metric,
    MetricSource,
    ProfileMode,
    QueryStats,
    RunStatus,
    Severity,
    SkippedRun,
    TableProfile,
    TopValue,
)
from dataprof.profiling.plugins import ColumnMetric, load_column_metrics
from dataprof.profiling.pushdown import (
    APPROX_DISTINCT_BOUND,
    Approximation,
    ColumnFigures,
    PushdownProfileBuilder,
    PushdownRequest,
    PushdownResult,
    SupportsPushdown,
)
from dataprof.profiling.sampling import DEFAULT_SAMPLE_SEED
from dataprof.profiling.sketches import decode_kll, decode_top
from dataprof.profiling.state import ProfileState, finalize, merge_states, profile_batches

__all__ = [
    "APPROX_DISTINCT_BOUND",
    "AUTO_FULL_SCAN_MAX_BYTES",
    "AUTO_FULL_SCAN_MAX_ROWS",
    "DEFAULT_SAMPLE_SEED",
    "DEFAULT_SAMPLE_SIZE",
    "METRIC_DESCRIPTIONS",
    "PARALLEL_MIN_ROWS",
    "Anomaly",
    "Approximation",
    "ColumnFigures",
    "ColumnMetric",
    "ColumnProfile",
    "HistoryComparison",
    "Metric",
    "MetricSource",
    "ProfileMode",
    "ProfileState",
    "PushdownProfileBuilder",
    "PushdownRequest",
    "PushdownResult",
    "QueryStats",
    "RunStatus",
    "Severity",
    "SkippedRun",
    "SupportsPushdown",
    "TableProfile",
    "TopValue",
    "decode_kll",
    "decode_top",
    "finalize",
    "load_column_metrics",
    "merge_states",
    "profile_batches",
    "profile_table",
]
