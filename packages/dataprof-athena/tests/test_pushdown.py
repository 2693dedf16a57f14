"""The pushdown profile: one Athena query (two without approx_most_frequent), and the same
figures as the reference profile, finalize(profile_batches(...)), of the same rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
import sqlglot
from athena_emulation import AthenaEmulation

from dataprof import DataSourceConfig, get_connector
from dataprof.profiling import ProfileMode, TableProfile, finalize, profile_batches, profile_table
from dataprof.testing import assert_pushdown_agrees


def mixed_table(n: int, seed: int = 1) -> pa.Table:
    """Every type Athena tables hold, with nulls, NaN, infinities, ties and patterns."""
    rng = np.random.default_rng(seed)
    ints = rng.integers(-50, 500, n)
    floats = rng.normal(10, 3, n)
    floats[::17] = np.nan
    floats[5::97] = np.inf
    base = dt.datetime(2020, 1, 1)
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "qty": pa.array(ints.tolist(), pa.int32(), mask=ints % 11 == 0),
            "score": pa.array(floats.tolist(), pa.float64()),
            "price": pa.array([Decimal(int(v)) / 100 for v in ints], pa.decimal128(12, 2)),
            "country": pa.array(
                [["DE", "FR", "US", ""][i % 4] if i % 9 else None for i in range(n)]
            ),
            "email": pa.array([f"user{i % 50}@example.com" for i in range(n)]),
            "day": pa.array([dt.date(2024, 1, 1) + dt.timedelta(days=int(v) % 300) for v in ints]),
            "at": pa.array(
                [
                    base + dt.timedelta(seconds=int(v) * 3_601, microseconds=int(v) * 7)
                    for v in ints
                ],
                pa.timestamp("us"),
            ),
            "flag": pa.array([None if i % 13 == 0 else bool(i % 3) for i in range(n)]),
            "tags": pa.array(
                [["a"] * (i % 4) if i % 5 else None for i in range(n)], pa.list_(pa.string())
            ),
            "point": pa.array(
                [{"x": i % 7, "label": f"p{i % 3}"} if i % 6 else None for i in range(n)],
                pa.struct([("x", pa.int64()), ("label", pa.string())]),
            ),
            "nothing": pa.array([None] * n, pa.string()),
        }
    )


def _reference(config: DataSourceConfig, table: pa.Table) -> TableProfile:
    with get_connector(config) as connector:
        declared = connector.get_schema()
    state = profile_batches(table.to_batches(max_chunksize=250), table.schema, declared=declared)
    return finalize(state, source_type="athena", mode=ProfileMode.FULL)


def _single_statements(statements: list[str]) -> None:
    for sql in statements:
        parsed = sqlglot.parse(sql, read="trino")
        assert len(parsed) == 1, sql


@pytest.mark.parametrize("most_frequent", [True, False])
def test_one_query_and_the_reference_figures(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig], most_frequent: bool
) -> None:
    athena.most_frequent = most_frequent
    table = mixed_table(1_500)
    config = make_config("mixed", table)
    with get_connector(config) as connector:
        pushed = profile_table(connector, mode="pushdown")
    assert len(athena.queries) == (1 if most_frequent else 2), athena.queries
    assert sum(s.startswith("SHOW FUNCTIONS") for s in athena.statements) == 1
    _single_statements(athena.statements)
    assert_pushdown_agrees(pushed, _reference(config, table), table)
    assert len(pushed.queries) == len(athena.queries)
    assert all(q.bytes_scanned == 1024 and q.engine_ms == 7 for q in pushed.queries)
    top = pushed.column("country")
    assert top is not None
    assert top.metrics["top_values"].exact is (not most_frequent)
    assert [t.value for t in top.top_values][:1] in (["DE"], ["FR"], ["US"], [""])
    # the probe is remembered for the process: a second profile sends no SHOW FUNCTIONS
    with get_connector(config) as connector:
        profile_table(connector, mode="pushdown", columns=["id"])
    assert sum(s.startswith("SHOW FUNCTIONS") for s in athena.statements) == 1


def test_auto_picks_pushdown(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    config = make_config("small", mixed_table(40))
    with get_connector(config) as connector:
        profile = profile_table(connector)
    assert profile.mode is ProfileMode.PUSHDOWN
    assert len(athena.queries) == 1


def test_empty_table_and_all_null_columns(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    table = mixed_table(30).slice(0, 0)
    config = make_config("empty", table)
    with get_connector(config) as connector:
        pushed = profile_table(connector, mode="pushdown")
    assert pushed.row_count == 0
    assert_pushdown_agrees(pushed, _reference(config, table), table)
    nulls = pa.table(
        {"a": pa.array([None, None], pa.float64()), "b": pa.array([None, None], pa.int64())}
    )
    config = make_config("nulls", nulls)
    with get_connector(config) as connector:
        pushed = profile_table(connector, mode="pushdown")
    assert_pushdown_agrees(pushed, _reference(config, nulls), nulls)
    assert pushed.column("a").null_count == 2  # type: ignore[union-attr]


def test_results_over_several_pages_of_managed_results(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    """A managed-results work group has no file: rows are paged with GetQueryResults."""
    athena.page_size = 70
    table = mixed_table(333)
    config = make_config("paged", table, work_group="managed")
    with get_connector(config) as connector:
        read = pa.Table.from_batches(
            list(connector.iter_batches()), schema=connector.arrow_schema()
        )
        pushed = profile_table(connector, mode="pushdown")
    assert repr(read.to_pylist()) == repr(table.to_pylist())  # NaN == NaN in repr only
    assert_pushdown_agrees(pushed, _reference(config, table), table)
    assert not any(e.output for e in athena.executions.values())


def test_nested_columns_read_from_the_result_file(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    """Arrays, maps and structs come back as JSON text in Athena's CSV and are decoded into
    their Arrow types; binary arrives as hex."""
    table = pa.table(
        {
            "tags": pa.array([["a", "b"], [], None], pa.list_(pa.string())),
            "attrs": pa.array(
                [[("k", 1)], None, [("x", 2), ("y", 3)]], pa.map_(pa.string(), pa.int64())
            ),
            "point": pa.array(
                [{"x": 1, "when": dt.date(2024, 1, 2)}, None, {"x": None, "when": None}],
                pa.struct([("x", pa.int32()), ("when", pa.date32())]),
            ),
            "raw": pa.array([b"\x00\xff", None, b""], pa.binary()),
        }
    )
    config = make_config("nested", table)
    with get_connector(config) as connector:
        read = pa.Table.from_batches(
            list(connector.iter_batches()), schema=connector.arrow_schema()
        )
        pushed = profile_table(connector, mode="pushdown")
    assert read.to_pylist() == table.to_pylist()
    assert all(e.output for e in athena.executions.values() if not e.show)  # the CSV path
    assert_pushdown_agrees(pushed, _reference(config, table), table)
