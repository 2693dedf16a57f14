"""The migration on a real PostgreSQL: every model field has a place, RLS holds as each of
Supabase's roles, the functions use the indexes, and the file is what it claims (parses,
reruns as a no-op, runs on a bare database, ships in the wheel)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from profile_builders import column, profile
from run_ids import rid

from dataprof.profiling.models import (
    Anomaly,
    ColumnProfile,
    Metric,
    RunStatus,
    Severity,
    TableProfile,
    TopValue,
)
from dataprof.stores.migrations import migrations
from dataprof.stores.payload import profile_to_payload
from dataprof.testing.postgres import PostgresServer

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[4]
CORE = REPO / "packages" / "dataprof-core"
SIX = [
    "data_sources",
    "datasets",
    "profile_runs",
    "profile_results",
    "column_profiles",
    "profile_anomalies",
]

# Where each model field lives: (table, column). `details` columns hold the fields that have
# no column of their own, as dataprof's codec writes them.
PLACES: dict[str, tuple[str, str]] = {
    "TableProfile.run_id": ("profile_runs", "id"),
    "TableProfile.source_type": ("data_sources", "source_type"),
    "TableProfile.source_name": ("data_sources", "name"),
    "TableProfile.database": ("datasets", "database_name"),
    "TableProfile.table": ("datasets", "table_name"),
    "TableProfile.snapshot_id": ("profile_results", "snapshot_id"),
    "TableProfile.mode": ("profile_runs", "mode"),
    "TableProfile.sampled": ("profile_results", "sampled"),
    "TableProfile.sample_size": ("profile_results", "sample_size"),
    "TableProfile.row_count": ("profile_results", "row_count"),
    "TableProfile.row_count_exact": ("profile_results", "row_count_exact"),
    "TableProfile.started_at": ("profile_runs", "started_at"),
    "TableProfile.finished_at": ("profile_runs", "completed_at"),
    "TableProfile.status": ("profile_runs", "status"),
    "TableProfile.error": ("profile_runs", "error_message"),
    "TableProfile.columns": ("column_profiles", "result_id"),
    "TableProfile.anomalies": ("profile_anomalies", "result_id"),
    "TableProfile.schema_fields": ("profile_results", "schema_fields"),
    "TableProfile.field_ids": ("profile_results", "field_ids"),
    "TableProfile.sketches": ("profile_results", "sketches"),
    "TableProfile.notes": ("profile_results", "notes"),
    "TableProfile.columns_requested": ("profile_results", "columns_requested"),
    "TableProfile.sample_seed": ("profile_results", "details"),
    "TableProfile.history_comparison": ("profile_results", "details"),
    "TableProfile.queries": ("profile_results", "details"),
    **{
        f"ColumnProfile.{name}": ("column_profiles", name)
        for name in ColumnProfile.model_fields
        if name != "top_values"
    },
    "ColumnProfile.top_values": ("column_profiles", "top_values"),
    "Anomaly.column_name": ("profile_anomalies", "column_name"),
    "Anomaly.anomaly_type": ("profile_anomalies", "anomaly_type"),
    "Anomaly.severity": ("profile_anomalies", "severity"),
    "Anomaly.description": ("profile_anomalies", "description"),
    "Anomaly.observed_value": ("profile_anomalies", "value"),
    "Anomaly.threshold": ("profile_anomalies", "threshold"),
    "Anomaly.detector": ("profile_anomalies", "detector"),
    "Anomaly.metadata": ("profile_anomalies", "metadata"),
    **{f"Metric.{name}": ("column_profiles", "metrics") for name in Metric.model_fields},
    **{f"TopValue.{name}": ("column_profiles", "top_values") for name in TopValue.model_fields},
}


def connect(dsn: str) -> Any:
    import psycopg

    return psycopg.connect(dsn, autocommit=True)


def saved_run(dsn: str, run: int = 0, **fields: Any) -> TableProfile:
    from dataprof.stores.postgres import PostgresProfileStore

    made = profile(
        column("a", min_value=1, max_value=9),
        column("b"),
        run=run,
        run_id=rid(run),
        anomalies=[
            Anomaly(column_name="a", anomaly_type="t", severity=Severity.HIGH, description="d")
        ],
        **fields,
    )
    with PostgresProfileStore(dsn) as store:
        store.save_run(made)
    return made


def test_every_model_field_has_a_column(profile_database: str) -> None:
    fields = {
        f"{model.__name__}.{name}"
        for model in (TableProfile, ColumnProfile, Anomaly, Metric, TopValue)
        for name in model.model_fields
    }
    unplaced = sorted(fields - set(PLACES))
    assert not unplaced, f"model fields with no place in the schema: {unplaced}"
    with connect(profile_database) as conn:
        columns = set(
            conn.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'public'"
            ).fetchall()
        )
    missing = sorted({place for place in PLACES.values() if place not in columns})
    assert not missing, f"columns the mapping names but the schema lacks: {missing}"


def test_issue_columns_exist(profile_database: str) -> None:
    expected = {
        "data_sources": {
            "id",
            "source_type",
            "name",
            "connection_config",
            "created_by",
            "updated_at",
        },
        "datasets": {"id", "source_id", "database_name", "table_name", "schema_info"},
        "profile_runs": {
            "id",
            "dataset_id",
            "status",
            "started_at",
            "completed_at",
            "error_message",
            "step_functions_execution_arn",
            "mode",
        },
        "profile_results": {
            "run_id",
            "row_count",
            "column_count",
            "sampled",
            "sample_size",
            "s3_full_profile_uri",
            "profiled_at",
            "snapshot_id",
            "row_count_exact",
            "schema_fields",
            "field_ids",
            "notes",
            "columns_requested",
            "sketches",
        },
        "column_profiles": {"ordinal", "field_id", "data_type", "supported", "metrics"},
        "profile_anomalies": {"detector", "ordinal", "value", "threshold", "metadata"},
    }
    with connect(profile_database) as conn:
        for table, names in expected.items():
            rows = conn.execute(
                "select column_name from information_schema.columns where table_name = %s", (table,)
            ).fetchall()
            assert names <= {r[0] for r in rows}, table


def test_enum_labels_are_the_model_values(profile_database: str) -> None:
    with connect(profile_database) as conn:
        status = conn.execute("select enum_range(null::profile_run_status)::text[]").fetchone()
        severity = conn.execute("select enum_range(null::anomaly_severity)::text[]").fetchone()
    assert status == ([s.value for s in RunStatus],)
    assert severity == ([s.value for s in Severity],)


def test_schema_info_and_run_id_form(profile_database: str) -> None:
    saved_run(profile_database, 1, schema_fields={"a": "int64", "b": "int64"}, field_ids={"a": 1})
    with connect(profile_database) as conn:
        (info,) = conn.execute("select schema_info from datasets").fetchone()
        (run_id,) = conn.execute("select id::text from profile_runs").fetchone()
        (ordinals,) = conn.execute(
            "select array_agg(column_name order by ordinal) from column_profiles"
        ).fetchone()
    assert info == {"schema_fields": [["a", "int64"], ["b", "int64"]], "field_ids": [["a", 1]]}
    assert run_id.replace("-", "") == rid(1)
    assert ordinals == ["a", "b"]


# -- roles and RLS --------------------------------------------------------------------------
@contextlib.contextmanager
def as_role(
    conn: Any, role: str, sub: str = "00000000-0000-0000-0000-000000000042"
) -> Iterator[None]:
    """A transaction acting as ``role``, the way Supabase's API sets it up."""
    with conn.transaction():
        conn.execute(
            "select set_config('request.jwt.claims', %s, true)",
            (json.dumps({"sub": sub, "role": role}),),
        )
        conn.execute(f"set local role {role}")
        yield


