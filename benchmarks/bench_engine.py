"""The engine's speed, memory and top-value accuracy, beside DuckDB, polars and the read floor.

    python benchmarks/bench_engine.py [--quick] [--no-wide] [--no-breakdown]

Environment (``nox -s bench`` passes the same arguments to every benchmark, so sizes
are set here): ``DATAPROF_BENCH_ROWS`` the mixed file's sizes (default
``1000000,5000000``; add ``20000000`` for the flatness check the issue asks for),
``DATAPROF_BENCH_HC_ROWS`` the high-cardinality file's rows (default 5,000,000),
``DATAPROF_BENCH_WIDE_ROWS`` the wide files' rows (default ``1000,100000``).
``--quick`` runs 200,000 / 200,000 / 1,000 and 10,000 rows for a smoke run.

Files, generated once and deterministically into ./bench-data/:

- *mixed*: 12 columns (ints, floats with nulls and NaN, low- and high-cardinality
  strings, long free text, booleans, zoned timestamps, dates, decimals);
- *high-cardinality*: an id, a string column with one distinct value a row, long
  free text, and a skewed string column whose top 10 a sketch must find;
- *wide*: 1,000 columns (ints, floats, low-cardinality strings, booleans).

Each tool runs in its own child process; its time is measured inside the child and
its peak memory is the largest sum of RSS over the child and its descendants
(worker processes included), sampled every 20 ms with psutil; pages a forked worker
shares with its parent count twice in it, so the largest sum of PSS (each shared page
divided among its sharers), sampled every 100 ms, is shown beside it:

- dataprof: ``profile_table(mode="full")`` as a user gets it (on a table over 64 MiB,
  its columns shared between this process and a forked worker per further core,
  :mod:`dataprof.profiling.column_groups`); dataprof-1core the same on one core
  (``DATAPROF_THREADS=1``: one process, one thread), the baseline; dataprof-procs
  one worker process per core over row splits (``workers=os.cpu_count()``), merged;
- duckdb: ``SUMMARIZE`` plus a top-10 ``GROUP BY`` per column (the wide files:
  ``SUMMARIZE`` only, the issue's reference);
- polars: ``describe()`` plus ``value_counts()`` per column (not on wide files);
- read-floor: the fastest plain read, ``ParquetFile.iter_batches`` over every row group
  (65,536-row batches, Arrow's threads, the system allocator as dataprof uses: 1.5 s
  against 2.2 s with Arrow's default on the 5M-row file), doing nothing else with
  the batches.

Top-value accuracy compares dataprof's top values with an exact DuckDB ``GROUP BY``
per column: the share of the true top 10 found (ties at the tenth count count as
found), values listed that are not in the true top 10 (false positives), and the
largest count error. Then one single-process run under cProfile shows where the
time goes. Timings on a loaded 2-core machine are noisy: read the ratios, which
come from the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from process_tree import peak_tree_memory

DATA_DIR = Path("bench-data")
SEED = 20_241_125
CHUNK = 500_000
WIDE_COLUMNS = 1_000


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


def generate_high_cardinality(path: Path, rows: int) -> None:
    """Ids, a string distinct on every row, long free text, and a skewed string column
    (20 heavy values over a long tail of rare ones)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED + 1)
    words = np.array(
        ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do"]
    )
    schema = pa.schema(
        [("id", pa.int64()), ("key", pa.string()), ("text", pa.string()), ("skewed", pa.string())]
    )
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            ids = np.arange(start, start + n, dtype=np.int64)
            keys = pc.binary_join_element_wise("key-", pa.array(ids).cast(pa.string()), "")
            text = pc.binary_join_element_wise(
                pa.array([" ".join(rng.choice(words, 30)) for _ in range(1_000)]).take(
                    pa.array(rng.integers(0, 1_000, n))
                ),
                pa.array(ids).cast(pa.string()),
                " #",
            )
            heavy = rng.random(n) < 0.3
            skew = np.where(
                heavy,
                np.char.add("hot-", (rng.zipf(1.5, n) % 20).astype(str)),
                np.char.add("rare-", rng.integers(0, rows, n).astype(str)),
            )
            writer.write_batch(
                pa.record_batch([pa.array(ids), keys, text, pa.array(skew)], schema=schema),
                row_group_size=250_000,
            )
    tmp.rename(path)


