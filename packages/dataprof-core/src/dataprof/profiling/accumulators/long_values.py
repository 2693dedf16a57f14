"""Long text and binary values kept at a bounded size: a profile's size and the engine's
memory never depend on how long one value is, nor on how many bytes its characters take.

One 10 MiB string used to travel whole into min/max, top values, the counting
dictionary and the frequent-items sketch (and so into every stored run). Now every text
a profile shows or stores is at most :data:`MAX_TEXT_BYTES` bytes of UTF-8 (binary:
:data:`MAX_BINARY_BYTES` bytes, plus a digest in top values), cut at a character
boundary, never inside a character:

* **min and max** keep the longest prefix of at most :data:`MAX_TEXT_BYTES` bytes
  (:data:`MAX_BINARY_BYTES` bytes). A cut min is still a *lower bound* (a prefix sorts
  before the value); a cut max is replaced by the prefix with its last character
  bumped, an *upper bound*, as Iceberg does with its 16-character metadata bounds.
  Both are then labelled ``exact=False, error_kind="bound"``. A value at or under the
  limit is kept as is and stays exact. Cutting at a byte count does not keep the order
  of values the way cutting at a character count did (``"abcd"`` over 4 bytes stays
  whole while ``"abcé…"`` cuts to ``"abc"``), so the max is folded knowing that a cut
  value can be a prefix of a smaller whole one (:meth:`BoundedMinMax._fold`).
* **top values and sketch keys** show a text over :data:`MAX_TEXT_BYTES` bytes as its
  first characters (at most :data:`SHOWN_PREFIX_BYTES` bytes), ``…#`` and a 64-bit
  digest of the whole value, :data:`MAX_TEXT_BYTES` bytes in all (bytes: the first
  :data:`MAX_BINARY_BYTES` and the 8-byte digest), so values that share a prefix still
  show apart. A shown value is itself short enough to be shown as it is: past the
  exact-count budget the frequent-items sketch holds shown values, and the profile
  shows them unchanged, the same as the exact counts would have.
* **exact counting** keys values up to :data:`MAX_KEY_CHARS` characters
  (:data:`MAX_KEY_BYTES` bytes) whole, Arrow hashing them in C++, and longer ones the
  same way, cut at that length. Cutting every value over 128 characters meant a
  digest in Python per value, the slowest step of profiling free text; a value over
  4 KiB costs more to read than to digest, and the exact table is charged its keys'
  bytes against its budget, so memory stays bounded either way.

Figures computed elsewhere are cut the same way: an engine's SQL (pushdown) and file
metadata (Parquet statistics, Iceberg bounds in ``full`` metrics mode) give whole values,
shown through :func:`cut_bound` and :func:`shown_value`.

What a profile shows is always derived from the counting key (:func:`bounded_value`,
:func:`bounded_keys` for many at once, both giving the same text), so a value looks the
same whether it was counted exactly or past the budget.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import _MetricSet

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "MAX_BINARY_BYTES",
    "MAX_TEXT_BYTES",
    "BoundedMinMax",
    "bounded_keys",
    "bounded_value",
    "counting_keys",
    "cut_bound",
    "shown_value",
]

MAX_TEXT_BYTES = 128
"""UTF-8 bytes of any text a profile shows or stores (min/max, top values, sketch keys)."""
MAX_BINARY_BYTES = 64
"""Bytes of a binary value kept in min/max, top values and sketch keys."""
MAX_KEY_CHARS = 4096
"""Characters of a text value the exact counts key whole (longer ones: prefix and digest)."""
MAX_KEY_BYTES = 4096
"""Bytes of a binary value the exact counts key whole."""
TRUNCATION_MARK = "…#"
_DIGEST_BYTES = 8
SHOWN_PREFIX_BYTES = MAX_TEXT_BYTES - len(TRUNCATION_MARK.encode()) - 2 * _DIGEST_BYTES
"""UTF-8 bytes of a long text's prefix in top values and sketch keys (107): with the mark
and the hex digest, :data:`MAX_TEXT_BYTES` in all."""


def counting_keys(arr: pa.Array, *, binary: bool) -> pa.Array:
    """``arr`` (no nulls) as exact counting keys: values over 4 KiB (text: over
    :data:`MAX_KEY_CHARS` characters) cut to a prefix and a digest, the rest whole."""
    import pyarrow.compute as pc

    if binary:
        return _digested(arr, binary=True, limit=MAX_KEY_BYTES)
    lengths = pc.binary_length(arr)
    longest = pc.max(lengths).as_py()
    if longest is None or longest <= MAX_KEY_CHARS:
        return arr  # no value has more bytes, so none has more characters
    lengths = pc.utf8_length(arr)  # decodes UTF-8: only when some value may be long
    long_mask = pc.greater(lengths, MAX_KEY_CHARS)
    if not pc.any(long_mask).as_py():
        return arr
    long_values = pc.filter(arr, long_mask)
    prefixes = pc.utf8_slice_codeunits(long_values, 0, MAX_KEY_CHARS)
    return _with_digests(arr, long_mask, long_values, prefixes)


def bounded_keys(arr: pa.Array, *, binary: bool) -> pa.Array:
    """``arr`` (no nulls) as a profile shows it: every value over the shown length
    replaced by its prefix and digest, as :func:`bounded_value` does one value."""
    if binary:
        return _digested(arr, binary=True, limit=MAX_BINARY_BYTES)
    return _digested(arr, binary=False, limit=MAX_TEXT_BYTES)


def _digested(arr: pa.Array, *, binary: bool, limit: int) -> pa.Array:
    """Values over ``limit`` bytes as prefix and digest: binary, the first ``limit``
    bytes; text, the first characters within :data:`SHOWN_PREFIX_BYTES` bytes."""
    import pyarrow.compute as pc

    long_mask = pc.greater(pc.binary_length(arr), limit)
    if not pc.any(long_mask).as_py():
        return arr
    long_values = pc.filter(arr, long_mask)
    if binary:
        prefixes = pc.binary_slice(long_values, 0, limit)
    else:
        prefixes = utf8_prefixes(long_values, SHOWN_PREFIX_BYTES)
    return _with_digests(arr, long_mask, long_values, prefixes)


def _with_digests(
    arr: pa.Array, long_mask: pa.Array, long_values: pa.Array, prefixes: pa.Array
) -> pa.Array:
    """``arr`` with its long values replaced by prefix, (text: ``…#``) and digest.

    Prefixes are cut and joined in Arrow, digests taken over Arrow's own buffers: a
    long value is never copied into a Python object (one digest call per long value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digests = [_buffer_digest(v) for v in long_values]
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        hexes = pa.array([d.hex() for d in digests], arr.type)
        mark = pa.scalar(TRUNCATION_MARK, arr.type)
        keys = pc.binary_join_element_wise(prefixes.cast(arr.type), hexes, mark)
    else:
        empty = pa.scalar(b"", arr.type)
        keys = pc.binary_join_element_wise(
            prefixes.cast(arr.type), pa.array(digests, arr.type), empty
        )
    return pc.replace_with_mask(arr, long_mask, keys)


def utf8_prefixes(values: pa.Array, limit: int) -> pa.Array:
    """The longest prefix of at most ``limit`` bytes of each text in ``values`` (each
    longer than ``limit`` bytes) that ends on a character boundary, as large_string.

    Each value is cut at ``limit`` bytes in Arrow, then moved back over a trailing
    partial character: a UTF-8 continuation byte is ``0b10xxxxxx``, a character at most
    4 bytes, so the bytes at ``limit - 3 .. limit`` tell where the last whole character
    before ``limit`` ends."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(values)
    heads = pc.binary_slice(values.cast(pa.large_binary()), 0, limit + 1)
    offsets = np.frombuffer(heads.buffers()[1], np.int64)[heads.offset : heads.offset + count + 1]
    data = np.frombuffer(heads.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    block = data.reshape(count, limit + 1)  # every value has more than ``limit`` bytes
    continuation = (block[:, max(0, limit - 3) :] & 0xC0) == 0x80
    back = np.zeros(count, np.int64)  # continuation bytes from byte ``limit`` backwards
    run = np.ones(count, bool)
    for column in range(continuation.shape[1] - 1, -1, -1):
        run &= continuation[:, column]
        back += run
    ends = limit - back
    kept = block[np.arange(limit + 1) < ends[:, None]]
    new_offsets = np.zeros(count + 1, np.int64)
    np.cumsum(ends, out=new_offsets[1:])
    return pa.Array.from_buffers(
        pa.large_string(), count, [None, pa.py_buffer(new_offsets), pa.py_buffer(kept)]
    )


def bounded_value(value: Any) -> Any:
    """One text or bytes value as :func:`bounded_keys` renders it (other values as is).
    A shown value is shown as it is (it fits the limit)."""
    if isinstance(value, str):
        if len(value) * 4 <= MAX_TEXT_BYTES:
            return value
        data = value.encode("utf-8")
        if len(data) <= MAX_TEXT_BYTES:
            return value
        digest = hashlib.blake2b(data, digest_size=_DIGEST_BYTES)
        prefix = data[:SHOWN_PREFIX_BYTES].decode("utf-8", "ignore")  # drops a cut character
        return prefix + TRUNCATION_MARK + digest.hexdigest()
    if isinstance(value, bytes) and len(value) > MAX_BINARY_BYTES:
        digest = hashlib.blake2b(value, digest_size=_DIGEST_BYTES)
        return value[:MAX_BINARY_BYTES] + digest.digest()
    return value


def shown_value(value: Any) -> Any:
    """A text or bytes value counted elsewhere (an engine's SQL) as a scan shows it:
    through its counting key, so a value over 4 KiB shows the same digest either way."""
    if isinstance(value, str) and len(value) > MAX_KEY_CHARS:
        digest = hashlib.blake2b(value.encode("utf-8"), digest_size=_DIGEST_BYTES)
        value = value[:MAX_KEY_CHARS] + TRUNCATION_MARK + digest.hexdigest()
    elif isinstance(value, bytes) and len(value) > MAX_KEY_BYTES:
        value = value[:MAX_KEY_BYTES] + hashlib.blake2b(value, digest_size=_DIGEST_BYTES).digest()
    return bounded_value(value)


def cut_bound(value: Any, *, upper: bool) -> tuple[Any, bool]:
    """A min (``upper=False``) or max of text or bytes found elsewhere (an engine's SQL,
    file metadata) at the shown length, and whether it was cut: a cut min is its
    prefix, a cut max the prefix bumped (None when nothing can be bumped), as a scan's."""
    if not isinstance(value, str | bytes):
        return value, False
    cut, was_cut = _cut(value)
    if was_cut and upper:
        return (_upper_bytes(cut) if isinstance(cut, bytes) else _upper_text(cut)), True
    return cut, was_cut


def _buffer_digest(scalar: Any) -> bytes:
    """The digest of a string or binary scalar's bytes (UTF-8 for text)."""
    return hashlib.blake2b(scalar.as_buffer(), digest_size=_DIGEST_BYTES).digest()


def _cut(value: Any) -> tuple[Any, bool]:
    """``value`` cut to its shown length (text: at a character boundary), and whether
    it was cut."""
    if isinstance(value, bytes):
        return value[:MAX_BINARY_BYTES], len(value) > MAX_BINARY_BYTES
    if len(value) * 4 <= MAX_TEXT_BYTES:
        return value, False
    # The first limit + 1 characters hold more than ``limit`` bytes unless they are all
    # of the value: a long value is never encoded whole.
    head = value[: MAX_TEXT_BYTES + 1].encode("utf-8")
    if len(head) <= MAX_TEXT_BYTES:
        return value, False
    return head[:MAX_TEXT_BYTES].decode("utf-8", "ignore"), True


def _upper_text(prefix: str, limit: int = MAX_TEXT_BYTES) -> str | None:
    """The least string of at most ``limit`` UTF-8 bytes after every string starting
    with ``prefix``: its last character bumped (past the surrogates, which UTF-8 cannot
    hold), or, where that would take more bytes or pass U+10FFFF, the one before it;
    None when no character can be bumped."""
    chars = list(prefix)
    while chars:
        code = ord(chars.pop()) + 1
        if 0xD800 <= code <= 0xDFFF:
            code = 0xE000
        if code <= 0x10FFFF:
            upper = "".join(chars) + chr(code)
            if len(upper.encode("utf-8")) <= limit:
                return upper
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

    def _add_bounds(self, low: Any, high: Any) -> None:
        """Fold a batch's full min and max in (each cut to the limit)."""
        if low is None:
            return
        self._fold(*_cut(low), *_cut(high))

    def _fold(self, low: Any, low_cut: bool, high: Any, high_cut: bool) -> None:
        # A cut value stands for some longer value starting with it; a whole one for
        # itself. Min: the smaller wins (a prefix is smaller than what extends it; among
        # equals the true min is cut only if all are).
        if self.min is None or low < self.min:
            self.min, self.min_cut = low, low_cut
        elif low == self.min:
            self.min_cut = self.min_cut and low_cut
        # Max: a cut value that is a prefix of another may stand for the greater value,
        # so the max is then only known to start with that prefix (cut); a byte-count cut
        # makes this happen ("abcé…" cut to "abc", beside a whole "abcd").
        if self.max is None:
            self.max, self.max_cut = high, high_cut
        elif high == self.max:
            self.max_cut = self.max_cut or high_cut
        elif self.max_cut and high.startswith(self.max):
            pass
        elif high_cut and self.max.startswith(high):
            self.max, self.max_cut = high, True
        elif high > self.max:
            self.max, self.max_cut = high, high_cut

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
