"""The embedded default: `dataprof demo` and the generator behind it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import typer
from typer.testing import CliRunner

from dataprof import get_connector
from dataprof.sources import load_sources
from dataprof_iceberg.cli import register
from dataprof_iceberg.demo import create_demo_warehouse, generate_trips


def _without_nan(table: pa.Table) -> pa.Table:
    """NaN != NaN would make two identical tables unequal."""
    distance = table.column("distance_km")
    filled = pc.if_else(pc.is_nan(distance), -1.0, distance)
    return table.set_column(table.schema.get_field_index("distance_km"), "distance_km", filled)


def test_generator_is_deterministic_and_realistic() -> None:
    first = generate_trips(3000, seed=3, month=1)
    assert _without_nan(first).equals(_without_nan(generate_trips(3000, seed=3, month=1)))
    assert not _without_nan(first).equals(_without_nan(generate_trips(3000, seed=4, month=1)))
    assert pc.sum(pc.is_nan(first.column("distance_km"))).as_py() >= 0  # NaN is allowed
    schema = first.schema
    assert pa.types.is_decimal(schema.field("fare_amount").type)
    assert schema.field("pickup_at").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_date32(schema.field("pickup_date").type)
    assert pa.types.is_struct(schema.field("pickup_location").type)
    assert first.column("tip_amount").null_count > 0
    assert first.column("notes").null_count > 0.9 * first.num_rows
    distinct = {
        name: len(pc.unique(first.column(name)))
        for name in ("vendor", "payment_type", "pickup_zone", "driver_id")
    }
    assert distinct["vendor"] == 4
    assert distinct["vendor"] < distinct["payment_type"] < distinct["pickup_zone"]
    assert distinct["pickup_zone"] < distinct["driver_id"]


def test_demo_warehouse_has_snapshots_evolution_and_a_delete(tmp_path: Path) -> None:
    demo = create_demo_warehouse(tmp_path / "demo", rows=4000)
    assert (tmp_path / "demo" / "catalog.db").is_file()
    assert len(demo.snapshot_ids) >= 5
    config = {
        "source_type": "iceberg",
        "database": demo.namespace,
        "table": demo.table,
        "connection_params": demo.connection_params,
    }
    from dataprof import DataSourceConfig

    with get_connector(DataSourceConfig.model_validate(config)) as connector:
        schema = connector.get_schema()
        assert schema["rating"] == "int"  # added by the evolution
        assert "driver_notes" in schema  # renamed by it
        assert "notes" not in schema
        assert schema["pickup_location"] == "struct<lat: double, lon: double>"
        assert connector.get_row_count() == demo.rows < 4000  # the delete removed rows
        stats = connector.get_column_statistics()
        assert stats.data_file_count >= 4
        first_pickup = stats.columns["pickup_at"].lower_bound
        assert (first_pickup.day, first_pickup.month) >= (4, 1)  # days 1-3 deleted
    first = demo.snapshot_ids[0]
    with get_connector(
        DataSourceConfig.model_validate(
            {**config, "connection_params": {**demo.connection_params, "snapshot_id": first}}
        )
    ) as old:
        assert "notes" in old.get_schema()
        assert old.get_row_count() == 1000


def test_demo_command_writes_the_source_and_keeps_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("dataprof.toml").write_text(
        '# my sources\n[sources.orders]\nsource_type = "file"\ndatabase = "x"\n'
        'table = "y"\n[sources.orders.connection_params]\npath = "orders.parquet"\n\n'
        '[sources.demo]\nsource_type = "file"\ndatabase = "old"\ntable = "old"\n'
    )
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps typer from flattening `demo`
    result = CliRunner().invoke(app, ["demo", "--path", "wh", "--rows", "1200"])
    assert result.exit_code == 0, result.output
    assert "demo.trips" in result.output
    # not a terminal: plain progress lines instead of a spinner that draws nothing
    assert "Writing 1,200 trips into an Iceberg table under wh: done in" in result.output

    text = Path("dataprof.toml").read_text()
    assert text.startswith("# my sources")
    data = tomllib.loads(text)
    assert set(data["sources"]) == {"orders", "demo"}
    params = data["sources"]["demo"]["connection_params"]
    assert params == {
        "catalog_type": "sql",
        "uri": f"sqlite:///{(tmp_path / 'wh' / 'catalog.db').resolve()}",
        "warehouse": (tmp_path / "wh" / "warehouse").resolve().as_uri(),
    }
    source = load_sources(Path("dataprof.toml"))["demo"]
    with get_connector(source.config) as connector:
        assert connector.test_connection().success
        first_snapshot = connector.snapshot_id

    # A second run keeps the table (and its history) and says how to rebuild it.
    again = CliRunner().invoke(app, ["demo", "--path", "wh", "--rows", "1200"])
    assert again.exit_code == 0, again.output
    assert "Kept the existing" in again.output
    assert "--rebuild" in again.output
    with get_connector(source.config) as connector:
        assert connector.snapshot_id == first_snapshot
    rebuilt = CliRunner().invoke(app, ["demo", "--path", "wh", "--rows", "1200", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Rebuilt demo.trips" in rebuilt.output
    with get_connector(source.config) as connector:
        assert connector.snapshot_id != first_snapshot


def test_the_cli_module_does_not_import_pyiceberg() -> None:
    """The core CLI imports every plugin's command module on each start."""
    import subprocess
    import sys

    code = "import sys, dataprof_iceberg.cli; print('pyiceberg' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
