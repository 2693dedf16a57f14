"""``dataprof db migrate`` and ``dataprof db status``: the profile schema in a PostgreSQL database.

Both take the database from ``--store`` or ``$DATAPROF_STORE`` (a ``postgresql://`` URL;
for Supabase, the project's direct or pooler connection string). The work is in
:mod:`dataprof.stores.migrator`; this module parses and prints.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from dataprof.cli.output import console, handle_errors

__all__ = ["register"]

DatabaseStoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="The database: a postgresql:// URL (default $DATAPROF_STORE).",
    ),
]


def _database_url(store: str | None) -> str:
    from dataprof.errors import ConfigurationError
    from dataprof.redaction import redact
    from dataprof.stores import resolve_store_location

    location = str(resolve_store_location(store))
    if not location.startswith(("postgresql://", "postgres://")):
        raise ConfigurationError(
            f"dataprof db needs a PostgreSQL database, not {redact(location)!r}",
            hint="pass --store postgresql://USER:PASSWORD@HOST:5432/DB or set DATAPROF_STORE; "
            "for Supabase use the project's database connection string",
        )
    return location


@handle_errors
def migrate(store: DatabaseStoreOption = None) -> None:
    """Apply the profile schema's pending migrations (one transaction; a rerun changes nothing)."""
    from dataprof.stores.migrator import migrate as apply

    applied = apply(_database_url(store))
    if not applied:
        console.print("The profile schema is up to date; nothing to apply.")
    for migration in applied:
        console.print(f"Applied {migration.version}_{escape(migration.name)}")


@handle_errors
def status(store: DatabaseStoreOption = None) -> None:
    """List the profile schema's migrations and whether the database has each."""
    from dataprof.stores.migrator import migration_status

    states = migration_status(_database_url(store))
    for state in states:
        mark = "applied" if state.applied else "pending"
        console.print(f"{state.version}_{escape(state.name)}  {mark}")
    if any(not s.applied for s in states):
        console.print("Run `dataprof db migrate` to apply the pending migrations.")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    db = typer.Typer(
        name="db",
        help="The profile schema in PostgreSQL or Supabase: migrate, status.",
        no_args_is_help=True,
    )
    db.command("migrate")(migrate)
    db.command("status")(status)
    app.add_typer(db)
