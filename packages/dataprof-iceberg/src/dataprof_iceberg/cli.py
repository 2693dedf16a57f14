"""``dataprof demo``: the command dataprof-iceberg adds to the core CLI.

Registered through the entry-point group ``dataprof.commands``; the core CLI
imports this module on every start, so it imports PyIceberg and numpy only when
the command runs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["demo", "register"]

# About 2.5% of the trips are deleted as test rides: the table keeps over a million.
DEMO_ROWS = 1_030_000


def demo(
    path: Annotated[
        Path, typer.Option("--path", help="folder for the catalog and the warehouse")
    ] = Path("dataprof-demo"),
    rows: Annotated[
        int, typer.Option("--rows", min=100, help="rows to generate before the delete")
    ] = DEMO_ROWS,
    config: Annotated[
        Path, typer.Option("--config", help="config file to add the `demo` source to")
    ] = Path("dataprof.toml"),
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same rows)")] = 7,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="replace the table if it exists (new history)")
    ] = False,
) -> None:
    """Create a local Iceberg warehouse with a realistic sample table (demo.trips) and add
    it to dataprof.toml as the source `demo`, so `dataprof profile demo` runs offline."""
    from rich.console import Console

    from dataprof.cli.output import step
    from dataprof_iceberg.demo import (
        create_demo_warehouse,
        existing_demo_warehouse,
        write_source_config,
    )

    console = Console()
    started = time.perf_counter()
    found = existing_demo_warehouse(path)
    if found is not None and not rebuild:
        warehouse = found
        write_source_config(config, warehouse)
        console.print(
            f"Kept the existing [bold]{warehouse.namespace}.{warehouse.table}[/] "
            f"({warehouse.rows:,} rows, {len(warehouse.snapshot_ids)} snapshots); "
            "`dataprof demo --rebuild` replaces it",
            highlight=False,
        )
    else:
        with step(f"Writing {rows:,} trips into an Iceberg table under {path}"):
            warehouse = create_demo_warehouse(path, rows, seed=seed)
        write_source_config(config, warehouse)
        elapsed = time.perf_counter() - started
        console.print(
            f"{'Rebuilt' if found is not None else 'Created'} "
            f"[bold]{warehouse.namespace}.{warehouse.table}[/] with {warehouse.rows:,} rows "
            f"in {len(warehouse.snapshot_ids)} snapshots ({elapsed:.1f} s)",
            highlight=False,
        )
    console.print(f"  catalog:   {warehouse.catalog_uri}", highlight=False, markup=False)
    console.print(f"  warehouse: {warehouse.warehouse}", highlight=False, markup=False)
    console.print(f"  source `demo` written to {config.resolve()}", highlight=False, markup=False)
    console.print("Next: dataprof profile demo", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add this package's commands to the ``dataprof`` app."""
    app.command("demo")(demo)
