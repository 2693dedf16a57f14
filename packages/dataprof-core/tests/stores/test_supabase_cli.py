"""The Supabase CLI and `dataprof db migrate` agree: each sees the other's migration as
applied (both use supabase_migrations.schema_migrations), and `supabase db advisors`
finds no security error in the schema.

The CLI comes from npm (`supabase`, which ships its binary as a dependency); the
`postgres` nox session installs it and names it in DATAPROF_SUPABASE_CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dataprof.stores.migrations import migrations
from dataprof.stores.migrator import migrate, migration_status
from dataprof.testing.postgres import PostgresServer
from dataprof.testing.profile_db import SUPABASE_BOOTSTRAP

pytestmark = pytest.mark.postgres


def supabase_cli() -> str:
    cli = os.environ.get("DATAPROF_SUPABASE_CLI") or shutil.which("supabase")
    assert cli, "the Supabase CLI is needed: `nox -s postgres` installs it (npm `supabase`)"
    return cli


def supabase_like_database(server: PostgresServer) -> str:
    import psycopg

    dsn = server.fresh_database(prefix="sbcli")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SUPABASE_BOOTSTRAP)
    return dsn


def project(tmp_path: Path) -> Path:
    (migration,) = migrations()
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / f"{migration.version}_{migration.name}.sql").write_text(migration.sql)
    return tmp_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [supabase_cli(), *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "DO_NOT_TRACK": "1", "SUPABASE_TELEMETRY_DISABLED": "1"},
    )


def test_supabase_db_push_then_dataprof_migrate_is_a_no_op(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    dsn = supabase_like_database(postgres_server)
    pushed = run("db", "push", f"--remote={dsn}", "--workdir", str(project(tmp_path)), "--yes")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert [s.applied for s in migration_status(dsn)] == [True]
    assert migrate(dsn) == []


def test_dataprof_migrate_then_supabase_db_push_is_up_to_date_and_advisors_find_no_error(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    dsn = supabase_like_database(postgres_server)
    assert [m.version for m in migrate(dsn)] == ["001"]
    workdir = str(project(tmp_path))
    pushed = run("db", "push", f"--remote={dsn}", "--workdir", workdir, "--yes")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "up to date" in pushed.stdout + pushed.stderr
    advised = run("db", "advisors", "--type", "security", f"--remote={dsn}", "--workdir", workdir)
    assert advised.returncode == 0, advised.stdout + advised.stderr
    start = advised.stdout.find("[")
    lints = json.loads(advised.stdout[start:]) if start >= 0 else []
    assert [lint["name"] for lint in lints if lint["level"] == "ERROR"] == []
    # The issue asks that authenticated users insert, update and delete data_sources: the
    # advisor flags exactly those permissive policies, and nothing else.
    assert {(lint["name"], lint["metadata"]["name"]) for lint in lints} <= {
        ("rls_policy_always_true", "data_sources")
    }
