"""The built-in ``file`` connector: local Parquet, CSV, JSON Lines and Arrow IPC files.

It is the reference implementation of the contract (the conformance kit tests it
first) and what lets a user look at a file with nothing else installed. A directory
or glob of files is one table, and memory stays bounded by the batch size.

Plain Parquet files are read through their footers and ``pyarrow.parquet.ParquetFile``
(see :mod:`dataprof.connectors.parquet_files`: ``pyarrow.dataset`` imports pandas and
costs CPU that footers read once do not); CSV, JSON, Arrow IPC, hive-partitioned
directories and Parquet files whose schemas differ go through ``pyarrow.dataset``.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from dataprof.connector import (
    DEFAULT_BATCH_SIZE,
    Capability,
    DataConnector,
    ScanSplit,
    TableStatistics,
)
from dataprof.connectors.file_splits import ScanUnit, balanced_splits
from dataprof.connectors.parquet_files import ParquetFooters, read_parquet_file
from dataprof.connectors.parquet_statistics import parquet_table_statistics
from dataprof.connectors.text_formats import is_json_array, read_json_array, sniff_delimiter
from dataprof.errors import ConfigurationError, QueryFailedError, TableNotFoundError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

__all__ = ["FileConnector", "FileParams"]

FileFormat = Literal["parquet", "csv", "json", "arrow"]

_SUFFIXES: dict[str, FileFormat] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}


class FileParams(BaseModel):
    """``connection_params`` of the ``file`` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1, description="a file, a directory, or a glob (** allowed)")
    format: FileFormat | Literal["auto"] = "auto"
    partitioning: Literal["hive"] | None = None
    delimiter: str | None = Field(
        default=None, max_length=1, description="CSV only; default ',' ('\\t' for .tsv)"
    )


