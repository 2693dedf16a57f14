"""A local Iceberg warehouse with a realistic table, so dataprof runs with no cloud account.

`create_demo_warehouse` writes ``demo.trips`` (taxi trips) into PyIceberg's SQL
catalog on SQLite (``DIR/catalog.db``) with a file warehouse (``DIR/warehouse/``).
The table is built to exercise a profiler, not to look tidy:

- several snapshots: four appends (one per month of trips), one schema evolution
  between them (``rating`` added, ``notes`` renamed to ``driver_notes``) and one
  delete (the test rides of the first days), so time travel and history have
  something to show;
- nulls at different rates (tips 20 %, notes 95 %, passenger count 3 %), decimals,
  timestamps with time zone, dates, strings from 4 to ~50,000 distinct values, a
  few NaN distances, and a nested ``pickup_location`` struct.

Generation is vectorised numpy and pyarrow from one seed: the same arguments
always give the same rows, and a million rows take a few seconds.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = [
    "DEMO_NAMESPACE",
    "DEMO_TABLE",
    "DemoWarehouse",
    "create_demo_warehouse",
    "demo_source_toml",
    "existing_demo_warehouse",
    "generate_trips",
    "write_source_config",
]

DEMO_NAMESPACE = "demo"
DEMO_TABLE = "trips"
_MONTHS = 4
_START_MICROS = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
_MONTH_MICROS = 30 * 86_400 * 1_000_000
_VENDORS = ["Yellow Cab", "Green Ride", "Metro Taxi", "Night Owl"]
_PAYMENTS = ["card", "cash", "app", "voucher", "dispute"]
_PAYMENT_WEIGHTS = [0.62, 0.25, 0.1, 0.02, 0.01]
_NOTES = ["luggage", "airport run", "child seat", "pet", "wheelchair", "late night", "detour"]


@dataclass(frozen=True)
class DemoWarehouse:
    """Where the demo table lives and what was written."""

    root: Path
    catalog_uri: str
    warehouse: str
    namespace: str
    table: str
    rows: int
    snapshot_ids: list[int] = field(default_factory=list)

    @property
    def connection_params(self) -> dict[str, str]:
        return {"catalog_type": "sql", "uri": self.catalog_uri, "warehouse": self.warehouse}


def generate_trips(rows: int, *, seed: int = 7, month: int = 0) -> pa.Table:
    """``rows`` trips of one month (0-based), ordered by pickup time; no ``rating``
    column and the original ``notes`` name (the demo evolves the schema later)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng([seed, month])
    first_id = month * 10_000_000
    offsets = np.sort(rng.integers(0, _MONTH_MICROS, rows))
    pickup = _START_MICROS + month * _MONTH_MICROS + offsets
    duration = (rng.gamma(2.0, 7.0, rows) * 60_000_000).astype(np.int64) + 60_000_000
    distance = np.round(rng.gamma(1.6, 3.0, rows), 2)
    fare_cents = (250 + distance * 180 + duration / 60_000_000 * 35).astype(np.int64)
    distance[rng.random(rows) < 0.0005] = np.nan  # broken odometers
    fare_cents[rng.random(rows) < 0.001] *= -1  # refunds
    tip_cents = (fare_cents * rng.uniform(0.0, 0.25, rows)).astype(np.int64)
    passengers = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5, 6], rows).astype(np.int32)

    utc_us = pa.timestamp("us", tz="UTC")
    pickup_arr = pa.array(pickup, pa.int64()).cast(utc_us)
    return pa.table(
        {
            "trip_id": pa.array(np.arange(first_id, first_id + rows, dtype=np.int64)),
            "vendor": _pick(rng, _VENDORS, rows, [0.45, 0.3, 0.2, 0.05]),
            "pickup_at": pickup_arr,
            "dropoff_at": pa.array(pickup + duration, pa.int64()).cast(utc_us),
            "pickup_date": pc.cast(pc.floor_temporal(pickup_arr, unit="day"), pa.date32()),
            "passenger_count": pa.array(passengers, mask=rng.random(rows) < 0.03),
            "distance_km": pa.array(distance, pa.float64()),
            "fare_amount": _decimal(fare_cents, None),
            "tip_amount": _decimal(tip_cents, rng.random(rows) < 0.2),
            "payment_type": _pick(rng, _PAYMENTS, rows, _PAYMENT_WEIGHTS),
            "pickup_zone": _pick(rng, [f"Zone {i:03d}" for i in range(263)], rows, None),
            "driver_id": _pick(rng, [f"DRV-{i:06d}" for i in range(50_000)], rows, None),
            "notes": _with_nulls(_pick(rng, _NOTES, rows, None), rng.random(rows) < 0.95),
            "pickup_location": pa.StructArray.from_arrays(
                [
                    pa.array(np.round(40.55 + rng.random(rows) * 0.35, 6)),
                    pa.array(np.round(-74.05 + rng.random(rows) * 0.3, 6)),
                ],
                names=["lat", "lon"],
                mask=pa.array(rng.random(rows) < 0.01),
            ),
        }
    )


def _pick(
    rng: np.random.Generator, values: list[str], rows: int, weights: list[float] | None
) -> pa.Array:
    """``rows`` strings drawn from ``values``, built by index (no Python loop)."""
    import pyarrow as pa

    indices = rng.choice(len(values), rows, p=weights)
    return pa.array(values, pa.string()).take(pa.array(indices))


def _with_nulls(array: pa.Array, mask: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pa.array(mask), pa.scalar(None, array.type), array)


