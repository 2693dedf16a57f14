"""Full-scan profiling speed and peak memory: dataprof against DuckDB and polars.

    python benchmarks/bench_engine.py [--rows N] [--quick]

Generates (once, deterministically) a Parquet file of ``--rows`` rows (default 5
million) and 12 mixed columns into ./bench-data/, then runs each tool in its own
child process so that peak memory is per tool:

- dataprof: ``profile_table(mode="full")`` with the default workers (CPU count);
- dataprof-1p: the same in one process (``workers=1``);
- DuckDB: ``SUMMARIZE`` plus a top-10 ``GROUP BY`` query per column;
- polars: ``describe()`` plus ``value_counts()`` per column;
- the read floor: streaming the file's record batches and doing nothing else.

Peak memory is the largest sum of RSS over the child and its descendants (worker
processes included), sampled every 20 ms with psutil. Pages a forked worker
still shares with its parent count twice, so dataprof's figure is an upper bound. It then profiles a file
of a fifth of the rows to show whether memory stays flat as rows grow.
``--quick`` uses 500,000 rows for a smoke run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

DATA_DIR = Path("bench-data")
SEED = 20_241_125
CHUNK = 500_000


def generate(path: Path, rows: int) -> None:
    """The deterministic test file: ints, floats with nulls and NaN, low- and
    high-cardinality strings, long free text, booleans, zoned timestamps, dates,
    decimals."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    countries = np.array([f"country-{i:02d}" for i in range(40)], dtype=object)
    words = np.array(
        [
            "the",
            "quick",
            "brown",
            "fox",
            "jumps",
            "over",
            "a",
            "lazy",
            "dog",
            "while",
            "data",
            "engineers",
            "profile",
            "large",
            "tables",
            "of",
            "events",
            "orders",
            "users",
            "sessions",
            "and",
            "payments",
            "every",
            "day",
        ],
        dtype=object,
    )
    sentences = pa.array(
        [" ".join(rng.choice(words, size=rng.integers(12, 24))) for _ in range(4_096)]
    )
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("quantity", pa.int32()),
            ("price", pa.float64()),
            ("score", pa.float32()),
            ("country", pa.string()),
            ("user_id", pa.string()),
            ("comment", pa.string()),
            ("is_active", pa.bool_()),
            ("event_time", pa.timestamp("us", tz="UTC")),
            ("event_date", pa.date32()),
            ("amount", pa.decimal128(12, 2)),
            ("status", pa.string()),
        ]
    )
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            ids = np.arange(start, start + n, dtype=np.int64)
            price = rng.lognormal(3.0, 1.0, n)
            price[rng.random(n) < 0.01] = np.nan
            price_mask = rng.random(n) < 0.05
            users = pc.binary_join_element_wise(
                "user-", pa.array(rng.integers(0, 2_000_000, n)).cast(pa.string()), ""
            )
            comment = pc.binary_join_element_wise(
                pc.take(sentences, pa.array(rng.integers(0, len(sentences), n))),
                pa.array(ids).cast(pa.string()),
                " #",
            )
            active = pa.array(rng.random(n) < 0.7, mask=rng.random(n) < 0.02)
            base = 1_700_000_000_000_000
            times = base + rng.integers(0, 365 * 86_400 * 1_000_000, n)
            cents = rng.integers(-100_000, 10_000_000, n)
            # decimal128(12, 2) straight from its unscaled 128-bit integers (cents).
            words128 = np.empty((n, 2), dtype=np.int64)
            words128[:, 0] = cents
            words128[:, 1] = cents >> 63
            amount = pa.Array.from_buffers(
                pa.decimal128(12, 2), n, [None, pa.py_buffer(words128.tobytes())]
            )
            statuses = np.array(["new", "paid", "shipped", "returned", "cancelled"], dtype=object)
            batch = pa.record_batch(
                [
                    pa.array(ids),
                    pa.array(rng.integers(0, 100, n).astype(np.int32)),
                    pa.array(price, mask=price_mask),
                    pa.array(rng.normal(0, 1, n).astype(np.float32)),
                    pa.array(countries[rng.integers(0, len(countries), n)], pa.string()),
                    users,
                    comment,
                    active,
                    pa.array(times, pa.timestamp("us", tz="UTC")),
                    pa.array((times // 86_400_000_000).astype(np.int32), pa.int32()).cast(
                        pa.date32()
                    ),
                    amount,
                    pa.array(statuses[rng.integers(0, len(statuses), n)], pa.string()),
                ],
                schema=schema,
            )
            writer.write_batch(batch, row_group_size=250_000)
    tmp.rename(path)


# -- the tools, each run in a child process ---------------------------------------------------


def run_dataprof(path: str) -> dict[str, object]:
    import dataprof
    from dataprof.profiling import profile_table

    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": path}, database="bench", table="t"
    )
    profile = profile_table(dataprof.get_connector(config), mode="full")
    return {"rows": profile.row_count, "columns": len(profile.columns), "notes": profile.notes}


