"""One ``GetStatementResult`` page (``Records`` of ``Field`` unions) as an Arrow batch.

A page arrives row by row as JSON; the work here is column by column: one list
comprehension pulls a column's member (``longValue``, ``stringValue``...) out of
every row, Arrow builds the array, and text that stands for a typed value (numeric,
dates, timestamps) is parsed by one vectorized cast. A null is a ``Field`` holding
``isNull`` only, so the member lookup returns None for it and Arrow marks it null.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from dataprof.errors import ConnectorError
from dataprof_redshift.type_names import ColumnType

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["UndecodableValueError", "decode_page", "undecodable"]


class UndecodableValueError(ValueError):
    """A value Redshift sent that the column's Arrow type cannot hold (a timestamp of
    ``infinity``, a date before year 1); ``column`` names it, ``value`` shows one."""

    def __init__(self, column: str, type_name: str, value: object) -> None:
        self.column = column
        self.value = value
        super().__init__(
            f"column {column!r} ({type_name}) holds {value!r}, which Arrow cannot represent"
        )


def decode_page(
    records: Sequence[Sequence[dict[str, Any]]], columns: Sequence[ColumnType], schema: pa.Schema
) -> pa.RecordBatch:
    """The rows of one page as a batch of ``schema`` (one field per entry of ``columns``)."""
    import pyarrow as pa

    if not records:
        return pa.RecordBatch.from_pylist([], schema=schema)
    # One transpose in C, then one C-level lookup per cell (map over dict.get).
    by_column = list(zip(*records, strict=True))
    arrays = []
    for cells, column, field in zip(by_column, columns, schema, strict=True):
        try:
            arrays.append(_decode_column(cells, column))
        except (ValueError, TypeError, ArithmeticError, NotImplementedError):
            raise UndecodableValueError(
                field.name, column.declared, _culprit(cells, column)
            ) from None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def undecodable(exc: UndecodableValueError, where: dict[str, str]) -> ConnectorError:
    """The error a caller sees for a value Arrow cannot hold."""
    return ConnectorError(
        f"Cannot read Redshift's result: {exc}",
        **where,
        hint="leave the column out (--columns), or filter such values out in a view; "
        "Redshift itself can still profile the other columns",
    )


def _culprit(cells: Sequence[dict[str, Any]], column: ColumnType) -> object:
    """The first cell that will not decode on its own (for the message)."""
    for cell in cells:
        try:
            _decode_column([cell], column)
        except (ValueError, TypeError, ArithmeticError, NotImplementedError):
            return next(iter(cell.values()), None)
    return None


def _decode_column(cells: Sequence[dict[str, Any]], column: ColumnType) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    member = column.field
    values = list(map(dict.get, cells, repeat(member)))
    if member == "longValue":
        return pa.array(values, pa.int64()).cast(column.arrow)
    if member == "doubleValue":
        # A float column's NaN and infinities may come as text; read them as floats.
        if any(isinstance(v, str) for v in values):
            values = [_float(cell) for cell in cells]
        return pa.array(values, pa.float64()).cast(column.arrow)
    if member == "booleanValue":
        return pa.array(values, pa.bool_())
    text = pa.array(values, pa.string())
    how = column.parse
    if how == "cast":
        return text.cast(column.arrow)
    if how == "time":
        # Arrow has no cast from text to time of day; go through a timestamp on day zero.
        stamped = pc.binary_join_element_wise("1970-01-01 ", text, "")
        return stamped.cast(pa.timestamp("us")).cast(column.arrow)
    return text


def _float(cell: dict[str, Any]) -> float | None:
    if "doubleValue" in cell:
        return float(cell["doubleValue"])
    text = cell.get("stringValue")
    return None if text is None else float(text)
