"""Small known tables for connector tests: every common type, with nulls in each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

__all__ = ["standard_table"]


def standard_table() -> pa.Table:
    """Seven rows over the types every warehouse has; each nullable column holds a null.

    No NaN (NaN != NaN would make row comparison lie) and timestamps in UTC with
    microsecond precision, which Iceberg, Parquet, Athena and Redshift all keep exactly.
    """
    utc = dt.UTC
    return pa.table(
        {
            "id": pa.array([1, 2, 3, 4, 5, 6, 7], pa.int64()),
            "amount": pa.array([1.5, -2.25, None, 0.0, 1e6, 3.125, 7.0], pa.float64()),
            "name": pa.array(
                ["alpha", "Ωmega", None, "", "delta", "alpha", "ëpsilon"], pa.string()
            ),
            "active": pa.array([True, False, None, True, True, False, True], pa.bool_()),
            "day": pa.array(
                [
                    dt.date(2024, 1, 1),
                    dt.date(1999, 12, 31),
                    None,
                    dt.date(2024, 2, 29),
                    dt.date(2030, 6, 15),
                    dt.date(1970, 1, 1),
                    dt.date(2024, 1, 1),
                ],
                pa.date32(),
            ),
            "ts": pa.array(
                [
                    dt.datetime(2024, 1, 1, 12, 0, tzinfo=utc),
                    None,
                    dt.datetime(2023, 6, 30, 23, 59, 59, 999999, tzinfo=utc),
                    dt.datetime(1970, 1, 1, tzinfo=utc),
                    dt.datetime(2024, 3, 1, 8, 30, tzinfo=utc),
                    dt.datetime(2024, 3, 1, 8, 30, tzinfo=utc),
                    dt.datetime(2001, 9, 9, 1, 46, 40, tzinfo=utc),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "price": pa.array(
                [
                    Decimal("10.50"),
                    Decimal("0.01"),
                    Decimal("-3.75"),
                    None,
                    Decimal("99999999.99"),
                    Decimal("0.00"),
                    Decimal("12.34"),
                ],
                pa.decimal128(10, 2),
            ),
        }
    )
