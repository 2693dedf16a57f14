"""Warehouse results into Arrow: how fast the connectors decode what the engines send.

    python benchmarks/bench_warehouse_results.py [--rows N] [--quick] [--only NAME]

One section per warehouse backend, each measured in its own child process (so peak
RSS is per measurement) at a fifth of the rows and at all of them, to show whether
memory stays flat as rows grow.

- ``redshift``: ``GetStatementResult`` pages (``Records`` of ``Field`` unions, 12
  columns of every common Redshift type, numeric as text, nulls in several columns)
  decoded by ``dataprof_redshift.records.decode_page``, beside two references in the
  same run: the floor, ``json.loads`` of the same pages (what botocore does to every
  response before anything is decoded), and a naive decoder (each cell converted in
  Python, then ``pa.Table.from_pylist``). Pages are built once (``--page-rows`` rows
  each) and cycled to reach ``--rows``: decoding, not generation, is timed.

Figures on a shared machine are noisy: read the ratios, not the absolute rows/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

SEED = 20_241_126
DISTINCT_PAGES = 8


# -- redshift -------------------------------------------------------------------------
REDSHIFT_COLUMNS: list[dict[str, Any]] = [
    {"name": "id", "typeName": "int8"},
    {"name": "qty", "typeName": "int4"},
    {"name": "small", "typeName": "int2"},
    {"name": "price", "typeName": "numeric", "precision": 12, "scale": 2},
    {"name": "ratio", "typeName": "float8"},
    {"name": "score", "typeName": "float4"},
    {"name": "name", "typeName": "varchar", "length": 256},
    {"name": "country", "typeName": "varchar", "length": 32},
    {"name": "flag", "typeName": "bool"},
    {"name": "day", "typeName": "date"},
    {"name": "ts", "typeName": "timestamptz"},
    {"name": "note", "typeName": "varchar", "length": 1024},
]


def _redshift_page(rng: random.Random, rows: int) -> bytes:
    """One GetStatementResult response body, as the Data API sends it."""
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    records = []
    for _ in range(rows):
        ts = base + dt.timedelta(seconds=rng.randrange(10**8), microseconds=rng.randrange(10**6))
        note = None if rng.random() < 0.2 else " ".join(rng.choices(["a", "bb", "ccc"], k=8))
        cells: list[dict[str, Any]] = [
            {"longValue": rng.randrange(-(2**62), 2**62)},
            {"longValue": rng.randrange(10**6)},
            {"longValue": rng.randrange(-100, 100)},
            {"stringValue": str(Decimal(rng.randrange(10**11)) / 100)}
            if rng.random() > 0.05
            else {"isNull": True},
            {"doubleValue": rng.gauss(0, 1e6)},
            {"doubleValue": round(rng.random(), 6)} if rng.random() > 0.1 else {"isNull": True},
            {"stringValue": f"user-{rng.randrange(10**7)}@example.com"},
            {"stringValue": f"country-{rng.randrange(40):02d}"},
            {"booleanValue": rng.random() < 0.5},
            {
                "stringValue": (
                    dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9000))
                ).isoformat()
            },
            {"stringValue": ts.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00"},
            {"stringValue": note} if note is not None else {"isNull": True},
        ]
        records.append(cells)
    return json.dumps({"Records": records, "ColumnMetadata": REDSHIFT_COLUMNS}).encode()


def _naive_decode(records: list[list[dict[str, Any]]], schema: Any) -> Any:
    """Cell by cell in Python: the obvious decoder, for comparison."""
    import pyarrow as pa

    rows = []
    for record in records:
        row = {}
        for field, cell in zip(schema, record, strict=True):
            value = next(iter(cell.values()))
            if "isNull" in cell:
                value = None
            elif pa.types.is_decimal(field.type):
                value = Decimal(value)
            elif pa.types.is_date(field.type):
                value = dt.date.fromisoformat(value)
            elif pa.types.is_timestamp(field.type):
                value = dt.datetime.fromisoformat(value + ":00")
            row[field.name] = value
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)


def bench_redshift(rows: int, page_rows: int) -> dict[str, Any]:
    from dataprof_redshift.records import decode_page
    from dataprof_redshift.type_names import column_type

    rng = random.Random(SEED)
    pages = [_redshift_page(rng, page_rows) for _ in range(DISTINCT_PAGES)]
    types = [column_type(c) for c in REDSHIFT_COLUMNS]
    import pyarrow as pa

    schema = pa.schema([(c["name"], t.arrow) for c, t in zip(REDSHIFT_COLUMNS, types, strict=True)])
    count = max(1, rows // page_rows)
    parsed = [json.loads(p)["Records"] for p in pages]

    def timed(work: Callable[[int], object]) -> float:
        work(0)  # warm up: pyarrow's first casts load their kernels
        start = time.perf_counter()
        for i in range(count):
            work(i % DISTINCT_PAGES)
        return time.perf_counter() - start

    floor = timed(lambda i: json.loads(pages[i]))
    dataprof = timed(lambda i: decode_page(parsed[i], types, schema))
    naive = timed(lambda i: _naive_decode(parsed[i], schema))
    decoded = count * page_rows
    return {
        "rows": decoded,
        "json_floor_rows_s": decoded / floor,
        "dataprof_rows_s": decoded / dataprof,
        "naive_rows_s": decoded / naive,
        "dataprof_over_floor": dataprof / floor,
        "naive_over_dataprof": naive / dataprof,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


SECTIONS: dict[str, Callable[[argparse.Namespace, int], dict[str, Any]]] = {
    "redshift": lambda args, rows: bench_redshift(rows, args.page_rows),
}


def _child(name: str, rows: int, argv: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *argv, "--child", name, "--rows", str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-rows", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, a smoke run")
    parser.add_argument("--only", choices=sorted(SECTIONS), default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(SECTIONS[args.child](args, args.rows)))
        return
    rows = 100_000 if args.quick else args.rows
    passthrough = ["--page-rows", str(args.page_rows)]
    for name in [args.only] if args.only else sorted(SECTIONS):
        print(f"\n== {name}: {rows:,} rows, pages of {args.page_rows:,} ==")
        small = _child(name, rows // 5, passthrough)
        full = _child(name, rows, passthrough)
        if name == "redshift":
            print(f"{'method':<34}{'rows/s':>14}")
            print(f"{'json.loads of the pages (floor)':<34}{full['json_floor_rows_s']:>14,.0f}")
            print(f"{'dataprof decode_page':<34}{full['dataprof_rows_s']:>14,.0f}")
            print(f"{'naive per-cell decode':<34}{full['naive_rows_s']:>14,.0f}")
            print(
                f"decode_page takes {full['dataprof_over_floor']:.2f}x the JSON parse; the naive "
                f"decoder {full['naive_over_dataprof']:.2f}x decode_page"
            )
        print(
            f"peak RSS: {small['peak_mb']:.0f} MB at {small['rows']:,} rows, "
            f"{full['peak_mb']:.0f} MB at {full['rows']:,} rows"
        )


if __name__ == "__main__":
    main()
