"""Hand-built profiles for detector tests: every figure set explicitly, nothing engine-made."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import datasketches
import numpy as np

from dataprof.profiling.models import ColumnProfile, ProfileMode, TableProfile

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def column(
    name: str = "c", *, data_type: str = "int64", rows: int = 100, **fields: Any
) -> ColumnProfile:
    values: dict[str, Any] = {
        "column_name": name,
        "data_type": data_type,
        "inferred_type": fields.pop("inferred_type", "integer"),
        "row_count": rows,
        "null_count": 0,
    }
    values.update(fields)
    return ColumnProfile(**values)


def profile(
    *columns: ColumnProfile,
    run: int = 0,
    rows: int | None = None,
    sketches: dict[str, str] | None = None,
    **fields: Any,
) -> TableProfile:
    started = T0 + timedelta(days=run)
    values: dict[str, Any] = {
        "run_id": f"run-{run}",
        "source_type": "file",
        "database": "db",
        "table": "t",
        "mode": ProfileMode.FULL,
        "sampled": False,
        "row_count": rows if rows is not None else (columns[0].row_count if columns else 0),
        "started_at": started,
        "finished_at": started + timedelta(minutes=1),
        "columns": list(columns),
        "sketches": sketches or {},
    }
    values.update(fields)
    return TableProfile(**values)


def kll(values: Iterable[float], k: int = 200) -> str:
    sketch = datasketches.kll_doubles_sketch(k)
    for value in values:
        sketch.update(float(value))
    return base64.b64encode(sketch.serialize()).decode()


def top(values: Iterable[str], lg_max_map_size: int = 8) -> str:
    sketch = datasketches.frequent_strings_sketch(lg_max_map_size)
    for value in values:
        sketch.update(value)
    return base64.b64encode(sketch.serialize()).decode()


def normal(seed: int, size: int = 20_000, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(loc, scale, size)
