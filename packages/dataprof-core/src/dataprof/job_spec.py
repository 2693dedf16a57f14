"""What the AWS workflow asks a job to profile, checked before anything runs.

The workflow input is a JSON document::

    {"source": {"data_source_id": "6f1c..."},            # a source registered in the store
     "table": "orders", "database": "sales", "mode": "full",
     "columns": ["amount"], "sample_size": 10000,
     "thresholds": {"row_count_max_relative_change": 0.5}}  # as [sources.NAME.thresholds]

or with the source spelled out: ``{"source_type": "athena", "connection_params": {...},
"name": "orders"}``. The input is stored in the workflow's history, so it must never
hold a secret: a secret-named parameter is a ``${NAME}`` reference to the task's
environment (or the connector's own ``secret_arn``), and a literal one is refused,
naming the field. So is any key the spec does not know.

Every task of one execution derives the same run id from the execution ARN
(:func:`run_id_for_execution`), so they name one run without passing state between
them, and a retried task rewrites that run instead of opening another.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from dataprof.errors import ConfigurationError, NotFoundError
from dataprof.profiling.models import ProfileMode
from dataprof.redaction import is_secret_key

if TYPE_CHECKING:
    from dataprof.anomalies import Thresholds
    from dataprof.config import DataSourceConfig
    from dataprof.stores import ProfileStore

__all__ = [
    "InlineSource",
    "JobSpec",
    "SourceById",
    "run_id_for_execution",
]

_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}")
_REFERENCE_KEYS = re.compile(r"(^|_)secret_(arn|name|id)$", re.IGNORECASE)
"""Parameters that name a secret (``secret_arn``) rather than hold one."""


def run_id_for_execution(execution_arn: str) -> str:
    """The run id of a workflow execution: uuid5 of its ARN, as 32 lowercase hex digits."""
    if not execution_arn.startswith("arn:"):
        raise ConfigurationError(
            f"{execution_arn!r} is not an execution ARN",
            hint="pass the workflow's $$.Execution.Id (arn:aws:states:...:execution:...)",
        )
    return uuid.uuid5(uuid.NAMESPACE_URL, execution_arn).hex


def _literal_secrets(value: Any, path: str, key: str = "") -> list[str]:
    """Dotted paths of secret-named parameters that hold a literal instead of a reference."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _literal_secrets(v, f"{path}.{k}", str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _literal_secrets(v, f"{path}[{i}]", key)]
    if not is_secret_key(key) or _REFERENCE_KEYS.search(key) or value in (None, ""):
        return []
    return [] if isinstance(value, str) and _REFERENCE.fullmatch(value) else [path]


class SourceById(BaseModel):
    """A source registered in the profile store (``dataprof_register_source``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_source_id: str = Field(min_length=1)


class InlineSource(BaseModel):
    """A source spelled out in the input, secrets only as references."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_type: str = Field(min_length=1)
    connection_params: dict[str, Any] = Field(default_factory=dict)
    name: str | None = None

    @field_validator("connection_params")
    @classmethod
    def _no_literal_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        found = _literal_secrets(value, "connection_params")
        if found:
            raise ValueError(
                f"{', '.join(found)} holds a literal secret; the workflow input is kept in "
                "the execution history, so write a ${NAME} reference to the task's "
                "environment or the connector's secret_arn instead"
            )
        return value


def _source_kind(value: Any) -> str:
    return "by_id" if isinstance(value, dict) and "data_source_id" in value else "inline"


class JobSpec(BaseModel):
    """The workflow input: which table, how to read it, how to judge it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Annotated[
        Annotated[SourceById, Tag("by_id")] | Annotated[InlineSource, Tag("inline")],
        Discriminator(_source_kind),
    ]
    table: str = Field(min_length=1)
    database: str = ""
    mode: ProfileMode = ProfileMode.AUTO
    columns: list[str] | None = None
    sample_size: int = Field(default=10_000, ge=1)
    thresholds: dict[str, Any] | None = None

    @field_validator("thresholds")
    @classmethod
    def _valid_thresholds(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        from dataprof.anomalies import Thresholds

        try:
            Thresholds.from_mapping(value)
        except ConfigurationError as exc:
            raise ValueError(exc.reason) from None
        return value

    @classmethod
    def parse(cls, text: str) -> JobSpec:
        """The spec in ``text``; a :class:`ConfigurationError` naming every bad field."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"The job spec is not JSON: {exc}", hint="pass the workflow input as JSON"
            ) from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{_field(err['loc'])}: {err['msg']}"
                for err in exc.errors(include_url=False, include_input=False)
            )
            raise ConfigurationError(
                f"Invalid job spec: {problems}",
                table=data.get("table") if isinstance(data, dict) else None,
                hint="the input takes source, table, database, mode, columns, sample_size "
                "and thresholds",
            ) from None

    def thresholds_model(self) -> Thresholds:
        from dataprof.anomalies import Thresholds

        return Thresholds.from_mapping(self.thresholds)

    def source_config(self, store: ProfileStore | None = None) -> DataSourceConfig:
        """The source as a connector config: references resolved from the environment,
        a ``data_source_id`` looked up in ``store``."""
        from dataprof.config import DataSourceConfig
        from dataprof.sources import substitute_env

        if isinstance(self.source, SourceById):
            return self._registered(store)
        where = f"job spec source {self.source.name or self.source.source_type}"
        return DataSourceConfig(
            source_type=self.source.source_type,
            connection_params=substitute_env(self.source.connection_params, where),
            database=self.database,
            table=self.table,
            name=self.source.name,
        )

    def _registered(self, store: ProfileStore | None) -> DataSourceConfig:
        assert isinstance(self.source, SourceById)
        source_id = self.source.data_source_id
        get_source = getattr(store, "get_source", None)
        if get_source is None:
            raise ConfigurationError(
                f"source.data_source_id {source_id!r} needs a profile store that keeps "
                "sources (Supabase or PostgreSQL)",
                hint="spell the source out (source_type, connection_params, name) or run the "
                "job against the Supabase store",
            )
        try:
            config: DataSourceConfig = get_source(source_id).config
        except NotFoundError as exc:
            raise ConfigurationError(
                f"source.data_source_id {source_id!r} names no registered source: {exc.reason}",
                hint="register the source first (register_source) or spell it out",
            ) from None
        return config.model_copy(update={"database": self.database, "table": self.table})


def _field(loc: tuple[int | str, ...]) -> str:
    """``source.inline.connection_params`` -> ``source.connection_params`` (drop union tags)."""
    parts = [str(p) for p in loc if p not in ("by_id", "inline")]
    return ".".join(parts) or "spec"
