"""Hostile column and table names are profiled or refused, never executed as SQL."""

from __future__ import annotations

import itertools

import pyarrow as pa
import pytest
import sqlglot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from redshift_emulation import RedshiftEmulation
from redshift_tables import load_table, redshift_config
from sqlglot import exp

from dataprof import get_connector
from dataprof.errors import ConfigurationError, TableNotFoundError
from dataprof.profiling import profile_table
from dataprof_redshift.sql import MAX_IDENTIFIER_BYTES, identifier_problem, quote_identifier

POSTGRES_MAX_BYTES = 63
"""The stand-in truncates longer names, so names it holds stay at or under this."""

_tables = itertools.count()

hostile = st.one_of(
    st.sampled_from(
        [
            'a"b',
            '"; DROP TABLE standard_rows; --',
            "x -- comment",
            "/* open",
            "`tick`",
            "it's",
            "naïve ☃ 名前",
            "\x07bell",
            "zero\u200bwidth",
            "a\\b",
            " ",
        ]
    ),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=20,
    ),
).filter(lambda n: len(n.encode()) <= POSTGRES_MAX_BYTES and n != "other")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=hostile)
@example(name="x" * 63)
@example(name="a.b")  # a top-level name with a dot is not a struct field
@example(name=".")
def test_hostile_column_names_are_profiled_or_refused(
    emulation: RedshiftEmulation, database: str, name: str
) -> None:
    table_name = f"hostile_{next(_tables)}"
    load_table(
        emulation.dsn,
        table_name,
        pa.table({name: pa.array([1, None, 3], pa.int64()), "other": pa.array(["a", "b", "a"])}),
    )
    sent_before = len(emulation.executed)
    with get_connector(redshift_config(database, table=table_name)) as connector:
        if identifier_problem(name) is not None:
            with pytest.raises(ConfigurationError, match="cannot be used in a Redshift statement"):
                profile_table(connector, mode="pushdown")
            assert len(emulation.executed) == sent_before  # refused before anything was sent
            return
        profile = profile_table(connector, mode="pushdown")
    column = profile.column(name)
    assert column is not None
    assert (column.row_count, column.null_count, column.min_value, column.max_value) == (3, 1, 1, 3)
    for statement in emulation.executed[sent_before:]:
        assert statement.status == "FINISHED", statement.error
        (tree,) = sqlglot.parse(statement.sql, read="redshift")
        assert tree is not None
        referenced = {c.name for c in tree.find_all(exp.Column)}
        assert referenced <= {name, "other", "v", "n"}, referenced
    # the standard table is still there: nothing the name said was executed
    row = emulation.connection().execute("SELECT count(*) FROM standard_rows").fetchone()
    assert row == (7,)


@pytest.mark.parametrize(
    "name", ["x" * (MAX_IDENTIFIER_BYTES + 1), "é" * 64, "tab\there", "nul\x00", ""]
)
def test_names_redshift_cannot_hold_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="cannot be used"):
        quote_identifier(name)


def test_a_200_character_table_name_is_never_sent_as_sql(
    emulation: RedshiftEmulation, database: str
) -> None:
    with (
        get_connector(redshift_config(database, table="t" * 200)) as connector,
        pytest.raises((ConfigurationError, TableNotFoundError)),
    ):
        profile_table(connector, mode="pushdown")
    assert emulation.executed == []
