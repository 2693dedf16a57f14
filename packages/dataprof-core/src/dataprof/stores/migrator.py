"""Applying the profile schema: what ``dataprof db migrate`` and ``dataprof db status`` do.

Applied versions are recorded in ``supabase_migrations.schema_migrations``, the table
the Supabase CLI keeps, so ``supabase db push`` and ``dataprof db migrate`` see each
other's work and never apply a migration twice. All pending migrations and their
records go in one transaction, under a lock that serialises two migrators.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataprof.stores.base import StoreError
from dataprof.stores.migrations import Migration, migrations
from dataprof.stores.pg_connect import connect, describe_dsn, import_psycopg

__all__ = ["MigrationState", "migrate", "migration_status"]

_VERSIONS_TABLE = """
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
"""


@dataclass(frozen=True)
class MigrationState:
    version: str
    name: str
    applied: bool


def migration_status(dsn: str) -> list[MigrationState]:
    """Each migration this dataprof ships, and whether the database has it."""
    with connect(dsn) as conn:
        exists = conn.execute(
            "select to_regclass('supabase_migrations.schema_migrations') is not null"
        ).fetchone()
        applied: set[str] = set()
        if exists and exists[0]:
            rows = conn.execute("select version from supabase_migrations.schema_migrations")
            applied = {r[0] for r in rows}
    return [MigrationState(m.version, m.name, m.version in applied) for m in migrations()]


def migrate(dsn: str) -> list[Migration]:
    """Apply the pending migrations in one transaction; returns those applied (none: no-op)."""
    psycopg = import_psycopg()
    with connect(dsn) as conn:
        try:
            with conn.transaction():
                conn.execute(_VERSIONS_TABLE)
                conn.execute("lock table supabase_migrations.schema_migrations in exclusive mode")
                done = {
                    r[0]
                    for r in conn.execute(
                        "select version from supabase_migrations.schema_migrations"
                    )
                }
                pending = [m for m in migrations() if m.version not in done]
                for migration in pending:
                    conn.execute(migration.sql)
                    conn.execute(
                        "insert into supabase_migrations.schema_migrations (version, statements, name)"
                        " values (%s, array[%s], %s)",
                        (migration.version, migration.sql, migration.name),
                    )
        except psycopg.Error as exc:
            diag = getattr(exc, "diag", None)
            message = getattr(diag, "message_primary", None) or str(exc)
            raise StoreError(
                f"Migrating the profile schema at {describe_dsn(dsn)} failed: {message}",
                hint="nothing was changed (one transaction); connect as the database owner",
            ) from None
    return pending
