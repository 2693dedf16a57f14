"""The PostgreSQL store's edges: opening (wrong password or host, no schema, an old one),
bad input named by field, one round trip per save and per history, faults mid-write that
leave no orphan rows, and many processes writing one table at once."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from typing import Any

import pytest
from profile_builders import column, profile
from run_ids import rid

from dataprof.stores import SourceIdentity, StoreError, open_store, profile_to_json
from dataprof.testing.postgres import PostgresServer

pytestmark = pytest.mark.postgres

SOURCE = SourceIdentity(source_type="file", database="db", table="t")
SIX = [
    "data_sources",
    "datasets",
    "profile_runs",
    "profile_results",
    "column_profiles",
    "profile_anomalies",
]


def counts(dsn: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in SIX}


def wide_profile(run: int, columns: int = 5) -> Any:
    return profile(*[column(f"c{i}") for i in range(columns)], run=run, run_id=rid(run))


def test_open_store_gives_the_postgres_store(profile_database: str) -> None:
    from dataprof.stores.postgres import PostgresProfileStore

    with open_store(profile_database) as store:
        assert isinstance(store, PostgresProfileStore)
        store.save_run(wide_profile(1))
        assert [s.run_id for s in store.list_runs(SOURCE)] == [rid(1)]


def test_wrong_password_is_a_redacted_store_error(
    postgres_server: PostgresServer, profile_database: str
) -> None:
    postgres_server.require_password("profiler", "right-horse-battery")
    host_db = profile_database.split("@", 1)[1]
    with pytest.raises(StoreError, match="Cannot connect to the PostgreSQL store") as info:
        open_store(f"postgresql://profiler:wrong-pass-1234@{host_db}")
    assert "wrong-pass-1234" not in str(info.value)
    assert "password authentication failed" in str(info.value)
    assert "DATAPROF_STORE" in str(info.value)


def test_unreachable_host_is_a_store_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match=rf"127\.0\.0\.1:{port}/profiles") as info:
        open_store(f"postgresql://bob:s3cret-pw-77@127.0.0.1:{port}/profiles?connect_timeout=2")
    assert "s3cret-pw-77" not in str(info.value)


def test_a_database_without_the_schema_names_the_migrate_command(
    postgres_server: PostgresServer,
) -> None:
    dsn = postgres_server.fresh_database(prefix="empty")
    with pytest.raises(StoreError, match="dataprof db migrate"):
        open_store(dsn)


def test_an_old_schema_names_the_migrate_command(postgres_server: PostgresServer) -> None:
    import psycopg

    dsn = postgres_server.fresh_database(prefix="old")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "create function dataprof_schema_version() returns text language sql as $$ select '000' $$"
        )
    with pytest.raises(StoreError, match="version 000") as info:
        open_store(dsn)
    assert "dataprof db migrate" in str(info.value)


def test_bad_input_is_refused_naming_the_field(profile_database: str) -> None:
    with open_store(profile_database) as store:
        with pytest.raises(StoreError, match="run_id 'run-0' is not 32 lowercase hex"):
            store.save_run(profile(column("a"), run_id="run-0"))
        with pytest.raises(StoreError, match="run_id"):
            store.get_run("../etc")
        with pytest.raises(StoreError, match=r"columns\[1\]\.column_name holds a NUL"):
            store.save_run(profile(column("a"), column("b\x00"), run_id=rid(1)))
        with pytest.raises(StoreError, match=r"columns\[0\]\.min_value holds a lone surrogate"):
            store.save_run(profile(column("a", min_value="x\ud800"), run_id=rid(1)))
        with pytest.raises(StoreError, match=r"row_count = 9223372036854775808 does not fit"):
            store.save_run(profile(column("a"), run_id=rid(1), rows=2**63))
    assert counts(profile_database) == dict.fromkeys(SIX, 0)


def test_one_round_trip_per_save_and_per_history(profile_database: str) -> None:
    with open_store(profile_database) as store:
        for run in range(5):
            store.save_run(wide_profile(run))
        before = store.round_trips  # type: ignore[attr-defined]
        store.save_run(wide_profile(9))
        assert store.round_trips == before + 1  # type: ignore[attr-defined]
        history = store.history(SOURCE, limit=30)
        assert store.round_trips == before + 2  # type: ignore[attr-defined]
        assert [p.run_id for p in history] == [rid(9), *(rid(r) for r in (4, 3, 2, 1, 0))]
        assert [len(p.columns) for p in history] == [5] * 6


def test_each_run_reads_a_narrow_history_in_one_call_and_a_wide_one_run_by_run(
    profile_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detection streams history: a listing, then the runs in one call while they hold few
    columns in all, else one call per run (one run in memory at a time)."""
    from dataprof.stores import rpc

    with open_store(profile_database) as store:
        for run in range(6):
            store.save_run(wide_profile(run))
        whole = [profile_to_json(p) for p in store.history(SOURCE, limit=4)]
        for max_columns, calls in ((30, 2), (19, 1 + 4)):  # 4 runs of 5 columns: 20
            monkeypatch.setattr(rpc, "HISTORY_CALL_MAX_COLUMNS", max_columns)
            before = store.round_trips  # type: ignore[attr-defined]
            streamed = [profile_to_json(p) for p in store.each_run(SOURCE, limit=4)]
            assert store.round_trips == before + calls  # type: ignore[attr-defined]
            assert streamed == whole


