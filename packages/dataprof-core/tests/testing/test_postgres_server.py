"""The test PostgreSQL server: starts (as root too), answers, clones templates in isolation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dataprof.testing.postgres import PostgresServer

pytestmark = pytest.mark.postgres
# psycopg is imported inside the tests: the `core` session deselects them but still
# collects this module, and it has no psycopg installed.


def test_server_answers_select_1(postgres_server: PostgresServer) -> None:
    import psycopg

    with psycopg.connect(postgres_server.dsn()) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        assert conn.execute("show fsync").fetchone() == ("off",)
        assert conn.execute("select inet_server_addr()::text").fetchone() == ("127.0.0.1/32",)


def test_template_is_built_once_and_clones_are_isolated(postgres_server: PostgresServer) -> None:
    import psycopg

    calls: list[str] = []

    def setup(dsn: str) -> None:
        calls.append(dsn)
        with psycopg.connect(dsn) as conn:
            conn.execute("create table t (x int)")
            conn.execute("insert into t values (1)")

    name = postgres_server.template("tpl_server_test", setup)
    assert postgres_server.template("tpl_server_test", setup) == name
    assert len(calls) == 1
    first = postgres_server.fresh_database(template=name)
    second = postgres_server.create_database("clone_two", template=name)
    assert second.endswith("/clone_two")
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("insert into t values (2)")
    with psycopg.connect(second) as conn:
        assert conn.execute("select array_agg(x) from t").fetchone() == ([1],)


def test_stop_removes_the_folder_and_dsn_refuses() -> None:
    server = PostgresServer()
    server.start()
    root = server._root
    assert root is not None
    assert root.exists()
    server.stop()
    server.stop()  # idempotent
    assert not root.exists()
    with pytest.raises(RuntimeError, match="not running"):
        server.dsn()


def test_importing_the_testing_kit_does_not_import_psycopg() -> None:
    code = (
        "import sys, dataprof.testing, dataprof.testing.plugin, dataprof.testing.postgres; "
        "assert 'psycopg' not in sys.modules, 'psycopg imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
