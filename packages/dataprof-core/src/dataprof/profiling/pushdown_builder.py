"""The builder a pushdown connector uses: its engine's figures -> the scan's ColumnProfile.

Shared by every SQL backend so that a pushdown profile cannot drift from a scan's:
the same metric keys and flat fields (``METRIC_DESCRIPTIONS``), the same value
types, the same inferred type (``inference.PATTERNS`` counted in SQL, decided by
``decide_string_type``), each metric ``source=pushdown`` with its exactness. The
engine-specific part (SQL, result decoding) stays in the backend. Re-exported by
:mod:`dataprof.profiling.pushdown`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dataprof.profiling.models import ColumnProfile, Metric, MetricSource, TopValue

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.profiling.types import Kind

__all__ = ["APPROX_DISTINCT_BOUND", "Approximation", "ColumnFigures", "PushdownProfileBuilder"]


APPROX_DISTINCT_BOUND = 2 * 0.023
"""~95% relative bound of Athena's ``approx_distinct`` and Redshift's ``APPROXIMATE
COUNT(DISTINCT)`` (HyperLogLog, 2.3% standard error): twice the standard error."""


@dataclass(frozen=True)
class Approximation:
    """How far an engine's approximate figure may be off, in :class:`Metric` terms:
    ``kind`` is the ``error_kind`` (``relative``, ``rank``, ``count``) and ``bound``
    the ``error_bound``."""

    kind: str
    bound: float


@dataclass(frozen=True)
class ColumnFigures:
    """What an engine measured for one column, before it becomes a profile.

    Every figure is over the column's valid values (non-null, and for floats neither
    NaN nor infinite), as ``METRIC_DESCRIPTIONS`` defines them; None means the SQL
    did not compute it (the builder then names it in its notes). Values may arrive
    as the engine returns them: text is converted to the column's type, and for a
    temporal column a number is seconds since the epoch (since midnight for times),
    which is how SQL engines average and rank timestamps. ``std_dev`` is the sample
    standard deviation (ddof=1), in seconds for a temporal column. ``pattern_counts``
    counts the valid values matching each of ``inference.PATTERNS``.
    """

    row_count: int
    null_count: int
    nan_count: int | None = None
    pos_inf_count: int | None = None
    neg_inf_count: int | None = None
    distinct_count: int | None = None
    top_values: Sequence[tuple[Any, int]] | None = None
    min: Any = None
    max: Any = None
    sum: Any = None
    mean: Any = None
    std_dev: float | None = None
    quantiles: Mapping[str, Any] | None = None
    zero_count: int | None = None
    negative_count: int | None = None
    length_min: int | None = None
    length_max: int | None = None
    length_mean: float | None = None
    empty_count: int | None = None
    true_count: int | None = None
    false_count: int | None = None
    pattern_counts: Mapping[str, int] | None = None


class PushdownProfileBuilder:
    """Turns :class:`ColumnFigures` into the :class:`ColumnProfile` a scan would produce.

    Same metric keys, flat fields, value types and inferred type as
    ``finalize(profile_batches(...))``; every metric ``source=pushdown``; the figures
    named in ``approximate`` (``distinct_count``, ``quantiles``, ``top_values``) are
    ``exact=False`` with their bound, everything else exact. What a scan has and the
    figures lack is left out and named by :meth:`notes`. One builder per profile.
    """

    def __init__(
        self, *, approximate: Mapping[str, Approximation] | None = None, top_n: int = 10
    ) -> None:
        self._approximate = dict(approximate or {})
        self._top_n = top_n
        self._absent: dict[str, list[str]] = {}

    def columns(
        self,
        schema: pa.Schema,
        declared: Mapping[str, str],
        figures: Mapping[str, ColumnFigures],
    ) -> list[ColumnProfile]:
        """One profile per column of ``schema`` (struct fields dotted), in schema order."""
        from dataprof.profiling.types import flatten_fields

        return [
            self.column(name, field.type, declared.get(name, str(field.type)), figures[name])
            for name, field in flatten_fields(schema)
        ]

    def column(
        self, name: str, data_type: pa.DataType, declared: str, figures: ColumnFigures
    ) -> ColumnProfile:
        """The profile of one column (a dotted name for a struct field)."""
        from dataprof.profiling.accumulators import make_accumulator
        from dataprof.profiling.types import Kind, kind_of

        kind, reason = kind_of(data_type)
        column = _Column(name, data_type, kind, figures, self._approximate, self._top_n)
        column.common()
        inferred = make_accumulator(name, data_type, declared).inferred
        if kind is Kind.UNSUPPORTED:
            return column.profile(declared, "unsupported", reason)
        if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL, Kind.TEMPORAL):
            column.numeric()
        elif kind is Kind.STRING:
            inferred = column.string() or inferred
        elif kind is Kind.BINARY:
            column.lengths()
            column.counts()
            column.bounds()
        elif kind is Kind.BOOLEAN:
            column.boolean()
        elif kind is Kind.LIST:
            column.lengths()
        for metric in column.absent:
            self._absent.setdefault(metric, []).append(name)
        return column.profile(declared, inferred, None)

    def notes(self) -> list[str]:
        """What the SQL could not give, one line per metric, naming the columns."""
        return [
            f"pushdown: no {metric} for {', '.join(columns)} (not computed by the engine's SQL)"
            for metric, columns in sorted(self._absent.items())
        ]


def _percentage(part: int | None, whole: int) -> float | None:
    return None if part is None or whole <= 0 else 100.0 * part / whole


def _finite(value: Any) -> Any:
    """A float figure, or None where an engine returned NaN or infinity (no valid value)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class _Column:
    """The metrics of one column as they are added, and what is missing."""

    def __init__(
        self,
        name: str,
        data_type: pa.DataType,
        kind: Kind,
        figures: ColumnFigures,
        approximate: Mapping[str, Approximation],
        top_n: int,
    ) -> None:
        self.name = name
        self.data_type = data_type
        self.kind = kind
        self.f = figures
        self.approximate = approximate
        self.top_n = top_n
        self.metrics: dict[str, Metric] = {}
        self.flat: dict[str, Any] = {}
        self.absent: list[str] = []
        self.valid = figures.row_count - figures.null_count

    # -- adding figures -----------------------------------------------------------------
    def add(self, name: str, value: Any, *, approx: str | None = None, flat: str = "") -> Any:
        how = self.approximate.get(approx) if approx and self.valid > 0 else None
        self.metrics[name] = Metric(
            value=value,
            exact=how is None,
            source=MetricSource.PUSHDOWN,
            error_bound=None if how is None else how.bound,
            error_kind=None if how is None else how.kind,
        )
        if flat:
            self.flat[flat] = value
        return value

    def add_given(self, name: str, value: Any, *, flat: str = "") -> Any:
        """Add ``value`` if the engine computed it, else record it as absent. A count over
        no valid values is 0 even where SQL says NULL (``sum`` of no rows)."""
        if value is None and self.valid <= 0 and name.endswith("_count"):
            value = 0
        if value is None:
            self.absent.append(name)
            return None
        return self.add(name, value, flat=flat)

    def value(self, raw: Any) -> Any:
        """An engine's value in the column's terms, as the scan shows it."""
        from dataprof.profiling.types import Kind

        if raw is None:
            return None
        kind = self.kind
        if kind is Kind.INTEGER:
            return int(raw) if not isinstance(raw, float) else round(raw)
        if kind is Kind.FLOAT:
            return float(raw) + 0.0
        if kind is Kind.DECIMAL:
            return _decimal(raw, self.data_type)
        if kind is Kind.TEMPORAL:
            return _temporal(raw, self.data_type)
        if kind is Kind.BOOLEAN:
            return raw if isinstance(raw, bool) else str(raw).lower() == "true"
        if kind is Kind.BINARY:
            return raw.hex() if isinstance(raw, bytes) else str(raw).replace(" ", "").lower()
        return str(raw)

    # -- per kind -------------------------------------------------------------------------
    def common(self) -> None:
        rows, nulls = self.f.row_count, self.f.null_count
        self.add("row_count", rows)
        self.add("null_count", nulls)
        self.add("null_percentage", _percentage(nulls, rows))
        self.add("non_null_count", rows - nulls)

    def numeric(self) -> None:
        from dataprof.profiling.accumulators import QUANTILES
        from dataprof.profiling.types import Kind, storage_type, unit_seconds

        f, temporal = self.f, self.kind is Kind.TEMPORAL
        if self.kind is Kind.FLOAT:
            odd = [f.nan_count, f.pos_inf_count, f.neg_inf_count]
            if self.valid <= 0:
                odd = [0, 0, 0]
            if None in odd:
                self.absent.append("valid_count")
            else:
                f = replace(f, nan_count=odd[0], pos_inf_count=odd[1], neg_inf_count=odd[2])
                self.valid -= sum(c for c in odd if c is not None)
                self.add("valid_count", self.valid)
                self.add("nan_count", f.nan_count)
                self.add("pos_inf_count", f.pos_inf_count)
                self.add("neg_inf_count", f.neg_inf_count)
                self.add("infinity_count", (f.pos_inf_count or 0) + (f.neg_inf_count or 0))
        else:
            self.add("valid_count", self.valid)
        if not temporal:
            self.add_given("zero_count", f.zero_count)
            self.add_given("negative_count", f.negative_count)
        self.counts()
        if self.valid <= 0:
            return
        self.bounds()
        if temporal:
            self.add("sum", None)
            self.add_given("mean", self.value(f.mean))
        else:
            self.add_given("sum", self.value(f.sum) if f.sum is not None else None)
            self.add_given("mean", _finite(f.mean), flat="mean_value")
        std = None if self.valid < 2 else _finite(f.std_dev)
        if std is None and self.valid >= 2:
            self.absent.extend(["std_dev", "variance"])
        else:
            unit = unit_seconds(storage_type(self.data_type)) if temporal else 1.0
            if temporal and std is not None:
                self.add("std_dev_seconds", std)
            self.add("std_dev", std, flat="std_dev")
            self.add("variance", None if std is None else (std / unit) ** 2)
        if f.quantiles is None:
            self.absent.extend(["median", "quantiles"])
        else:
            quantiles = {q: self.value(f.quantiles.get(q)) for q in QUANTILES}
            self.add("median", quantiles["p50"], approx="quantiles", flat="median_value")
            self.add("quantiles", quantiles, approx="quantiles")
        self.absent.append("histogram")
        if not temporal:
            self.absent.append("outlier_count")

    def bounds(self) -> None:
        self.bound("min", self.value(self.f.min), upper=False)
        self.bound("max", self.value(self.f.max), upper=True)

    def bound(self, name: str, value: Any, *, upper: bool) -> None:
        """A min or max; text and bytes cut to the length a scan shows, then a bound."""
        from dataprof.profiling.accumulators.long_values import cut_bound
        from dataprof.profiling.types import Kind

        if value is not None and self.kind in (Kind.STRING, Kind.BINARY):
            binary = self.kind is Kind.BINARY
            cut, was_cut = cut_bound(bytes.fromhex(value) if binary else value, upper=upper)
            if was_cut:
                shown = cut.hex() if isinstance(cut, bytes) else cut
                self.metrics[name] = Metric(
                    value=shown, exact=False, source=MetricSource.PUSHDOWN, error_kind="bound"
                )
                self.flat[f"{name}_value"] = shown
                return
        self.add(name, value, flat=f"{name}_value")

    def top_value(self, raw: Any) -> Any:
        """A top value as a scan shows it (a long text or bytes value by prefix and digest)."""
        from dataprof.profiling.accumulators.long_values import shown_value
        from dataprof.profiling.types import Kind

        value = self.value(raw)
        if self.kind is Kind.STRING:
            return shown_value(value)
        if self.kind is Kind.BINARY:
            return shown_value(bytes.fromhex(value)).hex()
        return value

    def counts(self) -> None:
        f = self.f
        if f.distinct_count is None:
            self.absent.extend(["distinct_count", "distinct_percentage"])
        else:
            distinct = min(f.distinct_count, max(self.valid, 0))
            if self.valid > 0 and distinct == 0:
                distinct = 1  # the scan's rule: an estimate never says no value when some are
            self.add("distinct_count", distinct, approx="distinct_count", flat="distinct_count")
            self.add(
                "distinct_percentage",
                _percentage(distinct, self.valid),
                approx="distinct_count",
                flat="distinct_percentage",
            )
        if f.top_values is None:
            self.absent.append("top_values")
            return
        how = self.approximate.get("top_values") if self.valid > 0 else None
        error = int(how.bound) if how is not None and how.kind == "count" else 0
        top = [
            TopValue(
                value=self.top_value(value), count=min(int(count), self.valid), count_error=error
            )
            for value, count in list(f.top_values)[: self.top_n]
            if value is not None and count
        ]
        self.flat["top_values"] = top
        self.add("top_values", [t.model_dump() for t in top], approx="top_values")

    def lengths(self) -> None:
        f = self.f
        self.add("valid_count", self.valid)
        self.add_given("empty_count", f.empty_count if self.valid else 0)
        for name, raw in (("length_min", f.length_min), ("length_max", f.length_max)):
            if self.valid:
                self.add_given(name, None if raw is None else int(raw))
            else:
                self.add(name, None)
        if self.valid:
            self.add_given("length_mean", _finite(f.length_mean))
        else:
            self.add("length_mean", None)

    def string(self) -> str | None:
        from dataprof.profiling.inference import PATTERNS, decide_string_type

        self.lengths()
        self.counts()
        self.bounds()
        if self.f.pattern_counts is None:
            self.absent.extend(["inferred_match_share", "inferred_type_shares"])
            return None
        matches = {p: int(self.f.pattern_counts.get(p) or 0) for p in PATTERNS}
        distinct = self.flat.get("distinct_count", self.valid)
        inferred, share = decide_string_type(matches, self.valid, distinct, self.valid)
        self.add("inferred_match_share", share)
        shares = {p: n / self.valid for p, n in matches.items()} if self.valid else {}
        self.add("inferred_type_shares", shares)
        self.add("inferred_examined_count", self.valid)
        return inferred

    def boolean(self) -> None:
        true, false = self.f.true_count, self.f.false_count
        if self.valid <= 0:  # SQL may say NULL for a count over no rows
            true, false = true or 0, false or 0
        if true is None or false is None:
            self.absent.extend(["true_count", "false_count", "top_values"])
            return
        valid = true + false
        self.add("valid_count", valid)
        self.add("true_count", true)
        self.add("false_count", false)
        self.add("true_percentage", _percentage(true, valid))
        distinct = int(true > 0) + int(false > 0)
        self.add("distinct_count", distinct, flat="distinct_count")
        self.add("distinct_percentage", _percentage(distinct, valid), flat="distinct_percentage")
        ranked = sorted([(True, true), (False, false)], key=lambda kv: (-kv[1], kv[0]))
        top = [TopValue(value=v, count=c) for v, c in ranked if c][: self.top_n]
        self.flat["top_values"] = top
        self.add("top_values", [t.model_dump() for t in top])
        if valid:
            self.add("min", false == 0, flat="min_value")
            self.add("max", true > 0, flat="max_value")
            self.add("mean", true / valid, flat="mean_value")

    def profile(self, declared: str, inferred: str, unsupported: str | None) -> ColumnProfile:
        if unsupported is not None:
            self.flat = {}
        return ColumnProfile(
            column_name=self.name,
            data_type=declared,
            inferred_type=inferred,
            supported=unsupported is None,
            unsupported_reason=unsupported,
            row_count=self.f.row_count,
            null_count=self.f.null_count,
            null_percentage=_percentage(self.f.null_count, self.f.row_count),
            metrics=self.metrics,
            **self.flat,
        )


def _decimal(raw: Any, data_type: pa.DataType) -> Decimal:
    from dataprof.profiling.types import decimal_from_float, storage_type

    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, float):
        return decimal_from_float(raw, storage_type(data_type))
    return Decimal(str(raw))


def _temporal(raw: Any, data_type: pa.DataType) -> Any:
    """A temporal value as the scan renders it; a number is seconds since the epoch."""
    import pyarrow as pa

    from dataprof.profiling.types import Kind, render_values, storage_type, unit_seconds

    t = storage_type(data_type)
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        units = round(Decimal(str(raw)) / Decimal(repr(unit_seconds(t))))
        return render_values([int(units)], data_type, Kind.TEMPORAL)[0]
    if isinstance(raw, str):
        return pa.scalar(raw).cast(t).as_py()
    return raw