class FileConnector(DataConnector):
    """Local files as one table. ``database`` and ``table`` only label it."""

    params_model = FileParams
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ROW_COUNT_FROM_METADATA,
            Capability.COLUMN_STATS_FROM_METADATA,
            Capability.PARALLEL_SPLITS,
            Capability.COLUMN_PROJECTION,
        }
    )
    params: FileParams

    def supports(self, capability: Capability) -> bool:
        if capability in (
            Capability.ROW_COUNT_FROM_METADATA,
            Capability.COLUMN_STATS_FROM_METADATA,
        ):
            return self._format == "parquet"
        if capability is Capability.PARALLEL_SPLITS and self._json_array:
            return False
        return super().supports(capability)

    # -- resolving the files ---------------------------------------------------------
    @cached_property
    def _paths(self) -> list[str]:
        raw = os.path.expanduser(self.params.path)
        if glob.has_magic(raw):
            paths = sorted(p for p in glob.glob(raw, recursive=True) if os.path.isfile(p))
        elif os.path.isdir(raw):
            paths = sorted(
                str(p)
                for p in Path(raw).rglob("*")
                if p.is_file() and p.suffix.lower() in _SUFFIXES
            )
        elif os.path.isfile(raw):
            paths = [raw]
        else:
            paths = []
        if not paths:
            raise TableNotFoundError(
                f"No files found at {self.params.path!r}",
                **self.error_context(),
                hint="check connection_params.path: a file, a directory of files or a glob such as data/*.parquet",
            )
        return paths

    @cached_property
    def _format(self) -> FileFormat:
        if self.params.format != "auto":
            return self.params.format
        found = {_SUFFIXES.get(Path(p).suffix.lower()) for p in self._paths}
        if None in found or len(found) != 1:
            suffixes = sorted({Path(p).suffix or "(none)" for p in self._paths})
            raise ConfigurationError(
                f"Cannot tell the file format from the suffixes {', '.join(suffixes)}",
                **self.error_context(),
                hint="set connection_params.format to parquet, csv, json or arrow",
            )
        (fmt,) = found
        assert fmt is not None
        return fmt

    def _file_format(self) -> ds.FileFormat:
        import pyarrow.csv as pacsv
        import pyarrow.dataset as ds

        if self._format == "csv":
            delimiter = self._delimiter
            # An empty unquoted cell is a null, as in every CSV a warehouse exports; "" stays
            # an empty string.
            return ds.CsvFileFormat(
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                convert_options=pacsv.ConvertOptions(
                    strings_can_be_null=True, quoted_strings_can_be_null=False
                ),
            )
        if self._format == "arrow":
            return ds.IpcFileFormat()
        if self._format == "json":
            return ds.JsonFileFormat()
        # A file written with page checksums has them verified: a damaged page must fail
        # the run naming the file, not be profiled as data. Files without them read as before.
        return ds.ParquetFileFormat(
            default_fragment_scan_options=ds.ParquetFragmentScanOptions(
                page_checksum_verification=True
            )
        )

    @cached_property
    def _delimiter(self) -> str:
        if self.params.delimiter:
            return self.params.delimiter
        if all(p.lower().endswith(".tsv") for p in self._paths):
            return "\t"
        with self._translate_errors("reading the first lines of"):
            return sniff_delimiter(self._paths[0])

    @cached_property
    def _json_array(self) -> bool:
        """JSON files that hold one array (read whole) rather than JSON Lines."""
        if self._format != "json":
            return False
        with self._translate_errors("reading the first bytes of"):
            arrays = [is_json_array(p) for p in self._paths]
        if any(arrays) and not all(arrays):
            raise ConfigurationError(
                "Some JSON files hold one array and others JSON Lines",
                **self.error_context(),
                hint="give one kind of file per source",
            )
        return all(arrays)

    def read_notes(self) -> list[str]:
        notes = []
        if self._format == "csv" and not self.params.delimiter and self._delimiter != ",":
            shown = {"\t": "tab"}.get(self._delimiter, repr(self._delimiter))
            notes.append(
                f"CSV delimiter {shown} detected; set connection_params.delimiter "
                "(--param delimiter=...) to override"
            )
        if self._json_array:
            notes.append("JSON file holds one array: read whole into memory (JSON Lines streams)")
        return notes

    @cached_property
    def _dataset(self) -> ds.Dataset:
        import pyarrow as pa
        import pyarrow.dataset as ds

        if self._json_array:
            with self._translate_errors("reading the JSON array in"):
                try:
                    tables = [read_json_array(p) for p in self._paths]
                except ValueError as exc:  # json's own errors derive from ValueError
                    raise pa.ArrowInvalid(str(exc)) from exc
                return ds.dataset(pa.concat_tables(tables, promote_options="permissive"))
        with self._translate_errors("opening"):
            return ds.dataset(
                self._paths, format=self._file_format(), partitioning=self.params.partitioning
            )

    @cached_property
    def _plain_parquet(self) -> bool:
        """Parquet files whose paths add no columns: answered from their footers and
        read with ``ParquetFile`` (see :mod:`dataprof.connectors.parquet_files`)."""
        return self._format == "parquet" and self.params.partitioning is None

    @cached_property
    def _footers(self) -> ParquetFooters:
        return ParquetFooters()

    def _all_footers(self) -> list[pq.FileMetaData]:
        footers = []
        for path in self._paths:
            with self._translate_errors("reading the footer of", path):
                footers.append(self._footers.footer(path))
        return footers

    # -- the contract ----------------------------------------------------------------
    def arrow_schema(self) -> pa.Schema:
        if self._plain_parquet:
            # The first file's, as pyarrow.dataset takes it.
            with self._translate_errors("opening", self._paths[0]):
                return self._footers.schema(self._paths[0])
        return self._dataset.schema

    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        if self._plain_parquet:
            files: list[tuple[str, list[int] | None]] = (
                [(path, None) for path in self._paths]
                if split is None
                else [(f["path"], f.get("row_groups")) for f in split.payload.get("files", [])]
            )
            schema = self.arrow_schema()
            for path, _ in files:
                with self._translate_errors("reading the footer of", path):
                    self._footers.footer(path)
            if self._footers.share_schema((path for path, _ in files), schema):
                self.check_columns(columns, schema.names)
                for path, row_groups in files:
                    with self._translate_errors("reading", path), self._naming_damaged_file(path):
                        footer = self._footers.footer(path)
                        yield from read_parquet_file(path, footer, columns, batch_size, row_groups)
                return
        dataset = self._dataset if split is None else self._split_dataset(split)
        self.check_columns(columns, dataset.schema.names)
        with self._translate_errors("reading"), self._naming_damaged_files(dataset, columns):
            # Arrow's default read-ahead (16 batches, 4 files) decodes far ahead of a
            # slow consumer such as the profiler; a short one keeps memory bounded and,
            # measured on a 5M-row file, was faster too.
            scanner = dataset.scanner(
                columns=list(columns) if columns is not None else None,
                batch_size=batch_size,
                use_threads=True,
                batch_readahead=4,
                fragment_readahead=2,
            )
            for batch in scanner.to_batches():
                if batch.num_rows:
                    yield batch

    def get_row_count(self) -> int:
        if self._plain_parquet:
            return sum(footer.num_rows for footer in self._all_footers())
        with self._translate_errors("counting"):
            return int(self._dataset.count_rows())

    def get_column_statistics(self) -> TableStatistics:
        """Null counts and bounds from the Parquet footers (Parquet only)."""
        if not self.supports(Capability.COLUMN_STATS_FROM_METADATA):
            raise self.unsupported(Capability.COLUMN_STATS_FROM_METADATA)
        if self._plain_parquet:
            footers = self._all_footers()
            return parquet_table_statistics(footers, self.arrow_schema())
        with self._translate_errors("reading footers of"):
            footers = [fragment.metadata for fragment in self._dataset.get_fragments()]
            return parquet_table_statistics(footers, self._dataset.schema)

    def plan_splits(self, target: int) -> list[ScanSplit]:
        """Balanced by bytes: Parquet row groups (or whole files for other formats)
        go, largest first, to the least-loaded of ``target`` bins."""
        units: list[ScanUnit] = []
        if self._plain_parquet:
            self._all_footers()  # a damaged footer named as such, before planning
            with self._translate_errors("planning"):
                units.extend(self._footers.row_groups(self._paths))
        else:
            with self._translate_errors("planning"):
                for fragment in self._dataset.get_fragments():
                    if self._format == "parquet":
                        metadata = fragment.metadata
                        for index in range(metadata.num_row_groups):
                            group = metadata.row_group(index)
                            units.append(
                                (group.total_byte_size, fragment.path, index, group.num_rows)
                            )
                    else:
                        units.append((os.path.getsize(fragment.path), fragment.path, None, None))
        return balanced_splits(units, target)

    def _split_dataset(self, split: ScanSplit) -> ds.Dataset:
        import pyarrow.dataset as ds

        files: list[dict[str, Any]] = split.payload.get("files", [])
        fmt = self._file_format()
        schema = self._dataset.schema
        with self._translate_errors("planning a split"):
            filesystem = next(iter(self._dataset.get_fragments())).filesystem
            fragments = [
                fmt.make_fragment(f["path"], filesystem, row_groups=f["row_groups"])
                if f.get("row_groups") is not None and isinstance(fmt, ds.ParquetFileFormat)
                else fmt.make_fragment(f["path"], filesystem)
                for f in files
            ]
            return ds.FileSystemDataset(fragments, schema, fmt, filesystem)

    # -- errors ----------------------------------------------------------------------
    def _damaged_page_error(self, damaged: str, exc: Exception) -> QueryFailedError:
        return QueryFailedError(
            f"Parquet file {damaged!r} is damaged: a data page fails its checksum",
            engine_reason=f"{type(exc).__name__}: {exc}",
            **self.error_context(),
            hint="restore the file from its source or a backup; dataprof does not "
            "profile pages that fail their checksum",
        )

    @contextmanager
    def _naming_damaged_file(self, path: str) -> Iterator[None]:
        """A page checksum failure while reading ``path`` as an error naming it."""
        import pyarrow as pa

        try:
            yield
        except (pa.ArrowException, OSError) as exc:
            if "checksum" not in str(exc).lower():
                raise
            raise self._damaged_page_error(path, exc) from exc

    @contextmanager
    def _naming_damaged_files(
        self, dataset: ds.Dataset, columns: Sequence[str] | None
    ) -> Iterator[None]:
        """A page checksum failure in a dataset scan as an error naming the damaged file.

        Arrow's message names only the page, so on that (rare) failure each file is
        checked on its own until the damaged one is found."""
        import pyarrow as pa

        try:
            yield
        except (pa.ArrowException, OSError) as exc:
            if "checksum" not in str(exc).lower():
                raise
            damaged = self._find_damaged_file(dataset, columns) or self.params.path
            raise self._damaged_page_error(damaged, exc) from exc

    def _find_damaged_file(self, dataset: ds.Dataset, columns: Sequence[str] | None) -> str | None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        for fragment in dataset.get_fragments():
            try:
                scanner = ds.Scanner.from_fragment(
                    fragment,
                    schema=dataset.schema,
                    columns=list(columns) if columns is not None else None,
                )
                for _ in scanner.to_batches():
                    pass
            except (pa.ArrowException, OSError) as exc:
                if "checksum" in str(exc).lower():
                    return str(fragment.path)
        return None

    @contextmanager
    def _translate_errors(self, doing: str, path: str | None = None) -> Iterator[None]:
        """pyarrow's and the OS's errors as :class:`ConnectorError`s naming the path
        (the one file, when known)."""
        import pyarrow as pa

        try:
            yield
        except FileNotFoundError as exc:
            raise TableNotFoundError(
                f"File disappeared while {doing}: {exc}", **self.error_context()
            ) from exc
        except (pa.ArrowException, OSError) as exc:
            kind = self.params.format if self.params.format != "auto" else "data"
            raise QueryFailedError(
                f"Failed {doing} {path or self.params.path!r}",
                engine_reason=f"{type(exc).__name__}: {exc}",
                **self.error_context(),
                hint=f"check the file is a valid {kind} file and that every file shares one schema",
            ) from exc