def test_authenticated_reads_all_six_and_manages_sources_only(profile_database: str) -> None:
    import psycopg

    saved_run(profile_database)
    with connect(profile_database) as conn:
        with as_role(conn, "authenticated"):
            for table in SIX:
                (count,) = conn.execute(f"select count(*) from {table}").fetchone()
                assert count > 0, table
            (created_by,) = conn.execute(
                "insert into data_sources (source_type, name) values ('athena', 'mine') "
                "returning created_by::text"
            ).fetchone()
            assert created_by == "00000000-0000-0000-0000-000000000042"  # auth.uid()
            conn.execute('update data_sources set connection_config = \'{"region": "x"}\'')
        (dataset,) = conn.execute("select id from datasets").fetchone()
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
            as_role(conn, "authenticated"),
        ):
            conn.execute(
                "insert into profile_runs (id, dataset_id, mode, started_at) "
                "values (gen_random_uuid(), %s, 'full', now())",
                (dataset,),
            )
        payload = json.dumps(profile_to_payload(profile(column("a"), run_id=rid(7))))
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="dataprof_save_run"),
            as_role(conn, "authenticated"),
        ):
            conn.execute("select dataprof_save_run(%s::jsonb)", (payload,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege), as_role(conn, "authenticated"):
            conn.execute("select dataprof_history(null, 1, true)")


def test_anon_sees_nothing_and_writes_nothing(profile_database: str) -> None:
    import psycopg

    saved_run(profile_database)
    with connect(profile_database) as conn:
        with as_role(conn, "anon"):
            for table in SIX:
                (count,) = conn.execute(f"select count(*) from {table}").fetchone()
                assert count == 0, table
            assert conn.execute("update data_sources set name = 'x' returning id").fetchall() == []
            assert conn.execute("delete from profile_runs returning id").fetchall() == []
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
            as_role(conn, "anon"),
        ):
            conn.execute("insert into data_sources (source_type) values ('file')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege), as_role(conn, "anon"):
            conn.execute("select dataprof_get_run(gen_random_uuid())")
        (total,) = conn.execute("select count(*) from data_sources").fetchone()
        assert total == 1


def test_service_role_writes_everything_and_cascades_hold(profile_database: str) -> None:
    made = profile(
        column("a"),
        column("b"),
        run_id=rid(3),
        anomalies=[
            Anomaly(column_name=None, anomaly_type="t", severity=Severity.LOW, description="")
        ],
    )
    payload = json.dumps(profile_to_payload(made))
    with connect(profile_database) as conn:
        with as_role(conn, "service_role"):
            conn.execute("select dataprof_save_run(%s::jsonb)", (payload,))
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in SIX}
        assert counts == dict.fromkeys(SIX, 1) | {"column_profiles": 2}
        with as_role(conn, "service_role"):
            conn.execute("delete from data_sources")
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in SIX}
        assert counts == dict.fromkeys(SIX, 0)