def generate_wide(path: Path, rows: int) -> None:
    """1,000 columns: 400 integers, 300 floats, 200 low-cardinality strings, 100 booleans."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED + 2)
    vocab = pa.array([f"v{i:03d}" for i in range(50)])
    arrays, names = [], []
    for i in range(WIDE_COLUMNS):
        if i < 400:
            arrays.append(pa.array(rng.integers(0, 1_000 + 97 * i, rows)))
        elif i < 700:
            arrays.append(pa.array(rng.normal(i, 10, rows)))
        elif i < 900:
            arrays.append(vocab.take(pa.array(rng.integers(0, 50, rows))))
        else:
            arrays.append(pa.array(rng.random(rows) < 0.3))
        names.append(f"c{i:04d}")
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table(arrays, names=names), tmp, row_group_size=min(rows, 100_000))
    tmp.rename(path)


# -- the tools, each run in a child process ---------------------------------------------------


def _connector(path: str) -> Any:
    import dataprof

    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": path}, database="bench", table="t"
    )
    return dataprof.get_connector(config)


def _dataprof(path: str, workers: int | None) -> dict[str, object]:
    from dataprof.profiling import profile_table

    profile = profile_table(_connector(path), mode="full", workers=workers)
    out = os.environ.get("BENCH_TOP_VALUES_OUT")
    if out:
        tops = {
            c.column_name: [
                [value_key(t.value), t.count, t.count_lower, t.count_upper] for t in c.top_values
            ]
            for c in profile.columns
        }
        Path(out).write_text(json.dumps(tops))
    return {"rows": profile.row_count, "columns": len(profile.columns)}


def run_dataprof(path: str) -> dict[str, object]:
    return _dataprof(path, None)


def run_dataprof_one_core(path: str) -> dict[str, object]:
    os.environ["DATAPROF_THREADS"] = "1"  # read before the first batch
    return _dataprof(path, 1)


def run_dataprof_processes(path: str) -> dict[str, object]:
    return _dataprof(path, os.cpu_count() or 1)


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


def run_duckdb_summarize(path: str) -> dict[str, object]:
    import duckdb

    summary = duckdb.connect().execute(f"SUMMARIZE SELECT * FROM read_parquet('{path}')")
    return {"columns": len(summary.fetchall())}


def run_polars(path: str) -> dict[str, object]:
    import polars as pl

    frame = pl.read_parquet(path)
    frame.describe()
    for name in frame.columns:
        frame[name].value_counts(sort=True).head(10)
    return {"rows": frame.height, "columns": frame.width}


def run_read_floor(path: str) -> dict[str, object]:
    """The fastest plain read of the file: every row group's record batches through
    ``pyarrow.parquet.ParquetFile`` (no ``pyarrow.dataset``, whose import alone costs
    about a second), decoded on Arrow's threads and dropped."""
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetFile(path) as parquet_file:
        for batch in parquet_file.iter_batches(batch_size=65_536, use_threads=True):
            rows += batch.num_rows
    return {"rows": rows}


TOOLS = {
    "dataprof": run_dataprof,
    "dataprof-1core": run_dataprof_one_core,
    "dataprof-procs": run_dataprof_processes,
    "duckdb": run_duckdb,
    "duckdb-summarize": run_duckdb_summarize,
    "polars": run_polars,
    "read-floor": run_read_floor,
}


def child(tool: str, path: str) -> None:
    started = time.perf_counter()
    info = TOOLS[tool](path)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, **info}, default=str))