def run_dataprof_one_process(path: str) -> dict[str, object]:
    import dataprof
    from dataprof.profiling import profile_table

    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": path}, database="bench", table="t"
    )
    profile = profile_table(dataprof.get_connector(config), mode="full", workers=1)
    return {"rows": profile.row_count, "columns": len(profile.columns)}


def run_duckdb(path: str) -> dict[str, object]:
    import duckdb

    con = duckdb.connect()
    source = f"read_parquet('{path}')"
    summary = con.execute(f"SUMMARIZE SELECT * FROM {source}").fetchall()
    names = [row[0] for row in summary]
    for name in names:
        con.execute(
            f'SELECT "{name}", count(*) AS n FROM {source} GROUP BY 1 ORDER BY n DESC LIMIT 10'
        ).fetchall()
    return {"columns": len(names)}


def run_polars(path: str) -> dict[str, object]:
    import polars as pl

    frame = pl.read_parquet(path)
    frame.describe()
    for name in frame.columns:
        frame[name].value_counts(sort=True).head(10)
    return {"rows": frame.height, "columns": frame.width}


def run_read_floor(path: str) -> dict[str, object]:
    import pyarrow.dataset as ds

    rows = 0
    for batch in ds.dataset(path).to_batches(batch_size=65_536):
        rows += batch.num_rows
    return {"rows": rows}


TOOLS = {
    "dataprof": run_dataprof,
    "dataprof-1p": run_dataprof_one_process,
    "duckdb": run_duckdb,
    "polars": run_polars,
    "read-floor": run_read_floor,
}


def child(tool: str, path: str) -> None:
    started = time.perf_counter()
    info = TOOLS[tool](path)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, **info}, default=str))


def measure(tool: str, path: Path) -> dict[str, float]:
    """Run ``tool`` in a child process; its time and the peak RSS of its process tree."""
    import psutil

    process = subprocess.Popen(
        [sys.executable, __file__, "--child", tool, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.02)
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"{tool} failed with exit code {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return {"seconds": float(result["seconds"]), "peak_mib": peak / 2**20}


def ensure_file(rows: int) -> Path:
    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / f"bench-{rows}.parquet"
    if not path.exists():
        print(f"generating {path} ({rows:,} rows, 12 columns)...", flush=True)
        started = time.perf_counter()
        generate(path, rows)
        print(f"  done in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--quick", action="store_true", help="500,000 rows")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = 500_000 if args.quick else args.rows
    path = ensure_file(rows)
    small_rows = max(rows // 5, 1)
    small_path = ensure_file(small_rows)
    print(f"cores: {os.cpu_count()}, file: {path} ({path.stat().st_size / 2**20:.0f} MiB)")

    results = {tool: measure(tool, path) for tool in TOOLS}
    ours = results["dataprof"]
    print()
    print(f"{'tool':<13}{'seconds':>10}{'peak MiB':>11}{'time / ours':>13}{'mem / ours':>12}")
    for tool, r in results.items():
        print(
            f"{tool:<13}{r['seconds']:>10.2f}{r['peak_mib']:>11.0f}"
            f"{r['seconds'] / ours['seconds']:>13.2f}{r['peak_mib'] / ours['peak_mib']:>12.2f}"
        )
    print()
    print(
        f"dataprof vs DuckDB: {ours['seconds'] / results['duckdb']['seconds']:.2f}x the time, "
        f"{ours['peak_mib'] / results['duckdb']['peak_mib']:.2f}x the memory (goal: time <= 1.0x)"
    )
    print(f"dataprof peak memory: {ours['peak_mib']:.0f} MiB (goal: < 1024 MiB)")
    small = measure("dataprof", small_path)
    print(
        f"memory flatness: {small_rows:,} rows -> {small['peak_mib']:.0f} MiB, "
        f"{rows:,} rows -> {ours['peak_mib']:.0f} MiB "
        f"(ratio {ours['peak_mib'] / small['peak_mib']:.2f}; 1.0 is flat)"
    )


if __name__ == "__main__":
    main()
