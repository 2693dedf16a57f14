"""Puts the hand-built profile helpers of tests/anomalies on ``sys.path`` (the suite runs
with ``--import-mode=importlib``, which adds no test folder), and gives the store contract
tests every store: the local folder, PostgreSQL over psycopg, and Supabase over PostgREST."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataprof.stores import LocalProfileStore, ProfileStore

for _folder in (Path(__file__).parent.parent / "anomalies", Path(__file__).parent):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

STORE_KINDS = [
    pytest.param("local", id="local"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("supabase", id="supabase", marks=pytest.mark.postgres),
]
SECRET_KEY = "sb_secret_test-only-key-1234"


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProfileStore]:
    """A fresh, empty store of each kind."""
    yield from _open(request.param, request, tmp_path)


@pytest.fixture(params=STORE_KINDS[1:])
def db_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProfileStore]:
    """A fresh, empty store of each kind that keeps its runs in PostgreSQL."""
    yield from _open(request.param, request, tmp_path)


def _open(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProfileStore]:
    if kind == "local":
        yield LocalProfileStore(tmp_path / "store")
        return
    dsn = request.getfixturevalue("profile_database")
    if kind == "postgres":
        from dataprof.stores.postgres import PostgresProfileStore

        with PostgresProfileStore(dsn) as opened:
            yield opened
        return
    from postgrest_emulation import PostgrestEmulation

    from dataprof.stores.supabase import SupabaseProfileStore

    emulation = PostgrestEmulation(dsn, SECRET_KEY)
    with SupabaseProfileStore(
        "https://project.supabase.test", key=SECRET_KEY, transport=emulation.transport()
    ) as opened:
        yield opened
    emulation.close()