def _write_bytecode() -> None:
    """Compile every tool's modules once, so no child pays for compiling them (a user's
    installation has its bytecode; ``PYTHONDONTWRITEBYTECODE`` would make each child
    compile pandas, pyarrow and dataprof again: a second and a half each, measured)."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import dataprof.profiling, pyarrow.parquet, pandas, duckdb, polars",
        ],
        env=_child_env(None),
        check=False,
    )


def _child_env(env: dict[str, str] | None) -> dict[str, str]:
    merged = {**os.environ, **(env or {})}
    merged.pop("PYTHONDONTWRITEBYTECODE", None)
    return merged


def measure(tool: str, path: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``tool`` in a child process; its time and the peak RSS of its process tree."""

    process = subprocess.Popen(
        [sys.executable, __file__, "--child", tool, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=_child_env(env),
    )
    peak, pss = peak_tree_memory(process)
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"{tool} failed with exit code {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return {"seconds": float(result["seconds"]), "peak_mib": peak / 2**20, "pss_mib": pss / 2**20}


# -- what the runs say ------------------------------------------------------------------------


def ensure(kind: str, rows: int) -> Path:
    makers = {"mixed": generate, "hc": generate_high_cardinality, "wide": generate_wide}
    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / f"bench-{kind}-{rows}.parquet"
    if kind == "mixed" and (DATA_DIR / f"bench-{rows}.parquet").exists():
        path = DATA_DIR / f"bench-{rows}.parquet"  # the file earlier versions wrote
    if not path.exists():
        print(f"generating {path} ({rows:,} rows)...", flush=True)
        started = time.perf_counter()
        makers[kind](path, rows)
        print(f"  done in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def report(title: str, path: Path, tools: list[str], top_out: Path | None) -> dict[str, Any]:
    print(f"\n== {title}: {path.name} ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
    results: dict[str, Any] = {}
    for tool in tools:
        env = {"BENCH_TOP_VALUES_OUT": str(top_out)} if top_out and tool == "dataprof" else None
        if tool == "read-floor":
            # the faster allocator for Arrow's buffers, as dataprof uses (dataprof._allocator)
            env = {"ARROW_DEFAULT_MEMORY_POOL": "system"}
        results[tool] = measure(tool, path, env)
        print(
            f"  {tool:<17}{results[tool]['seconds']:>8.2f} s{results[tool]['peak_mib']:>8.0f} MiB"
            f" (PSS {results[tool]['pss_mib']:.0f} MiB)"
        )
    duck = results.get("duckdb") or results.get("duckdb-summarize")
    floor = results.get("read-floor")
    print(f"  {'tool':<17}{'x DuckDB':>9}{'x floor':>9}{'mem x DuckDB':>14}{'PSS x DuckDB':>14}")
    for tool, r in results.items():
        vs_duck = r["seconds"] / duck["seconds"] if duck else float("nan")
        vs_floor = r["seconds"] / floor["seconds"] if floor else float("nan")
        mem = r["peak_mib"] / duck["peak_mib"] if duck else float("nan")
        pss = r["pss_mib"] / duck["pss_mib"] if duck and duck["pss_mib"] else float("nan")
        print(f"  {tool:<17}{vs_duck:>9.2f}{vs_floor:>9.2f}{mem:>14.2f}{pss:>14.2f}")
    if "dataprof" in results and "dataprof-1core" in results:
        one = results["dataprof-1core"]["seconds"]
        line = (
            f"  {os.cpu_count()} cores: as chosen (columns shared between processes) "
            f"{one / results['dataprof']['seconds']:.2f}x"
        )
        if "dataprof-procs" in results:
            line += f", row splits in worker processes {one / results['dataprof-procs']['seconds']:.2f}x"
        print(line + " the speed of one core")
    return results


def accuracy(path: Path, top_out: Path) -> None:
    """dataprof's top values against an exact GROUP BY, column by column."""
    import duckdb

    ours = json.loads(top_out.read_text())
    con = duckdb.connect()
    source = f"read_parquet('{path}')"
    print(f"  top-value accuracy against an exact GROUP BY ({path.name}):")
    print(f"  {'column':<14}{'found':>7}{'false +':>9}{'max count error':>17}  listed")
    for column, listed in ours.items():
        rows = con.execute(
            f'SELECT "{column}", count(*) AS n FROM {source} WHERE "{column}" IS NOT NULL '
            f"GROUP BY 1 ORDER BY n DESC LIMIT 50"
        ).fetchall()
        if not rows:
            continue
        cut = [v for v, *_ in listed if "\u2026#" in v]  # long text counted by prefix + digest
        listed = [row for row in listed if row[0] not in cut]
        true_counts = {value_key(v): n for v, n in rows}
        tenth = rows[min(len(rows), 10) - 1][1]
        for v, *_ in listed:  # ties beyond the 50th: ask for the listed value itself
            if v not in true_counts:
                with contextlib.suppress(duckdb.Error):
                    (true_counts[v],) = con.execute(
                        f'SELECT count(*) FROM {source} WHERE "{column}" = ?', [v]
                    ).fetchone() or (0,)
        found = [v for v, *_ in listed if true_counts.get(v, 0) >= tenth]
        errors = [abs(c - true_counts[v]) for v, c, *_ in listed if v in true_counts]
        unknown = len(listed) - len(errors)
        share = len(found) / min(len(rows), 10)
        worst = f"{max(errors, default=0):,}" + (f" (+{unknown} unknown)" if unknown else "")
        print(
            f"  {column:<14}{share:>7.0%}{len(listed) - len(found):>9}{worst:>17}"
            f"  {len(listed)} listed" + (f", {len(cut)} cut (prefix + digest)" if cut else "")
        )


def value_key(value: Any) -> str:
    """One text for a value, whether dataprof or DuckDB produced it."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def breakdown(path: Path) -> None:
    """Where one process spends its time: the top functions by own time."""
    import cProfile
    import pstats

    from dataprof.profiling import profile_table

    connector = _connector(str(path))
    profiler = cProfile.Profile()
    # cProfile sees one thread: column threads would hide the work behind a lock wait
    os.environ["DATAPROF_THREADS"] = "1"
    profiler.enable()
    profile_table(connector, mode="full", workers=1)
    profiler.disable()
    del os.environ["DATAPROF_THREADS"]
    print(f"\n== where the time goes (1 process, 1 thread, {path.name}, cProfile, own time)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(15)


def _sizes(name: str, default: str, quick: str, is_quick: bool) -> list[int]:
    raw = os.environ.get(name) or (quick if is_quick else default)
    return [int(part) for part in raw.replace("_", "").split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small files, a smoke run")
    parser.add_argument("--no-wide", action="store_true", help="skip the wide files")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the cProfile run")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "PATH"), help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()  # nox passes the same arguments to every benchmark
    if args.child:
        child(*args.child)
        return
    mixed = _sizes("DATAPROF_BENCH_ROWS", "1000000,5000000", "200000", args.quick)
    hc = _sizes("DATAPROF_BENCH_HC_ROWS", "5000000", "200000", args.quick)
    wide = _sizes("DATAPROF_BENCH_WIDE_ROWS", "1000,100000", "1000,10000", args.quick)
    all_tools = ["dataprof", "dataprof-1core", "dataprof-procs", "duckdb", "polars", "read-floor"]
    _write_bytecode()
    print(f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as scratch:
        top_out = Path(scratch) / "top.json"
        peaks = {}
        for rows in mixed:
            path = ensure("mixed", rows)
            results = report(f"mixed, {rows:,} rows", path, all_tools, top_out)
            peaks[rows] = results["dataprof"]["peak_mib"]
            accuracy(path, top_out)
        if len(peaks) > 1:
            low, high = min(peaks), max(peaks)
            print(
                f"\nmemory flatness: {low:,} rows {peaks[low]:.0f} MiB, {high:,} rows "
                f"{peaks[high]:.0f} MiB (ratio {peaks[high] / peaks[low]:.2f}; 1.0 is flat)"
            )
        for rows in hc:
            path = ensure("hc", rows)
            report(f"high cardinality, {rows:,} rows", path, all_tools, top_out)
            accuracy(path, top_out)
        if not args.no_wide:
            for rows in wide:
                path = ensure("wide", rows)
                tools = ["dataprof", "dataprof-1core", "duckdb-summarize", "read-floor"]
                report(f"wide, {WIDE_COLUMNS:,} columns x {rows:,} rows", path, tools, None)
    if not args.no_breakdown:
        breakdown(ensure("mixed", min(mixed)))


if __name__ == "__main__":
    main()
