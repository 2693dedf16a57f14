"""The contract between dataprof and a data source.

A connector knows one engine: how to reach it, how to read a table as Arrow and
what the engine can answer without a scan. The profiling engine knows only this
class, so a third-party connector gets every mode its declared capabilities allow.

Four methods come from the original design (`get_sample`, `get_schema`,
`get_row_count`, `test_connection`); a profiler over big tables also needs an
Arrow schema and a streaming read whose memory does not grow with the table
(`arrow_schema`, `iter_batches`). Only those two are abstract: the design's four
have defaults built on them, which a connector overrides where its engine knows a
cheaper way (a row count from metadata, a sample from ``TABLESAMPLE``).
"""

from __future__ import annotations

import abc
import enum
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from dataprof.config import ConnectionTestResult, DataSourceConfig, reveal_secrets
from dataprof.errors import (
    CapabilityNotSupportedError,
    ColumnNotFoundError,
    ConfigurationError,
    ConnectorError,
)
from dataprof.redaction import remember_secret

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "Capability",
    "ColumnStatistics",
    "DataConnector",
    "NoParams",
    "ScanSplit",
    "TableStatistics",
]

DEFAULT_BATCH_SIZE = 65_536
DEFAULT_SAMPLE_LIMIT = 10_000


class Capability(enum.StrEnum):
    """What a connector can do beyond the base contract, so callers pick the cheapest
    path without trying and failing."""

    ROW_COUNT_FROM_METADATA = "row_count_from_metadata"
    """`get_row_count` reads metadata, not data."""
    COLUMN_STATS_FROM_METADATA = "column_stats_from_metadata"
    """`get_column_statistics` answers from metadata without opening data files."""
    SQL_PUSHDOWN = "sql_pushdown"
    """The engine can compute profile metrics itself (one query per table). Such a
    connector also implements ``profile_pushdown`` (`dataprof.profiling.SupportsPushdown`);
    the method is not on this ABC because its request and result are profile models,
    a layer above the SDK."""
    PARALLEL_SPLITS = "parallel_splits"
    """`plan_splits` divides a scan into units separate processes can read."""
    COLUMN_PROJECTION = "column_projection"
    """`iter_batches(columns=...)` reads only the named columns."""
    SNAPSHOTS = "snapshots"
    """Reads are pinned to a snapshot which the connector reports (`snapshot_id`)."""

    @property
    def phrase(self) -> str:
        """What the capability lets a source do, in a user's words ("cannot ...")."""
        return _CAPABILITY_PHRASES[self]


_CAPABILITY_PHRASES = {
    Capability.ROW_COUNT_FROM_METADATA: "count its rows from metadata",
    Capability.COLUMN_STATS_FROM_METADATA: "answer column statistics from metadata "
    "(--mode metadata)",
    Capability.SQL_PUSHDOWN: "push a profiling query down to its engine (--mode pushdown)",
    Capability.PARALLEL_SPLITS: "split a scan between processes",
    Capability.COLUMN_PROJECTION: "read only some columns",
    Capability.SNAPSHOTS: "pin reads to a snapshot",
}


class NoParams(BaseModel):
    """The params model of a connector that takes no connection parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnStatistics(BaseModel):
    """One column's statistics as metadata states them, with what metadata can't promise.

    ``bounds_exact`` is False where a bound is only a bound (truncated strings);
    ``counts_exact`` is False where the counts are not the snapshot's rows (delete
    files the statistics predate, elements of a list counted instead of rows). A
    connector says why, and what else is doubtful, in ``caveats``.
    """

    model_config = ConfigDict(frozen=True)

    column: str
    field_id: int | None = None
    value_count: int | None = None
    null_count: int | None = None
    nan_count: int | None = None
    lower_bound: Any = None
    upper_bound: Any = None
    bounds_exact: bool = True
    counts_exact: bool = True
    size_bytes: int | None = None
    caveats: list[str] = Field(default_factory=list)


class TableStatistics(BaseModel):
    """A table's statistics from metadata, at one snapshot."""

    model_config = ConfigDict(frozen=True)

    row_count: int | None
    row_count_exact: bool = True
    snapshot_id: int | None = None
    data_file_count: int | None = None
    delete_file_count: int | None = None
    manifest_count: int | None = None
    total_size_bytes: int | None = None
    columns: dict[str, ColumnStatistics] = Field(default_factory=dict)
    caveats: list[str] = Field(default_factory=list)


