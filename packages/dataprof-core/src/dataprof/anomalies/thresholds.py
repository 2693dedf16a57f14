"""How sensitive each detector is, per table and per column.

One flat model, :class:`ThresholdValues`, names every knob with a default that
errs on the quiet side: a profiler that cries wolf on every run gets switched off.
:class:`Thresholds` adds per-column overrides on top of the table's values. It
loads straight from a config file's ``[sources.NAME.thresholds]`` table::

    [sources.orders.thresholds]
    row_count_max_relative_change = 0.2
    disabled = ["top_values_churn"]

    [sources.orders.thresholds.columns.amount]
    outlier_iqr_multiplier = 5.0

Overrides are checked against the same model when loaded, so a misspelt key fails
at once with the column named, not silently at detection time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dataprof.errors import ConfigurationError

__all__ = ["ThresholdValues", "Thresholds"]


class ThresholdValues(BaseModel):
    """Every threshold, as it applies to one column (or to the table).

    Shares are fractions (0.1 is ten percent). ``None`` switches that check off.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    disabled: frozenset[str] = frozenset()
    """Detector names or anomaly types not to report here."""

    # -- rules on one profile ---------------------------------------------------------
    mostly_null_share: float | None = Field(default=0.9, ge=0, le=1)
    key_distinct_share: float | None = Field(default=0.9999, ge=0, le=1)
    """A column this unique (or named like a key) is treated as a key: duplicates are anomalies.
    Near-unique is not unique: names, timestamps and measurements run 95-99.9% distinct."""
    outlier_iqr_multiplier: float | None = Field(default=3.0, gt=0)
    """Fences at ``q1 - k*IQR`` and ``q3 + k*IQR`` (on a log scale for right-skewed columns
    that are never negative, widened on the long side for skew); 3 marks "far out" values."""
    outlier_medium_distance: float = Field(default=3.0, ge=0)
    """An extreme this many IQRs past its fence makes the outliers medium (else low)."""
    outlier_high_distance: float | None = Field(default=10.0, ge=0)
    """...and this many IQRs past it, high: a reading no tail reaches."""
    outlier_zscore: float | None = Field(default=6.0, gt=0)
    """Used when no quantile sketch is available: min or max this many deviations out."""
    outlier_min_share: float = Field(default=0.0, ge=0, le=1)
    """Report outliers only when more than this share of values lies outside the fences."""
    future_tolerance_seconds: float | None = Field(default=300.0, ge=0)
    """Clock skew allowed before a timestamp counts as "in the future"."""
    type_match_share: float | None = Field(default=0.95, ge=0, le=1)
    """A text column whose values match another type at least this often is mistyped."""

    # -- strategies on history ----------------------------------------------------------
    row_count_max_relative_change: float | None = Field(default=0.5, ge=0)
    row_count_max_absolute_change: float | None = Field(default=None, ge=0)
    null_share_max_absolute_change: float | None = Field(default=0.1, ge=0)
    null_share_max_relative_change: float | None = Field(default=None, ge=0)
    distinct_share_max_absolute_change: float | None = Field(default=0.2, ge=0)
    distinct_share_max_relative_change: float | None = Field(default=None, ge=0)
    mean_max_relative_change: float | None = Field(default=0.5, ge=0)
    mean_max_absolute_change: float | None = Field(default=None, ge=0)
    history_zscore: float | None = Field(default=3.0, gt=0)
    history_min_runs: int = Field(default=5, ge=2)
    """Past runs needed before the running mean and deviation are trusted."""

    # -- drift --------------------------------------------------------------------------
    drift_ks_statistic: float | None = Field(default=0.2, gt=0, le=1)
    """Largest gap between the two CDFs tolerated, whatever the significance."""
    drift_p_value: float = Field(default=0.001, gt=0, lt=1)
    """Significance for DataSketches' KS test, which also allows for the sketches' error."""
    top_values_max_churn: float | None = Field(default=0.5, ge=0, le=1)
    """Jaccard distance between the previous and current top values."""
    top_values_count: int = Field(default=10, ge=1)
    top_values_max_distinct_share: float = Field(default=0.5, ge=0, le=1)
    """Skip churn on near-unique columns, whose "top values" are noise."""
    top_values_min_share: float = Field(default=0.001, ge=0, le=1)
    """Only values holding at least this share of the non-null rows count as top values:
    in a column of many rare values (coordinates, ids) the "top ten" are ties whose order
    is chance, and their churn means nothing."""

    def enabled(self, *names: str) -> bool:
        """False when any of ``names`` (a detector or an anomaly type) is disabled."""
        return not any(name in self.disabled for name in names)


class Thresholds(ThresholdValues):
    """The table's thresholds plus overrides per column (``columns[name][knob] = value``)."""

    columns: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_overrides(self) -> Thresholds:
        for column in self.columns:
            self.for_column(column)
        return self

    def for_column(self, column: str | None) -> ThresholdValues:
        """The values that apply to ``column``: its overrides on top of the table's."""
        base = self.model_dump(exclude={"columns"})
        override = self.columns.get(column, {}) if column is not None else {}
        if not override:
            return ThresholdValues.model_validate(base)
        try:
            return ThresholdValues.model_validate({**base, **override})
        except ValidationError as exc:
            raise ConfigurationError(
                f"Invalid anomaly thresholds for column {column!r}: {_describe(exc)}",
                hint="see dataprof.anomalies.ThresholdValues for the accepted keys",
            ) from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Thresholds:
        """Thresholds from a config table, with a :class:`ConfigurationError` when invalid."""
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as exc:
            raise ConfigurationError(
                f"Invalid anomaly thresholds: {_describe(exc)}",
                hint="see dataprof.anomalies.ThresholdValues for the accepted keys",
            ) from None


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'thresholds'}: {err['msg']}"
        for err in exc.errors(include_url=False, include_input=False)
    )
