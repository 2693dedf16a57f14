"""What a person reads at 80, 100 and 200 columns: nothing they need is cut off.

The consoles' width is set directly (rich reads COLUMNS only when a console is
made, at import), so each test renders at the width it names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.cli import output as cli_output

WIDTHS = (80, 100, 200)


@pytest.fixture
def width(request: pytest.FixtureRequest) -> Iterator[int]:
    chosen: int = request.param
    before = (cli_output.console.width, cli_output.err_console.width)
    cli_output.console.width = chosen
    cli_output.err_console.width = chosen
    yield chosen
    cli_output.console.width, cli_output.err_console.width = before


def _table(rows: int = 400) -> pa.Table:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return pa.table(
        {
            "trip_identifier": pa.array(range(rows), pa.int64()),
            "passenger_count_reported": pa.array(
                [None if i % 7 == 0 else i % 5 for i in range(rows)], pa.int32()
            ),
            "pickup_timestamp_utc": pa.array(
                [start + timedelta(minutes=i) for i in range(rows)], pa.timestamp("us", tz="UTC")
            ),
            "fare_amount": pa.array(
                [Decimal(f"{i % 90}.{i % 100:02d}") for i in range(rows)], pa.decimal128(10, 2)
            ),
            "distance_km": pa.array(
                [float("nan") if i % 50 == 0 else i / 10 for i in range(rows)], pa.float64()
            ),
            "payment_type": pa.array([("card", "cash", "app")[i % 3] for i in range(rows)]),
            "is_airport_trip": pa.array([i % 4 == 0 for i in range(rows)]),
            "pickup_location": pa.array(
                [{"lat": 40.0 + i / 1000, "lon": -73.0 - i / 1000} for i in range(rows)]
            ),
        }
    )


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "long" / "folder" / "names" / "for" / "a" / "table" / "trips.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(_table(), path)
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def _lines_holding(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def _assert_whole(out: str, *cells: str) -> None:
    """Each cell stands unbroken on some line (wrapped around it, never through it)."""
    for cell in cells:
        assert _lines_holding(out, cell), f"{cell!r} is cut or missing in:\n{out}"


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_profile_is_whole_at_every_width(parquet: Path, tmp_path: Path, width: int) -> None:
    store = str(tmp_path / "store")
    code, out, err = invoke("profile", str(parquet), "--store", store, "--no-progress")
    assert code == 0, err
    assert "…" not in out.replace("…/", ""), out  # no value here is longer than the limit
    assert all(len(line.rstrip()) <= width for line in out.splitlines())
    code, js, _ = invoke("profile", str(parquet), "--store", store, "-f", "json", "--no-progress")
    profile = json.loads(js)
    for column in profile["columns"]:
        cells = [column["column_name"], column["data_type"]]
        if column["null_percentage"] is not None:
            cells.append(f"{column['null_percentage']:.1f}%")
        if column["distinct_count"] is not None:
            cells.append(f"{column['distinct_count']:,}")
        _assert_whole(out, *cells)
    # NaN is shown where there is some
    assert re.search(r"NaN 8\b|\+8 NaN", out), out


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_title_shortens_a_long_path_from_the_left(
    parquet: Path, tmp_path: Path, width: int
) -> None:
    code, out, _ = invoke("profile", str(parquet), "--store", str(tmp_path / "s"), "--no-progress")
    assert code == 0
    title = out.splitlines()[0]
    assert title.endswith("trips.parquet (file): trips.parquet")
    assert len(title) <= width


def test_a_rerun_says_what_it_was_compared_with(parquet: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, first, _ = invoke("profile", str(parquet), "--store", store, "--mode", "full")
    assert code == 0
    assert "Compared with run" not in first
    code, second, _ = invoke("profile", str(parquet), "--store", store, "--mode", "full")
    assert code == 0
    match = re.search(
        r"Compared with run ([0-9a-f]{8}) \((\d{4}-\d\d-\d\d \d\d:\d\d) UTC, full\)", second
    )
    assert match, second
    assert "no changes" in second
    assert first.split("Run ")[-1].startswith(match.group(1))


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_history_is_whole_at_every_width(parquet: Path, tmp_path: Path, width: int) -> None:
    store = str(tmp_path / "store")
    invoke("profile", str(parquet), "--store", store, "--mode", "full", "--no-progress")
    invoke("profile", str(parquet), "--store", store, "--mode", "sample", "--sample-size", "50")
    code, out, err = invoke("history", str(parquet), "--store", store)
    assert code == 0, err
    code, js, _ = invoke("history", str(parquet), "--store", store, "-f", "json")
    for run in json.loads(js):
        _assert_whole(out, run["run_id"][:8], run["status"], f"{run['row_count']:,}")
    _assert_whole(out, "sample of 50", "full")
    code, out, err = invoke("history", str(parquet), "--store", store, "--column", "fare_amount")
    assert code == 0, err
    _assert_whole(out, "sample of 50", "decimal128(10, 2)", "nulls 0.0%", "0.00 → 89.89")


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_sample_is_whole_at_every_width(parquet: Path, width: int) -> None:
    code, out, err = invoke("sample", str(parquet), "-n", "3")
    assert code == 0, err
    assert "…" not in out
    rows = _table(3).to_pylist()
    for row in rows:
        _assert_whole(
            out, *(str(v) for v in row.values() if v is not None and not isinstance(v, dict))
        )
    for name in _table(1).column_names:
        _assert_whole(out, name)


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_connectors_is_whole_at_every_width(width: int) -> None:
    code, out, _ = invoke("connectors")
    assert code == 0
    assert "…" not in out
    from dataprof.registry import list_connectors

    for info in list_connectors():
        _assert_whole(out, info.name, info.status, info.distribution or "-")


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(
    parquet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_output, "PLAIN_PROGRESS_EVERY_S", 0.0)
    store = str(tmp_path / "store")
    code, _, err = invoke("profile", str(parquet), "--store", store, "--mode", "full")
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("read ")]
    assert lines, err
    assert re.fullmatch(r"read 400 rows, [\d.]+ \w+ in [\d.]+ s", lines[-1]), lines
    code, _, err = invoke("profile", str(parquet), "--store", store, "--no-progress")
    assert "read " not in err
