"""Commands about sources and connectors: list them, test one, show a schema or a sample."""

from __future__ import annotations

import enum
import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

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
from dataprof.registry import get_connector, list_connectors

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
    table = Table(
        "name", "distribution", "version", "status", "detail", title="dataprof connectors"
    )
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
    """Reach the source's table and count it; exit 1 if that fails."""
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
    out = Table("column", "type", title=f"{cfg.label}: {cfg.qualified_table}")
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
    """Show the first rows of a source's table (as a table, CSV or JSON lines)."""
    cfg = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    ).config
    with get_connector(cfg) as connector:
        rows = connector.get_sample_arrow(limit)
    if output is SampleFormat.CSV:
        import pyarrow.csv as pacsv

        pacsv.write_csv(rows, sys.stdout.buffer)
        return
    if output is SampleFormat.JSON:
        for record in rows.to_pylist():
            sys.stdout.write(json.dumps(record, default=str) + "\n")
        return
    out = Table(
        *map(escape, rows.column_names), title=f"{cfg.qualified_table}: first {rows.num_rows} rows"
    )
    for record in rows.to_pylist():
        out.add_row(*("" if v is None else escape(str(v)) for v in record.values()))
    console.print(out)


def register(app: typer.Typer) -> None:
    app.command("connectors")(connectors)
    app.command("test-connection")(check_connection)
    app.command("schema")(schema)
    app.command("sample")(sample)
