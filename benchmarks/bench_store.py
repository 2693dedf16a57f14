"""The profile stores' costs: ``save_run`` and ``history(limit=30)`` of a 100-column profile.

    python benchmarks/bench_store.py [--runs N] [--repeats K] [--columns C]

Three stores, each on a fresh store in the same run: the local folder store (the
reference), :class:`PostgresProfileStore` (psycopg) and :class:`SupabaseProfileStore`
(httpx) on a PostgreSQL server this script starts (``dataprof.testing.postgres``: the
installed PostgreSQL binaries, ``fsync=off``). Supabase's PostgREST cannot run here, so
the REST path goes through the tests' PostgREST stand-in (an httpx transport calling
the same SQL functions as ``service_role``): its figures are the client's and the
database's work, without a real network hop or PostgREST's own.

The profile is the engine's own: a 100-column table (ints, floats, text) of 20,000 rows
profiled in full, so every column carries its metrics, top values and sketches. Saved
``--runs`` times under fresh run ids, then ``history(limit=30)`` read ``--repeats`` times.

Reported per store: median ms per save and per history, round trips per save and per
history (goal: 1 and at most 2), bytes sent per save, and bytes kept per run (the run
file for the local store; the growth of the six tables for PostgreSQL). Peak RSS of this
process at the end. On a shared machine the milliseconds are noisy: read the ratios to
the local store.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "dataprof-core" / "tests" / "stores"))

SIX = (
    "data_sources",
    "datasets",
    "profile_runs",
    "profile_results",
    "column_profiles",
    "profile_anomalies",
)


def wide_profile(columns: int, rows: int) -> Any:
    import numpy as np
    import pyarrow as pa

    import dataprof

    rng = np.random.default_rng(7)
    data: dict[str, Any] = {}
    for i in range(columns):
        kind = i % 3
        if kind == 0:
            data[f"int_{i}"] = pa.array(rng.integers(0, 1_000_000, rows))
        elif kind == 1:
            data[f"float_{i}"] = pa.array(rng.normal(100, 15, rows))
        else:
            data[f"text_{i}"] = pa.array(rng.choice([f"v{j}" for j in range(50)], rows).tolist())
    return dataprof.profile(pa.table(data), mode="full")


def stored_bytes(dsn: str) -> int:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("checkpoint")
        return sum(
            conn.execute("select pg_total_relation_size(%s)", (f"public.{t}",)).fetchone()[0]
            for t in SIX
        )


def measure(name: str, store: Any, base: Any, runs: int, repeats: int, size: Any) -> dict[str, Any]:
    from dataprof.stores import SourceIdentity

    before = size()
    trips_before = getattr(store, "round_trips", 0)
    sent_before = getattr(store, "bytes_sent", 0)
    saves = []
    for _ in range(runs):
        profile = base.model_copy(update={"run_id": uuid.uuid4().hex})
        started = time.perf_counter()
        store.save_run(profile)
        saves.append(time.perf_counter() - started)
    save_trips = (getattr(store, "round_trips", 0) - trips_before) / runs
    sent = (getattr(store, "bytes_sent", 0) - sent_before) / runs
    kept = (size() - before) / runs
    source = SourceIdentity.of(base)
    reads = []
    trips_before = getattr(store, "round_trips", 0)
    for _ in range(repeats):
        started = time.perf_counter()
        history = store.history(source, limit=30)
        reads.append(time.perf_counter() - started)
    assert len(history) == min(30, runs), len(history)
    history_trips = (getattr(store, "round_trips", 0) - trips_before) / repeats
    return {
        "store": name,
        "save_ms": statistics.median(saves) * 1000,
        "history_ms": statistics.median(reads) * 1000,
        "save_trips": save_trips if hasattr(store, "round_trips") else None,
        "history_trips": history_trips if hasattr(store, "round_trips") else None,
        "sent": sent if hasattr(store, "bytes_sent") else None,
        "kept": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="saves per store")
    parser.add_argument("--repeats", type=int, default=10, help="history reads per store")
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    from postgrest_emulation import PostgrestEmulation

    from dataprof.stores import LocalProfileStore, profile_to_json
    from dataprof.stores.postgres import PostgresProfileStore
    from dataprof.stores.supabase import SupabaseProfileStore
    from dataprof.testing.postgres import PostgresServer
    from dataprof.testing.profile_db import profile_template

    base = wide_profile(args.columns, args.rows)
    print(
        f"profile: {len(base.columns)} columns, {len(base.sketches)} sketches, "
        f"full JSON {len(profile_to_json(base)):,} bytes; {args.runs} saves, "
        f"{args.repeats} x history(limit=30) per store"
    )
    results = []
    with tempfile.TemporaryDirectory() as folder, PostgresServer() as server:
        local = LocalProfileStore(Path(folder) / "store")

        def local_size() -> int:
            return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())

        results.append(measure("local folder", local, base, args.runs, args.repeats, local_size))
        template = profile_template(server)
        dsn = server.fresh_database(template=template)
        with PostgresProfileStore(dsn) as pg:
            results.append(
                measure("postgresql", pg, base, args.runs, args.repeats, lambda: stored_bytes(dsn))
            )
        dsn2 = server.fresh_database(template=template)
        key = "sb_secret_bench-only"
        emulation = PostgrestEmulation(dsn2, key)
        with SupabaseProfileStore(
            "https://bench.supabase.test", key=key, transport=emulation.transport()
        ) as sb:
            results.append(
                measure(
                    "supabase (stand-in)",
                    sb,
                    base,
                    args.runs,
                    args.repeats,
                    lambda: stored_bytes(dsn2),
                )
            )
        emulation.close()

    reference = results[0]
    print(
        f"{'store':<22}{'save ms':>9}{'x local':>9}{'trips':>7}{'history ms':>12}{'x local':>9}"
        f"{'trips':>7}{'sent B/run':>12}{'kept B/run':>12}"
    )
    for r in results:
        trips = "-" if r["save_trips"] is None else f"{r['save_trips']:.0f}"
        htrips = "-" if r["history_trips"] is None else f"{r['history_trips']:.0f}"
        sent = "-" if r["sent"] is None else f"{r['sent']:,.0f}"
        print(
            f"{r['store']:<22}{r['save_ms']:>9.1f}{r['save_ms'] / reference['save_ms']:>9.2f}"
            f"{trips:>7}{r['history_ms']:>12.1f}{r['history_ms'] / reference['history_ms']:>9.2f}"
            f"{htrips:>7}{sent:>12}{r['kept']:>12,.0f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB (the PostgreSQL server's own is not counted)")


if __name__ == "__main__":
    main()
