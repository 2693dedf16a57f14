"""What the ``file`` connector must guess about text files before Arrow can read them.

A CSV exported by a European spreadsheet is separated by ``;``, one from a database
often by ``|`` or a tab; read with a comma, each becomes one column named ``a;b``
and profiles without an error. A ``.json`` file is as often one array of objects
as JSON Lines. Both guesses are cheap (the first 64 KiB of the first file) and the
connector reports what it decided, so a wrong guess is visible and overridable.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SNIFFED_DELIMITERS", "is_json_array", "read_json_array", "sniff_delimiter"]

SNIFFED_DELIMITERS = ",;\t|"
_HEAD_BYTES = 64 * 1024


def _head(path: str) -> str:
    with open(path, "rb") as handle:
        return handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")


def sniff_delimiter(path: str) -> str:
    """The delimiter among ``, ; tab |`` that splits the file's first lines into the
    same number of fields; a comma when none does (or the file has one column)."""
    head = _head(path)
    lines = head.splitlines()
    if len(lines) > 1 and not head.endswith("\n"):
        lines = lines[:-1]  # the last line may be cut off by the read limit
    sample = "\n".join(lines[:50])
    if not sample:
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters=SNIFFED_DELIMITERS).delimiter
    except csv.Error:
        return ","


def is_json_array(path: str) -> bool:
    """True when the file's first non-blank character opens a JSON array."""
    return _head(path).lstrip("\ufeff \t\r\n")[:1] == "["


def read_json_array(path: str) -> pa.Table:
    """A file holding one JSON array of objects, as a table (read whole: such a file
    has no line structure to stream)."""
    import json

    import pyarrow as pa

    with open(path, encoding="utf-8") as handle:
        records = json.load(handle)
    if not all(isinstance(r, dict) for r in records):
        raise ValueError("the JSON array holds values that are not objects (rows)")
    return pa.Table.from_pylist(records)
