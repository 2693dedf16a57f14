"""Column statistics from manifests alone, with what the manifests can't promise.

Each data file's manifest entry carries, per field id, a value count (nulls
included), a null count, a NaN count, lower and upper bounds and the bytes the
column takes on disk. Summed and folded over a snapshot's live data files they
give a table's counts and bounds without opening one data file. Keying by field id
is what makes this survive renames: a renamed column keeps its id and its metrics.

What metadata can't promise is said per column, in ``caveats``:

- String and binary bounds are truncated by writers (16 characters by default),
  the upper one bumped: they bracket the values, they are not values
  (``bounds_exact=False``), unless the table's metrics mode for the column is ``full``.
- Where delete files exist, every figure describes the data files before the
  deletes: an over-count, and bounds that may belong to deleted rows.
- Writers may record no counts, no NaN counts or no bounds for some columns (fields
  inside structs get null counts but no bounds from PyIceberg). A figure that some
  file does not record is reported as unknown (``None``), never as a partial sum.

A column added after a file was written has no metrics in that file; the file
then holds only nulls for it, which the schema the file was written under tells
us, so such files count as all-null rather than as unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyiceberg.types import (
    DoubleType,
    FloatType,
    IcebergType,
    ListType,
    MapType,
    NestedField,
    PrimitiveType,
    StructType,
)

from dataprof.connector import ColumnStatistics, TableStatistics
from dataprof_iceberg.bounds import decode_bound, is_truncatable
from dataprof_iceberg.manifests import SnapshotFiles

if TYPE_CHECKING:
    from pyiceberg.manifest import ManifestEntry
    from pyiceberg.schema import Schema
    from pyiceberg.table.metadata import TableMetadata
    from pyiceberg.table.snapshots import Snapshot

__all__ = ["LeafField", "leaf_fields", "metadata_statistics"]

STALE_WITH_DELETES = (
    "delete files exist: counts and bounds describe the data files before deletes "
    "(over-counts; bounds may belong to deleted rows)"
)


@dataclass(frozen=True)
class LeafField:
    """A primitive field anywhere in the schema, with its dotted name."""

    name: str
    field: NestedField
    repeated: bool
    """Inside a list or map: its counts are of elements or entries, not rows."""


def leaf_fields(schema: Schema) -> Iterator[LeafField]:
    """Every primitive field, depth first, named as Iceberg names it (``a.b``,
    ``tags.element``, ``attrs.key``)."""

    def walk(
        fields: tuple[NestedField, ...] | list[NestedField], prefix: str, repeated: bool
    ) -> Iterator[LeafField]:
        for nested in fields:
            yield from visit(nested, prefix, repeated)

    def visit(nested: NestedField, prefix: str, repeated: bool) -> Iterator[LeafField]:
        name = f"{prefix}{nested.name}"
        kind: IcebergType = nested.field_type
        if isinstance(kind, StructType):
            yield from walk(kind.fields, f"{name}.", repeated)
        elif isinstance(kind, ListType):
            yield from visit(kind.element_field, f"{name}.", True)
        elif isinstance(kind, MapType):
            yield from visit(kind.key_field, f"{name}.", True)
            yield from visit(kind.value_field, f"{name}.", True)
        else:
            yield LeafField(name, nested, repeated)

    yield from walk(schema.fields, "", False)


@dataclass
class _Fold:
    """One column's figures folded over data files; ``None`` once a file lacks one."""

    value_count: int | None = 0
    null_count: int | None = 0
    nan_count: int | None = 0
    size_bytes: int | None = 0
    lower: Any = None
    upper: Any = None
    bounds_known: bool = True
    files_without_counts: int = 0
    files_without_bounds: int = 0
    files_without_nan_counts: int = 0
    caveats: list[str] = field(default_factory=list)


def _add(total: int | None, value: int | None) -> int | None:
    return None if total is None or value is None else total + value


def _metrics_mode(metadata: TableMetadata, column: str) -> str:
    properties = metadata.properties
    return properties.get(
        f"write.metadata.metrics.column.{column}",
        properties.get("write.metadata.metrics.default", "truncate(16)"),
    ).strip()


