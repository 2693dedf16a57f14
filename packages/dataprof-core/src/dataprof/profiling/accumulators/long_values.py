"""Long text and binary values kept at a bounded size: a profile's size and the engine's
memory never depend on how long one value is.

One 10 MiB string used to travel whole into min/max, top values, the counting
dictionary and the frequent-items sketch (and so into every stored run). Now:

* **min and max** keep the first :data:`MAX_TEXT_CHARS` characters
  (:data:`MAX_BINARY_BYTES` bytes). A cut min is still a *lower bound* (a prefix sorts
  before the value); a cut max is replaced by the prefix with its last character
  bumped, an *upper bound*, as Iceberg does with its 16-character metadata bounds.
  Both are then labelled ``exact=False, error_kind="bound"``. A value at or under the
  limit is kept as is and stays exact.
* **top values and sketch keys** show a long value as its first
  :data:`MAX_TEXT_CHARS` characters, ``…#`` and a 64-bit digest (bytes: the prefix
  and the 8-byte digest), so values that share a prefix still show apart and a key is
  at most ~150 bytes.
* **exact counting** keys values up to :data:`MAX_KEY_CHARS` characters
  (:data:`MAX_KEY_BYTES` bytes) whole, Arrow hashing them in C++, and longer ones the
  same way, cut at that length. Cutting every value over 128 characters meant a
  digest in Python per value, the slowest step of profiling free text; a value over
  4 KiB costs more to read than to digest, and the exact table is charged its keys'
  bytes against its budget, so memory stays bounded either way.

What a profile shows is always derived from the counting key (:func:`bounded_value`),
so a value looks the same whether it was counted exactly or past the budget.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import _MetricSet

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "MAX_BINARY_BYTES",
    "MAX_TEXT_CHARS",
    "BoundedMinMax",
    "bounded_keys",
    "bounded_value",
    "counting_keys",
]

MAX_TEXT_CHARS = 128
"""Characters of a text value kept in min/max, top values and sketch keys."""
MAX_BINARY_BYTES = 64
"""Bytes of a binary value kept in min/max, top values and sketch keys."""
MAX_KEY_CHARS = 4096
"""Characters of a text value the exact counts key whole (longer ones: prefix and digest)."""
MAX_KEY_BYTES = 4096
"""Bytes of a binary value the exact counts key whole."""
TRUNCATION_MARK = "…#"
_DIGEST_BYTES = 8


def counting_keys(arr: pa.Array, *, binary: bool) -> pa.Array:
    """``arr`` (no nulls) as exact counting keys: values over 4 KiB cut to a prefix
    and a digest, the rest whole."""
    return bounded_keys(arr, binary=binary, limit=MAX_KEY_BYTES if binary else MAX_KEY_CHARS)


def bounded_keys(arr: pa.Array, *, binary: bool, limit: int | None = None) -> pa.Array:
    """``arr`` (no nulls) with every value over ``limit`` (default: the shown length)
    replaced by its prefix and digest."""
    import pyarrow.compute as pc

    if limit is None:
        limit = MAX_BINARY_BYTES if binary else MAX_TEXT_CHARS
    lengths = pc.binary_length(arr)
    longest = pc.max(lengths).as_py()
    if longest is None or longest <= limit:
        return arr  # no value has more bytes, so none has more characters
    if not binary:
        lengths = pc.utf8_length(arr)  # decodes UTF-8: only when some value may be long
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= limit:
            return arr
    import pyarrow as pa

    long_mask = pc.greater(lengths, limit)
    long_values = pc.filter(arr, long_mask)
    # Prefixes cut in Arrow and digests over Arrow's own buffers: a long value is
    # never copied into a Python object.
    if binary:
        prefixes = pc.binary_slice(long_values, 0, limit).to_pylist()
        keys: list[Any] = [
            bytes(p) + _buffer_digest(v) for p, v in zip(prefixes, long_values, strict=True)
        ]
    else:
        prefixes = pc.utf8_slice_codeunits(long_values, 0, limit).to_pylist()
        keys = [
            p + TRUNCATION_MARK + _buffer_digest(v).hex()
            for p, v in zip(prefixes, long_values, strict=True)
        ]
    return pc.replace_with_mask(arr, long_mask, pa.array(keys, arr.type))


def bounded_value(value: Any) -> Any:
    """One text or bytes value as :func:`bounded_keys` renders it (other values as is)."""
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        digest = hashlib.blake2b(value.encode("utf-8"), digest_size=_DIGEST_BYTES)
        return value[:MAX_TEXT_CHARS] + TRUNCATION_MARK + digest.hexdigest()
    if isinstance(value, bytes) and len(value) > MAX_BINARY_BYTES:
        digest = hashlib.blake2b(value, digest_size=_DIGEST_BYTES)
        return value[:MAX_BINARY_BYTES] + digest.digest()
    return value


def _buffer_digest(scalar: Any) -> bytes:
    """The digest of a string or binary scalar's bytes (UTF-8 for text)."""
    return hashlib.blake2b(scalar.as_buffer(), digest_size=_DIGEST_BYTES).digest()


