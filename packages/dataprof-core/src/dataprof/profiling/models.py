"""The profile as data: what the engine produces and everything downstream reads.

Stores, renderers and anomaly detectors read these models, never engine internals.
They serialize to the full profile JSON and map one-to-one onto the `schema/`
tables (`profile_runs`, `profile_results`, `column_profiles`, `profile_anomalies`):
the flat fields of :class:`ColumnProfile` are the columns of ``column_profiles``,
and ``metrics`` holds the detail that only the JSON keeps.

Every figure is a :class:`Metric`: its value, whether it is exact, the error bound
of the sketch that made it, and where it came from. A profile never mixes figures
from two snapshots: ``TableProfile.snapshot_id`` is the one they all describe.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Anomaly",
    "ColumnProfile",
    "HistoryComparison",
    "Metric",
    "MetricSource",
    "ProfileMode",
    "QueryStats",
    "RunStatus",
    "Severity",
    "SkippedRun",
    "TableProfile",
    "TopValue",
    "describe_scope",
]


class MetricSource(enum.StrEnum):
    """Where a figure came from."""

    METADATA = "metadata"
    FULL_SCAN = "full_scan"
    SAMPLE = "sample"
    PUSHDOWN = "pushdown"


class ProfileMode(enum.StrEnum):
    SAMPLE = "sample"
    FULL = "full"
    METADATA = "metadata"
    PUSHDOWN = "pushdown"
    AUTO = "auto"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Metric(BaseModel):
    """One figure with its honesty attached.

    ``error_bound`` is set when ``exact`` is False and says how far off the value
    can be, in the terms of ``error_kind``: ``relative`` (|estimate - true| <=
    bound * true, at ~95% confidence for HLL/CPC), ``rank`` (a quantile's rank
    is within +- bound of the asked rank, KLL), ``count`` (absolute count error,
    frequent items), or ``bound`` (the value is a lower/upper bound, not a value:
    truncated metadata bounds).
    """

    model_config = ConfigDict(frozen=True)

    value: Any
    exact: bool = True
    source: MetricSource = MetricSource.FULL_SCAN
    error_bound: float | None = None
    error_kind: str | None = None


class TopValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Any
    count: int
    count_error: int = 0
    """Frequent-items sketches give counts within +- this; 0 when exact."""
    count_lower: int | None = None
    """Past the exact-count budget: the count is at least this (None when exact)."""
    count_upper: int | None = None
    """...and at most this."""


class ColumnProfile(BaseModel):
    """One column's profile. Nested fields are their own dotted columns (``address.city``).

    The flat fields mirror ``column_profiles``; ``metrics`` maps every metric name
    (including the flat ones and type-specific ones such as ``nan_count``,
    ``quantiles``, ``histogram``, ``length_mean``, ``true_count``,
    ``inferred_match_share``) to a :class:`Metric`.
    """

    model_config = ConfigDict(frozen=True)

    column_name: str
    field_id: int | None = None
    data_type: str
    """The source's declared type (Arrow's rendering when the source has no richer name)."""
    inferred_type: str
    """What the values look like (``integer``, ``timestamp``, ``email``, ``categorical``...)."""
    supported: bool = True
    unsupported_reason: str | None = None

    row_count: int
    null_count: int | None = None
    null_percentage: float | None = None
    distinct_count: int | None = None
    distinct_percentage: float | None = None
    min_value: Any = None
    max_value: Any = None
    mean_value: float | None = None
    median_value: Any = None
    std_dev: float | None = None
    top_values: list[TopValue] = Field(default_factory=list)

    metrics: dict[str, Metric] = Field(default_factory=dict)


class Anomaly(BaseModel):
    """One finding, with the fields of ``profile_anomalies``."""

    model_config = ConfigDict(frozen=True)

    column_name: str | None
    """None for a table-level anomaly (row count change, schema change)."""
    anomaly_type: str
    severity: Severity
    description: str
    observed_value: Any = None
    threshold: Any = None
    detector: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class SkippedRun(BaseModel):
    """A past run history did not judge this one against, and why."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    reason: str


