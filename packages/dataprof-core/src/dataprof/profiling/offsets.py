"""A string or binary array's value offsets as numpy, whichever their width.

Text kernels here read values' bytes straight from Arrow's buffers (lengths, the
distinctness check, hashing, a table's bytes); the offsets are 32-bit for ``string``
and ``binary``, 64-bit for their large forms, and a sliced array starts ``offset``
entries in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["is_large", "value_offsets"]


def is_large(data_type: pa.DataType) -> bool:
    """``large_string`` or ``large_binary``: 64-bit offsets."""
    import pyarrow as pa

    return bool(pa.types.is_large_string(data_type) or pa.types.is_large_binary(data_type))


def value_offsets(arr: pa.Array) -> npt.NDArray[Any]:
    """The ``len(arr) + 1`` offsets of ``arr``'s values into its data buffer (a view)."""
    import numpy as np

    width = np.int64 if is_large(arr.type) else np.int32
    offsets: npt.NDArray[Any] = np.frombuffer(arr.buffers()[1], dtype=width)
    return offsets[arr.offset : arr.offset + len(arr) + 1]
