"""Local Parquet files read one by one with ``pyarrow.parquet.ParquetFile``.

For plain Parquet files (no hive partitioning adding columns from paths) the
footers hold everything the file connector answers besides the data: the schema,
the row count, column statistics and the row groups a scan splits into; and
``ParquetFile.iter_batches`` reads the data one row group's column chunks at a
time. ``pyarrow.dataset`` adds nothing to that: importing it imports pandas (its
module init goes through pyarrow's pandas shim; 0.4-1 s on this machine), and its
discovery, counting and fragment machinery cost more CPU than footers read once
(a 1,000-column file profiled from the CLI: about 0.3 s less CPU). The scan itself is
as fast either way. (pyarrow 26 consults the same shim on ``pa.array`` and
``pa.scalar`` of Python or NumPy values and on ``Array.to_numpy``, which the engine
calls: a long table's column workers block that import, see
:mod:`dataprof.profiling.column_workers`; one process profiling alone imports it.)

A file is read this way only when its Arrow schema equals the table's (the
first file's, as ``pyarrow.dataset`` takes it); files that differ go through
``pyarrow.dataset``, which fills missing columns with nulls and casts.
Footers are read once per process and kept (they are small next to the data);
files are opened only while they are read, so a glob of thousands of files
holds no handles between reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = [
    "DICTIONARY_BYTES_PER_VALUE",
    "ParquetFooters",
    "RowGroupUnit",
    "dictionary_columns",
    "read_parquet_file",
]

RowGroupUnit = tuple[int, str, int, int]
"""One row group as a unit of a scan: (bytes, path, row group index, rows)."""


def _open(
    path: str, footer: pq.FileMetaData | None = None, read_dictionary: Sequence[str] = ()
) -> pq.ParquetFile:
    import pyarrow.parquet as pq

    # Page checksums are verified where a writer stored them: a damaged page fails
    # the read instead of being profiled as data. Extension types are read as
    # ``pyarrow.dataset`` reads them (its default), so both paths give one schema.
    return pq.ParquetFile(
        path,
        metadata=footer,
        page_checksum_verification=True,
        arrow_extensions_enabled=False,
        read_dictionary=list(read_dictionary) or None,
    )


DICTIONARY_BYTES_PER_VALUE = 4
"""A text column chunk at most this many uncompressed bytes a value is all dictionary
indices: its writer never fell back to plain pages, which Arrow would have to hash into
a dictionary (a high-cardinality column's values take far more)."""


def dictionary_columns(
    footer: pq.FileMetaData, columns: Sequence[str] | None, row_groups: Iterable[int]
) -> list[str]:
    """Top-level text columns (of ``columns``, or all) that are dictionary encoded in
    every one of ``row_groups``: read as dictionary arrays, they are decoded by nobody,
    and the engine counts their entries (0.8 s of CPU down to 0.1 s for two
    five-million-row categories). Arrow's batches then hold dictionaries of the
    declared text type, which the connector contract allows."""
    import pyarrow as pa

    schema = footer.schema.to_arrow_schema()
    wanted = set(schema.names if columns is None else columns)
    text = {
        f.name
        for f in schema
        if f.name in wanted and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    }
    groups = list(row_groups)
    if not text or not groups:
        return []
    for group in groups:
        meta = footer.row_group(group)
        for index in range(meta.num_columns):
            chunk = meta.column(index)
            name = chunk.path_in_schema
            if name in text and not (
                chunk.has_dictionary_page
                and chunk.total_uncompressed_size
                <= DICTIONARY_BYTES_PER_VALUE * max(1, chunk.num_values)
            ):
                text.discard(name)
    return [name for name in schema.names if name in text]


class ParquetFooters:
    """The footers (and Arrow schemas) of local Parquet files, read once each."""

    def __init__(self) -> None:
        self._footers: dict[str, pq.FileMetaData] = {}
        self._schemas: dict[str, pa.Schema] = {}

    def footer(self, path: str) -> pq.FileMetaData:
        if path not in self._footers:
            with _open(path) as parquet_file:
                self._footers[path] = parquet_file.metadata
                self._schemas[path] = parquet_file.schema_arrow
        return self._footers[path]

    def schema(self, path: str) -> pa.Schema:
        self.footer(path)
        return self._schemas[path]

    def share_schema(self, paths: Iterable[str], schema: pa.Schema) -> bool:
        """True when every file's Arrow schema equals ``schema`` (metadata aside:
        it does not change a value read)."""
        return all(self.schema(path).equals(schema) for path in paths)

    def row_groups(self, paths: Iterable[str]) -> list[RowGroupUnit]:
        units: list[RowGroupUnit] = []
        for path in paths:
            footer = self.footer(path)
            for index in range(footer.num_row_groups):
                group = footer.row_group(index)
                units.append((group.total_byte_size, path, index, group.num_rows))
        return units


def read_parquet_file(
    path: str,
    footer: pq.FileMetaData,
    columns: Sequence[str] | None,
    batch_size: int,
    row_groups: Sequence[int] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The non-empty batches of ``row_groups`` (all when None) of one file, holding
    ``columns`` in the order given. Memory is one row group's chunks of ``columns``.

    One reader per row group: a reader given several pre-buffers (caches) every
    chunk it will read and frees them only at its end, so a whole file read through
    one reader holds the whole file (measured: 156 MiB allocated for an 80-row-group,
    152 MiB file, against 5 MiB one row group at a time, and no slower)."""
    wanted = list(columns) if columns is not None else None
    groups = range(footer.num_row_groups) if row_groups is None else row_groups
    dictionaries = dictionary_columns(footer, wanted, groups)
    with _open(path, footer, dictionaries) as parquet_file:
        for group in groups:
            batches = parquet_file.iter_batches(
                batch_size=batch_size, row_groups=[group], columns=wanted, use_threads=True
            )
            for batch in batches:
                if not batch.num_rows:
                    continue
                # A name with a dot also selects a struct's field of that path, and the
                # reader keeps the file's column order: project to exactly what was asked.
                if wanted is not None and batch.schema.names != wanted:
                    batch = batch.select(wanted)
                yield batch
