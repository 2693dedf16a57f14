"""Rules that need one profile only: nulls, constants, duplicate keys, outliers,
timestamps in the future and text that is really another type.

Each rule is a small class so a user can disable it by name (``disabled`` in the
thresholds) and a test can run it alone. Rules read the flat figures of
:class:`ColumnProfile` first and the stored sketches where they need a
distribution; a figure the engine did not measure (``None``) never fires a rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dataprof.anomalies.detector import (
    distinct_share,
    looks_like_primary_key,
    non_null_count,
    null_share,
)
from dataprof.anomalies.stored_sketches import load_kll
from dataprof.anomalies.thresholds import Thresholds, ThresholdValues
from dataprof.anomalies.type_names import TypeFamily, type_family
from dataprof.profiling.fences import Fences, outlier_fences
from dataprof.profiling.models import Anomaly, ColumnProfile, Severity, TableProfile

__all__ = [
    "ConstantColumnDetector",
    "DuplicateKeyDetector",
    "FutureTimestampDetector",
    "NullShareDetector",
    "OutlierDetector",
    "TypeMismatchDetector",
]


def _columns(
    detector: str, current: TableProfile, thresholds: Thresholds
) -> list[tuple[ColumnProfile, ThresholdValues]]:
    """The supported columns the detector is enabled for, each with its thresholds."""
    out = []
    for column in current.columns:
        values = thresholds.for_column(column.column_name)
        if column.supported and values.enabled(detector):
            out.append((column, values))
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _nan_count(column: ColumnProfile) -> int:
    metric = column.metrics.get("nan_count")
    value = metric.value if metric is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class NullShareDetector:
    """Columns that are all null (``all_null``) or nearly so (``mostly_null``).

    A float's NaN is no value either: a column of nulls and NaN is as empty as a
    column of nulls, and is reported the same way (the NaN count in the metadata)."""

    name = "null_share"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        found: list[Anomaly] = []
        for column, values in _columns(self.name, current, thresholds):
            nulls = null_share(column)
            if nulls is None:
                continue
            nans = _nan_count(column)
            share = min(1.0, nulls + nans / column.row_count)
            what = "null or NaN" if nans else "null"
            counts = {
                "null_count": column.null_count,
                "nan_count": nans,
                "row_count": column.row_count,
            }
            if share >= 1.0:
                # A column allowed to be empty (disabled all_null) is not "mostly null" either.
                if not values.enabled("all_null"):
                    continue
                found.append(
                    Anomaly(
                        column_name=column.column_name,
                        anomaly_type="all_null",
                        severity=Severity.HIGH,
                        description=f"Every one of the {column.row_count} values is {what}"
                        + (f" ({nans} NaN)" if nans else ""),
                        observed_value=share,
                        threshold=1.0,
                        detector=self.name,
                        metadata=counts,
                    )
                )
            elif (
                values.mostly_null_share is not None
                and share >= values.mostly_null_share
                and values.enabled("mostly_null")
            ):
                found.append(
                    Anomaly(
                        column_name=column.column_name,
                        anomaly_type="mostly_null",
                        severity=Severity.MEDIUM,
                        description=f"{share:.1%} of values are {what} "
                        f"(threshold {values.mostly_null_share:.0%})",
                        observed_value=share,
                        threshold=values.mostly_null_share,
                        detector=self.name,
                        metadata=counts,
                    )
                )
        return found


class ConstantColumnDetector:
    """Columns holding one value in every non-null row: usually a broken feed or a default."""

    name = "constant_column"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        found: list[Anomaly] = []
        for column, _values in _columns(self.name, current, thresholds):
            if non_null_count(column) < 2:
                continue
            constant = column.distinct_count == 1 or (
                column.distinct_count is None
                and column.min_value is not None
                and column.min_value == column.max_value
            )
            if not constant:
                continue
            value = column.min_value if column.min_value is not None else _top_value(column)
            found.append(
                Anomaly(
                    column_name=column.column_name,
                    anomaly_type="constant_column",
                    severity=Severity.LOW,
                    description=f"All {non_null_count(column)} non-null values are the same"
                    + (f" ({value!r})" if value is not None else ""),
                    observed_value=1,
                    threshold=1,
                    detector=self.name,
                    metadata={"value": value},
                )
            )
        return found


def _top_value(column: ColumnProfile) -> Any:
    return column.top_values[0].value if column.top_values else None


class DuplicateKeyDetector:
    """Repeated values in a column that looks like a key.

    A column looks like a key by its name, when the name says it is the table's
    own identifier (``id``, ``uuid``, ``order_id`` in ``orders``; not ``driver_id``
    in ``trips``, a reference that repeats by design), or by being nearly unique
    already (``key_distinct_share``) while
    holding whole numbers or text: a float column that is 99% distinct is a
    measurement, not a key. An approximate distinct count only convicts when the
    gap exceeds its error bound.
    """

    name = "duplicate_key"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        found: list[Anomaly] = []
        for column, values in _columns(self.name, current, thresholds):
            non_null = non_null_count(column)
            share = distinct_share(column)
            if column.distinct_count is None or share is None or non_null < 2:
                continue
            by_name = looks_like_primary_key(column.column_name, current.table)
            family = type_family(column.data_type)
            by_shape = (
                values.key_distinct_share is not None
                and share >= values.key_distinct_share
                and family in {TypeFamily.INTEGER, TypeFamily.TEXT}
            )
            if not (by_name or by_shape):
                continue
            duplicates = non_null - column.distinct_count
            if duplicates <= 0 or not self._beyond_error(column, non_null):
                continue
            found.append(
                Anomaly(
                    column_name=column.column_name,
                    anomaly_type="duplicate_key",
                    severity=Severity.HIGH if by_name else Severity.MEDIUM,
                    description=f"Looks like a key ({'by name' if by_name else 'by uniqueness'}) "
                    f"but {non_null} non-null values hold only {column.distinct_count} distinct",
                    observed_value=duplicates,
                    threshold=0,
                    detector=self.name,
                    metadata={
                        "distinct_count": column.distinct_count,
                        "non_null_count": non_null,
                        "distinct_share": share,
                        "key_by": "name" if by_name else "uniqueness",
                    },
                )
            )
        return found

    @staticmethod
    def _beyond_error(column: ColumnProfile, non_null: int) -> bool:
        metric = column.metrics.get("distinct_count")
        if metric is None or metric.exact or not metric.error_bound:
            return True
        assert column.distinct_count is not None
        return column.distinct_count < non_null * (1 - metric.error_bound)


class OutlierDetector:
    """Values far outside the bulk of a numeric column.

    With the column's KLL sketch: fences that respect skew
    (:func:`dataprof.profiling.fences.outlier_fences`: a log scale for a
    right-skewed column that is never negative, fences widened on the long side),
    at ``outlier_iqr_multiplier`` IQRs ("far out" at the default 3). Without one:
    the z-score of the minimum and maximum against the mean and standard deviation.
    A column with no spread (IQR of zero) has no fences and is left to the
    constant-column rule.

    Severity rests on magnitude, how far past the fence the extreme lies in IQRs
    (``outlier_high_distance``, ``outlier_medium_distance``), not on how many values
    do: a long tail holds many values just past a fence, a broken reading holds one
    value thirty IQRs out. The count is the engine's (``outlier_count``, exact or a
    range) when it counted at these fences, else a range from the sketch's rank error.
    """

    name = "outliers"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        found: list[Anomaly] = []
        for column, values in _columns(self.name, current, thresholds):
            if not type_family(column.data_type).numeric:
                continue
            sketch = load_kll(current, column.column_name)
            if sketch is not None and values.outlier_iqr_multiplier is not None:
                anomaly = self._by_fences(column, sketch, values)
            else:
                anomaly = self._by_zscore(column, values)
            if anomaly is not None:
                found.append(anomaly)
        return found

    def _by_fences(
        self, column: ColumnProfile, sketch: Any, values: ThresholdValues
    ) -> Anomaly | None:
        assert values.outlier_iqr_multiplier is not None
        low_value = _number(column.min_value)
        high_value = _number(column.max_value)
        low = float(sketch.get_min_value()) if low_value is None else low_value
        high = float(sketch.get_max_value()) if high_value is None else high_value
        fences = _engine_fences(column, values.outlier_iqr_multiplier) or outlier_fences(
            lambda rank: float(sketch.get_quantile(rank)), low, values.outlier_iqr_multiplier
        )
        if fences is None or (low >= fences.lower and high <= fences.upper):
            return None
        n = int(sketch.n)
        engine = _engine_count(column, fences)
        if engine is not None:  # the same on every run, unlike the sketch's ranks
            share = (engine[0] + engine[1]) / 2 / n if n else 0.0
        else:
            below = max(float(sketch.get_rank(fences.lower, False)), 0.0)
            above = max(1.0 - float(sketch.get_rank(fences.upper, True)), 0.0)
            share = below + above
        if share <= values.outlier_min_share and values.outlier_min_share > 0:
            return None
        least, most = engine or _outlier_count(column, fences, sketch, share, low, high)
        distance = max(fences.distance(low), fences.distance(high))
        if values.outlier_high_distance is not None and distance >= values.outlier_high_distance:
            severity = Severity.HIGH
        elif distance >= values.outlier_medium_distance:
            severity = Severity.MEDIUM
        else:
            severity = Severity.LOW
        counted = f"{least:,}" if least == most else f"Between {least:,} and {most:,}"
        plural = "s" if most != 1 else ""
        return Anomaly(
            column_name=column.column_name,
            anomaly_type="outliers",
            severity=severity,
            description=f"{counted} value{plural} ({_share_text(least, most, n)}) outside the "
            f"fences {fences.describe()}; min {low:g}, max {high:g}, "
            f"{distance:.1f} IQRs past the fence",
            observed_value=distance,
            threshold={"lower": fences.lower, "upper": fences.upper},
            detector=self.name,
            metadata={
                "method": "iqr",
                "scale": fences.scale,
                "skew": fences.skew,
                "multiplier": fences.multiplier,
                "count_min": least,
                "count_max": most,
                "share": share,
                "distance_iqrs": distance,
                "min": low,
                "max": high,
            },
        )

    def _by_zscore(self, column: ColumnProfile, values: ThresholdValues) -> Anomaly | None:
        limit = values.outlier_zscore
        mean, std = column.mean_value, column.std_dev
        if limit is None or mean is None or std is None or not std > 0:
            return None
        scores = {
            side: (value - mean) / std
            for side, value in (
                ("min", _number(column.min_value)),
                ("max", _number(column.max_value)),
            )
            if value is not None
        }
        worst = max(scores.items(), key=lambda item: abs(item[1]), default=None)
        if worst is None or abs(worst[1]) <= limit:
            return None
        return Anomaly(
            column_name=column.column_name,
            anomaly_type="outliers",
            severity=Severity.LOW,
            description=f"The {worst[0]} lies {abs(worst[1]):.1f} standard deviations from the "
            f"mean (threshold {limit:g})",
            observed_value=worst[1],
            threshold=limit,
            detector=self.name,
            metadata={"method": "zscore", "mean": mean, "std_dev": std, **scores},
        )


def _engine_fences(column: ColumnProfile, multiplier: float) -> Fences | None:
    """The fences the engine counted at, when it drew them with this multiplier: from
    exact quantiles where it held exact counts, so the same data gives the same fences
    (and text) on every run, whatever the sketch's random compactions."""
    import dataclasses

    metric = column.metrics.get("outlier_count")
    figure = metric.value if metric is not None else None
    if not isinstance(figure, dict) or figure.get("multiplier") != multiplier:
        return None
    names = [f.name for f in dataclasses.fields(Fences)]
    try:
        return Fences(**{name: figure[name] for name in names})
    except (KeyError, TypeError):
        return None


