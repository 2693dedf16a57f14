"""Exact ``value -> count`` for one column, held natively: numpy or Arrow arrays of keys
and a numpy array of counts, never a Python object per value.

A batch arrives already reduced to its distinct values and their counts (numpy's
sort for numbers, Arrow's ``value_counts`` for text). Those pairs wait in a
pending list and are folded into the table only when what waits would cost more
than the column's budget (the caller, :class:`.ValueCounter`, watches
:attr:`ExactCounts.pending_bytes`), or when the table is read: a column
that fits its budget is folded once, at the end, and each fold re-hashes or
re-sorts the table, which made folding as the pairs came the costliest step of
counting text. Memory stays within the table plus the budget.

Numbers (integers, floats, narrow decimals as their
unscaled integers) stay sorted and fold by a merge (a stable sort of sorted runs,
linear); text and wide decimals fold by Arrow's ``dictionary_encode`` (a hash
table in C++) and a ``bincount`` of the indices.

The table's size is a function of the *set* of values only (:meth:`ExactCounts.size`:
16 bytes a key plus the bytes of string keys), which is what keeps a memory
budget honest under merging: a part of a table never holds more than the whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.offsets import is_large, value_offsets

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["BYTES_PER_KEY", "ExactCounts", "string_bytes"]

BYTES_PER_KEY = 16
"""What a key costs besides its own bytes: 8 for the count, 8 for the value or offset."""


def _numpy_form(key_type: pa.DataType) -> bool:
    """Keys of this type are held as a sorted numpy array (fixed-width numbers)."""
    import pyarrow as pa

    if pa.types.is_integer(key_type) or pa.types.is_floating(key_type):
        return True
    return bool(pa.types.is_decimal128(key_type) and key_type.precision <= _INT64_DIGITS)


_INT64_DIGITS = 18  # decimal digits whose unscaled integer always fits an int64


def _to_numpy(keys: pa.Array) -> npt.NDArray[Any]:
    import numpy as np
    import pyarrow as pa

    if pa.types.is_decimal(keys.type):
        words = np.frombuffer(keys.buffers()[1], dtype=np.int64).reshape(-1, 2)
        low: npt.NDArray[Any] = words[keys.offset : keys.offset + len(keys), 0]
        return low
    values: npt.NDArray[Any] = keys.to_numpy(zero_copy_only=False)
    return values


def _to_arrow(keys: npt.NDArray[Any], key_type: pa.DataType) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    if pa.types.is_decimal(key_type):
        words = np.empty((len(keys), 2), dtype=np.int64)
        words[:, 0] = keys
        words[:, 1] = keys >> 63
        return pa.Array.from_buffers(key_type, len(keys), [None, pa.py_buffer(words.tobytes())])
    return pa.array(keys, key_type)


def string_bytes(keys: pa.Array) -> int:
    """The bytes of a string or binary array's values (32- or 64-bit offsets), from its
    first and last offsets (no pass over the values)."""
    if not len(keys):
        return 0
    offsets = value_offsets(keys)
    return int(offsets[-1] - offsets[0])


class ExactCounts:
    """Distinct keys of one Arrow type and their exact counts."""

    def __init__(self, key_type: pa.DataType) -> None:
        self._reset(key_type)

    def _reset(self, key_type: pa.DataType) -> None:
        import numpy as np

        self.key_type = key_type
        self._sorted = _numpy_form(key_type)
        self._keys: Any = None  # numpy (sorted) or Arrow
        self._counts: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._pending_keys: list[Any] = []
        self._pending_counts: list[npt.NDArray[np.int64]] = []
        self._pending = 0
        self._pending_bytes = 0

    # -- adding ------------------------------------------------------------------------
    def add(self, keys: pa.Array, counts: npt.NDArray[Any]) -> None:
        """Add distinct ``keys`` of one batch with their ``counts``."""
        import numpy as np

        if not len(keys):
            return
        if keys.type != self.key_type:
            keys = keys.cast(self.key_type)
        self._pending_bytes += keys.nbytes + 8 * len(keys)
        self._pending_keys.append(_to_numpy(keys) if self._sorted else keys)
        self._pending_counts.append(np.asarray(counts, dtype=np.int64))
        self._pending += len(keys)

    @property
    def pending_bytes(self) -> int:
        """What the pairs waiting to be folded cost (the caller decides when to fold)."""
        return self._pending_bytes

    def unfolded(self) -> list[tuple[pa.Array, npt.NDArray[Any]]]:
        """The table and every pending batch's pairs as they are, without folding:
        for a caller giving up exact counts, to whom duplicates across parts do not
        matter."""
        parts = []
        if self._keys is not None:
            parts.append((self._keys, self._counts))
        parts.extend(zip(self._pending_keys, self._pending_counts, strict=True))
        if self._sorted:
            return [(_to_arrow(keys, self.key_type), counts) for keys, counts in parts]
        return parts

    def merge(self, other: ExactCounts) -> None:
        other.compact()
        if other._keys is not None:
            self._pending_keys.append(other._keys)
            self._pending_counts.append(other._counts)
            self._pending += len(other._counts)
        self.compact()

    def compact(self) -> None:
        """Fold the pending pairs into the table."""
        if not self._pending_keys:
            return
        keys = list(self._pending_keys)
        counts = list(self._pending_counts)
        if self._keys is not None:
            keys.insert(0, self._keys)
            counts.insert(0, self._counts)
        self._pending_keys, self._pending_counts, self._pending = [], [], 0
        self._pending_bytes = 0
        if len(keys) == 1 and not self._sorted:
            self._keys, self._counts = keys[0], counts[0]
            return
        fold = self._fold_sorted if self._sorted else self._fold_hashed
        self._keys, self._counts = fold(keys, counts)

    @staticmethod
    def _fold_sorted(
        keys: list[npt.NDArray[Any]], counts: list[npt.NDArray[Any]]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Sorted runs merged by a stable sort (linear on runs), equal keys summed."""
        import numpy as np

        all_keys = np.concatenate(keys)
        all_counts = np.concatenate(counts)
        order = np.argsort(all_keys, kind="stable")
        ordered = all_keys[order]
        starts = np.empty(len(ordered), dtype=bool)
        starts[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
        positions = np.flatnonzero(starts)
        summed = np.add.reduceat(all_counts[order], positions) if len(positions) else all_counts
        return ordered[positions], summed.astype(np.int64, copy=False)

    def _fold_hashed(
        self, keys: list[pa.Array], counts: list[npt.NDArray[Any]]
    ) -> tuple[pa.Array, npt.NDArray[Any]]:
        """Equal keys found by ``dictionary_encode`` (one hash pass), counts summed."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(pa.chunked_array(keys, self.key_type))
        dictionary = encoded.chunk(0).dictionary if encoded.num_chunks else None
        indices = np.concatenate([c.indices.to_numpy() for c in encoded.chunks])
        summed = np.bincount(
            indices, weights=np.concatenate(counts), minlength=len(dictionary or [])
        )
        return dictionary, summed.astype(np.int64)

    # -- reading -----------------------------------------------------------------------
    def arrays(self) -> tuple[pa.Array, npt.NDArray[Any]]:
        """The distinct keys (as Arrow) and their counts (folded first)."""
        import pyarrow as pa

        self.compact()
        if self._keys is None:
            return pa.array([], self.key_type), self._counts
        if self._sorted:
            return _to_arrow(self._keys, self.key_type), self._counts
        return self._keys, self._counts

    def __len__(self) -> int:
        self.compact()
        return len(self._counts)

    def size(self) -> int:
        """Bytes the table is charged: a function of the set of keys only."""

        self.compact()
        size = BYTES_PER_KEY * len(self._counts)
        if self._sorted or self._keys is None:
            return size
        if is_large(self._keys.type):
            size += string_bytes(self._keys)
        return size

    def top(self, limit: int) -> list[tuple[Any, int]]:
        """The ``limit`` most frequent keys as Python values, ties ordered by value."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        self.compact()
        if self._keys is None or limit <= 0:
            return []
        counts = self._counts
        if self._sorted:
            # keys are sorted: among equal counts, position order is value order
            k = min(limit, len(counts))
            kth = np.partition(counts, len(counts) - k)[len(counts) - k]
            candidates = np.flatnonzero(counts >= kth)
            order = candidates[np.lexsort((candidates, -counts[candidates]))][:k]
            values = _to_arrow(self._keys[order], self.key_type).to_pylist()
            return list(zip(values, counts[order].tolist(), strict=True))
        table = pa.table({"k": self._keys, "c": pa.array(counts, pa.int64())})
        chosen = table.take(
            pc.select_k_unstable(
                table, min(limit, len(counts)), sort_keys=[("c", "descending"), ("k", "ascending")]
            )
        )
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
        table.validate(full=True)
        if table.schema.names != ["k", "c"] or table.schema.field("c").type != pa.int64():
            raise ValueError("exact counts: not a table of keys and counts")
        self._reset(table.schema.field("k").type)
        keys = table.column("k").combine_chunks()
        if keys.null_count:
            raise ValueError("exact counts: a null key")
        counts = table.column("c").to_numpy().astype(np.int64, copy=True)
        if len(counts) and counts.min() <= 0:
            raise ValueError("exact counts: a count below one")
        if len(keys):
            self._keys = _to_numpy(keys).copy() if self._sorted else keys
            self._counts = counts