# -- faults ----------------------------------------------------------------------------------
def test_a_trigger_failing_mid_write_leaves_the_old_run_whole(profile_database: str) -> None:
    import psycopg

    with open_store(profile_database) as store:
        store.save_run(wide_profile(1, columns=3))
        before = counts(profile_database)
        with psycopg.connect(profile_database, autocommit=True) as conn:
            conn.execute(
                """create function fail_after_four() returns trigger language plpgsql as $$
                begin
                  if (select count(*) from public.column_profiles) >= 4 then
                    raise exception 'disk full (test fault)';
                  end if;
                  return new;
                end $$;
                create trigger fault before insert on column_profiles
                  for each row execute function fail_after_four();"""
            )
        with pytest.raises(StoreError, match="disk full"):
            store.save_run(wide_profile(1, columns=8))  # replacing run 1 fails half way
        with pytest.raises(StoreError, match="disk full"):
            store.save_run(wide_profile(2, columns=8))  # a new run fails half way
        assert counts(profile_database) == before
        assert len(store.get_run(rid(1)).columns) == 3


def test_a_backend_killed_mid_call_commits_nothing_and_the_store_reconnects(
    profile_database: str,
) -> None:
    import psycopg

    with psycopg.connect(profile_database, autocommit=True) as conn:
        conn.execute(
            """create function slow_insert() returns trigger language plpgsql as $$
            begin perform pg_sleep(0.05); return new; end $$;
            create trigger slow before insert on column_profiles
              for each row execute function slow_insert();"""
        )
    store = open_store(profile_database)
    errors: list[BaseException] = []

    def save() -> None:
        try:
            store.save_run(wide_profile(1, columns=200))
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    writer = threading.Thread(target=save)
    writer.start()
    killed = False
    with psycopg.connect(profile_database, autocommit=True) as conn:
        for _ in range(200):
            row = conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where application_name = 'dataprof' and query like '%%dataprof_save_run%%' "
                "and state = 'active' and wait_event = 'PgSleep'"
            ).fetchone()
            if row and row[0]:
                killed = True
                break
            time.sleep(0.02)
    writer.join()
    assert killed
    assert len(errors) == 1
    assert isinstance(errors[0], StoreError)
    assert "Lost the connection" in str(errors[0])
    assert counts(profile_database) == dict.fromkeys(SIX, 0)
    with psycopg.connect(profile_database, autocommit=True) as conn:
        conn.execute("drop trigger slow on column_profiles")
    store.save_run(wide_profile(2))  # a new connection
    assert [s.run_id for s in store.list_runs()] == [rid(2)]
    store.close()


# -- concurrency -----------------------------------------------------------------------------
def _save_twenty(dsn: str, worker: int) -> None:
    from dataprof.stores.postgres import PostgresProfileStore

    with PostgresProfileStore(dsn) as store:
        for run in range(20):
            store.save_run(wide_profile(worker * 100 + run, columns=3))


def test_eight_processes_twenty_runs_each_share_one_source_and_dataset(
    profile_database: str,
) -> None:
    # fork: the workers open their own connections; spawn would re-import everything 8 times.
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_save_twenty, args=(profile_database, w)) for w in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * 8
    found = counts(profile_database)
    assert found["profile_runs"] == 160
    assert found["profile_results"] == 160
    assert found["column_profiles"] == 480
    assert (found["data_sources"], found["datasets"]) == (1, 1)
