"""The distinct count of text past its budget: short values hashed by numpy, long ones by
DataSketches.

DataSketches' HLL takes one Python call and one Python string a value (0.15 us
for an 11-byte id, with the string), where numpy hashes a batch of short values at
once (:func:`.hash_strings`, 0.07 us each); for long values numpy's hash costs
more than the call (0.55 us against 0.2 us for 100 bytes). So a value of up to
:data:`SHORT_BYTES` bytes goes to a :class:`.RegisterHll`, a longer one to
DataSketches' HLL. A value's length decides, so every part of a table sends a
value to the same sketch, the two sketches count disjoint sets, and the distinct
count is the sum of their estimates (its bounds the sums of theirs).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from dataprof.profiling.register_hll import RegisterHll, hash_strings
from dataprof.profiling.sketches import HLL_LG_K, ds_module

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SHORT_BYTES", "SPLIT_MAGIC", "TextHll"]

SHORT_BYTES = 64
SPLIT_MAGIC = b"DPTHLL1"
_EMPTY_KEY = "\x00dataprof:empty"


def long_values(keys: pa.Array) -> list[str]:
    """Long keys as DataSketches takes them: text as str, bytes as hex (never empty)."""
    import pyarrow as pa

    if pa.types.is_binary(keys.type) or pa.types.is_large_binary(keys.type):
        return [k.hex() or _EMPTY_KEY for k in keys.to_pylist()]
    values: list[str] = keys.to_pylist()
    return values


class TextHll:
    """Two HLL sketches over disjoint sets of text values, split by byte length."""

    def __init__(self, short: RegisterHll | None = None, long: Any = None) -> None:
        ds = ds_module()
        self.short = short if short is not None else RegisterHll()
        self.long = long if long is not None else ds.hll_sketch(HLL_LG_K, ds.tgt_hll_type.HLL_8)

    def update_keys(self, keys: pa.Array) -> None:
        """Add a string or binary array's values (no nulls)."""
        import pyarrow.compute as pc

        if not len(keys):
            return
        lengths = pc.binary_length(keys)
        bounds = pc.min_max(lengths)
        if bounds["max"].as_py() <= SHORT_BYTES:
            self.short.update_hashes(hash_strings(_large(keys)))
            return
        if bounds["min"].as_py() > SHORT_BYTES:
            self._update_long(keys)
            return
        is_short = pc.less_equal(lengths, SHORT_BYTES)
        self.short.update_hashes(hash_strings(_large(keys.filter(is_short))))
        self._update_long(keys.filter(pc.invert(is_short)))

    def _update_long(self, keys: pa.Array) -> None:
        # map() keeps the per-value call in C; a Python for-loop doubles the cost.
        for _ in map(self.long.update, long_values(keys)):
            pass

    def merge(self, other: TextHll) -> None:
        ds = ds_module()
        self.short.merge(other.short)
        union = ds.hll_union(HLL_LG_K)
        union.update(self.long)
        union.update(other.long)
        self.long = union.get_result(ds.tgt_hll_type.HLL_8)

    def is_empty(self) -> bool:
        return bool(self.short.is_empty() and self.long.is_empty())

    def get_estimate(self) -> float:
        return float(self.short.get_estimate()) + float(self.long.get_estimate())

    def get_upper_bound(self, std_devs: int) -> float:
        return float(self.short.get_upper_bound(std_devs)) + float(
            self.long.get_upper_bound(std_devs)
        )

    def get_lower_bound(self, std_devs: int) -> float:
        return float(self.short.get_lower_bound(std_devs)) + float(
            self.long.get_lower_bound(std_devs)
        )

    def serialize_compact(self) -> bytes:
        short = self.short.serialize_compact()
        return (
            SPLIT_MAGIC
            + struct.pack("<I", len(short))
            + short
            + bytes(self.long.serialize_compact())
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> TextHll:
        """The sketches from :meth:`serialize_compact`, each checked."""
        from dataprof.profiling.sketch_checks import checked_hll

        head = len(SPLIT_MAGIC) + 4
        if not data.startswith(SPLIT_MAGIC) or len(data) < head:
            raise ValueError("text HLL: not a split sketch")
        (size,) = struct.unpack_from("<I", data, len(SPLIT_MAGIC))
        if len(data) < head + size:
            raise ValueError("text HLL: cut short")
        short = RegisterHll.from_bytes(data[head : head + size])
        return cls(short, checked_hll(data[head + size :], HLL_LG_K))


def _large(keys: pa.Array) -> pa.Array:
    """``keys`` with 64-bit offsets, as :func:`.hash_strings` reads them."""
    import pyarrow as pa

    if pa.types.is_string(keys.type):
        return keys.cast(pa.large_string())
    if pa.types.is_binary(keys.type):
        return keys.cast(pa.large_binary())
    return keys
