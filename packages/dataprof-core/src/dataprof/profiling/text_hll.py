"""The distinct count of text and bytes past their budget: HLL registers fed whole arrays.

Values are hashed a batch at a time by :func:`.hash_text` (numpy over 64-bit words)
and folded into the registers of a :class:`.RegisterHll`; DataSketches' HLL would
take one Python call and one Python string a value, twice the time on the
benchmark's free text. The class is its own so that its bytes say which hash filled
them: a text sketch and a number sketch never merge, and a state written with the
hash before this one (short values by a byte polynomial, long ones by DataSketches)
is refused rather than merged with hashes that do not match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataprof.profiling.register_hll import RegisterHll
from dataprof.profiling.text_hash import hash_text

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["TEXT_MAGIC", "TextHll"]

TEXT_MAGIC = b"DPTHLL2"


class TextHll(RegisterHll):
    """HLL registers of :func:`.hash_text` hashes."""

    magic = TEXT_MAGIC

    def update_keys(self, keys: pa.Array) -> None:
        """Add a string or binary array's values (no nulls)."""
        if len(keys):
            self.update_hashes(hash_text(keys))
