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
]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProfileStore]:
    """A fresh, empty store of each kind."""
    kind = request.param
    if kind == "local":
        yield LocalProfileStore(tmp_path / "store")
        return
    from dataprof.stores.postgres import PostgresProfileStore

    dsn = request.getfixturevalue("profile_database")
    opened = PostgresProfileStore(dsn)
    yield opened
    opened.close()
