"""A HyperLogLog updated a whole numpy array at a time, for numbers past the exact budget.

DataSketches' HLL takes one value per Python call: past the exact-count budget a
column of five million distinct numbers cost five million calls, the slowest step
of profiling a long table. Numbers have fixed-width bits, so numpy can hash a
batch at once (the SplitMix64 finalizer, a bijection of 64-bit words with full
avalanche) and fold it into 2**14 one-byte registers with ``np.maximum.at``.

The estimate is Ertl's improved raw estimator ("New cardinality estimation
algorithms for HyperLogLog sketches", 2017), accurate from one value to far past
2**50 without bias tables; its relative standard error is 1.04/sqrt(2**14), about
0.81%. Merging is the registers' maximum, so a column's estimate is the same
however the table was split, in whatever order the parts merged.

Hashing variable-length strings in numpy (:func:`hash_strings`) beats DataSketches'
per-value calls only for short strings (0.12 s against 0.15 s for a million 11-byte
ids, 0.75 s against 0.23 s for a million 190-byte sentences), so text's sketch
(:class:`.TextHll`) hashes values of up to 64 bytes here and leaves longer ones to
DataSketches.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["MAGIC", "RegisterHll", "hash_strings", "hash_words"]

MAGIC = b"DPHLL1"
_LG_K = 14
_M = 1 << _LG_K
_Q = 64 - _LG_K  # bits left for the rank
_LOW_MASK = (1 << _Q) - 1
_RELATIVE_ERROR = 1.04 / math.sqrt(_M)


def hash_words(words: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """SplitMix64's finalizer over 64-bit words (any 8-byte dtype, viewed as uint64)."""
    import numpy as np

    x = np.ascontiguousarray(words).view(np.uint64).copy()
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_CHUNK_BYTES = 1 << 20
_powers: Any = None


def _power_tables(size: int) -> tuple[Any, Any]:
    """BASE**i and BASE**-i modulo 2**64 for i < size (cached; uint64 arithmetic wraps)."""
    import numpy as np

    global _powers
    if _powers is None or len(_powers[0]) < size:
        n = max(size, _CHUNK_BYTES + 8192)
        up = np.full(n, _BASE, dtype=np.uint64)
        up[0] = 1
        down = np.full(n, pow(_BASE, -1, 2**64), dtype=np.uint64)
        down[0] = 1
        _powers = (np.cumprod(up), np.cumprod(down))
    return _powers  # type: ignore[no-any-return]


def hash_strings(arr: Any) -> npt.NDArray[Any]:
    """64-bit hashes of a large string or binary array's values (no nulls): a
    polynomial over each value's bytes, computed for all values at once from prefix
    sums (its modular inverse removes a value's position), its length mixed in,
    then :func:`hash_words`. Time goes with the bytes, a chunk of ~1 MiB at a time."""
    import numpy as np

    n = len(arr)
    out = np.empty(n, dtype=np.uint64)
    if not n:
        return out
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    buffer = arr.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    i = 0
    while i < n:
        j = int(np.searchsorted(offsets, offsets[i] + _CHUNK_BYTES, side="right")) - 1
        j = min(n, max(j, i + 1))
        first, last = int(offsets[i]), int(offsets[j])
        up, down = _power_tables(last - first + 1)
        weighted = data[first:last].astype(np.uint64) * up[: last - first]
        prefix = np.zeros(last - first + 1, dtype=np.uint64)
        np.cumsum(weighted, out=prefix[1:])
        starts = offsets[i:j] - first
        ends = offsets[i + 1 : j + 1] - first
        lengths = (ends - starts).astype(np.uint64)
        out[i:j] = (prefix[ends] - prefix[starts]) * down[starts] ^ lengths * np.uint64(
            0x9E3779B97F4A7C15
        )
        i = j
    return hash_words(out)


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if z == previous:
            return z


def _tau(x: float) -> float:
    if x in (0.0, 1.0):
        return 0.0
    y, z = 1.0, 1.0 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == previous:
            return z / 3.0


class RegisterHll:
    """2**14 HLL registers in a numpy array; the interface of the DataSketches HLL the
    value counter uses (estimate, bounds, emptiness, bytes)."""

    def __init__(self, registers: npt.NDArray[Any] | None = None) -> None:
        import numpy as np

        self.registers = registers if registers is not None else np.zeros(_M, dtype=np.uint8)

    def update_hashes(self, hashes: npt.NDArray[Any]) -> None:
        """Fold 64-bit hashes in: the top 14 bits pick a register, the rest give a rank."""
        import numpy as np

        if not len(hashes):
            return
        index = (hashes >> np.uint64(_Q)).astype(np.intp)
        low = (hashes & np.uint64(_LOW_MASK)).astype(np.float64)  # < 2**50: exact
        # rank = leading zeros in the low 50 bits + 1; frexp's exponent is floor(log2)+1
        _, exponent = np.frexp(low)
        rank = (_Q + 1 - exponent).astype(np.uint8)
        np.maximum.at(self.registers, index, rank)

    def merge(self, other: RegisterHll) -> None:
        import numpy as np

        np.maximum(self.registers, other.registers, out=self.registers)

    def is_empty(self) -> bool:
        return not bool(self.registers.any())

    def get_estimate(self) -> float:
        import numpy as np

        counts = np.bincount(self.registers, minlength=_Q + 2).tolist()
        z = _M * _tau(1.0 - counts[_Q + 1] / _M)
        for k in range(_Q, 0, -1):
            z = 0.5 * (z + counts[k])
        z += _M * _sigma(counts[0] / _M)
        return _M * _M / (2.0 * math.log(2.0) * z)

    def get_upper_bound(self, std_devs: int) -> float:
        return self.get_estimate() * (1.0 + std_devs * _RELATIVE_ERROR)

    def get_lower_bound(self, std_devs: int) -> float:
        return self.get_estimate() * max(0.0, 1.0 - std_devs * _RELATIVE_ERROR)

    def serialize_compact(self) -> bytes:
        return MAGIC + self.registers.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> RegisterHll:
        """Registers from :meth:`serialize_compact`, checked: the size, and every rank
        one a 64-bit hash can have."""
        import numpy as np

        if not data.startswith(MAGIC) or len(data) != len(MAGIC) + _M:
            raise ValueError(f"HLL registers: expected {len(MAGIC) + _M} bytes, got {len(data)}")
        registers = np.frombuffer(data[len(MAGIC) :], dtype=np.uint8).copy()
        if int(registers.max()) > _Q + 1:
            raise ValueError(f"HLL registers: a rank above {_Q + 1}")
        return cls(registers)
