"""64-bit hashes of a whole string or binary array at once, for the text HLL.

DataSketches' HLL takes one Python call and one Python string a value: 0.22 us for a
113-byte sentence (1.1 s of the benchmark's five million comments), and the numpy
polynomial over bytes this replaces cost more still past ~64 bytes (it widened every
byte to 64 bits). Here the bytes are read eight at a time, as 64-bit words:

* Arrow's ``ascii_rpad`` (byte-wise, whatever the encoding) copies a batch's values
  into rows of equal width padded with zero bytes (the longest value's, or when the
  lengths differ widely, each group of similar lengths its own), so the values are a
  numpy matrix of words, one row a value;
* each word is folded (``w ^ w >> 32``), multiplied by an odd constant of its
  position in the value, folded again (``>> 29``), and a row's words are summed,
  weighted by a second set of odd constants (one matrix-vector product). Each step
  is a bijection of a word, so values differing in one word always hash apart; the
  folds carry a difference in a word's high bits down to where the next multiply
  spreads it (a product's low bits see only the factors' low bits). Without them,
  65,536 values differing in bytes 7 and 15 had 10,800 distinct hashes;
* that sum, plus the value's byte length times another constant (``"a"`` and ``"a\\0"``
  pad to the same words), goes through SplitMix64's finalizer (:func:`.hash_words`).

A zero word adds nothing, so a value's hash does not depend on the width its group
was padded to, nor on where it sits in a buffer: the same bytes hash alike in any
batch, part or process, string or binary, 32- or 64-bit offsets. Measured on the
benchmark's five million comments: 0.44 s against DataSketches' 1.1 s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.offsets import is_large, value_offsets
from dataprof.profiling.register_hll import hash_words

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["hash_text"]

_WIDTHS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
"""Group widths in words: a value pads to the first width that holds it (at most a
third more words than it has); longer values pad to a multiple of the last."""
_FOLD = 29
_BLOCK_WORDS = 32_768
_SINGLE_WIDTH_WASTE = 2
"""A batch pads to its longest value when that costs at most this many times its words
(the benchmark's comments: 1.7x, 0.44 s against 0.60 s grouped); else values pad to
the width of their group (:data:`_WIDTHS`)."""
_MULTIPLIER_SEEDS = (
    (0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93),
    (0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9),
)
_LENGTH_MIX = 0x94D049BB133111EB
_SEED = 0x2545F4914F6CDD1D  # so that the empty value's hash is not 0
_MASK = (1 << 64) - 1
_constants: Any = None


def _position_constants(words: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Two odd 64-bit multipliers for each word position, fixed forever (hashes are
    merged across processes and runs), cached and grown as needed."""
    import numpy as np

    global _constants
    if _constants is None or len(_constants[0]) < words:
        size = max(words, 256)
        _constants = tuple(
            np.array([(a * (2 * k + 1) ^ b) & _MASK | 1 for k in range(size)], dtype=np.uint64)
            for a, b in _MULTIPLIER_SEEDS
        )
    inner, outer = _constants
    return inner[:words], outer[:words]


def _group_widths(words: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Each value's group width (in words), from its word count."""
    import numpy as np

    longest = int(words.max())
    table = np.array(list(_WIDTHS), dtype=np.int64)
    if longest > _WIDTHS[-1]:
        step = _WIDTHS[-1]
        table = np.concatenate([table, np.arange(2 * step, longest + step, step)])
    # for each word count, the first width that holds it
    lookup = table[np.searchsorted(table, np.arange(longest + 1))]
    return lookup[words]  # type: ignore[no-any-return]


def hash_text(arr: pa.Array) -> npt.NDArray[Any]:
    """64-bit hashes of a string, large string, binary or large binary array's values
    (no nulls), equal exactly when the bytes are (up to 64-bit collisions)."""
    import numpy as np
    import pyarrow as pa

    n = len(arr)
    if not n:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.diff(value_offsets(arr)).astype(np.int64)
    text = arr.view(pa.large_string() if is_large(arr.type) else pa.string())  # rpad reads bytes
    words = (lengths + 7) >> 3
    longest = int(words.max())
    if n * longest <= _SINGLE_WIDTH_WASTE * int(words.sum()) + n:
        # one width for the whole batch: padding costs less than grouping (a take)
        sums = _row_sums(text, longest) if longest else np.zeros(n, dtype=np.uint64)
    else:
        sums = _grouped_row_sums(text, _group_widths(words))
    sums += lengths.astype(np.uint64) * np.uint64(_LENGTH_MIX) + np.uint64(_SEED)
    return hash_words(sums)


def _grouped_row_sums(text: pa.Array, widths: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """:func:`_row_sums` of values of very different lengths: one take puts each width's
    values together, then each group is one slice padded to its width."""
    import numpy as np
    import pyarrow as pa

    n = len(text)
    keys = widths.astype(np.uint16) if int(widths.max()) < 2**16 else widths  # radix sort
    order = np.argsort(keys, kind="stable")
    grouped = text.take(pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(order)]))
    ordered = widths[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]).tolist()
    sums = np.zeros(n, dtype=np.uint64)
    for start, end in zip(starts, [*starts[1:], n], strict=True):
        width = int(ordered[start])
        if width:
            sums[order[start:end]] = _row_sums(grouped.slice(start, end - start), width)
    return sums


def _row_sums(text: pa.Array, width: int) -> npt.NDArray[Any]:
    """Each value's mixed words (values of at most ``width`` words, zero-padded to it)
    weighted by their positions' constants and summed."""
    import numpy as np
    import pyarrow.compute as pc

    u32, fold = np.uint64(32), np.uint64(_FOLD)
    padded = pc.ascii_rpad(text, width=8 * width, padding="\0")
    first = int(value_offsets(padded)[0])
    size = len(padded) * 8 * width
    data = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[first : first + size]
    if first % 8:
        data = data.copy()
    words = data.view(np.uint64).reshape(len(padded), width)
    inner, outer = _position_constants(width)
    sums = np.empty(len(words), dtype=np.uint64)
    # In blocks of about 256 KiB, so that each step's temporaries stay in the cache:
    # 1.6x faster than whole-matrix steps on the benchmark's comments.
    rows = max(1, _BLOCK_WORDS // width)
    scratch = np.empty((min(rows, len(words)), width), dtype=np.uint64)
    folded = np.empty_like(scratch)
    for start in range(0, len(words), rows):
        block = words[start : start + rows]
        mixed, high = scratch[: len(block)], folded[: len(block)]
        np.right_shift(block, u32, out=mixed)
        np.bitwise_xor(mixed, block, out=mixed)
        np.multiply(mixed, inner, out=mixed)
        np.right_shift(mixed, fold, out=high)
        np.bitwise_xor(mixed, high, out=mixed)
        np.matmul(mixed, outer, out=sums[start : start + len(block)])
    return sums