def _engine_count(column: ColumnProfile, fences: Fences) -> tuple[int, int] | None:
    """(fewest, most) values past ``fences`` as the engine counted them, when it counted
    at these fences: its range (``count_min``, ``count_max``) past the exact-count budget,
    else its count within its error bound."""
    metric = column.metrics.get("outlier_count")
    counted = metric.value if metric is not None else None
    if not (
        isinstance(counted, dict)
        and isinstance(counted.get("count"), int)
        and math.isclose(float(counted.get("lower", math.nan)), fences.lower, rel_tol=1e-9)
        and math.isclose(float(counted.get("upper", math.nan)), fences.upper, rel_tol=1e-9)
    ):
        return None
    assert metric is not None
    least, most = counted.get("count_min"), counted.get("count_max")
    if isinstance(least, int) and isinstance(most, int) and 0 <= least <= most:
        return least, most
    spread = 0 if metric.exact else int(metric.error_bound or 0)
    return max(0, counted["count"] - spread), counted["count"] + spread


def _outlier_count(
    column: ColumnProfile, fences: Fences, sketch: Any, share: float, low: float, high: float
) -> tuple[int, int]:
    """(fewest, most) values past ``fences``: the engine's count when it counted at these
    fences, else the sketch's estimate widened by its rank error on each side."""
    counted = _engine_count(column, fences)
    if counted is not None:
        return counted
    n = int(sketch.n)
    known = int(low < fences.lower) + int(high > fences.upper)
    error = float(sketch.normalized_rank_error(False))
    sides = 2 if known == 2 else 1
    least = max(known, math.floor((share - sides * error) * n))
    most = max(least, min(n, math.ceil((share + sides * error) * n)))
    return least, most


