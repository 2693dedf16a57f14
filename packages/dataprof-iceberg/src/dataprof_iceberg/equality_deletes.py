"""Applying equality-delete files, which PyIceberg 0.12 refuses to read.

Flink and Spark's merge-on-read write equality deletes: a small file of key values
("delete every row whose ``id`` is 7") that applies to every data file with a lower
data sequence number in the same partition (or in every partition, when the delete
file is unpartitioned). PyIceberg's planner raises on them, so the connector plans
without them and applies them here, batch by batch:

- keys are compared the way the spec says, null equal to null
  (``pyarrow.compute.is_in(..., skip_nulls=False)``);
- a multi-column key becomes one string per row (each value cast to text, nulls
  marked) so a single ``is_in`` tests it.

Only the delete files are held in memory (their keys), never a whole data file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.io import FileIO
    from pyiceberg.manifest import DataFile, ManifestEntry
    from pyiceberg.table.metadata import TableMetadata

__all__ = ["EqualityDeletes", "applicable_deletes"]

_NULL = "\x00null"
_SEPARATOR = "\x1f"


def applicable_deletes(
    metadata: TableMetadata, data: ManifestEntry, deletes: Sequence[ManifestEntry]
) -> list[ManifestEntry]:
    """The equality deletes that apply to ``data``: a higher data sequence number, and
    the same partition unless the delete is unpartitioned (global)."""
    specs = metadata.specs()
    data_seq = data.sequence_number or 0
    found = []
    for delete in deletes:
        if (delete.sequence_number or 0) <= data_seq:
            continue
        spec = specs.get(delete.data_file.spec_id)
        if (spec is not None and spec.is_unpartitioned()) or (
            delete.data_file.spec_id == data.data_file.spec_id
            and delete.data_file.partition == data.data_file.partition
        ):
            found.append(delete)
    return found


@dataclass
class _KeySet:
    field_ids: tuple[int, ...]
    keys: pa.Array


class EqualityDeletes:
    """The keys of some equality-delete files, grouped by the field ids they key on."""

    def __init__(self, io: FileIO, files: Sequence[DataFile]) -> None:
        import pyarrow as pa

        grouped: dict[tuple[int, ...], list[pa.Array]] = {}
        for data_file in files:
            ids = tuple(data_file.equality_ids or ())
            table = _read_by_field_id(io, data_file.file_path, ids)
            grouped.setdefault(ids, []).append(_keys(table, ids))
        self._sets = [
            _KeySet(ids, pa.concat_arrays(parts).unique()) for ids, parts in grouped.items()
        ]

    @property
    def field_ids(self) -> set[int]:
        return {fid for key_set in self._sets for fid in key_set.field_ids}

    def __bool__(self) -> bool:
        return bool(self._sets)

    def keep(self, batch: pa.RecordBatch, names: dict[int, str]) -> pa.RecordBatch:
        """``batch`` without the rows some delete file names (``names``: field id ->
        column name in ``batch``)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self._sets or batch.num_rows == 0:
            return batch
        deleted = pa.array([False] * batch.num_rows)
        for key_set in self._sets:
            columns = {fid: batch.column(names[fid]) for fid in key_set.field_ids}
            keys = _keys(columns, key_set.field_ids)
            known = key_set.keys
            if known.type != keys.type:  # e.g. string in the delete file, large_string read
                known = known.cast(keys.type)
            deleted = pc.or_(deleted, pc.is_in(keys, value_set=known, skip_nulls=False))
        return batch.filter(pc.invert(deleted))


def _read_by_field_id(io: FileIO, path: str, ids: tuple[int, ...]) -> dict[int, pa.Array]:
    import pyarrow.parquet as pq

    with io.new_input(path).open() as handle:
        table = pq.read_table(handle)
    by_id: dict[int, pa.Array] = {}
    for index, arrow_field in enumerate(table.schema):
        raw = (arrow_field.metadata or {}).get(b"PARQUET:field_id")
        if raw is not None and int(raw) in ids:
            by_id[int(raw)] = table.column(index).combine_chunks()
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ValueError(f"equality-delete file {path} has no column for field id(s) {missing}")
    return by_id


def _keys(
    columns: dict[int, pa.Array] | dict[int, pa.ChunkedArray], ids: tuple[int, ...]
) -> pa.Array:
    """One comparable key per row: the value itself for a single column, otherwise
    the values as text joined by a separator, with nulls marked."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = [_as_array(columns[i]) for i in ids]
    if len(arrays) == 1:
        return arrays[0]
    texts = [pc.fill_null(pc.cast(a, pa.large_string()), _NULL) for a in arrays]
    joined: pa.Array = pc.binary_join_element_wise(*texts, pa.scalar(_SEPARATOR, pa.large_string()))
    return joined


def _as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values