def test_functions_are_executable_by_service_role_only(profile_database: str) -> None:
    with connect(profile_database) as conn:
        rows = conn.execute(
            "select p.proname, "
            "has_function_privilege('anon', p.oid, 'execute'), "
            "has_function_privilege('authenticated', p.oid, 'execute'), "
            "has_function_privilege('service_role', p.oid, 'execute'), p.prosecdef "
            "from pg_proc p where p.pronamespace = 'public'::regnamespace "
            "and p.proname like 'dataprof%%' and p.prorettype <> 'trigger'::regtype"
        ).fetchall()
    assert len(rows) >= 10
    for name, anon, authenticated, service, definer in rows:
        assert (anon, authenticated, service, definer) == (False, False, True, False), name


# -- indexes --------------------------------------------------------------------------------
def test_functions_use_the_indexes(profile_database: str) -> None:
    for run in range(3):
        saved_run(profile_database, run)
    source = json.dumps(
        {"source_type": "file", "source_name": None, "database": "db", "table": "t"}
    )
    plans: list[str] = []
    with connect(profile_database) as conn:
        conn.add_notice_handler(lambda diag: plans.append(diag.message_primary or ""))
        conn.execute("load 'auto_explain'")
        for setting in (
            "auto_explain.log_min_duration = 0",
            "auto_explain.log_nested_statements = on",
            "auto_explain.log_level = notice",
            "enable_seqscan = off",
        ):
            conn.execute(f"set {setting}")
        conn.execute("select dataprof_list_runs(%s::jsonb, 30, true)", (source,))
        list_plans = "\n".join(plans)
        plans.clear()
        conn.execute("select dataprof_history(%s::jsonb, 30, false)", (source,))
        history_plans = "\n".join(plans)
        plans.clear()
        conn.execute("select dataprof_column_history(%s::jsonb, 'a', 30)", (source,))
        column_plans = "\n".join(plans)
    assert "profile_runs_dataset_started_idx" in list_plans
    assert "profile_runs_dataset_started_idx" in history_plans
    assert "profile_results_run_id_idx" in history_plans
    assert "column_profiles_result_column_idx" in history_plans
    assert "profile_anomalies_result_idx" in history_plans
    assert "profile_results_dataset_profiled_idx" in column_plans
    assert "column_profiles_result_column_idx" in column_plans


