"""Opening a store from a URL or a path: ``--store``, ``DATAPROF_STORE``, or the default.

``./.dataprof/store`` (gitignored) is the default, so a first ``dataprof
profile`` keeps history without any setup. A path or a ``file://`` URL opens the
local store; ``postgresql://`` the PostgreSQL store (psycopg, ``dataprof-core[postgres]``);
``supabase://HOST`` the same schema through Supabase's REST API (httpx,
``dataprof-core[supabase]``); any other scheme is a configuration error that names it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from dataprof.errors import ConfigurationError
from dataprof.redaction import redact
from dataprof.stores.base import ProfileStore
from dataprof.stores.local import LocalProfileStore

__all__ = ["DEFAULT_STORE", "STORE_ENV_VAR", "open_store", "resolve_store_location"]

STORE_ENV_VAR = "DATAPROF_STORE"
DEFAULT_STORE = Path(".dataprof") / "store"


def resolve_store_location(url_or_path: str | Path | None = None) -> str | Path:
    """The explicit location, else ``$DATAPROF_STORE``, else ``./.dataprof/store``."""
    if url_or_path is not None and str(url_or_path) != "":
        return url_or_path
    return os.environ.get(STORE_ENV_VAR) or DEFAULT_STORE


def open_store(
    url_or_path: str | Path | None = None, *, archive: str | Path | None = None
) -> ProfileStore:
    """The store at ``url_or_path`` (resolved as :func:`resolve_store_location` says), writing
    each run's full JSON to ``archive`` (else ``$DATAPROF_ARCHIVE``) when one is given."""
    from dataprof.stores.archive import open_archive

    chosen_archive = open_archive(archive)
    store = _open(resolve_store_location(url_or_path))
    store.archive = chosen_archive
    return store


def _open(location: str | Path) -> ProfileStore:
    if isinstance(location, Path):
        return LocalProfileStore(location)
    parsed = urlparse(location)
    scheme = parsed.scheme.lower()
    # One letter is a Windows drive ("C:\\profiles"), not a scheme.
    if not scheme or len(scheme) == 1:
        return LocalProfileStore(Path(location))
    if scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ConfigurationError(
                f"Store URL file://{parsed.netloc}/... names a remote host",
                hint="use file:///absolute/path or a plain path",
            )
        return LocalProfileStore(Path(unquote(parsed.path)))
    if scheme in {"postgresql", "postgres"}:
        from dataprof.stores.postgres import PostgresProfileStore

        return PostgresProfileStore(location)
    if scheme == "supabase":
        from dataprof.stores.supabase import SupabaseProfileStore

        if not parsed.hostname or parsed.password:
            raise ConfigurationError(
                f"Store URL {redact(location)!r} must be supabase://<project host>",
                hint="the key goes in SUPABASE_SERVICE_ROLE_KEY, never in the URL",
            )
        return SupabaseProfileStore(f"https://{parsed.netloc}")
    raise ConfigurationError(
        f"Unknown profile store scheme {scheme!r} in {redact(location)!r}",
        hint="give a folder path, a file:// URL, a postgresql:// URL or supabase://HOST",
    )
