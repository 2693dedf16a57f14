"""Small tables and their profiles, made by the engine's public three calls."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from dataprof.profiling import finalize, profile_batches
from dataprof.profiling.models import TableProfile

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def mixed_table(rows: int = 400, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "amount": pa.array(
                [None if i % 17 == 0 else rng.gauss(50, 12) for i in range(rows)], pa.float64()
            ),
            "city": pa.array(
                [rng.choice(["Lyon", "Oslo", "Kyiv", "Lima", None]) for _ in range(rows)]
            ),
            "paid": pa.array([None if i % 11 == 0 else i % 3 != 0 for i in range(rows)]),
            "at": pa.array(
                [T0 + timedelta(minutes=rng.randint(0, 60 * 24 * 30)) for _ in range(rows)],
                pa.timestamp("us", tz="UTC"),
            ),
            "day": pa.array([date(2026, 1, 1) + timedelta(days=i % 40) for i in range(rows)]),
            "price": pa.array(
                [Decimal(rng.randint(0, 99_999)) / 100 for _ in range(rows)], pa.decimal128(9, 2)
            ),
        }
    )


def profile_of(table: pa.Table, **fields: Any) -> TableProfile:
    """The full-scan profile of ``table``, with ``fields`` replaced (run id, anomalies...)."""
    state = profile_batches(table.to_batches(max_chunksize=128), table.schema)
    profile = finalize(state, source_type="file", database="shop", table="orders", started_at=T0)
    return profile.model_copy(update=fields) if fields else profile
