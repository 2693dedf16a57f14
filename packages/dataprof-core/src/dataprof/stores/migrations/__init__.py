"""The profile schema's SQL migrations, shipped in the wheel and applied by ``dataprof db migrate``.

The files follow the Supabase CLI's naming (``<version>_<name>.sql``) and this folder
is what ``schema/migrations/`` links to, so ``supabase db push`` and ``dataprof db
migrate`` apply the same text and record the same versions in
``supabase_migrations.schema_migrations``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

__all__ = ["LATEST_VERSION", "Migration", "migrations"]

_NAME = re.compile(r"\A(?P<version>[0-9]+)_(?P<name>[A-Za-z0-9_]+)\.sql\Z")


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration, oldest first."""
    found = []
    for entry in resources.files(__name__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(match["version"], match["name"], entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


LATEST_VERSION = "001"
"""What ``dataprof_schema_version()`` answers once every migration here is applied."""
