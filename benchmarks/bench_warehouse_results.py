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

- ``athena_csv``: an Athena result CSV (12 columns, every value quoted, NULL an empty
  field, as Athena writes it; generated once in chunks by pyarrow's CSV writer) read
  into Arrow by ``dataprof_athena.results.csv_batches`` (typed, streamed, batches
  dropped as they come) beside ``pyarrow.csv.read_csv`` of the same file (types
  inferred, the whole table in memory). Goal: within 1.5x, memory flat as rows grow.
- ``athena_sql``: the connector's profiling SQL (``profile_pushdown``'s two-query form
  for engines without ``approx_most_frequent``: aggregates, then exact top values as one
  ``UNION ALL``), transpiled from Trino to DuckDB by sqlglot, on DuckDB over a table of
  the same rows, beside dataprof's own
  ``profile_table(mode="full")`` of them as Parquet: what pushing the profile down saves.

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


# -- athena ---------------------------------------------------------------------------
ATHENA_TYPES = [
    ("id", "bigint"),
    ("qty", "int"),
    ("small", "smallint"),
    ("price", "decimal(12,2)"),
    ("ratio", "double"),
    ("score", "float"),
    ("name", "string"),
    ("country", "string"),
    ("flag", "boolean"),
    ("day", "date"),
    ("ts", "timestamp"),
    ("note", "string"),
]
CHUNK_ROWS = 250_000
DUCKDB_MACROS = [  # what DuckDB lacks of Athena's functions (as in the Athena tests)
    "CREATE MACRO is_finite(x) AS isfinite(x)",
    "CREATE MACRO is_infinite(x) AS isinf(x)",
    "CREATE MACRO approx_most_frequent(k, v, cap) AS map_from_entries(list_transform("
    "list_slice(list_reverse_sort(list_transform(map_entries(histogram(v)), "
    "lambda e: {'c': e.value, 'k': e.key})), 1, k), lambda e: {'key': e.k, 'value': e.c}))",
]


def _athena_schema() -> Any:
    import pyarrow as pa

    from dataprof_athena.athena_types import arrow_type

    return pa.schema([(name, arrow_type(t)) for name, t in ATHENA_TYPES])


