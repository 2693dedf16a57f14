"""An exact reference profile computed the slow, obvious way: Python lists.

Nothing here shares code with the engine: values come from ``to_pylist()`` and
every figure is computed with the standard library, collections.Counter and
numpy, so a bug in the engine's vectorized paths cannot hide in its own reference.
"""

from __future__ import annotations

import math
import os
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import dataprof
from dataprof.connector import DataConnector
from dataprof.profiling import ColumnProfile, Metric, TableProfile

ConnectorFactory = Callable[..., DataConnector]


def file_connector(path: Path) -> DataConnector:
    """The built-in ``file`` connector over ``path``, built the way a user builds it."""
    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="x", table="y"
    )
    return dataprof.get_connector(config)


QUANTILE_RANKS = {
    "p1": 0.01,
    "p5": 0.05,
    "p25": 0.25,
    "p50": 0.5,
    "p75": 0.75,
    "p95": 0.95,
    "p99": 0.99,
}


@dataclass
class Reference:
    rows: int
    nulls: int
    valid: list[Any]
    nan: int = 0
    pos_inf: int = 0
    neg_inf: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> Counter[Any]:
        return Counter(self.valid)


def _is_float_special(v: Any) -> bool:
    return isinstance(v, float) and not math.isfinite(v)


def reference(values: list[Any]) -> Reference:
    """Reference figures of one column's Python values (None is null)."""
    non_null = [v for v in values if v is not None]
    ref = Reference(rows=len(values), nulls=len(values) - len(non_null), valid=[])
    for v in non_null:
        if isinstance(v, float) and math.isnan(v):
            ref.nan += 1
        elif v == math.inf and isinstance(v, float):
            ref.pos_inf += 1
        elif v == -math.inf and isinstance(v, float):
            ref.neg_inf += 1
        else:
            ref.valid.append(0.0 if isinstance(v, float) and v == 0 else v)
    return ref


def inverted_cdf(sorted_values: list[Any], rank: float) -> Any:
    """numpy's ``inverted_cdf`` quantile: the smallest value whose CDF reaches ``rank``."""
    n = len(sorted_values)
    index = max(math.ceil(rank * n - 1e-9) - 1, 0)
    return sorted_values[min(index, n - 1)]


def _as_number(v: Any) -> float:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, datetime):
        return v.timestamp()
    if isinstance(v, date):
        return float(v.toordinal()) * 86_400
    if isinstance(v, time):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    if isinstance(v, timedelta):
        return v.total_seconds()
    return float(v)


