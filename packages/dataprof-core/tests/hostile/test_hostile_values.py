"""Legitimate but extreme values: figures labelled exact are exact for any split, and
no column with valid values is lost (``supported=False``) to a value at a type's edge."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataprof.profiling import ColumnProfile, finalize, merge_states, profile_batches


def profile_of(table: pa.Table, splits: int = 1) -> dict[str, ColumnProfile]:
    """The profile of ``table`` cut into ``splits`` parts profiled apart and merged."""
    size = max(1, math.ceil(table.num_rows / splits))
    states = [
        profile_batches(table.slice(start, size).to_batches(), table.schema, column_metrics=[])
        for start in range(0, max(table.num_rows, 1), size)
    ]
    state = states[0]
    for other in states[1:]:
        state = merge_states(state, other)
    return {c.column_name: c for c in finalize(state).columns}


def test_a_decimal_sum_beyond_the_type_precision_is_exact() -> None:
    value = Decimal("50000000000000000.5")
    table = pa.table({"d": pa.array([value] * 100_000, pa.decimal128(38, 18))})
    for splits in (1, 3):
        column = profile_of(table, splits)["d"]
        assert column.metrics["sum"].value == value * 100_000
        assert column.metrics["sum"].exact
        assert column.mean_value == float(value)
        assert column.metrics["mean"].exact


def test_wide_decimal256_sums_are_exact() -> None:
    big = Decimal("9" * 60 + ".1234567891")
    values = [big, -big, big, Decimal("1E-10")] * 50
    table = pa.table({"d": pa.array(values, pa.decimal256(76, 10))})
    column = profile_of(table, 4)["d"]
    with localcontext() as context:
        context.prec = 200  # Python's default 28 digits would round the reference
        assert column.metrics["sum"].value == sum(values, Decimal(0))


def test_floats_near_the_float64_limit() -> None:
    same = profile_of(pa.table({"f": [1.7e308] * 1000}), 2)["f"]
    assert same.supported
    assert same.mean_value == 1.7e308
    assert same.metrics["mean"].exact
    assert same.std_dev == 0.0
    # The exact sum (1.7e311) has no float64: no figure, not inf, and not "exact".
    assert same.metrics["sum"].value is None
    assert not same.metrics["sum"].exact
    apart = profile_of(pa.table({"f": [1.7e308, -1.7e308] * 3}))["f"]
    assert apart.supported
    assert apart.mean_value == 0.0
    assert apart.metrics["sum"].value == 0.0
    assert apart.std_dev is None  # ~1.86e308 is beyond float64
    assert not apart.metrics["std_dev"].exact
    assert apart.metrics["variance"].error_kind == "overflow: beyond float64"


@given(
    values=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=2, max_size=60
    ),
    cut=st.integers(1, 59),
)
def test_float_sum_and_mean_are_the_same_for_any_split(values: list[float], cut: int) -> None:
    table = pa.table({"f": pa.array(values, pa.float64())})
    whole = profile_of(table)["f"]
    cut = min(cut, len(values) - 1)
    parts = [table.slice(0, cut), table.slice(cut)]
    states = [profile_batches(p.to_batches(), p.schema, column_metrics=[]) for p in parts]
    split = {c.column_name: c for c in finalize(merge_states(*states)).columns}["f"]
    exact_sum = sum(Fraction(v) for v in values)
    try:
        expected_sum: float | None = float(exact_sum)
    except OverflowError:
        expected_sum = None
    for column in (whole, split):
        assert column.supported
        assert column.metrics["sum"].value == expected_sum  # correctly rounded
        assert column.mean_value == float(exact_sum / len(values))
        assert column.metrics["mean"].exact
        assert not column.metrics["std_dev"].exact  # float64 moments say they are rounded
        assert column.metrics["std_dev"].error_kind in ("float64", "overflow: beyond float64")


def test_float_std_is_right_for_values_a_few_ulps_apart() -> None:
    column = profile_of(pa.table({"f": [1.0, 1.0000000000000002]}))["f"]
    assert column.std_dev == pytest.approx(2**-52 / math.sqrt(2), rel=1e-6)


def test_small_integer_variance_is_exact_for_any_split() -> None:
    values = [(i * 7919) % 1000 - 500 for i in range(1001)]
    table = pa.table({"i": pa.array(values, pa.int64())})
    n, total, squares = len(values), sum(values), sum(v * v for v in values)
    expected = float(Fraction(n * squares - total * total, n * (n - 1)))
    for splits in (1, 2, 7):
        column = profile_of(table, splits)["i"]
        assert column.metrics["variance"].value == expected
        assert column.metrics["variance"].exact


OPEN_END = dt.datetime(9999, 12, 31, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("name", "array"),
    [
        ("valid_to", pa.array([OPEN_END, dt.datetime(2020, 1, 1)] * 3, pa.timestamp("us"))),
        (
            "valid_to_utc",
            pa.array(
                [OPEN_END.replace(tzinfo=dt.UTC), dt.datetime(2020, 1, 1, tzinfo=dt.UTC)],
                pa.timestamp("us", "UTC"),
            ),
        ),
        ("ns_max", pa.array([2**63 - 1, 0, 2**63 - 2], pa.int64()).cast(pa.timestamp("ns"))),
        ("durations", pa.array([2**63 - 1, -(2**63) + 1, 0], pa.duration("us"))),
        ("date32_far", pa.array([2**31 - 1, 0, -(2**31)], pa.int32()).cast(pa.date32())),
        ("one_us_apart", pa.array([1, 2, 1, 2], pa.timestamp("us"))),
        ("near_constant", pa.array([1.0, 1.0000000000000002] * 5)),
        ("subnormal", pa.array([5e-324, -5e-324, 0.0])),
        ("huge", pa.array([1.7e308, -1.7e308, 0.0])),
        ("int64_edges", pa.array([2**63 - 1, -(2**63), 0], pa.int64())),
        ("uint64_edges", pa.array([2**64 - 1, 0], pa.uint64())),
    ],
)
def test_extreme_values_keep_their_column(name: str, array: pa.Array) -> None:
    column = profile_of(pa.table({name: array}))[name]
    assert column.supported, column.unsupported_reason
    assert column.min_value is not None
    assert column.max_value is not None
    histogram = column.metrics["histogram"].value
    edges = histogram["edges"]
    assert len(edges) == len(histogram["counts"]) + 1
    assert sum(histogram["counts"]) == len(array) - array.null_count
    quantiles = column.metrics["quantiles"].value
    comparable = [column.min_value, *quantiles.values(), column.max_value]
    if all(not isinstance(v, str) for v in comparable):  # far dates are described as text
        assert comparable == sorted(comparable)  # quantiles lie within min and max


def test_histogram_edges_strictly_increase_for_any_range() -> None:
    for values in ([1.0, 1.0000000000000002], [1.7e308, -1.7e308], [5e-324, -5e-324]):
        edges = profile_of(pa.table({"f": values}))["f"].metrics["histogram"].value["edges"]
        assert all(a < b for a, b in itertools.pairwise(edges)), edges


def test_a_struct_field_and_a_dotted_column_of_the_same_name_stay_apart() -> None:
    table = pa.table(
        {
            "a": pa.array([{"b": 1}, {"b": 2}, {"b": 3}]),
            "a.b": pa.array([4, 5, 6]),
        }
    )
    for splits in (1, 2):
        columns = profile_of(table, splits)
        assert set(columns) == {"a", "a.b", "`a`.b"}
        assert [columns[n].row_count for n in ("a.b", "`a`.b")] == [3, 3]
        assert (columns["a.b"].min_value, columns["a.b"].max_value) == (4, 6)
        assert (columns["`a`.b"].min_value, columns["`a`.b"].max_value) == (1, 3)


# -- every Arrow type, extreme values included ---------------------------------------------
def _ints(bits: int, signed: bool = True) -> st.SearchStrategy[int]:
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    return st.one_of(st.sampled_from([low, high, 0, low + 1, high - 1]), st.integers(low, high))


def _via(storage: pa.DataType, target: pa.DataType, bits: int) -> tuple[pa.DataType, Any]:
    return target, _ints(bits).map(lambda v: ("storage", storage, v))


def _decimal(precision: int, scale: int) -> st.SearchStrategy[Decimal]:
    limit = 10**precision - 1
    unscaled = st.one_of(st.sampled_from([limit, -limit, 0, 1]), st.integers(-limit, limit))
    return unscaled.map(lambda u: Decimal(f"{u}E-{scale}"))  # exact: no context rounding


TYPES: list[tuple[pa.DataType, st.SearchStrategy[Any]]] = [
    (pa.int8(), _ints(8)),
    (pa.int16(), _ints(16)),
    (pa.int32(), _ints(32)),
    (pa.int64(), _ints(64)),
    (pa.uint8(), _ints(8, False)),
    (pa.uint32(), _ints(32, False)),
    (pa.uint64(), _ints(64, False)),
    (pa.float32(), st.floats(width=32)),
    (pa.float64(), st.floats()),
    (pa.decimal128(38, 18), _decimal(38, 18)),
    (pa.decimal128(5, 2), _decimal(5, 2)),
    (pa.decimal256(76, 10), _decimal(76, 10)),
    (pa.bool_(), st.booleans()),
    (pa.string(), st.text(max_size=50)),
    (pa.large_string(), st.text(max_size=50)),
    (pa.binary(), st.binary(max_size=50)),
    (pa.binary(3), st.binary(min_size=3, max_size=3)),
    (pa.list_(pa.int64()), st.lists(_ints(64), max_size=4)),
    (
        pa.struct([("x", pa.float64()), ("y", pa.string())]),
        st.fixed_dictionaries({"x": st.floats(), "y": st.text(max_size=5)}),
    ),
]
STORAGE_TYPES: list[tuple[pa.DataType, pa.DataType, int]] = [
    (pa.date32(), pa.int32(), 32),
    (pa.date64(), pa.int64(), 64),
    (pa.timestamp("s"), pa.int64(), 64),
    (pa.timestamp("ms", "Europe/Paris"), pa.int64(), 64),
    (pa.timestamp("us"), pa.int64(), 64),
    (pa.timestamp("us", "UTC"), pa.int64(), 64),
    (pa.timestamp("ns"), pa.int64(), 64),
    (pa.time32("s"), pa.int32(), 32),
    (pa.time64("us"), pa.int64(), 64),
    (pa.time64("ns"), pa.int64(), 64),
    (pa.duration("s"), pa.int64(), 64),
    (pa.duration("ns"), pa.int64(), 64),
]
_TIME_LIMITS = {"s": 86_400, "ms": 86_400_000, "us": 86_400 * 10**6, "ns": 86_400 * 10**9}


def _temporal_array(
    target: pa.DataType, storage: pa.DataType, values: list[int | None]
) -> pa.Array:
    if pa.types.is_time(target):  # a time of day must lie within the day
        limit = _TIME_LIMITS[target.unit]
        values = [None if v is None else v % limit for v in values]
    return pa.array(values, storage).cast(target)


@st.composite
def hostile_tables(draw: st.DrawFn) -> pa.Table:
    rows = draw(st.integers(1, 40))
    columns: dict[str, pa.Array] = {}
    for index in draw(
        st.lists(st.integers(0, len(TYPES) + len(STORAGE_TYPES) - 1), min_size=1, max_size=6)
    ):
        nullable = st.none() | st.none()
        if index < len(TYPES):
            arrow_type, values = TYPES[index]
            drawn = draw(st.lists(st.one_of(values, nullable), min_size=rows, max_size=rows))
            array = pa.array(drawn, arrow_type)
        else:
            target, storage, bits = STORAGE_TYPES[index - len(TYPES)]
            drawn = draw(st.lists(st.one_of(_ints(bits), nullable), min_size=rows, max_size=rows))
            array = _temporal_array(target, storage, drawn)
        columns[f"c{len(columns)}_{str(array.type).replace(' ', '')}"] = array
    return pa.table(columns)


def _has_valid_values(array: pa.Array) -> bool:
    if pa.types.is_floating(array.type):
        import pyarrow.compute as pc

        return bool(pc.sum(pc.is_finite(array).cast(pa.int64())).as_py() or 0)
    return array.null_count < len(array)


@given(table=hostile_tables(), splits=st.integers(1, 3))
def test_no_column_with_valid_values_is_lost(table: pa.Table, splits: int) -> None:
    columns = profile_of(table, splits)
    for name, array in zip(table.column_names, table.columns, strict=True):
        column = columns[name]
        assert column.row_count == table.num_rows
        if _has_valid_values(array.combine_chunks()):
            assert column.supported, f"{name}: {column.unsupported_reason}"