class ScanSplit(BaseModel):
    """One unit of a scan that another process can read on its own.

    ``payload`` is the connector's own JSON-able description (file paths, row
    groups); only the connector that planned it interprets it, with one
    convention: a split pinned to a snapshot carries ``payload["snapshot_id"]``,
    which the engine checks is the same for every split of one profile.
    """

    model_config = ConfigDict(frozen=True)

    index: int
    estimated_bytes: int = 0
    estimated_rows: int | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class DataConnector(abc.ABC):
    """Base class of every connector.

    A subclass sets ``params_model`` (the pydantic model of its
    ``connection_params``) and ``capabilities``, and implements `arrow_schema` and
    `iter_batches`. Building one validates the params; nothing connects until a
    method needs to, so building is cheap and never fails on the network.
    """

    params_model: ClassVar[type[BaseModel]] = NoParams
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, config: DataSourceConfig) -> None:
        self.config = config
        try:
            self.params = self.params_model.model_validate(reveal_secrets(config.connection_params))
        except ValidationError as exc:
            raise ConfigurationError(
                _describe_validation_error(exc),
                source=config.label,
                table=config.qualified_table,
                hint=f"the {config.source_type} source accepts: "
                + describe_params(self.params_model),
            ) from None
        _remember_model_secrets(self.params)

    # -- the Arrow-native core ------------------------------------------------------
    @abc.abstractmethod
    def arrow_schema(self) -> pa.Schema:
        """The table's schema as Arrow types; nested types stay nested."""

    @abc.abstractmethod
    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        """Stream the table (or one planned ``split`` of it) as record batches.

        Memory must not grow with the table. ``columns`` projects (in the order
        given); an unknown column raises :class:`ColumnNotFoundError`. A column has
        its :meth:`arrow_schema` type up to encoding: it may come dictionary encoded
        (the file connector reads low-cardinality Parquet text so), or with large
        offsets (see :func:`dataprof.testing.normalize_type`).
        """

    # -- the design's four -----------------------------------------------------------
    def get_schema(self) -> dict[str, str]:
        """Column name to type name. The default renders Arrow types; a connector may
        render its engine's own names (``decimal(10,2)``, ``timestamptz``)."""
        return {f.name: str(f.type) for f in self.arrow_schema()}

    def get_row_count(self) -> int:
        """Rows in the table. The default streams one column and counts: correct for any
        connector, cheap for none; override it where the engine can count."""
        first = self.arrow_schema().names[:1]
        return sum(batch.num_rows for batch in self.iter_batches(columns=first))

    def get_sample_arrow(self, limit: int = DEFAULT_SAMPLE_LIMIT) -> pa.Table:
        """Up to ``limit`` rows as an Arrow table: the first rows the read returns,
        unless a connector overrides with a better sample (``TABLESAMPLE``)."""
        import pyarrow as pa

        if limit < 0:
            raise ConfigurationError(
                f"sample limit must be >= 0, got {limit}",
                source=self.config.label,
                table=self.config.qualified_table,
            )
        schema = self.arrow_schema()
        batches: list[pa.RecordBatch] = []
        remaining = limit
        if remaining:
            for batch in self.iter_batches(batch_size=min(limit, DEFAULT_BATCH_SIZE)):
                batches.append(_declared_types(batch.slice(0, remaining), schema))
                remaining -= min(remaining, batch.num_rows)
                if not remaining:
                    break
        return pa.Table.from_batches(batches, schema=schema)

    def get_sample(self, limit: int = DEFAULT_SAMPLE_LIMIT) -> pd.DataFrame:
        """Up to ``limit`` rows as a pandas DataFrame (pandas is imported only here)."""
        frame: pd.DataFrame = self.get_sample_arrow(limit).to_pandas()
        return frame

    def test_connection(self) -> ConnectionTestResult:
        """Reach the table and count it. Failures are returned, not raised."""
        try:
            count = self.get_row_count()
        except ConnectorError as exc:
            return ConnectionTestResult(success=False, message=str(exc))
        return ConnectionTestResult(
            success=True,
            message=f"Connected to {self.config.label}; {self.config.qualified_table} has {count} rows",
            row_count=count,
        )

    # -- capabilities ----------------------------------------------------------------
    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def get_column_statistics(self) -> TableStatistics:
        """Statistics from metadata alone (:attr:`Capability.COLUMN_STATS_FROM_METADATA`)."""
        raise self.unsupported(Capability.COLUMN_STATS_FROM_METADATA)

    def plan_splits(self, target: int) -> list[ScanSplit]:
        """About ``target`` balanced units of work (:attr:`Capability.PARALLEL_SPLITS`).
        The default is one split: the whole table."""
        return [ScanSplit(index=0)]

    def field_ids(self) -> dict[str, int]:
        """Column name (nested fields dotted) to the source's stable field id, so history
        follows a column across renames. The default reads the ``PARQUET:field_id``
        metadata Arrow carries; sources without ids return ``{}``."""
        found: dict[str, int] = {}

        def walk(prefix: str, fields: Iterable[pa.Field]) -> None:
            import pyarrow as pa

            for f in fields:
                name = f"{prefix}{f.name}"
                raw = (f.metadata or {}).get(b"PARQUET:field_id")
                if raw is not None and raw.decode().lstrip("-").isdigit():
                    found[name] = int(raw)
                if pa.types.is_struct(f.type):
                    walk(f"{name}.", list(f.type))

        walk("", self.arrow_schema())
        return found

    @property
    def snapshot_id(self) -> int | None:
        """The snapshot every read of this connector is pinned to, where it has one."""
        return None

    # -- lifecycle -------------------------------------------------------------------
    def read_notes(self) -> list[str]:
        """What the connector decided about reading the table that a user should see in
        the profile's notes (a sniffed CSV delimiter, say). Empty by default."""
        return []

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release clients and handles. Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(source={self.config.label!r}, table={self.config.qualified_table!r})"

    # -- for subclasses --------------------------------------------------------------
    def error_context(self) -> dict[str, str]:
        """``source`` and ``table`` keywords for a :class:`ConnectorError` raised here."""
        return {"source": self.config.label, "table": self.config.qualified_table}

    def check_columns(self, columns: Sequence[str] | None, available: Sequence[str]) -> None:
        """Raise :class:`ColumnNotFoundError` naming every requested column that is missing."""
        if columns is None:
            return
        missing = [c for c in columns if c not in set(available)]
        if missing:
            raise ColumnNotFoundError(
                f"Column(s) {', '.join(map(repr, missing))} not found; the table has "
                f"{', '.join(available) or 'no columns'}",
                **self.error_context(),
            )

    def unsupported(
        self, capability: Capability, *, hint: str | None = None
    ) -> CapabilityNotSupportedError:
        """The error for a capability this source lacks, in a user's words."""
        return CapabilityNotSupportedError(
            f"The {self.config.source_type} source cannot {capability.phrase}",
            **self.error_context(),
            hint=hint,
        )


