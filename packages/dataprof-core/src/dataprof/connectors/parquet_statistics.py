"""Column statistics from Parquet footers, without reading a data page.

Every Parquet row group records, per column chunk, a null count and min/max.
Summed and folded over all row groups of all files they give a table's null
counts and bounds for the price of reading the footers. What they cannot give
is said in ``caveats``: NaN is not counted (and is ignored by min/max), a writer
may omit statistics for a chunk (then the figure is unknown, not zero), and some
writers truncate long string bounds (so string bounds are only bounds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataprof.connector import ColumnStatistics, TableStatistics

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["parquet_table_statistics"]


@dataclass
class _Fold:
    null_count: int | None = 0
    lower: Any = None
    upper: Any = None
    bounds_known: bool = True
    size_bytes: int = 0
    seen: bool = False
    caveats: set[str] = field(default_factory=set)

    def add(self, chunk: pq.ColumnChunkMetaData) -> None:
        self.seen = True
        self.size_bytes += chunk.total_compressed_size
        stats = chunk.statistics
        if stats is None or not stats.has_null_count:
            self.null_count = None
            self.caveats.add("a row group has no null count: null_count unknown")
        elif self.null_count is not None:
            self.null_count += stats.null_count
        if stats is None or not stats.has_min_max:
            # A chunk of only nulls legitimately has no min/max.
            if stats is None or stats.null_count != chunk.num_values:
                self.bounds_known = False
            return
        self.lower = stats.min if self.lower is None else min(self.lower, stats.min)
        self.upper = stats.max if self.upper is None else max(self.upper, stats.max)


def parquet_table_statistics(
    files: Iterable[pq.FileMetaData], schema: pa.Schema
) -> TableStatistics:
    """Fold the footers of ``files`` into table statistics for the top-level columns of ``schema``."""
    import pyarrow as pa

    folds = {name: _Fold() for name in schema.names}
    rows = 0
    file_count = 0
    total = 0
    for metadata in files:
        file_count += 1
        rows += metadata.num_rows
        for g in range(metadata.num_row_groups):
            group = metadata.row_group(g)
            total += group.total_byte_size
            for c in range(group.num_columns):
                chunk = group.column(c)
                fold = folds.get(chunk.path_in_schema)
                if fold is not None:
                    fold.add(chunk)
    columns: dict[str, ColumnStatistics] = {}
    for name, fold in folds.items():
        data_type = schema.field(name).type
        caveats = set(fold.caveats)
        if not fold.seen and rows:
            caveats.add("not stored in the files (a partition column): no statistics")
            fold.null_count, fold.bounds_known = None, False
        nested = pa.types.is_nested(data_type)
        if nested:
            caveats.add("nested column: statistics are kept per leaf field, not for the column")
        if pa.types.is_floating(data_type):
            caveats.add("Parquet records no NaN count; min/max ignore NaN")
        stringy = any(
            check(data_type)
            for check in (
                pa.types.is_string,
                pa.types.is_large_string,
                pa.types.is_binary,
                pa.types.is_large_binary,
            )
        )
        if stringy:
            caveats.add(
                "string and binary bounds may be truncated by the writer: bounds, not values"
            )
        bounds_known = fold.bounds_known and not nested
        columns[name] = ColumnStatistics(
            column=name,
            value_count=rows,
            null_count=None if nested else fold.null_count,
            nan_count=None,
            lower_bound=fold.lower if bounds_known else None,
            upper_bound=fold.upper if bounds_known else None,
            bounds_exact=not stringy,
            size_bytes=None if nested else fold.size_bytes,
            caveats=sorted(caveats),
        )
    return TableStatistics(
        row_count=rows,
        row_count_exact=True,
        data_file_count=file_count,
        delete_file_count=0,
        total_size_bytes=total,
        columns=columns,
    )
