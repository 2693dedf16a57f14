"""`dataprof report` end to end: runs stored by `dataprof profile` over Parquet files
through the `file` connector, read back from a real local store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.hooks import reset_hooks

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATAPROF_STORE", raising=False)
    reset_hooks()
    yield
    reset_hooks()


def write_orders(path: Path, rows: int, *, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array(np.arange(rows), pa.int64()),
                "amount": pa.array(rng.normal(100.0, 10.0, rows)),
                "country": pa.array(rng.choice(["FR", "DE", "<b>ES</b>"], rows).tolist()),
            }
        ),
        path,
    )
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def profile_runs(path: Path, sizes: tuple[int, ...]) -> list[str]:
    """Profile ``path`` once per size (rewriting it each time); the stored run ids."""
    run_ids = []
    for i, rows in enumerate(sizes):
        write_orders(path, rows, seed=i)
        code, out, err = invoke("profile", str(path), "--format", "json", "--no-progress")
        assert code == 0, err
        run_ids.append(re.search(r'"run_id": "(\w+)"', out).group(1))  # type: ignore[union-attr]
    return run_ids


def test_report_writes_the_latest_run_with_its_history(tmp_path: Path) -> None:
    """Fix: cli/report_commands.py reads the store, dataprof.report renders."""
    data = tmp_path / "orders.parquet"
    run_ids = profile_runs(data, (1000, 1100, 500))
    code, out, err = invoke("report", str(data), "-o", "out.html")
    assert code == 0, err
    assert "Report written to out.html" in out
    page = (tmp_path / "out.html").read_text()
    assert run_ids[-1] in page
    assert "History (3 runs)" in page
    assert "&lt;b&gt;ES&lt;/b&gt;" in page
    assert "<b>ES" not in page
    # an older run: its own figures, and only the runs before it in the trends
    code, _, err = invoke("report", str(data), "--run", run_ids[1], "-o", "older.html")
    assert code == 0, err
    older = (tmp_path / "older.html").read_text()
    assert run_ids[1] in older
    assert "History (2 runs)" in older


def test_report_compares_two_runs(tmp_path: Path) -> None:
    data = tmp_path / "orders.parquet"
    first, second = profile_runs(data, (1000, 1200))
    code, out, err = invoke("report", str(data), "--compare", first, second, "-o", "-")
    assert code == 0, err
    assert "two runs compared" in out
    assert '<td class="num">1,000</td><td class="num">1,200</td>' in out


def test_report_explains_what_is_missing(tmp_path: Path) -> None:
    """No run yet, an unknown run, a run of another table: one line each, exit 2."""
    data = write_orders(tmp_path / "orders.parquet", 10)
    code, _, err = invoke("report", str(data))
    assert code == 2
    err = " ".join(err.split())
    assert "No succeeded run of" in err
    assert "profile it first with `dataprof profile SOURCE`" in err
    other = tmp_path / "other.parquet"
    (other_run,) = profile_runs(other, (20,))
    code, _, err = invoke("report", str(data), "--run", "nope")
    assert code == 2
    assert "nope" in err
    code, _, err = invoke("report", str(data), "--run", other_run)
    assert code == 2
    assert "other.parquet" in " ".join(err.split())
    assert not (tmp_path / "report.html").exists()


def test_profile_writes_the_report_straight_after_profiling(tmp_path: Path) -> None:
    """`dataprof profile SOURCE --html FILE`: the run just made, with the runs before it;
    with --format json stdout stays the profile alone. Fix: cli/profile_commands.py."""
    data = tmp_path / "orders.parquet"
    profile_runs(data, (800,))
    write_orders(data, 900, seed=5)
    code, out, err = invoke(
        "profile", str(data), "--no-progress", "--format", "json", "--html", "now.html"
    )
    assert code == 0, err
    run_id = re.search(r'"run_id": "(\w+)"', out).group(1)  # type: ignore[union-attr]
    assert out.lstrip().startswith("{")
    assert out.rstrip().endswith("}")
    assert "Report written to now.html" in err
    page = (tmp_path / "now.html").read_text()
    assert run_id in page
    assert "History (2 runs)" in page
    code, out, err = invoke("profile", str(data), "--no-progress", "--no-store", "--html", "x.html")
    assert code == 0, err
    assert "Report written to x.html" in out
    assert 'id="history"' not in (tmp_path / "x.html").read_text()


def test_the_trends_read_past_runs_as_views_and_draw_what_whole_runs_draw(
    tmp_path: Path,
) -> None:
    """The report's history is read one run at a time, each kept as its figures and
    anomalies (the trend marks): the page is the one whole runs make. Fix:
    cli/report_commands.py runs_before, anomalies/history_view.py."""
    from dataprof.cli.report_commands import runs_before
    from dataprof.report import render_html
    from dataprof.stores import DEFAULT_STORE, LocalProfileStore, SourceIdentity

    data = tmp_path / "orders.parquet"
    run_ids = profile_runs(data, (1000, 1100, 400, 1050))
    store = LocalProfileStore(tmp_path / DEFAULT_STORE)
    latest = store.get_run(run_ids[-1])
    views = runs_before(store, latest)
    whole = [p for p in store.history(SourceIdentity.of(latest)) if p.run_id != latest.run_id]
    assert [v.run_id for v in views] == [p.run_id for p in whole] == run_ids[-2::-1]
    assert any(a.anomaly_type == "row_count_change" for a in views[0].anomalies)
    assert all(not c.metrics and c.min_value is None for v in views for c in v.columns)
    page = render_html(latest, views)
    assert page == render_html(latest, whole)
    assert 'class="point-anomaly"' in page
