"""Connecting to PostgreSQL for the profile store and ``dataprof db``: psycopg, lazily.

psycopg is an optional dependency (``dataprof-core[postgres]``); without it the
error says how to install it. Connection failures become a :class:`StoreError`
that names host, port and database but never the password, whatever libpq put in
its message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from dataprof.errors import ConfigurationError
from dataprof.redaction import redact, remember_secret
from dataprof.stores.base import StoreError

if TYPE_CHECKING:
    import psycopg

__all__ = ["connect", "describe_dsn", "import_psycopg"]


def import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ConfigurationError(
            "The PostgreSQL profile store needs psycopg, which is not installed",
            hint="pip install 'dataprof-core[postgres]'",
        ) from None
    return psycopg


def describe_dsn(dsn: str) -> str:
    """``host:port/database`` of a libpq URL, for messages (no user, no password)."""
    parsed = urlparse(dsn)
    host = parsed.hostname or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{host}{port}{parsed.path or '/'}"


def connect(dsn: str, *, connect_timeout: int = 10) -> psycopg.Connection[Any]:
    """An autocommit connection in UTC; a :class:`StoreError` (redacted) when it fails."""
    pg = import_psycopg()
    parsed = urlparse(dsn)
    if parsed.password:
        remember_secret(parsed.password)
    try:
        conn: psycopg.Connection[Any] = pg.connect(
            dsn,
            autocommit=True,
            connect_timeout=connect_timeout,
            options="-c TimeZone=UTC",
            application_name="dataprof",
        )
    except pg.Error as exc:
        raise StoreError(
            f"Cannot connect to the PostgreSQL store at {describe_dsn(dsn)}: "
            f"{redact(str(exc)).strip()}",
            hint="check the host, port, database, user and password in DATAPROF_STORE",
        ) from None
    return conn
