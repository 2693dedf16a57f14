"""Which table a run belongs to, and the folder-safe key the local store files it under.

A table is identified by source type, source name (a named source in the config
file, when there is one), database and table: the same four fields every profile
carries, so history needs no other bookkeeping. The key is readable (a slug of
those fields) and unambiguous (a short hash of the exact fields), since two
different identities can slug alike (``a.b``/``a_b``) and folder names must not
collide.
"""

from __future__ import annotations

import hashlib
import json
import re

from pydantic import BaseModel, ConfigDict

from dataprof.profiling.models import TableProfile

__all__ = ["SourceIdentity"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class SourceIdentity(BaseModel):
    """The table a run profiled."""

    model_config = ConfigDict(frozen=True)

    source_type: str
    source_name: str | None = None
    database: str
    table: str

    @classmethod
    def of(cls, profile: TableProfile) -> SourceIdentity:
        return cls(
            source_type=profile.source_type,
            source_name=profile.source_name,
            database=profile.database,
            table=profile.table,
        )

    @property
    def qualified_table(self) -> str:
        return f"{self.database}.{self.table}" if self.database else self.table

    @property
    def label(self) -> str:
        source = (
            f"{self.source_name} ({self.source_type})" if self.source_name else self.source_type
        )
        return f"{source}: {self.qualified_table}"

    @property
    def key(self) -> str:
        """A folder name: readable slug plus a hash of the exact identity."""
        exact = json.dumps(
            [self.source_type, self.source_name, self.database, self.table], ensure_ascii=True
        )
        digest = hashlib.sha256(exact.encode()).hexdigest()[:12]
        parts = [self.source_name or self.source_type, self.database, self.table]
        slug = "__".join(_UNSAFE.sub("_", p).strip("._") for p in parts if p)[:80]
        return f"{slug or 'table'}-{digest}"