# -- the file itself ------------------------------------------------------------------------
def migration_sql() -> str:
    (migration,) = migrations()
    return migration.sql


def test_pglast_parses_the_migration_and_counts_indexes() -> None:
    import pglast
    from pglast import ast

    statements = pglast.parse_sql(migration_sql())
    indexes = [s.stmt for s in statements if isinstance(s.stmt, ast.IndexStmt)]
    assert len(indexes) >= 7
    assert {i.idxname for i in indexes} >= {
        "profile_runs_dataset_started_idx",
        "profile_runs_status_idx",
        "profile_results_dataset_profiled_idx",
        "column_profiles_result_column_idx",
        "profile_anomalies_result_idx",
        "profile_anomalies_severity_idx",
        "profile_results_run_id_idx",
    }
    assert all(not isinstance(s.stmt, ast.TransactionStmt) for s in statements)


def test_schema_folder_holds_the_shipped_file() -> None:
    (migration,) = migrations()
    linked = REPO / "schema" / "migrations" / f"{migration.version}_{migration.name}.sql"
    assert linked.read_text() == migration.sql


def test_the_wheel_ships_the_migration(tmp_path: Path) -> None:
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is a test dependency"
    subprocess.run([uv, "build", "-q", "--wheel", "-o", str(tmp_path), str(CORE)], check=True)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("dataprof/stores/migrations/001_profile_schema.sql").decode()
    assert shipped == migration_sql()


def dump_schema(server: PostgresServer, dbname: str) -> str:
    result = subprocess.run(
        [str(server.bindir / "pg_dump"), "-s", "-d", server.dsn(dbname)],
        capture_output=True,
        text=True,
        check=True,
    )
    # pg_dump fences its output with a random \restrict key; that line differs every time.
    return "\n".join(
        line
        for line in result.stdout.splitlines()
        if not line.startswith(("\\restrict", "\\unrestrict"))
    )


def test_rerun_is_a_no_op(postgres_server: PostgresServer, profile_database: str) -> None:
    from dataprof.stores.migrator import migrate

    dbname = profile_database.rsplit("/", 1)[1]
    saved_run(profile_database)
    before = dump_schema(postgres_server, dbname)
    assert migrate(profile_database) == []  # recorded: nothing pending
    with connect(profile_database) as conn, conn.transaction():
        conn.execute(migration_sql())  # the file itself, a second time
    assert dump_schema(postgres_server, dbname) == before
    with connect(profile_database) as conn:
        assert conn.execute("select count(*) from profile_runs").fetchone() == (1,)
        assert conn.execute(
            "select version, name from supabase_migrations.schema_migrations"
        ).fetchall() == [("001", "profile_schema")]


def test_bare_database(postgres_server: PostgresServer) -> None:
    """No Supabase bootstrap: the migration makes the roles and auth.uid() it needs. Without
    Supabase's default privileges anon has no grant at all (Supabase grants it, RLS hides)."""
    import psycopg

    from dataprof.stores.migrator import migrate, migration_status

    dsn = postgres_server.fresh_database(prefix="bare")
    assert [s.applied for s in migration_status(dsn)] == [False]
    assert [m.version for m in migrate(dsn)] == ["001"]
    assert [s.applied for s in migration_status(dsn)] == [True]
    saved_run(dsn)
    with connect(dsn) as conn:
        with as_role(conn, "authenticated", sub="00000000-0000-0000-0000-000000000007"):
            assert conn.execute("select auth.uid()::text").fetchone() == (
                "00000000-0000-0000-0000-000000000007",
            )
            assert conn.execute("select count(*) from profile_results").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), as_role(conn, "anon"):
            conn.execute("select count(*) from profile_results")