def _upper_text(prefix: str) -> str | None:
    """The least string after every string starting with ``prefix``, bumping its last
    character (past the surrogates, which UTF-8 cannot hold); None past U+10FFFF."""
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:
            code = 0xE000
        if code <= 0x10FFFF:
            chars[-1] = chr(code)
            return "".join(chars)
        chars.pop()
    return None


def _upper_bytes(prefix: bytes) -> bytes | None:
    data = bytearray(prefix)
    while data:
        if data[-1] < 0xFF:
            data[-1] += 1
            return bytes(data)
        data.pop()
    return None


class BoundedMinMax:
    """Min and max of text or bytes, cut at the limit, with whether each was cut."""

    min: Any
    max: Any
    min_cut: bool
    max_cut: bool

    def _init_bounds(self) -> None:
        self.min = None
        self.max = None
        self.min_cut = False
        self.max_cut = False

    @staticmethod
    def _limit_of(value: Any) -> int:
        return MAX_BINARY_BYTES if isinstance(value, bytes) else MAX_TEXT_CHARS

    def _add_bounds(self, low: Any, high: Any) -> None:
        """Fold a batch's full min and max in (each cut to the limit)."""
        if low is None:
            return
        limit = self._limit_of(low)
        self._fold(low[:limit], len(low) > limit, high[:limit], len(high) > limit)

    def _fold(self, low: Any, low_cut: bool, high: Any, high_cut: bool) -> None:
        # A prefix keeps the order (a < b => a[:n] <= b[:n]), so the min of the cut values
        # is the cut min. Among values sharing the smallest prefix the true min is cut only
        # if all are; the true max is cut if any is.
        if self.min is None or low < self.min:
            self.min, self.min_cut = low, low_cut
        elif low == self.min:
            self.min_cut = self.min_cut and low_cut
        if self.max is None or high > self.max:
            self.max, self.max_cut = high, high_cut
        elif high == self.max:
            self.max_cut = self.max_cut or high_cut

    def _merge_bounds(self, other: BoundedMinMax) -> None:
        if other.min is not None:
            self._fold(other.min, other.min_cut, other.max, other.max_cut)

    def _finalize_bounds(self, metrics: _MetricSet, flat: dict[str, Any]) -> None:
        binary = isinstance(self.min, bytes)

        def shown(value: Any) -> Any:
            return value.hex() if isinstance(value, bytes) else value

        if self.min_cut:
            flat["min_value"] = metrics.add("min", shown(self.min), exact=False, kind="bound")
        else:
            flat["min_value"] = metrics.add("min", shown(self.min))
        if self.max_cut:
            upper = _upper_bytes(self.max) if binary else _upper_text(self.max)
            flat["max_value"] = metrics.add("max", shown(upper), exact=False, kind="bound")
        else:
            flat["max_value"] = metrics.add("max", shown(self.max))
