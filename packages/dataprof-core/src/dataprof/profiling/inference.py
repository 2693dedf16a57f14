"""What a string column holds, judged from its content.

Regular expressions run through ``pyarrow.compute``. Where the engine holds the
column's exact value counts (every distinct value and how often it occurs, within
its memory budget) the patterns run over the distinct values once, at finalize,
weighted by their counts: the share is over *every* value and labelled exact, at
the cost of one pass over the distinct values, not the rows. Beyond that budget
the share comes from one value in ``INFER_STRIDE`` of every batch, so from the
whole table rather than its head, and is labelled a sample with its size
(``inferred_examined_count``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "INFER_EXACT_MAX_DISTINCT",
    "INFER_STRIDE",
    "MATCH_SHARE_THRESHOLD",
    "PATTERNS",
    "count_matches",
    "decide_string_type",
    "spread_slice",
]

INFER_STRIDE = 64
"""One value in this many is examined as rows arrive (1,024 of a 65,536-row batch), in
case exact counts are lost later."""
INFER_EXACT_MAX_DISTINCT = 1 << 18
"""Distinct values up to which the patterns run over all of them at finalize (exact)."""
MATCH_SHARE_THRESHOLD = 0.9
"""A pattern names the column when at least this share of examined values matches."""

# Order matters when shares tie: the most specific type wins.
PATTERNS: dict[str, str] = {
    "boolean": r"^(?i:true|false|yes|no|t|f|y|n)$",
    "integer": r"^[+-]?\d+$",
    "decimal": r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "timestamp": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$",
    "uuid": r"^(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "url": r"^(?i:https?|ftp|s3)://[^\s]+$",
    "json": r"^\s*(\{.*\}|\[.*\])\s*$",
}

CATEGORICAL_MAX_DISTINCT = 1_000
CATEGORICAL_MAX_RATIO = 0.5


def count_matches(values: pa.Array, weights: Any = None) -> dict[str, int]:
    """Per pattern, how many of ``values`` (non-null strings) match; each value counts
    ``weights[i]`` times when given (the distinct values and their counts)."""
    import numpy as np
    import pyarrow.compute as pc

    out: dict[str, int] = {}
    for name, pattern in PATTERNS.items():
        matched = pc.match_substring_regex(values, pattern)
        if weights is None:
            out[name] = int(pc.sum(matched).as_py() or 0)
        else:
            mask = matched.to_numpy(zero_copy_only=False)
            out[name] = int(np.asarray(weights, dtype=np.int64)[mask].sum())
    return out


def spread_slice(values: pa.Array, stride: int = INFER_STRIDE) -> pa.Array:
    """Every ``stride``-th of ``values``: the same share of every batch, whatever its size,
    so the examined values are spread over the table in proportion."""
    import numpy as np
    import pyarrow as pa

    if stride <= 1:
        return values
    return values.take(pa.array(np.arange(0, len(values), stride, dtype=np.int64)))


def decide_string_type(
    matches: dict[str, int], examined: int, distinct: int, valid: int
) -> tuple[str, float]:
    """(inferred type, share of examined values that fit it)."""
    if examined == 0 or valid == 0:
        return "string", 0.0
    # An integer-like column also matches `decimal` (and 0/1 nothing else): report the
    # narrowest pattern that still clears the threshold.
    for name in PATTERNS:
        share = matches.get(name, 0) / examined
        if share >= MATCH_SHARE_THRESHOLD:
            return name, share
    ratio = distinct / valid
    if distinct <= CATEGORICAL_MAX_DISTINCT and ratio <= CATEGORICAL_MAX_RATIO:
        return "categorical", 1.0
    return "free_text", 1.0
