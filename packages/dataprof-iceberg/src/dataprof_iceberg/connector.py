"""The ``iceberg`` connector: Iceberg tables through any PyIceberg catalog.

Design, in the order a profile meets it:

- **Catalog.** `pyiceberg.catalog.load_catalog` with properties built from
  :class:`~dataprof_iceberg.params.IcebergParams` (Glue by default; sql, rest and
  hive too). Building the connector only validates the params; the catalog and the
  table load on first use.
- **One snapshot.** The first call that needs the table pins a snapshot (the
  current one, or ``snapshot_id``, or the one current at ``as_of``) and every later
  read, count, statistic and split uses it, so all figures of a profile describe
  the same data. The pinned id is :attr:`IcebergConnector.snapshot_id` and goes
  into every split.
- **Counts and statistics from metadata.** ``get_row_count`` trusts the snapshot
  summary's ``total-records`` only when the snapshot has no delete files; with
  position deletes it subtracts the deleted positions (reading the small delete
  files, never a data file); with equality deletes it reads the equality columns and
  applies them. `get_column_statistics` folds the manifests (see
  :mod:`dataprof_iceberg.statistics`).
- **Streaming reads.** PyIceberg's ``to_arrow_batch_reader`` reads every planned
  file on a thread pool whose results wait in memory for the consumer, so memory
  grows with the table. This connector drives PyIceberg's `ArrowScan` one file
  task at a time instead: memory holds one file's delete positions and one batch.
- **Splits.** `plan_splits` balances the snapshot's data files by bytes; a split
  is ``{"snapshot_id", "files"}`` and ``iter_batches(split=...)`` re-plans that
  snapshot and reads only those files, delete files applied.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from dataprof.connector import (
    DEFAULT_BATCH_SIZE,
    Capability,
    DataConnector,
    ScanSplit,
    TableStatistics,
)
from dataprof.errors import ConfigurationError, ConnectorError
from dataprof.redaction import get_logger
from dataprof_iceberg.equality_deletes import EqualityDeletes, applicable_deletes
from dataprof_iceberg.error_translation import ErrorContext, translate_errors
from dataprof_iceberg.manifests import SnapshotFiles, read_snapshot_files
from dataprof_iceberg.params import IcebergParams, catalog_properties, property_origin
from dataprof_iceberg.readahead import ordered_readahead
from dataprof_iceberg.splits import FileUnit, balance_files
from dataprof_iceberg.statistics import metadata_statistics
from dataprof_iceberg.type_names import field_ids_by_name, type_name

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.catalog import Catalog
    from pyiceberg.expressions import BooleanExpression
    from pyiceberg.manifest import ManifestEntry
    from pyiceberg.schema import Schema
    from pyiceberg.table import FileScanTask, Table
    from pyiceberg.table.snapshots import Snapshot

__all__ = ["IcebergConnector", "RowCount"]

log = get_logger(__name__)

RowCountMethod = Literal[
    "empty table",
    "snapshot summary",
    "manifests",
    "manifests minus position deletes",
    "scan with equality deletes",
    "scan with row filter",
]


@dataclass(frozen=True)
class RowCount:
    """An exact row count (deletes and the row filter applied) and how it was
    obtained, so a profile can say whether data was read to get it."""

    rows: int
    method: RowCountMethod
    snapshot_id: int | None = None

    @property
    def read_data(self) -> bool:
        """Whether data files were read (equality deletes or a row filter)."""
        return self.method.startswith("scan")


class IcebergConnector(DataConnector):
    """An Iceberg table (``database`` = namespace, ``table`` = table name).

    Public API beyond the ABC: :attr:`snapshot_id`, :meth:`count_rows` (a
    :class:`RowCount` saying how it was counted), :meth:`field_ids` (name -> Iceberg
    field id, nested fields dotted), :meth:`get_column_statistics`,
    :meth:`plan_splits` and :attr:`table` (the PyIceberg table, for callers that
    need more).
    """

    params_model = IcebergParams
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ROW_COUNT_FROM_METADATA,
            Capability.COLUMN_STATS_FROM_METADATA,
            Capability.PARALLEL_SPLITS,
            Capability.COLUMN_PROJECTION,
            Capability.SNAPSHOTS,
        }
    )
    params: IcebergParams

    def supports(self, capability: Capability) -> bool:
        """A row filter makes metadata describe more rows than the filtered table."""
        if self.params.row_filter and capability in {
            Capability.ROW_COUNT_FROM_METADATA,
            Capability.COLUMN_STATS_FROM_METADATA,
        }:
            return False
        return super().supports(capability)

    # -- reaching the table ------------------------------------------------------------
    @cached_property
    def _errors(self) -> ErrorContext:
        return ErrorContext(
            source=self.config.label,
            namespace=self.config.database,
            table=self.config.table,
            catalog_type=self.params.catalog_type,
            namespace_exists=self._namespace_exists,
        )

    def _namespace_exists(self) -> bool | None:
        try:
            return bool(self._catalog.namespace_exists(self.config.database))
        except Exception:
            return None

    def _properties(self) -> dict[str, str]:
        params = self.params
        if params.needs_region() and not params.resolved_region():
            raise ConfigurationError(
                f"The {params.catalog_type} catalog needs an AWS region and none is set",
                **self.error_context(),
                hint="set connection_params.region (or AWS_REGION); without it PyArrow's S3 "
                "client looks the bucket's region up on the internet and stalls",
            )
        props = catalog_properties(params)
        if params.catalog_type in {"sql", "rest", "hive"} and not props.get("uri"):
            raise ConfigurationError(
                f"The {params.catalog_type} catalog needs a URI",
                **self.error_context(),
                hint="set connection_params.uri"
                + (
                    " (e.g. sqlite:////abs/path/catalog.db)" if params.catalog_type == "sql" else ""
                ),
            )
        if params.catalog_type == "sql":
            self._check_sqlite_uri(props["uri"])
            # A profiler must not create catalog tables in someone's database.
            props.setdefault("init_catalog_tables", "false")
        return props

    def _check_sqlite_uri(self, uri: str) -> None:
        if uri.startswith("sqlite:///") and ":memory:" not in uri:
            path = Path(uri.removeprefix("sqlite:///").split("?")[0])
            if not path.is_file():
                raise ConfigurationError(
                    f"No SQLite catalog file at {str(path)!r} (connection_params.uri)",
                    **self.error_context(),
                    hint="set connection_params.uri to an existing catalog "
                    "(`dataprof demo` creates one)",
                )

    @cached_property
    def _catalog(self) -> Catalog:
        from pyiceberg.catalog import load_catalog

        props = self._properties()
        with translate_errors(self._errors, "loading the catalog"):
            try:
                return load_catalog(self.params.catalog_name, **props)
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigurationError(
                    f"The {self.params.catalog_type} catalog cannot be built: {exc}",
                    **self.error_context(),
                    hint=f"check {self._guess_property(str(exc), props)}",
                ) from exc

    @staticmethod
    def _guess_property(message: str, props: dict[str, str]) -> str:
        lowered = message.lower()
        for key in ("uri", "warehouse", "s3.endpoint", "glue.endpoint", "credential", "token"):
            if key in lowered:
                return property_origin(key)
        for key in props:
            if key.lower() in lowered and key != "type":
                return property_origin(key)
        return "connection_params.catalog_type and connection_params.properties"

    @cached_property
    def table(self) -> Table:
        """The PyIceberg table, loaded on first use."""
        catalog = self._catalog
        with translate_errors(self._errors, "loading the table"):
            return catalog.load_table((self.config.database, self.config.table))

    @cached_property
    def _snapshot(self) -> Snapshot | None:
        """The pinned snapshot; ``None`` only for a table that has never been written."""
        table = self.table
        params = self.params
        if params.snapshot_id is not None:
            snapshot = table.snapshot_by_id(params.snapshot_id)
            if snapshot is None:
                raise ConfigurationError(
                    f"Snapshot {params.snapshot_id} not found (connection_params.snapshot_id)",
                    **self.error_context(),
                    hint="known snapshots: " + self._known_snapshots(),
                )
            return snapshot
        if params.as_of is not None:
            as_of = params.as_of
            if as_of.tzinfo is None:
                from datetime import UTC

                as_of = as_of.replace(tzinfo=UTC)
            snapshot = table.snapshot_as_of_timestamp(int(as_of.timestamp() * 1000))
            if snapshot is None:
                raise ConfigurationError(
                    f"No snapshot was current at {as_of.isoformat()} (connection_params.as_of)",
                    **self.error_context(),
                    hint="known snapshots: " + self._known_snapshots(),
                )
            return snapshot
        return table.current_snapshot()

    def _known_snapshots(self) -> str:
        from datetime import UTC, datetime

        shown = [
            f"{s.snapshot_id} at {datetime.fromtimestamp(s.timestamp_ms / 1000, UTC).isoformat()}"
            for s in self.table.snapshots()[-10:]
        ]
        return ", ".join(shown) or "none (the table is empty)"

    @property
    def snapshot_id(self) -> int | None:
        """The snapshot every read is pinned to (pinned on first use)."""
        snapshot = self._snapshot
        return snapshot.snapshot_id if snapshot is not None else None

    def _snapshot_for(self, snapshot_id: int | None) -> Snapshot | None:
        if snapshot_id is None or snapshot_id == self.snapshot_id:
            return self._snapshot
        snapshot = self.table.snapshot_by_id(snapshot_id)
        if snapshot is None:
            raise ConfigurationError(
                f"The split's snapshot {snapshot_id} is not in the table (expired since planning?)",
                **self.error_context(),
                hint="plan the splits again",
            )
        return snapshot

    def _schema_of(self, snapshot: Snapshot | None) -> Schema:
        """The schema the snapshot was written with (time travel sees old names)."""
        if snapshot is not None and snapshot.schema_id is not None:
            for schema in self.table.schemas().values():
                if schema.schema_id == snapshot.schema_id:
                    return schema
        return self.table.schema()

    @cached_property
    def _iceberg_schema(self) -> Schema:
        return self._schema_of(self._snapshot)

    @cached_property
    def _row_filter(self) -> BooleanExpression:
        from pyiceberg.expressions import AlwaysTrue
        from pyiceberg.expressions.parser import parse
        from pyiceberg.expressions.visitors import bind

        text = self.params.row_filter
        if not text:
            return AlwaysTrue()
        try:
            expression: BooleanExpression = parse(text)
            bind(self._iceberg_schema, expression, case_sensitive=self.params.case_sensitive)
        except Exception as exc:
            raise ConfigurationError(
                f"connection_params.row_filter cannot be used: {type(exc).__name__}: {exc}",
                **self.error_context(),
                hint="write a PyIceberg expression over the table's columns, e.g. "
                "\"fare_amount > 0 AND vendor = 'CMT'\"",
            ) from None
        return expression

    @cached_property
    def _files(self) -> SnapshotFiles:
        with translate_errors(self._errors, "reading the manifests"):
            return read_snapshot_files(self._snapshot, self.table.io)

    # -- schema ------------------------------------------------------------------------
    def arrow_schema(self) -> pa.Schema:
        """Arrow types of the pinned snapshot's schema, with Iceberg field ids in each
        field's metadata (``PARQUET:field_id``)."""
        from pyiceberg.io.pyarrow import schema_to_pyarrow

        with translate_errors(self._errors, "reading the schema"):
            return schema_to_pyarrow(self._iceberg_schema, include_field_ids=True)

    def get_schema(self) -> dict[str, str]:
        """Column name to Iceberg type name (``decimal(10, 2)``, ``timestamptz``,
        ``struct<lat: double, lon: double>``)."""
        with translate_errors(self._errors, "reading the schema"):
            return {f.name: type_name(f.field_type) for f in self._iceberg_schema.fields}

    def field_ids(self) -> dict[str, int]:
        """Iceberg field ids by column name (nested fields dotted): stable across renames."""
        with translate_errors(self._errors, "reading the schema"):
            return field_ids_by_name(self._iceberg_schema)

    # -- reading -----------------------------------------------------------------------
    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        """Stream the pinned snapshot (or one split), one file task at a time, with
        ``columns`` projected in the order given and ``row_filter`` applied."""
        if batch_size < 1:
            raise ConfigurationError(
                f"batch_size must be >= 1, got {batch_size}", **self.error_context()
            )
        snapshot = self._snapshot_for(split.payload.get("snapshot_id") if split else None)
        schema = self._schema_of(snapshot)
        names = [f.name for f in schema.fields]
        self.check_columns(columns, names)
        only = set(split.payload.get("files", [])) if split is not None else None
        yield from self._read(snapshot, schema, columns, batch_size, only)

    def _read(
        self,
        snapshot: Snapshot | None,
        schema: Schema,
        columns: Sequence[str] | None,
        batch_size: int,
        only: set[str] | None,
    ) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa
        from pyiceberg.io.pyarrow import ArrowScan, schema_to_pyarrow

        from dataprof_iceberg.page_checksums import verify_page_checksums

        if snapshot is None:
            return
        verify_page_checksums()
        files = self._files_for(snapshot)
        wanted = list(columns) if columns is not None else [f.name for f in schema.fields]
        # With no column asked for, read the narrowest one and drop it: the rows count.
        read_names = wanted or ([schema.fields[0].name] if schema.fields else [])
        key_names = self._equality_key_names(schema, files)
        extra = [n for n in key_names.values() if n not in read_names]
        projected = schema.select(*read_names, *extra, case_sensitive=self.params.case_sensitive)
        target = schema_to_pyarrow(projected, include_field_ids=False)
        target = pa.schema([target.field(n) for n in read_names])
        with translate_errors(self._errors, "planning the scan"):
            tasks = self._plan_tasks(snapshot, only)
            scan = ArrowScan(
                table_metadata=self.table.metadata,
                io=self.table.io,
                projected_schema=projected,
                row_filter=self._row_filter,
                case_sensitive=self.params.case_sensitive,
            )
        data_entries = {e.data_file.file_path: e for e in files.data}

        def read_task(task: FileScanTask) -> Iterator[pa.RecordBatch]:
            equality = self._equality_deletes_for(data_entries[task.file.file_path], files)
            for batch in self._task_batches(scan, task):
                if equality:
                    batch = equality.keep(batch, key_names)
                batch = batch.select(read_names)
                if batch.schema != target:
                    batch = batch.cast(target)
                if not wanted:
                    batch = batch.select([])  # keeps num_rows
                yield batch

        for batch in ordered_readahead(tasks, read_task, threads=self.params.read_threads):
            for start in range(0, batch.num_rows, batch_size):
                yield batch.slice(start, batch_size)

    def _equality_key_names(self, schema: Schema, files: SnapshotFiles) -> dict[int, str]:
        """Column names of the fields equality deletes key on (top-level only)."""
        names: dict[int, str] = {}
        top_level = {f.field_id: f.name for f in schema.fields}
        for entry in files.equality_deletes:
            for fid in entry.data_file.equality_ids or ():
                if fid not in top_level:
                    raise ConnectorError(
                        f"An equality-delete file keys on field id {fid}, which is not a "
                        "top-level column of the snapshot's schema; it cannot be applied",
                        **self.error_context(),
                        hint="compact the table, or profile a snapshot before these deletes",
                    )
                names[fid] = top_level[fid]
        return names

    def _equality_deletes_for(self, data: ManifestEntry, files: SnapshotFiles) -> EqualityDeletes:
        applicable = applicable_deletes(self.table.metadata, data, files.equality_deletes)
        with translate_errors(self._errors, "reading equality-delete files"):
            return EqualityDeletes(self.table.io, [d.data_file for d in applicable])

    def _task_batches(self, scan: Any, task: FileScanTask) -> Iterator[pa.RecordBatch]:
        """One file's batches, streamed (PyIceberg's public per-scan method lists a
        whole file before yielding; its per-task generator does not)."""
        from pyiceberg.io.pyarrow import _read_all_delete_files

        with translate_errors(self._errors, f"reading {task.file.file_path}"):
            deletes = _read_all_delete_files(self.table.io, [task])
            stream = getattr(scan, "_record_batches_from_scan_tasks_and_deletes", None)
            batches = stream([task], deletes) if stream else scan.to_record_batches([task])
            yield from batches

    def _plan_tasks(self, snapshot: Snapshot, only: set[str] | None) -> list[FileScanTask]:
        """Data files with their position deletes, pruned by the row filter. Equality
        deletes are left out here (PyIceberg's planner raises on them) and applied
        while reading."""
        from pyiceberg.manifest import DataFileContent

        scan = self.table.scan(
            row_filter=self._row_filter,
            snapshot_id=snapshot.snapshot_id,
            case_sensitive=self.params.case_sensitive,
        )

        def wanted(entry: ManifestEntry) -> bool:
            content = entry.data_file.content
            if content == DataFileContent.EQUALITY_DELETES:
                return False
            return (
                only is None
                or content != DataFileContent.DATA
                or (entry.data_file.file_path in only)
            )

        planner = getattr(scan, "_manifest_planner", None)
        if planner is not None:
            tasks = list(planner.plan_files(snapshot.manifests(self.table.io), wanted))
        else:  # a PyIceberg without the planner: no equality deletes possible then
            tasks = [t for t in scan.plan_files() if only is None or t.file.file_path in only]
        return sorted(tasks, key=lambda t: t.file.file_path)

    def _files_for(self, snapshot: Snapshot) -> SnapshotFiles:
        if snapshot is self._snapshot:
            return self._files
        cached = self._other_files.get(snapshot.snapshot_id)
        if cached is None:
            with translate_errors(self._errors, "reading the manifests"):
                cached = read_snapshot_files(snapshot, self.table.io)
            self._other_files[snapshot.snapshot_id] = cached
        return cached

    @cached_property
    def _other_files(self) -> dict[int, SnapshotFiles]:
        """Manifests of snapshots other than the pinned one (splits planned elsewhere)."""
        return {}

    # -- counting ----------------------------------------------------------------------
    def get_row_count(self) -> int:
        """Rows in the pinned snapshot, deletes applied (see :meth:`count_rows`)."""
        return self.count_rows().rows

    def count_rows(self) -> RowCount:
        """The exact row count and how it was obtained: the snapshot summary when the
        snapshot has no delete files, the manifests minus deleted positions when it
        has position deletes, a scan of the filtered rows when a row filter is set."""
        snapshot = self._snapshot
        if snapshot is None:
            return RowCount(0, "empty table")
        sid = snapshot.snapshot_id
        if self.params.row_filter:
            rows = sum(b.num_rows for b in self.iter_batches(columns=[]))
            return RowCount(rows, "scan with row filter", snapshot_id=sid)
        summary = snapshot.summary
        totals = {}
        if summary is not None:
            for key in (
                "total-records",
                "total-delete-files",
                "total-position-deletes",
                "total-equality-deletes",
            ):
                value = summary.get(key)
                if value is not None:
                    totals[key] = int(value)
        no_deletes = (
            totals.get("total-delete-files") == 0
            and totals.get("total-position-deletes", 0) == 0
            and totals.get("total-equality-deletes", 0) == 0
        )
        if "total-records" in totals and no_deletes:
            return RowCount(totals["total-records"], "snapshot summary", snapshot_id=sid)
        files = self._files
        if not files.has_deletes:
            return RowCount(files.data_record_count, "manifests", snapshot_id=sid)
        if files.equality_deletes:
            rows = sum(b.num_rows for b in self.iter_batches(columns=[]))
            return RowCount(rows, "scan with equality deletes", snapshot_id=sid)
        with translate_errors(self._errors, "counting rows with position deletes"):
            rows = self._count_with_position_deletes(snapshot)
        log.debug("row count %s with position deletes applied", rows)
        return RowCount(rows, "manifests minus position deletes", snapshot_id=sid)

    def _count_with_position_deletes(self, snapshot: Snapshot) -> int:
        """Record counts minus the distinct deleted positions of each data file: only
        the delete files are read."""
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyiceberg.io.pyarrow import _read_deletes

        tasks = self.table.scan(snapshot_id=snapshot.snapshot_id).plan_files()
        positions: dict[str, dict[str, pa.ChunkedArray]] = {}
        total = 0
        for task in tasks:
            deleted: list[pa.Array] = []
            for delete_file in task.delete_files:
                key = delete_file.file_path
                if key not in positions:
                    positions[key] = _read_deletes(self.table.io, delete_file)
                found = positions[key].get(task.file.file_path)
                if found is not None:
                    deleted.extend(found.chunks)
            removed = 0
            if deleted:
                unique = pc.unique(pa.chunked_array(deleted, type=pa.int64()))
                in_range = pc.less(unique, task.file.record_count)
                removed = int(pc.sum(in_range.cast(pa.int64())).as_py() or 0)
            total += task.file.record_count - removed
        return total

    # -- metadata statistics -----------------------------------------------------------
    def get_column_statistics(self) -> TableStatistics:
        """Per-column counts, bounds and sizes from the pinned snapshot's manifests,
        without opening a data file; what they can't promise is in ``caveats``."""
        with translate_errors(self._errors, "reading the manifests"):
            return metadata_statistics(
                self.table.metadata, self._snapshot, self._iceberg_schema, self._files
            )

    # -- fan-out -----------------------------------------------------------------------
    def plan_splits(self, target: int) -> list[ScanSplit]:
        """At most ``target`` splits of the pinned snapshot's data files, balanced by
        bytes; each payload is ``{"snapshot_id": int | None, "files": [path, ...]}``."""
        if target < 1:
            raise ConfigurationError(
                f"split target must be >= 1, got {target}", **self.error_context()
            )
        snapshot = self._snapshot
        if snapshot is None:
            return balance_files([], target, None)
        if self.params.row_filter:
            with translate_errors(self._errors, "planning the splits"):
                files = [t.file for t in self._plan_tasks(snapshot, None)]
        else:
            files = [e.data_file for e in self._files.data]
        units = [FileUnit(f.file_path, f.file_size_in_bytes, f.record_count) for f in files]
        return balance_files(units, target, snapshot.snapshot_id)

    # -- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        """Drop the catalog and table (a SQL catalog's engine is disposed)."""
        catalog = self.__dict__.pop("_catalog", None)
        engine = getattr(catalog, "engine", None)
        if engine is not None:
            engine.dispose()
        for name in (
            "table",
            "_snapshot",
            "_iceberg_schema",
            "_files",
            "_row_filter",
            "_other_files",
        ):
            self.__dict__.pop(name, None)
