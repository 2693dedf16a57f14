"""Commands about sources and connectors: list them, test one, show a schema or a sample."""

from __future__ import annotations

import enum
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from dataprof.cli.options import (
    ConfigOption,
    DatabaseOption,
    ParamOption,
    SourceArgument,
    TableOption,
    TypeOption,
    resolve_named_source,
)
from dataprof.cli.output import EXIT_FAILED_CHECK, console, handle_errors
from dataprof.cli.profile_view import source_title
from dataprof.registry import get_connector, list_connectors

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["register"]


class SchemaFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"


class SampleFormat(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@handle_errors
def connectors() -> None:
    """List connectors: name, distribution, version, status. Imports no backend."""
    table = Table(title="dataprof connectors", title_justify="left")
    for header in ("name", "distribution", "version", "status", "detail"):
        table.add_column(header, overflow="fold")  # wrapped, never cut
    colours = {"available": "green", "loaded": "green", "failed": "red", "conflict": "red"}
    for info in list_connectors():
        colour = colours.get(info.status, "yellow")
        table.add_row(
            info.name,
            info.distribution or "-",
            info.version or "-",
            f"[{colour}]{info.status}[/]",
            info.detail or info.target,
        )
    console.print(table)


@handle_errors
def check_connection(
    source: SourceArgument = None,
    config: ConfigOption = None,
    source_type: TypeOption = None,
    param: ParamOption = None,
    database: DatabaseOption = None,
    table: TableOption = None,
) -> None:
    """Reach a source's table and count it (exit 1 on failure)."""
    cfg = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    ).config
    with get_connector(cfg) as connector:
        result = connector.test_connection()
    if result.success:
        console.print(f"[green]OK[/] {escape(result.message)}", highlight=False)
        return
    console.print(f"[red]FAILED[/] {escape(result.message)}", highlight=False)
    raise typer.Exit(EXIT_FAILED_CHECK)


@handle_errors
def schema(
    source: SourceArgument = None,
    config: ConfigOption = None,
    source_type: TypeOption = None,
    param: ParamOption = None,
    database: DatabaseOption = None,
    table: TableOption = None,
    output: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="table or json.")
    ] = SchemaFormat.TABLE,
    as_json: Annotated[
        bool, typer.Option("--json", hidden=True, help="Same as --format json (kept for scripts).")
    ] = False,
) -> None:
    """Show the columns of a source's table and their types."""
    cfg = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    ).config
    with get_connector(cfg) as connector:
        columns = connector.get_schema()
    if as_json or output is SchemaFormat.JSON:
        sys.stdout.write(json.dumps(columns, indent=2) + "\n")
        return
    # The title on its own line: a table's title wraps at the table's (narrow) width.
    title = source_title(cfg.source_type, cfg.name, cfg.database, cfg.table, console.width)
    console.print(Text(title, style="bold"), highlight=False)
    out = Table("column", "type")
    for name, type_name in columns.items():
        out.add_row(escape(name), escape(type_name))
    console.print(out)


@handle_errors
def sample(
    source: SourceArgument = None,
    config: ConfigOption = None,
    source_type: TypeOption = None,
    param: ParamOption = None,
    database: DatabaseOption = None,
    table: TableOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="Rows to show.")] = 20,
    output: Annotated[
        SampleFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = SampleFormat.TABLE,
) -> None:
    """Show the first rows of a table (table, CSV or JSON lines).

    In CSV and JSON, nested values (structs, lists, maps) are written as JSON text
    and binary values as base64."""
    cfg = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    ).config
    with get_connector(cfg) as connector:
        rows = connector.get_sample_arrow(limit)
    if output is SampleFormat.CSV:
        import pyarrow.csv as pacsv

        pacsv.write_csv(_flat_for_csv(rows), sys.stdout.buffer)
        return
    if output is SampleFormat.JSON:
        for record in rows.to_pylist():
            sys.stdout.write(json.dumps(record, default=_json_default) + "\n")
        return
    title = f"{cfg.qualified_table}: first {rows.num_rows} rows"
    records = [["" if v is None else str(v) for v in r.values()] for r in rows.to_pylist()]
    if _fits(rows.column_names, records, console.width):
        console.print(Text(title, style="bold"), highlight=False)
        out = Table(*rows.column_names)
        for record in records:
            out.add_row(*map(Text, record))
        console.print(out)
        return
    # Too many columns for the terminal: one block per row, a column per line.
    console.print(Text(title, style="bold"))
    for number, record in enumerate(records, 1):
        block = Table.grid(padding=(0, 2))
        block.add_column(no_wrap=True, style="dim")
        block.add_column(overflow="fold")
        for name, value in zip(rows.column_names, record, strict=True):
            block.add_row(Text(name), Text(value))
        console.print(Text(f"row {number}", style="bold"))
        console.print(Padding(block, (0, 0, 0, 2)))


def _fits(names: list[str], records: list[list[str]], width: int) -> bool:
    """Whether one row per line fits: each column as wide as its header and its values
    (up to 24 characters), plus the borders."""
    needed = 1
    for i, name in enumerate(names):
        longest = max([len(name), *(len(r[i]) for r in records)])
        needed += min(longest, 24) + 3
    return needed <= width


def _json_default(value: object) -> str:
    """JSON for what ``json`` can't write: bytes as base64, the rest (dates, decimals,
    times) as their ISO/plain text."""
    if isinstance(value, bytes | bytearray | memoryview):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat() if callable(isoformat) else value)


def _flat_for_csv(rows: pa.Table) -> pa.Table:
    """CSV holds flat values only: nested columns become JSON text, binary base64."""
    import pyarrow as pa
    import pyarrow.types as pat

    columns = []
    for column in rows.columns:
        kind = column.type
        if (
            pat.is_nested(kind)
            or pat.is_binary(kind)
            or pat.is_large_binary(kind)
            or (pat.is_fixed_size_binary(kind))
        ):
            texts = [
                None
                if value is None
                else (
                    _json_default(value)
                    if isinstance(value, bytes)
                    else json.dumps(value, default=_json_default)
                )
                for value in column.to_pylist()
            ]
            column = pa.chunked_array([pa.array(texts, type=pa.string())])
        columns.append(column)
    return pa.table(columns, names=rows.column_names)


def register(app: typer.Typer) -> None:
    app.command("connectors")(connectors)
    app.command("test-connection")(check_connection)
    app.command("schema")(schema)
    app.command("sample")(sample)
