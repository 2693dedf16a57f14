"""Does a pushdown profile say what a scan of the same rows says?

:func:`assert_pushdown_agrees` is the check behind the kit's
``test_pushdown_agrees_with_a_scan``, public so that a backend's own tests can run
it on larger tables (several result pages, sketches past their exact range):

- the same columns, declared and inferred types, row and null counts;
- every metric key is one of ``METRIC_DESCRIPTIONS``, labelled ``source=pushdown``,
  holding valid values only (no NaN or infinity, percentages within 0-100);
- a figure exact on both sides is equal (floats to 1e-9 relative);
- an approximate one lies within its stated bound: ``relative`` against the scan's
  exact figure, ``rank`` against the rows themselves, ``count`` per top value;
- what the scan has and the pushdown lacks is named in the profile's notes;
- the engine did not have to clamp anything (no ``_consistent`` note).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators import QUANTILES
from dataprof.profiling.metric_names import METRIC_DESCRIPTIONS
from dataprof.profiling.models import ColumnProfile, Metric, MetricSource, ProfileMode

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.profiling.models import TableProfile

__all__ = ["assert_pushdown_agrees"]

CLAMP_NOTES = ("clamped to", "set to the table's")
"""What the engine's ``_consistent`` writes when it had to correct a connector's figures."""


def assert_pushdown_agrees(
    pushed: TableProfile, scanned: TableProfile, rows: pa.Table | None = None
) -> None:
    """Fail with the column and metric at fault unless ``pushed`` agrees with ``scanned``.

    ``rows`` (the table's rows, top-level columns) lets approximate quantiles be checked
    against their stated rank error; without it they are only checked to lie within
    the scan's min and max.
    """
    assert pushed.mode is ProfileMode.PUSHDOWN, pushed.mode
    assert pushed.row_count == scanned.row_count, (pushed.row_count, scanned.row_count)
    clamps = [n for n in pushed.notes if any(c in n for c in CLAMP_NOTES)]
    assert not clamps, f"the engine had to correct the connector's figures: {clamps}"
    assert [c.column_name for c in pushed.columns] == [c.column_name for c in scanned.columns]
    for p, s in zip(pushed.columns, scanned.columns, strict=True):
        _column_agrees(p, s, pushed.notes, rows)


def _column_agrees(
    p: ColumnProfile, s: ColumnProfile, notes: list[str], rows: pa.Table | None
) -> None:
    where = p.column_name
    assert p.data_type == s.data_type, (where, p.data_type, s.data_type)
    assert p.supported == s.supported, (where, p.unsupported_reason, s.unsupported_reason)
    assert p.inferred_type == s.inferred_type, (where, p.inferred_type, s.inferred_type)
    assert p.row_count == s.row_count, where
    assert p.null_count == s.null_count, (where, p.null_count, s.null_count)
    for name, metric in p.metrics.items():
        at = f"{where}/{name}"
        assert name in METRIC_DESCRIPTIONS, f"{at}: not a metric a scan defines"
        assert metric.source is MetricSource.PUSHDOWN, f"{at}: source {metric.source}"
        _assert_valid(metric.value, at, percentage=name.endswith("_percentage"))
        if not metric.exact:
            assert metric.error_kind, f"{at}: approximate without an error kind"
            if metric.error_kind != "bound":  # a cut min or max is its own bound
                assert metric.error_bound is not None, f"{at}: approximate without a bound"
        theirs = s.metrics.get(name)
        assert theirs is not None, f"{at}: the scan has no such metric for this column"
        if (metric.exact and theirs.exact) or metric.error_kind == theirs.error_kind == "bound":
            # long text cut alike: the same value, the same prefix and bumped last character
            assert _same(metric.value, theirs.value), (at, metric.value, theirs.value)
            assert metric.exact == theirs.exact, (at, "exact", metric.exact, theirs.exact)
        elif theirs.exact:
            _within_bound(metric, theirs, at, rows, where)
    for name in sorted(set(s.metrics) - set(p.metrics)):
        assert any(name in n and where in n for n in notes), (
            f"{where}/{name}: absent from the pushdown profile and not named in its notes"
        )
    # the flat fields say what the metrics say
    for flat, key in (("distinct_count", "distinct_count"), ("min_value", "min")):
        if key in p.metrics:
            assert getattr(p, flat) == p.metrics[key].value, (where, flat)


def _within_bound(
    metric: Metric, scan: Metric, at: str, rows: pa.Table | None, column: str
) -> None:
    bound = metric.error_bound or 0.0
    kind = metric.error_kind
    if kind == "relative":
        true = float(scan.value or 0)
        assert abs(float(metric.value or 0) - true) <= bound * true + 1e-9, (at, metric, scan)
    elif kind == "rank":
        values = _valid_values(rows, column)
        estimates = metric.value if isinstance(metric.value, dict) else {"p50": metric.value}
        for q, estimate in estimates.items():
            rank = QUANTILES[q]
            if values is None:
                continue
            n = len(values)
            below = sum(1 for v in values if v < estimate) / n
            upto = sum(1 for v in values if v <= estimate) / n
            slack = bound + 1.0 / n
            assert below - slack <= rank <= upto + slack, (at, q, estimate, rank, below, upto)
    elif kind == "count":
        theirs = {repr(t["value"]): t["count"] for t in scan.value}
        for top in metric.value:
            if repr(top["value"]) in theirs:
                off = abs(top["count"] - theirs[repr(top["value"])])
                assert off <= top["count_error"], (at, top, theirs[repr(top["value"])])
    else:
        raise AssertionError(f"{at}: unknown error kind {kind!r}")


def _valid_values(rows: pa.Table | None, column: str) -> list[Any] | None:
    if rows is None or column not in rows.column_names:
        return None
    out = []
    for v in rows.column(column).to_pylist():
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            continue
        out.append(v)
    return out or None


def _assert_valid(value: Any, at: str, *, percentage: bool = False) -> None:
    if isinstance(value, float):
        assert math.isfinite(value), f"{at}: {value} is not a valid value"
        if percentage:
            assert 0.0 <= value <= 100.0, f"{at}: percentage {value} outside 0-100"
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_valid(item, f"{at}.{key}")
    elif isinstance(value, list):
        for item in value:
            _assert_valid(item, at)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        # top values: ties may come back in either order
        return all(
            _same(x, y) for x, y in zip(sorted(a, key=repr), sorted(b, key=repr), strict=True)
        )
    return bool(a == b)