def describe_params(model: type[BaseModel]) -> str:
    """``name (type, required)`` for every field of a params model, the way a user
    writes them in ``connection_params`` or ``--param``."""
    parts = []
    for name, info in model.model_fields.items():
        type_name = _type_name(info.annotation)
        if info.is_required():
            detail = "required"
        else:
            default = info.get_default(call_default_factory=True)
            detail = f"default {default!r}" if default not in (None, "", {}, []) else "optional"
        parts.append(f"{name} ({type_name}, {detail})")
    return ", ".join(parts) or "no parameters"


def _type_name(annotation: Any) -> str:
    """``str``, ``int``, ``parquet|csv|auto``: a field's type as a user would write it."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "|".join(str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return "|".join(_type_name(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "|".join(str(m.value) for m in annotation)
    if annotation is SecretStr:
        return "secret"
    if origin is not None:
        return getattr(origin, "__name__", str(origin))
    return getattr(annotation, "__name__", str(annotation))


def _describe_validation_error(exc: ValidationError) -> str:
    """pydantic's errors as ``connection_params.field: message (got ...)`` lines, with
    inputs omitted for anything that might be a secret."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(p) for p in ("connection_params", *err["loc"]))
        parts.append(f"{path}: {err['msg']}")
    return "Invalid connection_params: " + "; ".join(parts)


def _remember_model_secrets(model: BaseModel) -> None:
    for value in model.__dict__.values():
        if isinstance(value, SecretStr):
            remember_secret(value.get_secret_value())
        elif isinstance(value, BaseModel):
            _remember_model_secrets(value)


def _declared_types(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with dictionary columns decoded where ``schema`` declares their values'
    type (a connector may hand dictionaries; a sample is shown as declared)."""
    import pyarrow as pa

    if not any(pa.types.is_dictionary(f.type) for f in batch.schema):
        return batch
    columns, fields = [], []
    for column, field in zip(batch.columns, batch.schema, strict=True):
        declared = schema.field(field.name) if field.name in schema.names else None
        if (
            pa.types.is_dictionary(field.type)
            and declared is not None
            and not pa.types.is_dictionary(declared.type)
        ):
            column, field = column.dictionary_decode(), declared
        columns.append(column)
        fields.append(field)
    return pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields, batch.schema.metadata))