def _share_text(least: int, most: int, n: int) -> str:
    if n <= 0:
        return "?"
    if least == most:
        return f"{least / n:.2%}"
    return f"{least / n:.2%} to {most / n:.2%}"


def _as_utc(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        # A date is in the future when its day has not begun: today is fine all day.
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


class FutureTimestampDetector:
    """Timestamps and dates later than now: clock bugs, unit mix-ups, placeholder dates.

    Naive timestamps are read as UTC. Columns that legitimately hold future
    values (expiry dates) disable ``future_values`` in their column thresholds.
    """

    name = "future_values"

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        found: list[Anomaly] = []
        now = self._clock()
        for column, values in _columns(self.name, current, thresholds):
            if values.future_tolerance_seconds is None:
                continue
            if not type_family(column.data_type).temporal:
                continue
            latest = _as_utc(column.max_value)
            limit = now + timedelta(seconds=values.future_tolerance_seconds)
            if latest is None or latest <= limit:
                continue
            ahead = latest - now
            found.append(
                Anomaly(
                    column_name=column.column_name,
                    anomaly_type="future_values",
                    severity=Severity.HIGH if ahead > timedelta(days=365) else Severity.MEDIUM,
                    description=f"Latest value {column.max_value} is {_describe(ahead)} in the future",
                    observed_value=latest.isoformat(),
                    threshold=limit.isoformat(),
                    detector=self.name,
                    metadata={"seconds_ahead": ahead.total_seconds()},
                )
            )
        return found


def _describe(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} seconds"


_TYPED_CONTENT = {
    TypeFamily.INTEGER,
    TypeFamily.FLOAT,
    TypeFamily.DECIMAL,
    TypeFamily.BOOLEAN,
    TypeFamily.TIMESTAMP,
    TypeFamily.DATE,
}


class TypeMismatchDetector:
    """Text columns whose values are really numbers, booleans or dates.

    Typing them would let the engine (and every consumer) sort, sum and compare
    them correctly. ``inferred_match_share``, when the engine measured it, says how
    many values fit the inferred type; the rest are the values that contradict it.
    """

    name = "type_mismatch"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        found: list[Anomaly] = []
        for column, values in _columns(self.name, current, thresholds):
            if values.type_match_share is None or non_null_count(column) == 0:
                continue
            if type_family(column.data_type) is not TypeFamily.TEXT:
                continue
            inferred = type_family(column.inferred_type)
            if inferred not in _TYPED_CONTENT:
                continue
            metric = column.metrics.get("inferred_match_share")
            share = _number(metric.value) if metric is not None else None
            if share is not None and share < values.type_match_share:
                continue
            shown = f"{share:.1%} of the values" if share is not None else "the values"
            found.append(
                Anomaly(
                    column_name=column.column_name,
                    anomaly_type="type_mismatch",
                    severity=Severity.LOW,
                    description=f"Declared {column.data_type} but {shown} look like "
                    f"{column.inferred_type}",
                    observed_value=column.inferred_type,
                    threshold=values.type_match_share,
                    detector=self.name,
                    metadata={"declared": column.data_type, "match_share": share},
                )
            )
        return found
