"""Profiles in PostgreSQL (or Supabase's database, connected to directly) through psycopg 3.

``open_store("postgresql://user:password@host/db")``. Opening connects and checks the
schema's version at once, so a wrong password or a database that was never migrated
fails before a long profile starts, not after it. Every operation is one call of a
function of ``schema/migrations`` (:mod:`dataprof.stores.rpc`): one round trip, one
transaction. A connection lost mid-call (a restarted server, a killed backend) is
reported and replaced on the next call.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from dataprof.redaction import redact
from dataprof.stores.base import StoreError
from dataprof.stores.pg_connect import connect, describe_dsn, import_psycopg
from dataprof.stores.rpc import FUNCTIONS, RpcProfileStore

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresProfileStore"]


class PostgresProfileStore(RpcProfileStore):
    """The profile store in a PostgreSQL database migrated with ``dataprof db migrate``."""

    def __init__(self, dsn: str, *, connect_timeout: int = 10, check: bool = True) -> None:
        self._dsn = dsn
        self._timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = connect(dsn, connect_timeout=connect_timeout)
        self.round_trips = 0
        self.bytes_sent = 0
        if check:
            self.check_schema()

    @property
    def location(self) -> str:
        return f"postgresql://{describe_dsn(self._dsn)}"

    def __repr__(self) -> str:
        return f"PostgresProfileStore({self.location!r})"

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._dsn, connect_timeout=self._timeout)
        return self._conn

    def _call(self, function: str, args: dict[str, Any]) -> Any:
        psycopg = import_psycopg()
        types = FUNCTIONS[function]
        placeholders = ", ".join(f"{name} => %s::{types[name]}" for name in args)
        params = [
            json.dumps(value, ensure_ascii=False)
            if types[name] == "jsonb" and value is not None
            else value
            for name, value in args.items()
        ]
        self.round_trips += 1
        self.bytes_sent += sum(len(p) for p in params if isinstance(p, str))
        conn = self._connection()
        try:
            row = conn.execute(f"select public.{function}({placeholders})", params).fetchone()
        except psycopg.errors.UndefinedFunction:
            raise StoreError(
                f"The profile schema is not in the database at {self.location} "
                f"(no function {function})",
                hint="run `dataprof db migrate` against this database",
            ) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"{function} was refused at {self.location}: {_message(exc)}",
                hint="connect as the table owner or a role granted service_role",
            ) from None
        except psycopg.OperationalError as exc:
            self._drop()
            raise StoreError(
                f"Lost the connection to {self.location} during {function}: {_message(exc)}; "
                "nothing of this call was committed",
                hint="retry; check the server's health if it keeps happening",
            ) from None
        except psycopg.Error as exc:
            where = f" (constraint {exc.diag.constraint_name})" if exc.diag.constraint_name else ""
            raise StoreError(
                f"{function} failed at {self.location}: {_message(exc)}{where}",
            ) from None
        return row[0] if row else None

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # A broken connection may fail to close; it is gone either way.
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        self._drop()


def _message(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return redact(primary or str(exc).strip())