class HistoryComparison(BaseModel):
    """Which past runs the history detectors compared this run with, and which they left out.

    Only runs whose figures mean the same thing are compared: the whole table read
    in full (``full``, ``metadata``, ``pushdown``, or a sample that held every row)
    against each other, a sample only against samples of the same size; a partial
    run (``--columns``) only on its own columns.
    """

    model_config = ConfigDict(frozen=True)

    scope: str
    """This run's scope, as :attr:`TableProfile.scope` renders it."""
    compared_run_ids: list[str] = Field(default_factory=list)
    """Runs the history strategies used, oldest first."""
    last_run_id: str | None = None
    """The run change, drift and schema rules compared with (the newest comparable one)."""
    skipped: list[SkippedRun] = Field(default_factory=list)


class QueryStats(BaseModel):
    """What one query sent to a warehouse cost: the engine's own figures, when it gives them."""

    model_config = ConfigDict(frozen=True)

    query_id: str
    bytes_scanned: int | None = None
    """Bytes the engine read (what Athena bills); None when the engine does not say."""
    engine_ms: int | None = None
    """Milliseconds the engine spent executing (queueing excluded where it says so)."""


class TableProfile(BaseModel):
    """A finished profile of one table at one snapshot."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    source_type: str
    source_name: str | None = None
    database: str
    table: str
    snapshot_id: int | None = None
    mode: ProfileMode
    sampled: bool
    sample_size: int | None = None
    row_count: int
    row_count_exact: bool = True
    started_at: datetime
    finished_at: datetime
    status: RunStatus = RunStatus.SUCCEEDED
    error: str | None = None
    columns: list[ColumnProfile] = Field(default_factory=list)
    anomalies: list[Anomaly] = Field(default_factory=list)
    schema_fields: dict[str, str] = Field(default_factory=dict)
    """Column name to declared type at this snapshot; history diffs it for schema changes."""
    field_ids: dict[str, int] = Field(default_factory=dict)
    """Column name to the source's field id (Iceberg), so renames are followed, not re-added."""
    sketches: dict[str, str] = Field(default_factory=dict)
    """Base64 of serialized sketches per ``column/metric`` (KLL, frequent items), kept so the
    next run can measure distribution drift against this one."""
    notes: list[str] = Field(default_factory=list)
    """What the engine decided and why (mode chosen by `auto`, metrics skipped)."""
    columns_requested: list[str] | None = None
    """The columns asked for (``--columns``), or None when the whole table was profiled;
    history compares a partial run only with its own columns."""
    sample_seed: int | None = None
    """The seed that chose a sample's rows (``mode=sample``), so the same sample can be drawn
    again; None for runs that read every row."""
    history_comparison: HistoryComparison | None = None
    """Which past runs anomaly detection compared this one with, and why others were skipped."""
    queries: list[QueryStats] = Field(default_factory=list)
    """The queries a pushdown profile sent to the source's engine, with what each cost."""

    @property
    def scope(self) -> str:
        """What the figures describe: ``whole table`` or ``sample of N rows``, plus
        ``columns a, b`` for a partial run. Runs of different scopes are not compared."""
        return describe_scope(self.sampled, self.sample_size, self.columns_requested)

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.column_name == name), None)

    def to_pandas(self) -> pd.DataFrame:
        """One row per column with the flat figures of ``column_profiles`` (pandas is
        imported here only); the first top value and its count stand for the list."""
        import pandas as pd

        flat = [
            name for name in ColumnProfile.model_fields if name not in ("metrics", "top_values")
        ]
        rows = []
        for column in self.columns:
            row = {name: getattr(column, name) for name in flat}
            first = column.top_values[0] if column.top_values else None
            row["top_value"] = first.value if first is not None else None
            row["top_value_count"] = first.count if first is not None else None
            rows.append(row)
        return pd.DataFrame(rows, columns=[*flat, "top_value", "top_value_count"])

    def _repr_html_(self) -> str:
        """Jupyter's display: the report's header figures, anomalies and column overview."""
        from dataprof.report import render_overview_html

        return render_overview_html(self)


def describe_scope(sampled: bool, sample_size: int | None, columns: list[str] | None) -> str:
    """A run's scope in words: ``whole table`` or ``sample of N rows``, plus
    ``columns a, b`` for a partial run (``--columns``)."""
    base = f"sample of {sample_size:,} rows" if sampled else "whole table"
    return base if columns is None else f"{base}, columns {', '.join(columns)}"
