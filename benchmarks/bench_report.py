"""The HTML report of a wide table: how big it is and how fast a browser opens it.

    python benchmarks/bench_report.py [--columns N] [--rows N] [--history N]

Profiles a generated table of ``--columns`` columns (default 300, a mix of
numbers, text, booleans and timestamps) with ``--history`` past runs, renders the
report, and opens it in Debian's headless Chromium (Playwright, system browser)
three times, reporting the median time from navigation to the first contentful
paint and to the load event (cards below the fold are laid out when scrolled to).
The reference, in the same run and browser, is the same columns as a plain HTML
table with no charts and no script, so the ratio says what the charts and the
script cost. Timings on a loaded 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import html
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OPEN = """() => {
  const t = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const charts = Array.from(document.querySelectorAll('svg.chart'));
  const drawn = charts.filter(s => s.getBoundingClientRect().width > 0).length;
  return [t.loadEventEnd, paint ? paint.startTime : -1, charts.length, drawn];
}"""


def wide_table(columns: int, rows: int, seed: int):  # type: ignore[no-untyped-def]
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    arrays, names = [], []
    start = np.datetime64("2026-01-01T00:00:00")
    for i in range(columns):
        kind = i % 4
        if kind == 0:
            values = pa.array(rng.normal(100 + i, 15, rows))
        elif kind == 1:
            values = pa.array(rng.choice([f"v{j}" for j in range(20 + i % 50)], rows).tolist())
        elif kind == 2:
            values = pa.array(rng.random(rows) < 0.3)
        else:
            offsets = rng.integers(0, 86_400 * 30, rows).astype("timedelta64[s]")
            values = pa.array(start + offsets)
        arrays.append(values)
        names.append(f"column_{i:03d}")
    return pa.table(arrays, names=names)


def plain_page(profile) -> str:  # type: ignore[no-untyped-def]
    rows = "".join(
        f"<tr><td>{html.escape(c.column_name)}</td><td>{html.escape(c.data_type)}</td>"
        f"<td>{c.null_count}</td><td>{c.distinct_count}</td></tr>"
        for c in profile.columns
    )
    return f"<!DOCTYPE html><html><body><table>{rows}</table></body></html>"


def open_times(browser, url: str, repeat: int = 3) -> tuple[float, float, int, int]:  # type: ignore[no-untyped-def]
    loads, paints = [], []
    charts = drawn = 0
    for _ in range(repeat):
        page = browser.new_page()
        page.goto(url, wait_until="load")
        load_ms, paint_ms, charts, drawn = page.evaluate(OPEN)
        loads.append(load_ms)
        paints.append(paint_ms)
        page.close()
    return statistics.median(loads), statistics.median(paints), charts, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=300)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args, _ = parser.parse_known_args()  # `nox -s bench -- ...` passes every script the same
    if not Path(args.chromium).is_file():
        print(f"bench_report: no Chromium at {args.chromium} (apt-get install chromium); skipped")
        return

    from playwright.sync_api import sync_playwright

    from dataprof.profiling import finalize, profile_batches
    from dataprof.report import render_html

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    runs = []
    clock = time.perf_counter()
    for i in range(args.history + 1):
        table = wide_table(args.columns, args.rows, seed=i)
        state = profile_batches(table.to_batches(), table.schema)
        runs.append(
            finalize(state, table="wide", run_id=f"run{i}", started_at=t0 + timedelta(days=i))
        )
    profiled = time.perf_counter() - clock
    clock = time.perf_counter()
    page = render_html(runs[-1], runs[:-1])
    rendered = time.perf_counter() - clock

    with tempfile.TemporaryDirectory() as folder:
        report, plain = Path(folder) / "report.html", Path(folder) / "plain.html"
        report.write_text(page, encoding="utf-8")
        plain.write_text(plain_page(runs[-1]), encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            load, paint, charts, drawn = open_times(browser, report.as_uri())
            ref_load, ref_paint, _, _ = open_times(browser, plain.as_uri())
            browser.close()

    print(f"{args.columns} columns x {args.rows:,} rows, {args.history} past runs")
    print(
        f"  profiling {args.history + 1} runs: {profiled:.1f} s; rendering the report: {rendered:.2f} s"
    )
    print(
        f"  report size: {len(page.encode()) / 1024 / 1024:.2f} MiB, {charts} charts ({drawn} drawn)"
    )
    print(f"  open in Chromium (median of 3): first paint {paint:.0f} ms, load {load:.0f} ms")
    print(
        f"  plain table, same columns:      first paint {ref_paint:.0f} ms, load {ref_load:.0f} ms"
    )
    print(f"  ratio report / plain (load event): {load / max(ref_load, 1):.1f}x")


if __name__ == "__main__":
    main()