def _athena_chunk(start: int, rows: int) -> Any:
    """``rows`` rows of the 12 columns, vectorised (generation is not what is timed)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(SEED + start)
    schema = _athena_schema()
    ids = np.arange(start, start + rows)
    nulls = rng.random(rows) < 0.1
    words = np.array(["alpha", "beta", "gamma", "delta", "", "epsilon"])
    columns = [
        pa.array(ids),
        pa.array(rng.integers(0, 10**6, rows).astype(np.int32)),
        pa.array(rng.integers(-100, 100, rows).astype(np.int16), mask=nulls),
        pa.array(rng.integers(0, 10**9, rows))
        .cast(pa.decimal128(19, 0))
        .cast(pa.decimal128(12, 2), safe=False),
        pa.array(rng.normal(0, 1e6, rows)),
        pa.array(rng.random(rows).astype(np.float32), mask=rng.random(rows) < 0.1),
        pc.binary_join_element_wise(
            "user-",
            pc.cast(pa.array(rng.integers(0, 10**7, rows)), pa.string()),
            "@example.com",
            "",
        ),
        pa.array(words[rng.integers(0, len(words), rows)]),
        pa.array(rng.random(rows) < 0.5),
        pa.array(rng.integers(10_000, 20_000, rows).astype(np.int32)).cast(pa.date32()),
        pa.array(rng.integers(0, 2 * 10**15, rows)).cast(pa.timestamp("us")),
        pa.array(words[rng.integers(0, len(words), rows)], mask=nulls),
    ]
    return pa.table([c.cast(f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)


def write_athena_csv(path: str, rows: int) -> None:
    """The result file Athena would write for ``SELECT *`` of the table."""
    import pyarrow.csv as pacsv

    schema = _athena_schema()
    options = pacsv.WriteOptions(quoting_style="all_valid")
    with pacsv.CSVWriter(path, schema, write_options=options) as writer:
        for start in range(0, rows, CHUNK_ROWS):
            writer.write_table(_athena_chunk(start, min(CHUNK_ROWS, rows - start)))


def bench_athena_csv(path: str, method: str) -> dict[str, Any]:
    import pyarrow.csv as pacsv

    from dataprof_athena.results import csv_batches

    start = time.perf_counter()
    rows = 0
    if method == "dataprof":
        with open(path, "rb") as stream:
            for batch in csv_batches(stream, _athena_schema()):
                rows += batch.num_rows
    else:
        rows = pacsv.read_csv(path).num_rows
    return {
        "rows": rows,
        "seconds": time.perf_counter() - start,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_athena_sql(rows: int, workdir: str) -> dict[str, Any]:
    import duckdb
    import pyarrow.parquet as pq
    import sqlglot

    from dataprof import DataSourceConfig
    from dataprof.profiling import profile_table
    from dataprof.registry import get_connector
    from dataprof_athena.connector import AthenaConnector
    from dataprof_athena.pushdown import _plans, aggregate_sql, top_values_sql

    path = f"{workdir}/t.parquet"
    with pq.ParquetWriter(path, _athena_schema()) as writer:
        for start in range(0, rows, CHUNK_ROWS):
            writer.write_table(_athena_chunk(start, min(CHUNK_ROWS, rows - start)))
    athena = AthenaConnector(
        DataSourceConfig(source_type="athena", database="db", table="t", connection_params={})
    )
    athena.__dict__["_arrow_schema"] = _athena_schema()  # no catalog here: the schema is known
    plans = _plans(athena, _athena_schema())
    # The connector's two-query form (an engine without approx_most_frequent): DuckDB has
    # no such sketch, and the exact stand-in the tests define is a histogram, far slower
    # than the sketch it stands for, so it would measure the stand-in, not the SQL.
    statements = [aggregate_sql('"t"', plans), top_values_sql('"t"', plans, 10) or ""]
    con = duckdb.connect()
    for macro in DUCKDB_MACROS:
        con.execute(macro)
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
    start = time.perf_counter()
    for statement in statements:
        con.execute(sqlglot.transpile(statement, read="trino", write="duckdb")[0]).fetchall()
    pushdown_s = time.perf_counter() - start
    config = DataSourceConfig(
        source_type="file", database="db", table="t", connection_params={"path": path}
    )
    with get_connector(config) as connector:
        start = time.perf_counter()
        profile_table(connector, mode="full")
        full_s = time.perf_counter() - start
    return {"rows": rows, "pushdown_s": pushdown_s, "full_s": full_s, "peak_mb": 0.0}


def _athena_csv_section(args: argparse.Namespace, rows: int) -> dict[str, Any]:
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "result.csv")
        _child("athena_write", rows, ["--path", path])
        out = {"rows": rows, "mb": os.path.getsize(path) / 2**20}
        for method in ("dataprof", "pyarrow"):
            got = _child(f"athena_read_{method}", rows, ["--path", path])
            out[f"{method}_s"] = got["seconds"]
            out[f"{method}_peak_mb"] = got["peak_mb"]
    out["peak_mb"] = out["dataprof_peak_mb"]
    return out


def _athena_sql_section(args: argparse.Namespace, rows: int) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return bench_athena_sql(rows, tmp)


def _write_only(args: argparse.Namespace, rows: int) -> dict[str, Any]:
    write_athena_csv(args.path, rows)
    return {}


SECTIONS: dict[str, Callable[[argparse.Namespace, int], dict[str, Any]]] = {
    "redshift": lambda args, rows: bench_redshift(rows, args.page_rows),
    "athena_csv": _athena_csv_section,
    "athena_sql": _athena_sql_section,
}
CHILDREN: dict[str, Callable[[argparse.Namespace, int], dict[str, Any]]] = {
    **SECTIONS,
    "athena_write": _write_only,
    "athena_read_dataprof": lambda args, rows: bench_athena_csv(args.path, "dataprof"),
    "athena_read_pyarrow": lambda args, rows: bench_athena_csv(args.path, "pyarrow"),
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
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args, args.rows)))
        return
    rows = 100_000 if args.quick else args.rows
    passthrough = ["--page-rows", str(args.page_rows)]
    for name in [args.only] if args.only else sorted(SECTIONS):
        print(f"\n== {name}: {rows:,} rows, pages of {args.page_rows:,} ==")
        if name == "athena_sql":  # one size: the comparison is of time, not of memory
            full = _child(name, rows, passthrough)
            print(f"{'method':<44}{'seconds':>10}")
            print(f"{'Athena profiling SQL on DuckDB (2 queries)':<44}{full['pushdown_s']:>10.2f}")
            print(f"{'dataprof profile_table(mode=full)':<44}{full['full_s']:>10.2f}")
            print(f"pushdown takes {full['pushdown_s'] / full['full_s']:.2f}x the full scan")
            continue
        small = _child(name, rows // 5, passthrough)
        full = _child(name, rows, passthrough)
        if name == "athena_csv":
            print(f"{'method':<34}{'seconds':>10}{'peak MB':>10}")
            for method, label in (
                ("dataprof", "csv_batches (typed, streamed)"),
                ("pyarrow", "pyarrow.csv.read_csv"),
            ):
                print(f"{label:<34}{full[f'{method}_s']:>10.2f}{full[f'{method}_peak_mb']:>10.0f}")
            print(
                f"{full['mb']:.0f} MiB of CSV; csv_batches takes "
                f"{full['dataprof_s'] / full['pyarrow_s']:.2f}x read_csv"
            )
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