def check_column(column: ColumnProfile, values: list[Any], *, kind: str) -> None:
    """Assert every figure of ``column`` against the reference of ``values``.

    ``kind``: numeric, float, decimal, temporal, string, binary, boolean, list, none.
    Assumes fewer than 200 valid values, where every sketch still holds all values
    (and says so: such figures must be marked exact).
    """
    ref = reference(values)
    m = column.metrics
    assert column.row_count == ref.rows
    assert column.null_count == ref.nulls
    assert m["null_count"].value == ref.nulls
    if ref.rows:
        assert column.null_percentage == pytest.approx(100 * ref.nulls / ref.rows)
    if kind in ("list", "none"):
        return
    valid = ref.valid
    if kind == "binary":
        valid = [v.hex() for v in valid]
    if kind == "boolean":
        assert m["true_count"].value == sum(1 for v in valid if v)
        assert m["false_count"].value == sum(1 for v in valid if not v)
    if kind == "float":
        assert m["nan_count"].value == ref.nan
        assert m["pos_inf_count"].value == ref.pos_inf
        assert m["neg_inf_count"].value == ref.neg_inf
    counts = Counter(valid)
    assert column.distinct_count == len(counts)
    assert m["distinct_count"].exact
    expected_top = sorted(counts.values(), reverse=True)[:10]
    assert [t.count for t in column.top_values] == expected_top
    for top in column.top_values:
        assert counts[top.value] == top.count, top
        assert top.count_error == 0
    if not valid:
        assert column.min_value is None
        assert column.max_value is None
        return
    assert column.min_value == min(valid)
    assert column.max_value == max(valid)
    if kind in ("string", "binary"):
        lengths = [len(v) // (2 if kind == "binary" else 1) for v in valid]
        assert m["length_min"].value == min(lengths)
        assert m["length_max"].value == max(lengths)
        assert m["length_mean"].value == pytest.approx(statistics.fmean(lengths))
        assert m["empty_count"].value == sum(1 for n in lengths if n == 0)
        return
    if kind == "boolean":
        return
    ordered = sorted(valid)
    quantiles = m["quantiles"]
    if quantiles.exact:
        for name, rank in QUANTILE_RANKS.items():
            assert quantiles.value[name] == inverted_cdf(ordered, rank), name
        assert column.median_value == inverted_cdf(ordered, 0.5)
    else:
        # Values wider than float64 (checked by the caller's data): rounded, not ranked wrong.
        assert quantiles.error_kind == "float64"
        for name, rank in QUANTILE_RANKS.items():
            expected = float(inverted_cdf(ordered, rank))
            assert float(quantiles.value[name]) == pytest.approx(expected, rel=1e-15), name
    numbers = [_as_number(v) for v in valid]
    if kind != "temporal":
        if kind == "decimal":
            assert m["sum"].value == sum(valid, Decimal(0))
            assert column.mean_value == pytest.approx(float(sum(valid, Decimal(0)) / len(valid)))
        else:
            assert m["sum"].value == pytest.approx(math.fsum(numbers))
            assert column.mean_value == pytest.approx(statistics.fmean(numbers))
        assert m["zero_count"].value == sum(1 for v in numbers if v == 0)
        assert m["negative_count"].value == sum(1 for v in numbers if v < 0)
        if len(numbers) > 1:
            assert column.std_dev == pytest.approx(statistics.stdev(numbers), rel=1e-9, abs=1e-12)
        else:
            assert column.std_dev is None
        edges = np.linspace(min(numbers), max(numbers), 11)
        histogram = m["histogram"].value
        if min(numbers) != max(numbers):
            expected_counts, _ = np.histogram(np.array(numbers), bins=edges)
            assert histogram["counts"] == expected_counts.tolist()
        else:
            assert histogram["counts"] == [len(numbers)]
    else:
        assert sum(m["histogram"].value["counts"]) == len(valid)
        if len(numbers) > 1:
            assert m["std_dev_seconds"].value == pytest.approx(statistics.stdev(numbers), rel=1e-6)


def check_consistent(profile: TableProfile) -> None:
    """The invariants every profile keeps, whatever its mode."""
    for column in profile.columns:
        assert column.row_count <= profile.row_count or profile.sampled
        if column.null_count is not None:
            assert 0 <= column.null_count <= column.row_count, column.column_name
        if column.distinct_count is not None:
            non_null = column.row_count - (column.null_count or 0)
            assert 0 <= column.distinct_count <= non_null, column.column_name
        for top in column.top_values:
            assert 0 < top.count <= column.row_count
        for name, metric in column.metrics.items():
            if not metric.exact and metric.source.value != "sample":
                assert metric.error_kind is not None, (column.column_name, name)
    profile.model_dump_json()  # every value serializes


def values_of(table: pa.Table, dotted: str) -> list[Any]:
    """A column's (or a struct field's) values as Python objects; a null struct makes
    its fields null."""
    root, *path = dotted.split(".")
    out = []
    for row in table.column(root).to_pylist():
        value = row
        for part in path:
            value = None if value is None else value[part]
        out.append(value)
    return out


@contextmanager
def exact_budget(mib: float | str) -> Iterator[None]:
    """The per-column exact-count budget (``DATAPROF_EXACT_BUDGET_MIB``) for states made
    inside the block; a context manager, not ``monkeypatch``, so hypothesis tests can
    use it per example."""
    before = os.environ.get("DATAPROF_EXACT_BUDGET_MIB")
    os.environ["DATAPROF_EXACT_BUDGET_MIB"] = str(mib)
    try:
        yield
    finally:
        if before is None:
            del os.environ["DATAPROF_EXACT_BUDGET_MIB"]
        else:
            os.environ["DATAPROF_EXACT_BUDGET_MIB"] = before


class LongestValue:
    """A plugin metric: the longest string, merged with max."""

    name = "longest_value"

    def applies_to(self, data_type: pa.DataType) -> bool:
        return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))

    def initial(self) -> int:
        return 0

    def update(self, state: int, values: pa.Array) -> int:
        import pyarrow.compute as pc

        longest = pc.max(pc.utf8_length(values)).as_py()
        return max(state, longest or 0)

    def merge(self, a: int, b: int) -> int:
        return max(a, b)

    def result(self, state: int) -> Metric:
        return Metric(value=state)
