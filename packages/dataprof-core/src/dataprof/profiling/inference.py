"""What a string column holds, judged from its content.

Regular expressions run through ``pyarrow.compute`` on a bounded slice of each
batch (``INFER_PER_BATCH`` values, at most ``INFER_MAX_VALUES`` per partial state),
so inference costs the same on a billion rows as on a million. The share of
matching values is therefore exact only when every value was examined; the
metric says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "INFER_MAX_VALUES",
    "INFER_PER_BATCH",
    "MATCH_SHARE_THRESHOLD",
    "PATTERNS",
    "count_matches",
    "decide_string_type",
]

INFER_PER_BATCH = 1_024
INFER_MAX_VALUES = 32_768
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


def count_matches(values: pa.Array) -> dict[str, int]:
    """Per pattern, how many of ``values`` (non-null strings) match."""
    import pyarrow.compute as pc

    out: dict[str, int] = {}
    for name, pattern in PATTERNS.items():
        matched = pc.sum(pc.match_substring_regex(values, pattern)).as_py()
        out[name] = int(matched or 0)
    return out


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
