"""Exact ``value -> count`` for one column, held natively: an Arrow array of keys and a
numpy array of counts, never a Python object per value.

A batch arrives already reduced to its distinct values and their counts (numpy's
sort for numbers, Arrow's ``value_counts`` for text). Those pairs wait in a
pending list and are folded into the table by Arrow's hash aggregation
(``group_by(...).aggregate(sum)``) once the pending pairs outnumber the table's,
so each pair is hashed a bounded number of times and memory stays within about
twice the table.

The table's size is a function of the *set* of values only (:meth:`ExactCounts.size`:
16 bytes a key plus the bytes of string keys), which is what keeps a memory
budget honest under merging: a part of a table never holds more than the whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["BYTES_PER_KEY", "ExactCounts"]

BYTES_PER_KEY = 16
"""What a key costs besides its own bytes: 8 for the count, 8 for the value or offset."""
_MIN_PENDING = 1 << 16
"""Pairs to collect before the first fold (small columns fold once, at the end)."""
_MAX_PENDING_BYTES = 16 << 20
"""...and at most this many bytes of keys (long free text) wait unfolded."""


class ExactCounts:
    """Distinct keys of one Arrow type and their exact counts."""

    def __init__(self, key_type: pa.DataType) -> None:
        import numpy as np

        self.key_type = key_type
        self._keys: pa.Array | None = None
        self._counts: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._pending_keys: list[pa.Array] = []
        self._pending_counts: list[npt.NDArray[np.int64]] = []
        self._pending = 0
        self._pending_bytes = 0
        self.folds = 0
        """How many times pending pairs were folded in (callers re-check sizes then)."""

    # -- adding ------------------------------------------------------------------------
    def add(self, keys: pa.Array, counts: npt.NDArray[Any]) -> None:
        """Add distinct ``keys`` of one batch with their ``counts``."""
        import numpy as np

        if not len(keys):
            return
        if keys.type != self.key_type:
            keys = keys.cast(self.key_type)
        self._pending_keys.append(keys)
        self._pending_counts.append(np.asarray(counts, dtype=np.int64))
        self._pending += len(keys)
        self._pending_bytes += keys.nbytes
        if (
            self._pending >= max(_MIN_PENDING, len(self._counts))
            or self._pending_bytes > _MAX_PENDING_BYTES
        ):
            self.compact()

    def merge(self, other: ExactCounts) -> None:
        other.compact()
        if other._keys is not None:
            self._pending_keys.append(other._keys)
            self._pending_counts.append(other._counts)
            self._pending += len(other._counts)
        self.compact()

    def compact(self) -> None:
        """Fold the pending pairs into the table (one hash aggregation)."""
        import numpy as np
        import pyarrow as pa

        if not self._pending_keys:
            return
        keys = list(self._pending_keys)
        counts = list(self._pending_counts)
        if self._keys is not None:
            keys.insert(0, self._keys)
            counts.insert(0, self._counts)
        self._pending_keys, self._pending_counts, self._pending = [], [], 0
        self._pending_bytes = 0
        self.folds += 1
        if len(keys) == 1:
            self._keys, self._counts = keys[0], counts[0]
            return
        table = pa.table(
            {
                "k": pa.chunked_array(keys, self.key_type),
                "c": pa.array(np.concatenate(counts), pa.int64()),
            }
        )
        folded = table.group_by("k", use_threads=False).aggregate([("c", "sum")])
        self._keys = folded.column("k").combine_chunks()
        self._counts = folded.column("c_sum").to_numpy().astype(np.int64, copy=False)

    # -- reading -----------------------------------------------------------------------
    def arrays(self) -> tuple[pa.Array, npt.NDArray[Any]]:
        """The distinct keys and their counts (folded first)."""
        import pyarrow as pa

        self.compact()
        keys = self._keys if self._keys is not None else pa.array([], self.key_type)
        return keys, self._counts

    def __len__(self) -> int:
        self.compact()
        return len(self._counts)

    def size(self) -> int:
        """Bytes the table is charged: a function of the set of keys only."""
        import pyarrow as pa
        import pyarrow.compute as pc

        keys, counts = self.arrays()
        size = BYTES_PER_KEY * len(counts)
        if len(keys) and (
            pa.types.is_large_string(keys.type) or pa.types.is_large_binary(keys.type)
        ):
            size += int(pc.sum(pc.binary_length(keys)).as_py() or 0)
        return size

    def top(self, limit: int) -> list[tuple[Any, int]]:
        """The ``limit`` most frequent keys as Python values, ties ordered by value."""
        import pyarrow as pa
        import pyarrow.compute as pc

        keys, counts = self.arrays()
        if not len(keys) or limit <= 0:
            return []
        table = pa.table({"k": keys, "c": pa.array(counts, pa.int64())})
        order = pc.select_k_unstable(
            table, min(limit, len(keys)), sort_keys=[("c", "descending"), ("k", "ascending")]
        )
        chosen = table.take(order)
        return list(
            zip(chosen.column("k").to_pylist(), chosen.column("c").to_pylist(), strict=True)
        )

    # -- pickling: plain bytes (Arrow IPC) ----------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        import pyarrow as pa

        keys, counts = self.arrays()
        batch = pa.record_batch({"k": keys, "c": pa.array(counts, pa.int64())})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return {"ipc": sink.getvalue().to_pybytes()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        import numpy as np
        import pyarrow as pa

        table = pa.ipc.open_stream(pa.py_buffer(state["ipc"])).read_all()
        self.key_type = table.schema.field("k").type
        keys = table.column("k").combine_chunks()
        self._keys = keys if len(keys) else None
        self._counts = table.column("c").to_numpy().astype(np.int64, copy=False)
        if self._keys is None:
            self._counts = np.zeros(0, dtype=np.int64)
        self._pending_keys, self._pending_counts, self._pending = [], [], 0
        self._pending_bytes = 0
        self.folds = 0