def metadata_statistics(
    metadata: TableMetadata,
    snapshot: Snapshot | None,
    schema: Schema,
    files: SnapshotFiles,
) -> TableStatistics:
    """The snapshot's :class:`TableStatistics`, from ``files`` (its manifests) only."""
    leaves = list(leaf_fields(schema))
    write_schemas = _WriteSchemas(metadata)
    folds = {leaf.field.field_id: _Fold() for leaf in leaves}

    for entry in files.data:
        data_file = entry.data_file
        known_ids = write_schemas.field_ids(entry)
        for leaf in leaves:
            fid = leaf.field.field_id
            fold = folds[fid]
            rows = data_file.record_count
            if known_ids is not None and fid not in known_ids:
                # Written before the column existed: all null (no elements if repeated).
                absent = 0 if leaf.repeated else rows
                fold.value_count = _add(fold.value_count, absent)
                fold.null_count = _add(fold.null_count, absent)
                continue
            values = (data_file.value_counts or {}).get(fid)
            nulls = (data_file.null_value_counts or {}).get(fid)
            nans = (data_file.nan_value_counts or {}).get(fid)
            size = (data_file.column_sizes or {}).get(fid)
            if values is None or nulls is None:
                fold.files_without_counts += 1
            fold.value_count = _add(fold.value_count, values)
            fold.null_count = _add(fold.null_count, nulls)
            fold.size_bytes = _add(fold.size_bytes, size)
            if isinstance(leaf.field.field_type, (FloatType, DoubleType)):
                if nans is None:
                    fold.files_without_nan_counts += 1
                fold.nan_count = _add(fold.nan_count, nans)
            _fold_bounds(fold, leaf.field.field_type, data_file, fid, values, nulls, nans)

    columns: dict[str, ColumnStatistics] = {}
    for leaf in leaves:
        columns[leaf.name] = _column_statistics(leaf, folds[leaf.field.field_id], metadata, files)

    table_caveats: list[str] = []
    if files.has_deletes:
        table_caveats.append(STALE_WITH_DELETES)
    if files.equality_deletes:
        table_caveats.append(
            f"{len(files.equality_deletes)} equality-delete file(s): the row count from metadata "
            "is an over-count"
        )
    if files.position_deletes:
        table_caveats.append(
            f"{len(files.position_deletes)} position-delete file(s): the row count from metadata "
            "is an over-count; get_row_count() applies them"
        )
    return TableStatistics(
        row_count=files.data_record_count,
        row_count_exact=not files.has_deletes,
        snapshot_id=snapshot.snapshot_id if snapshot else None,
        data_file_count=len(files.data),
        delete_file_count=files.delete_file_count,
        manifest_count=files.manifest_count,
        total_size_bytes=files.data_size_bytes,
        columns=columns,
        caveats=table_caveats,
    )


def _fold_bounds(
    fold: _Fold,
    field_type: IcebergType,
    data_file: Any,
    fid: int,
    values: int | None,
    nulls: int | None,
    nans: int | None,
) -> None:
    if not isinstance(field_type, PrimitiveType):
        return
    raw_lower = (data_file.lower_bounds or {}).get(fid)
    raw_upper = (data_file.upper_bounds or {}).get(fid)
    if raw_lower is None or raw_upper is None:
        only_nulls = values is not None and nulls is not None and values - nulls - (nans or 0) <= 0
        if not only_nulls:
            fold.files_without_bounds += 1
            fold.bounds_known = False
        return
    lower = decode_bound(field_type, raw_lower)
    upper = decode_bound(field_type, raw_upper)
    if fold.lower is None or lower < fold.lower:
        fold.lower = lower
    if fold.upper is None or upper > fold.upper:
        fold.upper = upper


def _column_statistics(
    leaf: LeafField, fold: _Fold, metadata: TableMetadata, files: SnapshotFiles
) -> ColumnStatistics:
    caveats: list[str] = []
    field_type = leaf.field.field_type
    if leaf.repeated:
        caveats.append("inside a list or map: counts are of elements or entries, not rows")
    if files.has_deletes:
        caveats.append(STALE_WITH_DELETES)
    if fold.files_without_counts:
        caveats.append(f"{fold.files_without_counts} data file(s) record no value or null counts")
    if fold.files_without_nan_counts:
        caveats.append(f"{fold.files_without_nan_counts} data file(s) record no NaN counts")
    lower, upper = fold.lower, fold.upper
    if not fold.bounds_known:
        caveats.append(
            f"{fold.files_without_bounds} data file(s) with non-null values record no bounds: "
            "bounds unknown"
        )
        lower = upper = None
    bounds_exact = True
    if (
        isinstance(field_type, PrimitiveType)
        and is_truncatable(field_type)
        and _metrics_mode(metadata, leaf.name) != "full"
        and lower is not None
    ):
        bounds_exact = False
        caveats.append(
            "string/binary bounds are truncated by the writer: they bracket the values "
            "but need not be values"
        )
    if isinstance(field_type, (FloatType, DoubleType)) and lower is not None:
        caveats.append("bounds exclude NaN")
    return ColumnStatistics(
        column=leaf.name,
        field_id=leaf.field.field_id,
        value_count=fold.value_count,
        null_count=fold.null_count,
        nan_count=fold.nan_count if isinstance(field_type, (FloatType, DoubleType)) else None,
        lower_bound=lower,
        upper_bound=upper,
        bounds_exact=bounds_exact,
        counts_exact=not (leaf.repeated or files.has_deletes),
        size_bytes=fold.size_bytes,
        caveats=caveats,
    )


class _WriteSchemas:
    """The field ids of the schema each data file was written under, found from the
    snapshot that added it; ``None`` where the metadata no longer says."""

    def __init__(self, metadata: TableMetadata) -> None:
        self._metadata = metadata
        self._by_schema_id: dict[int, set[int]] = {
            s.schema_id: set(s._lazy_id_to_field.keys()) for s in metadata.schemas
        }
        self._by_snapshot: dict[int, set[int] | None] = {}

    def field_ids(self, entry: ManifestEntry) -> set[int] | None:
        snapshot_id = entry.snapshot_id
        if snapshot_id is None:
            return None
        if snapshot_id not in self._by_snapshot:
            snapshot = self._metadata.snapshot_by_id(snapshot_id)
            schema_id = snapshot.schema_id if snapshot is not None else None
            self._by_snapshot[snapshot_id] = (
                self._by_schema_id.get(schema_id) if schema_id is not None else None
            )
        return self._by_snapshot[snapshot_id]
