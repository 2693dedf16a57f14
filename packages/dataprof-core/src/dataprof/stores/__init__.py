"""Where profiles go: the :class:`ProfileStore` interface, the local folder store and the
PostgreSQL store.

:func:`open_store` turns ``--store`` / ``DATAPROF_STORE`` into a store (a path or
``file://`` URL: :class:`LocalProfileStore`; ``postgresql://``: :class:`PostgresProfileStore`,
psycopg imported only when one is opened). Result sinks
(:class:`ResultSink`, hook ``dataprof_result_sinks``) hear about each finished run.
"""

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

__all__ = [
    "DEFAULT_STORE",
    "LocalProfileStore",
    "PostgresProfileStore",
    "ProfileStore",
    "ResultSink",
    "RunNotFoundError",
    "RunSummary",
    "STORE_ENV_VAR",
    "SourceIdentity",
    "StoreError",
    "failed_profile",
    "open_store",
    "profile_from_json",
    "profile_to_json",
    "publish",
    "resolve_store_location",
    "result_sinks",
]
