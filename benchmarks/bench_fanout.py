"""The fan-out's cost: one table profiled as 1, 2, 4 and 8 work items, against one process.

    python benchmarks/bench_fanout.py [--rows N] [--quick]

Uses bench_engine's deterministic Parquet file (row groups of 250,000 rows; default
2 million rows, 8 row groups, so 8 items is one row group each). For each item count
it plans the run (``dataprof.fanout.plan_run`` into a temporary folder), scans every
item (``scan_item``; one after another here, each as its own task would, so per-item
times are not disturbed by the other items sharing two cores) and merges
(``merge_run``, streaming). It reports per-item time, state file bytes per item,
merge time, the critical path if the items ran side by side (plan + slowest item +
merge) and the sum of item times, each against the single-process full scan
(``profile_table(mode="full", workers=1)``) measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_engine import DATA_DIR, generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--quick", action="store_true")
    args, _ = parser.parse_known_args()
    rows = 500_000 if args.quick else args.rows

    from dataprof import DataSourceConfig, get_connector
    from dataprof.fanout import merge_run, plan_run, plan_splits_for, scan_item
    from dataprof.profiling import profile_table
    from dataprof.run_files import FolderRunFiles

    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / f"bench-{rows}.parquet"
    if not path.exists():
        generate(path, rows)
    config = DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="b", table="t"
    )
    clock = time.perf_counter()
    with get_connector(config) as connector:
        single = profile_table(connector, mode="full", workers=1)
    single_s = time.perf_counter() - clock
    splits, _ = plan_splits_for(config, bytes_per_task=1)
    total_bytes = sum(s.estimated_bytes for s in splits)
    print(f"fan-out: {rows:,} rows, {len(splits)} row groups, {total_bytes / 2**20:.0f} MiB")
    print(f"  single process full scan: {single_s:.2f} s")
    results = []
    for wanted in (1, 2, 4, 8):
        with tempfile.TemporaryDirectory() as folder:
            files = FolderRunFiles(Path(folder))
            run_id = uuid.uuid4().hex
            clock = time.perf_counter()
            plan = plan_run(
                config, run_id=run_id, files=files, bytes_per_task=math.ceil(total_bytes / wanted)
            )
            plan_s = time.perf_counter() - clock
            item_s, state_bytes = [], []
            for item in plan:
                clock = time.perf_counter()
                where = scan_item(config, run_id=run_id, item=item.item, files=files)
                item_s.append(time.perf_counter() - clock)
                state_bytes.append(Path(where).stat().st_size)
            clock = time.perf_counter()
            merged = merge_run(config, run_id=run_id, files=files, store=None)
            merge_s = time.perf_counter() - clock
        assert merged.row_count == single.row_count
        row = {
            "items": len(plan),
            "plan_s": round(plan_s, 3),
            "item_s_mean": round(statistics.mean(item_s), 2),
            "item_s_max": round(max(item_s), 2),
            "state_bytes_mean": int(statistics.mean(state_bytes)),
            "merge_s": round(merge_s, 3),
            "critical_path_vs_single": round((plan_s + max(item_s) + merge_s) / single_s, 2),
            "sum_vs_single": round((plan_s + sum(item_s) + merge_s) / single_s, 2),
        }
        results.append(row)
        print(
            f"  {row['items']} items: plan {plan_s:.2f} s, item {row['item_s_mean']:.2f} s "
            f"(max {row['item_s_max']:.2f}), state {row['state_bytes_mean'] / 1024:.0f} KiB/item, "
            f"merge {merge_s:.2f} s; in parallel {row['critical_path_vs_single']}x the single "
            f"process, summed {row['sum_vs_single']}x"
        )
    Path("bench-data/fanout.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
