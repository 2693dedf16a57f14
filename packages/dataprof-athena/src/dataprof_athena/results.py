"""Athena's query results as Arrow record batches, streamed.

A query writes ``<OutputLocation>/<query id>.csv``: a header row, then one line per
row, every value in double quotes and a NULL as an empty unquoted field. pyarrow's
CSV reader decodes it in C++ straight into the wanted types; three of its defaults
must change for that to be faithful (a row that is one NULL is a blank line, which
is kept, not skipped; an unquoted empty field is NULL; ``""`` is the empty string).
Nested columns arrive as JSON text (the reader asks for ``CAST(... AS JSON)``) and
are decoded into their Arrow type batch by batch; binary arrives as hex.

Work groups with managed query results have no file: their rows are paged with
``GetQueryResults`` and written back into the same CSV form, so both paths share one
decoder.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from dataprof_athena.athena_types import is_nested

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CSV_BLOCK_BYTES", "csv_batches", "rows_as_csv"]

CSV_BLOCK_BYTES = 4 * 1024 * 1024
"""pyarrow CSV block size: one batch of about this many bytes of text at a time."""


def _wire_type(data_type: pa.DataType) -> pa.DataType:
    """What the CSV reader converts a column to before any decoding of our own."""
    import pyarrow as pa

    if is_nested(data_type) or pa.types.is_binary(data_type) or pa.types.is_large_binary(data_type):
        return pa.string()
    if pa.types.is_timestamp(data_type) and data_type.tz is not None:
        return pa.string()
    if pa.types.is_time(data_type):
        return pa.string()
    return data_type


def csv_batches(stream: Any, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Decode an Athena result CSV (a readable binary stream) into batches of ``schema``.

    The header row is skipped, not trusted: result columns are named by position.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(len(schema))]
    wire = {n: _wire_type(f.type) for n, f in zip(names, schema, strict=True)}
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=CSV_BLOCK_BYTES, use_threads=True
        ),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=wire,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            null_values=[""],
            true_values=["true"],
            false_values=["false"],
            timestamp_parsers=[pacsv.ISO8601],
        ),
    )
    for batch in reader:
        if batch.num_rows or len(schema) == 0:
            yield pa.RecordBatch.from_arrays(
                [_decode(batch.column(i), field.type) for i, field in enumerate(schema)],
                schema=schema,
            )


def _decode(arr: pa.Array, data_type: pa.DataType) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    if arr.type == data_type:
        return arr
    if pa.types.is_binary(data_type) or pa.types.is_large_binary(data_type):
        return pa.array(
            [None if v is None else bytes.fromhex(v) for v in arr.to_pylist()], data_type
        )
    if is_nested(data_type):
        return pa.array(
            [None if v is None else _from_json(json.loads(v), data_type) for v in arr.to_pylist()],
            data_type,
        )
    if pa.types.is_timestamp(data_type) and data_type.tz is not None:
        # "2024-01-01 12:00:00.000 UTC": the zone is the last word
        bare = pc.replace_substring_regex(arr, r"\s+(UTC|Z|\+00:00)$", "")
        return pc.cast(bare, pa.timestamp(data_type.unit)).cast(data_type)
    return pc.cast(arr, data_type)


def _from_json(value: Any, data_type: pa.DataType) -> Any:
    """A decoded JSON value shaped for ``pa.array(..., data_type)``."""
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_struct(data_type):
        fields = list(data_type)
        if isinstance(value, list):  # Trino renders an unnamed ROW as an array
            value = {f.name: v for f, v in zip(fields, value, strict=False)}
        return {f.name: _from_json(value.get(f.name), f.type) for f in fields}
    if pa.types.is_map(data_type):
        key_type, item_type = data_type.key_type, data_type.item_type
        return [
            (_from_json(_key(k, key_type), key_type), _from_json(v, item_type))
            for k, v in value.items()
        ]
    if pa.types.is_list(data_type):
        return [_from_json(v, data_type.value_type) for v in value]
    if pa.types.is_decimal(data_type):
        from decimal import Decimal

        return Decimal(str(value))
    if pa.types.is_binary(data_type):
        return bytes.fromhex(str(value))
    if pa.types.is_timestamp(data_type) or pa.types.is_date(data_type):
        return pa.scalar(str(value)).cast(data_type).as_py()
    return value


def _key(text: str, key_type: pa.DataType) -> Any:
    """JSON object keys are text; a map's keys may be numbers."""
    import pyarrow as pa

    if pa.types.is_integer(key_type):
        return int(text)
    if pa.types.is_floating(key_type):
        return float(text)
    return text


def rows_as_csv(header: Sequence[str], rows: Iterable[list[str | None]]) -> io.BytesIO:
    """Rows of text values (None for NULL) as Athena writes its result CSV."""
    out = io.StringIO()
    lines: Iterable[list[str | None]] = [list(header), *rows] if header else rows
    for row in lines:
        out.write(",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row))
        out.write("\n")
    return io.BytesIO(out.getvalue().encode())
