"""The profile pushed down to Redshift: two statements, run for real on the stand-in,
agreeing with a scan of the same rows."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pyarrow as pa
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redshift_emulation import RedshiftEmulation
from redshift_tables import load_table, redshift_config
from sqlglot import exp

from dataprof import get_connector
from dataprof.profiling import ProfileMode, finalize, profile_batches, profile_table
from dataprof.testing.profile_agreement import assert_pushdown_agrees
from dataprof_redshift import pushdown_sql

WIDTH = 30
"""Value i appears i + 1 times: no two top values tie, so the top 10 is one set."""


def skewed_table() -> pa.Table:
    """465 rows of skewed values in every Redshift type, then 6 rows of NaN and
    infinities, and a column that is all null."""
    rng = random.Random(7)
    ranks = [i for i in range(WIDTH) for _ in range(i + 1)]

    def shuffled() -> list[int]:
        out = list(ranks)
        rng.shuffle(out)
        return out

    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    columns: dict[str, pa.Array] = {
        "id": pa.array([i * 7 - 50 for i in shuffled()], pa.int64()),
        "small": pa.array([i % 4 for i in shuffled()], pa.int16()),
        "ratio": pa.array([i * 0.5 - 3.25 for i in shuffled()], pa.float64()),
        "price": pa.array([Decimal(i * 1001) / 1000 for i in shuffled()], pa.decimal128(12, 3)),
        "email": pa.array([f"user{i}@example.com" for i in shuffled()], pa.string()),
        "code": pa.array([str(i * 13) for i in shuffled()], pa.string()),
        "flag": pa.array([i % 3 == 0 for i in shuffled()], pa.bool_()),
        "day": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in shuffled()]),
        "ts": pa.array(
            [base + dt.timedelta(hours=i, microseconds=i) for i in shuffled()],
            pa.timestamp("us", tz="UTC"),
        ),
        "nothing": pa.nulls(len(ranks), pa.string()),
    }
    table = pa.table(columns)
    odd = {name: pa.nulls(6, table.schema.field(name).type) for name in table.column_names}
    odd["ratio"] = pa.array([float("nan")] * 3 + [float("inf")] * 2 + [float("-inf")])
    return pa.concat_tables([table, pa.table(odd, schema=table.schema)])


def _reference(table: pa.Table, declared: dict[str, str]) -> object:
    return finalize(profile_batches(table.to_batches(), table.schema, declared=declared))


def test_two_statements_agree_with_the_reference(
    emulation: RedshiftEmulation, database: str
) -> None:
    table = skewed_table()
    load_table(emulation.dsn, "skewed", table)
    emulation.page_rows = 7  # the top-values result spans many pages
    with get_connector(redshift_config(database, table="skewed")) as connector:
        pushed = profile_table(connector, mode="pushdown")
        reference = _reference(table, connector.get_schema())
    assert_pushdown_agrees(pushed, reference, table)  # type: ignore[arg-type]
    assert len(emulation.executed) == 2
    assert [q.query_id for q in pushed.queries] == [s.id for s in emulation.executed]
    assert all(q.engine_ms is not None and q.engine_ms > 0 for q in pushed.queries)
    assert emulation.calls.count("GetStatementResult") > 2
    ratio = pushed.column("ratio")
    assert ratio is not None
    assert ratio.metrics["nan_count"].value == 3
    assert ratio.metrics["infinity_count"].value == 3
    assert pushed.column("email").inferred_type == "email"  # type: ignore[union-attr]
    assert pushed.column("code").inferred_type == "integer"  # type: ignore[union-attr]
    nothing = pushed.column("nothing")
    assert nothing is not None
    assert nothing.null_count == table.num_rows
    assert nothing.top_values == []
    # exact where Redshift is exact
    price = pushed.column("price")
    assert price is not None
    assert price.metrics["sum"].value == sum(
        v for v in table.column("price").to_pylist() if v is not None
    )


def test_statements_keep_redshift_rules(emulation: RedshiftEmulation, database: str) -> None:
    """Checked on the sqlglot tree of what was sent, beyond what PostgreSQL would refuse."""
    load_table(emulation.dsn, "skewed", skewed_table())
    with get_connector(redshift_config(database, table="skewed")) as connector:
        profile_table(connector, mode="pushdown")
    aggregates, tops = (sqlglot.parse_one(s.sql, read="redshift") for s in emulation.executed)
    for tree in (aggregates, tops):
        assert not list(tree.find_all(exp.Median, exp.PercentileCont))
        # every distinct count is Redshift's APPROXIMATE one
        assert not [c for c in tree.find_all(exp.Count) if isinstance(c.this, exp.Distinct)]
        for avg in tree.find_all(exp.Avg):  # Redshift's AVG of an integer is an integer
            assert isinstance(avg.this, exp.Cast)
            assert avg.this.to.is_type("double")
    assert len(list(aggregates.find_all(exp.ApproxDistinct))) == 9  # every column but flag
    assert list(aggregates.find_all(exp.ApproxQuantile))
    assert isinstance(tops, exp.Union)
    assert not list(aggregates.find_all(exp.Union))


def test_auto_picks_pushdown(emulation: RedshiftEmulation, database: str) -> None:
    with get_connector(redshift_config(database)) as connector:
        profile = profile_table(connector)
    assert profile.mode is ProfileMode.PUSHDOWN
    assert len(emulation.executed) == 2


def test_empty_table(emulation: RedshiftEmulation, database: str) -> None:
    empty = skewed_table().slice(0, 0)
    load_table(emulation.dsn, "empty", empty)
    with get_connector(redshift_config(database, table="empty")) as connector:
        pushed = profile_table(connector, mode="pushdown")
        reference = _reference(empty, connector.get_schema())
    assert pushed.row_count == 0
    assert_pushdown_agrees(pushed, reference, empty)  # type: ignore[arg-type]


def test_columns_over_the_size_limit_split_into_more_statements(
    emulation: RedshiftEmulation, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = skewed_table()
    load_table(emulation.dsn, "skewed", table)
    monkeypatch.setattr(pushdown_sql, "MAX_STATEMENT_BYTES", 4_000)
    with get_connector(redshift_config(database, table="skewed")) as connector:
        pushed = profile_table(connector, mode="pushdown")
        reference = _reference(table, connector.get_schema())
    assert_pushdown_agrees(pushed, reference, table)  # type: ignore[arg-type]
    sizes = [len(s.sql.encode()) for s in emulation.executed]
    assert len(sizes) > 2
    assert max(sizes) <= 4_000
    assert len(pushed.queries) == len(sizes)


def test_requested_columns_only(emulation: RedshiftEmulation, database: str) -> None:
    with get_connector(redshift_config(database)) as connector:
        profile = profile_table(connector, mode="pushdown", columns=["price", "id"])
    assert [c.column_name for c in profile.columns] == ["price", "id"]
    assert '"name"' not in emulation.executed[0].sql


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("boolean", ["TRUE", "no", "y"], ["yes!", "1"]),
        ("json", ['{"a": 1}', " [1, 2] "], ["{\n}", "{"]),
        ("email", ["a@b.co"], ["a b@c.d", "a@b"]),
        ("uuid", ["123E4567-e89b-12d3-a456-426614174000"], ["123e4567"]),
    ],
)
def test_patterns_match_as_the_scan_matches(
    emulation: RedshiftEmulation, pattern: str, matches: list[str], misses: list[str]
) -> None:
    from dataprof.profiling.inference import PATTERNS, count_matches

    operator, posix = pushdown_sql.redshift_regex(PATTERNS[pattern])
    for text in matches + misses:
        row = (
            emulation.connection()
            .execute(f"SELECT %s {operator} %s", (text, posix))  # type: ignore[arg-type]
            .fetchone()
        )
        assert row is not None
        assert row[0] == bool(count_matches(pa.array([text]))[pattern]), (pattern, text)


_tables = iter(range(10**6))
WORDS = ["", " ", "a", "a ", "ä", "Zebra", "42", "true", "x@y.io", "名前"]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.tuples(
            st.none() | st.integers(-(2**63), 2**63 - 1).map(lambda i: i % 9 - 4 if i % 3 else i),
            st.none() | st.sampled_from(WORDS),
            st.none() | st.sampled_from([0.0, 1.5, -2.25, 1e15, -1e-300, 3.0, 0.1]),
            st.none() | st.booleans(),
        ),
        max_size=40,
    )
)
def test_any_rows_agree_with_the_reference(
    emulation: RedshiftEmulation, database: str, rows: list[tuple[object, ...]]
) -> None:
    """Few distinct values per column (at most 10, so no top-10 cut-off ties) but any
    mix of nulls, extremes, blanks and unicode."""
    ints, words, floats, flags = zip(*rows, strict=True) if rows else ([], [], [], [])
    table = pa.table(
        {
            "i": pa.array(ints, pa.int64()),
            "w": pa.array(words, pa.string()),
            "f": pa.array(floats, pa.float64()),
            "b": pa.array(flags, pa.bool_()),
        }
    )
    if len(set(table.column("i").to_pylist())) > 10:
        table = table.set_column(0, "i", pa.array([None] * table.num_rows, pa.int64()))
    name = f"rows_{next(_tables)}"
    load_table(emulation.dsn, name, table)
    with get_connector(redshift_config(database, table=name)) as connector:
        pushed = profile_table(connector, mode="pushdown")
        reference = _reference(table, connector.get_schema())
    assert_pushdown_agrees(pushed, reference, table)  # type: ignore[arg-type]


def test_types_read_as_text_are_profiled_through_their_text(
    emulation: RedshiftEmulation, database: str
) -> None:
    """Redshift refuses MIN, LEN and regexes on types it does not hold as characters
    (intervals, VARBYTE, ...): pushdown profiles their text, as the scan reads it."""
    emulation.connection().execute(
        "CREATE TABLE odd (span interval, raw bytea, tag uuid);"
        "INSERT INTO odd VALUES ('1 day', '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),"
        "('2 hours', NULL, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (NULL, '\\x', NULL)"
    )
    with get_connector(redshift_config(database, table="odd")) as connector:
        assert connector.get_schema() == {"span": "interval", "raw": "bytea", "tag": "uuid"}
        rows = pa.Table.from_batches(list(connector.iter_batches()))
        pushed = profile_table(connector, mode="pushdown")
        reference = _reference(rows, connector.get_schema())
    assert_pushdown_agrees(pushed, reference, rows)  # type: ignore[arg-type]
    assert 'CAST("span" AS VARCHAR(65535))' in emulation.executed[-2].sql
    assert pushed.column("tag").inferred_type == "uuid"  # type: ignore[union-attr]
