"""Hostile names (quotes, semicolons, comments, backticks, unicode, 200 characters) are
profiled as names or refused before any query; never executed as SQL."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest
import sqlglot
from athena_emulation import AthenaEmulation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from dataprof import DataSourceConfig, get_connector
from dataprof.errors import ConfigurationError
from dataprof.profiling import profile_table

HOSTILE = st.text(
    alphabet=st.sampled_from(
        [
            '"',
            "'",
            ";",
            "-",
            "`",
            " ",
            "\\",
            "/",
            "*",
            "a",
            "Z",
            "é",
            "日",
            "\u202e",
            "\n",
            "\t",
            ")",
        ]
    ),
    min_size=1,
    max_size=200,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=HOSTILE)
def test_hostile_names_are_profiled_or_refused(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig], name: str
) -> None:
    assume(name.strip().lower() != "id")
    data = pa.table({"id": pa.array([1, 2]), name: pa.array(["x; DROP TABLE t; --", None])})
    before = len(athena.statements)
    config = make_config(name, data)
    refusable = any(ch in name for ch in "\n\t") or len(name) > 255
    if refusable:
        with get_connector(config) as connector, pytest.raises(ConfigurationError):
            profile_table(connector, mode="pushdown")
        assert len(athena.statements) == before  # refused before anything was sent
        return
    with get_connector(config) as connector:
        profile = profile_table(connector, mode="pushdown")
    column = profile.column(name)
    assert column is not None
    assert (column.row_count, column.null_count) == (2, 1)
    for sql in athena.statements[before:]:
        statements = sqlglot.parse(sql, read="trino")
        assert len(statements) == 1, sql
        tree = statements[0]
        assert tree is not None
        assert not list(tree.find_all(exp.Drop, exp.Delete, exp.Insert, exp.Create)), sql
        tables = {t.name for t in tree.find_all(exp.Table)}
        assert tables <= {name}, (tables, sql)


@pytest.mark.parametrize("name", ["", "x" * 256, "tab\tname"])
def test_unquotable_names_are_configuration_errors(name: str) -> None:
    from dataprof_athena.sql import quote_identifier

    with pytest.raises(ConfigurationError):
        quote_identifier(name)