def _decimal(cents: np.ndarray, null_mask: np.ndarray | None) -> pa.Array:
    """Cents as ``decimal(10, 2)``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Arrow rounds a float to the decimal's scale; cents / 100 is never off by a cent.
    scaled = pc.cast(pa.array(cents / 100, pa.float64()), pa.decimal128(10, 2))
    if null_mask is None:
        return scaled
    return _with_nulls(scaled, null_mask)


def create_demo_warehouse(root: Path, rows: int = 1_000_000, *, seed: int = 7) -> DemoWarehouse:
    """Create (or replace) the demo table under ``root`` and return where it is.

    Snapshots, in order: append month 1, append month 2, append month 3, append
    month 4 after the schema evolution (with ``rating``), delete the test rides
    of the first three days.
    """
    import numpy as np
    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.exceptions import NoSuchTableError
    from pyiceberg.types import IntegerType

    root = root.expanduser().resolve()
    (root / "warehouse").mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{root / 'catalog.db'}"
    warehouse = (root / "warehouse").as_uri()
    catalog = SqlCatalog("default", uri=uri, warehouse=warehouse)
    try:
        catalog.create_namespace_if_not_exists(DEMO_NAMESPACE)
        identifier = (DEMO_NAMESPACE, DEMO_TABLE)
        with contextlib.suppress(NoSuchTableError):
            catalog.purge_table(identifier)

        per_month = [rows // _MONTHS + (1 if m < rows % _MONTHS else 0) for m in range(_MONTHS)]
        first = generate_trips(per_month[0], seed=seed, month=0)
        table = catalog.create_table(
            identifier,
            schema=first.schema,
            properties={"write.target-file-size-bytes": str(8 * 1024 * 1024)},
        )
        table.append(first)
        for month in (1, 2):
            table.append(generate_trips(per_month[month], seed=seed, month=month))

        with table.update_schema() as update:
            update.add_column("rating", IntegerType(), doc="rider's rating, 1 to 5")
            update.rename_column("notes", "driver_notes")

        last = generate_trips(per_month[3], seed=seed, month=3).rename_columns(
            {"notes": "driver_notes"}
        )
        rng = np.random.default_rng([seed, 99])
        ratings = rng.integers(1, 6, last.num_rows).astype(np.int32)
        last = last.append_column("rating", pa.array(ratings, mask=rng.random(last.num_rows) < 0.4))
        table.append(last.cast(table.schema().as_arrow()))

        # Test rides of the first three days, removed after the fact.
        cutoff = pa.scalar(_START_MICROS + 3 * 86_400_000_000, pa.int64()).cast(
            pa.timestamp("us", tz="UTC")
        )
        table.delete(f"pickup_at < '{cutoff.as_py().isoformat()}'")
        table = table.refresh()
        remaining = int(table.current_snapshot().summary["total-records"])  # type: ignore[union-attr,index,arg-type]
        return DemoWarehouse(
            root=root,
            catalog_uri=uri,
            warehouse=warehouse,
            namespace=DEMO_NAMESPACE,
            table=DEMO_TABLE,
            rows=remaining,
            snapshot_ids=[s.snapshot_id for s in table.snapshots()],
        )
    finally:
        catalog.engine.dispose()


def existing_demo_warehouse(root: Path) -> DemoWarehouse | None:
    """The demo table already under ``root``, or None (no catalog, or no table in it)."""
    root = root.expanduser().resolve()
    if not (root / "catalog.db").is_file():
        return None
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

    uri = f"sqlite:///{root / 'catalog.db'}"
    warehouse = (root / "warehouse").as_uri()
    catalog = SqlCatalog("default", uri=uri, warehouse=warehouse)
    try:
        table = catalog.load_table((DEMO_NAMESPACE, DEMO_TABLE))
    except (NoSuchTableError, NoSuchNamespaceError):
        return None
    finally:
        catalog.engine.dispose()
    snapshot = table.current_snapshot()
    if snapshot is None or snapshot.summary is None:
        return None
    return DemoWarehouse(
        root=root,
        catalog_uri=uri,
        warehouse=warehouse,
        namespace=DEMO_NAMESPACE,
        table=DEMO_TABLE,
        rows=int(snapshot.summary["total-records"] or 0),
        snapshot_ids=[s.snapshot_id for s in table.snapshots()],
    )


def demo_source_toml(demo: DemoWarehouse, name: str = "demo") -> str:
    """The ``[sources.<name>]`` section that points at the demo table."""
    params = "\n".join(f"{k} = {_toml_string(v)}" for k, v in demo.connection_params.items())
    return (
        f"[sources.{name}]\n"
        'source_type = "iceberg"\n'
        f"database = {_toml_string(demo.namespace)}\n"
        f"table = {_toml_string(demo.table)}\n"
        f"[sources.{name}.connection_params]\n"
        f"{params}\n"
    )


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_source_config(config_path: Path, demo: DemoWarehouse, name: str = "demo") -> None:
    """Add or replace ``[sources.<name>]`` in ``config_path``, keeping everything else
    in the file (other sources, comments) as it was."""
    import tomllib

    section = demo_source_toml(demo, name)
    text = config_path.read_text(encoding="utf-8") if config_path.exists() else ""
    header = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        match = header.match(line)
        if match:
            key = match.group(1).strip().replace(" ", "")
            inside = key == f"sources.{name}" or key.startswith(f"sources.{name}.")
        if not inside:
            kept.append(line)
    body = "".join(kept).rstrip()
    new_text = (body + "\n\n" if body else "") + section
    tomllib.loads(new_text)  # never leave a file dataprof cannot read
    config_path.write_text(new_text, encoding="utf-8")
