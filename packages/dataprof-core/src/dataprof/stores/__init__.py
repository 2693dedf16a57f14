"""Where profiles go: the :class:`ProfileStore` interface, the local folder store, the
PostgreSQL store (psycopg or Supabase's REST API) and the archive of full profile JSON.

:func:`open_store` turns ``--store`` / ``DATAPROF_STORE`` into a store (a path or
``file://`` URL: :class:`LocalProfileStore`; ``postgresql://``: :class:`PostgresProfileStore`;
``supabase://HOST``: :class:`SupabaseProfileStore`; their clients are imported only when
one is opened) and ``DATAPROF_ARCHIVE`` into a :class:`ProfileArchive`. Result sinks
(:class:`ResultSink`, hook ``dataprof_result_sinks``) hear about each finished run.
"""

from dataprof.stores.archive import (
    ARCHIVE_ENV_VAR,
    LocalProfileArchive,
    ProfileArchive,
    S3ProfileArchive,
    open_archive,
)
from dataprof.stores.base import (
    ProfileStore,
    RunNotFoundError,
    RunSummary,
    StoreError,
    failed_profile,
)
from dataprof.stores.codec import profile_from_json, profile_to_json
from dataprof.stores.factory import (
    DEFAULT_STORE,
    STORE_ENV_VAR,
    open_store,
    resolve_store_location,
)
from dataprof.stores.identity import SourceIdentity
from dataprof.stores.local import LocalProfileStore
from dataprof.stores.postgres import PostgresProfileStore
from dataprof.stores.sinks import ResultSink, publish, result_sinks
from dataprof.stores.supabase import SupabaseProfileStore

__all__ = [
    "ARCHIVE_ENV_VAR",
    "DEFAULT_STORE",
    "LocalProfileArchive",
    "LocalProfileStore",
    "PostgresProfileStore",
    "ProfileArchive",
    "ProfileStore",
    "ResultSink",
    "RunNotFoundError",
    "RunSummary",
    "S3ProfileArchive",
    "STORE_ENV_VAR",
    "SourceIdentity",
    "StoreError",
    "SupabaseProfileStore",
    "failed_profile",
    "open_archive",
    "open_store",
    "profile_from_json",
    "profile_to_json",
    "publish",
    "resolve_store_location",
    "result_sinks",
]
