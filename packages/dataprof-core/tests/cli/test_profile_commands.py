"""`dataprof profile` and `dataprof history` end to end: the real engine over Parquet files
through the `file` connector, a real local store in a temporary folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import BaseModel, ConfigDict, SecretStr
from typer.testing import CliRunner

from dataprof import AuthenticationError, DataConnector
from dataprof.cli import build_app
from dataprof.hooks import reset_hooks
from dataprof.profiling.models import RunStatus, TableProfile
from dataprof.registry import ConnectorRegistry
from dataprof.stores import LocalProfileStore, SourceIdentity

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATAPROF_STORE", raising=False)
    reset_hooks()
    yield
    reset_hooks()


def write_orders(path: Path, rows: int, *, seed: int = 0, loc: float = 100.0) -> Path:
    rng = np.random.default_rng(seed)
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array(np.arange(rows), pa.int64()),
                "amount": pa.array(rng.normal(loc, 10.0, rows)),
                "country": pa.array(rng.choice(["FR", "DE", "ES"], rows).tolist()),
                "note": pa.array([None] * rows, pa.string()),
            }
        ),
        path,
    )
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def store_at(path: Path) -> LocalProfileStore:
    return LocalProfileStore(path)


def orders(folder: Path) -> SourceIdentity:
    """A file given by path is named by its absolute path, so histories never mix."""
    path = (folder / "orders.parquet").resolve()
    return SourceIdentity(source_type="file", source_name=str(path), database="", table=path.name)


def test_profile_renders_columns_and_anomalies_and_stores_the_run(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 2000)
    code, out, err = invoke("profile", str(data), "--no-progress")
    assert code == 0, err
    for name in ("order_id", "amount", "country", "note", "2,000 rows"):
        assert name in out
    assert "all_null" in out  # `note` is entirely null
    assert "Traceback" not in out + err
    [run] = store_at(tmp_path / ".dataprof" / "store").history(orders(tmp_path))
    assert run.row_count == 2000
    assert [(a.column_name, a.anomaly_type) for a in run.anomalies] == [("note", "all_null")]
    assert f"Run {run.run_id} stored" in out


def test_json_output_is_the_profile_and_nothing_else(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 500)
    code, out, _ = invoke("profile", str(data), "--format", "json", "--store", str(tmp_path / "s"))
    assert code == 0
    printed = TableProfile.model_validate_json(out)
    assert printed.row_count == 500
    assert [c.column_name for c in printed.columns] == ["order_id", "amount", "country", "note"]
    assert printed.anomalies[0].anomaly_type == "all_null"
    assert "amount/kll" in printed.sketches
    assert store_at(tmp_path / "s").get_run(printed.run_id).anomalies == printed.anomalies


def test_columns_and_mode_are_passed_to_the_engine(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 3000)
    code, out, err = invoke(
        "profile", str(data), "--columns", "amount,country", "--mode", "sample",
        "--sample-size", "100", "--workers", "1", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    printed = TableProfile.model_validate_json(out)
    assert [c.column_name for c in printed.columns] == ["amount", "country"]
    assert printed.mode.value == "sample"
    assert printed.sampled


@pytest.mark.parametrize(("level", "expected"), [("high", 1), ("medium", 1), ("critical", 0)])
def test_fail_on_severity(tmp_path: Path, level: str, expected: int) -> None:
    data = write_orders(tmp_path / "orders.parquet", 300)  # all_null is high
    code, _, err = invoke("profile", str(data), "--no-progress", "--fail-on", level)
    assert code == expected
    if expected:
        assert f"at or above {level}" in err


def test_second_run_is_judged_against_the_first_and_history_shows_it(tmp_path: Path) -> None:
    data = tmp_path / "orders.parquet"
    write_orders(data, 1000, seed=1)
    assert invoke("profile", str(data), "--no-progress")[0] == 0
    write_orders(data, 3000, seed=2, loc=160.0)  # 3x the rows, amounts shifted up
    code, out, err = invoke("profile", str(data), "--format", "json", "--fail-on", "critical")
    assert code == 1, err
    kinds = {
        (a.column_name, a.anomaly_type, a.severity.value)
        for a in TableProfile.model_validate_json(out).anomalies
    }
    assert (None, "row_count_change", "critical") in kinds
    assert ("amount", "distribution_drift", "high") in kinds
    assert ("amount", "mean_change", "medium") in kinds

    code, out, _ = invoke("history", str(data))
    assert code == 0
    assert "+2,000 (+200.0%)" in out
    code, out, _ = invoke("history", str(data), "--format", "json")
    runs = json.loads(out)
    assert [r["row_count"] for r in runs] == [3000, 1000]
    assert runs[0]["anomaly_counts"]["critical"] == 1
    code, out, _ = invoke("history", str(data), "--column", "amount", "--format", "json")
    means = [r["mean"] for r in json.loads(out)]
    assert means[0] == pytest.approx(160, abs=2)
    assert means[1] == pytest.approx(100, abs=2)


def test_thresholds_from_the_config_file(tmp_path: Path) -> None:
    write_orders(tmp_path / "orders.parquet", 300)
    (tmp_path / "dataprof.toml").write_text(
        """
[sources.orders]
source_type = "file"
database = "shop"
table = "orders"
connection_params = { path = "orders.parquet" }

[sources.orders.thresholds.columns.note]
disabled = ["all_null"]
"""
    )
    code, out, err = invoke("profile", "orders", "--no-progress", "--fail-on", "low")
    assert code == 0, err
    assert "No anomalies" in out
    named = SourceIdentity(
        source_type="file", source_name="orders", database="shop", table="orders"
    )
    assert len(store_at(tmp_path / ".dataprof" / "store").history(named)) == 1


def test_invalid_thresholds_are_one_clear_error(tmp_path: Path) -> None:
    write_orders(tmp_path / "orders.parquet", 10)
    (tmp_path / "dataprof.toml").write_text(
        '[sources.orders]\nsource_type = "file"\ndatabase = ""\ntable = "o"\n'
        'connection_params = { path = "orders.parquet" }\n'
        "[sources.orders.thresholds]\nmostly_nul_share = 0.5\n"
    )
    code, out, err = invoke("profile", "orders")
    assert code == 2
    assert "mostly_nul_share" in err
    assert "Traceback" not in out + err


def test_a_failed_read_is_recorded_then_reported(tmp_path: Path) -> None:
    broken = tmp_path / "orders.parquet"
    broken.write_bytes(b"PAR1 this is not a parquet file")
    code, out, err = invoke("profile", str(broken), "--no-progress")
    assert code == 2
    assert "Error:" in err
    assert "Traceback" not in out + err
    [run] = store_at(tmp_path / ".dataprof" / "store").history(
        orders(tmp_path), include_failed=True
    )
    assert run.status is RunStatus.FAILED
    assert run.error
    code, out, _ = invoke("history", str(broken))
    assert "failed" in out


class EchoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    password: SecretStr


class EchoingConnector(DataConnector):
    """An engine that echoes the credential back in its error, as some drivers do."""

    params_model: ClassVar[type[BaseModel]] = EchoParams
    params: EchoParams

    def arrow_schema(self) -> Any:
        raise AuthenticationError(
            f"login refused for password {self.params.password.get_secret_value()}",
            **self.error_context(),
        )

    def iter_batches(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("never reached")


def test_failed_run_never_stores_the_secret(
    tmp_path: Path, dataprof_registry: ConnectorRegistry
) -> None:
    dataprof_registry.register("echo", EchoingConnector)
    secret = "s3cr3t-Hunter-42"
    code, out, err = invoke(
        "profile", "--type", "echo", "--param", f"password={secret}", "--table", "t",
        "--database", "d", "--no-progress",
    )  # fmt: skip
    assert code == 2
    assert "login refused" in err
    assert secret not in out + err
    store_root = tmp_path / ".dataprof" / "store"
    [run] = store_at(store_root).history(
        SourceIdentity(source_type="echo", database="d", table="t"), include_failed=True
    )
    assert run.status is RunStatus.FAILED
    assert "login refused" in (run.error or "")
    for path in store_root.rglob("*.json"):
        assert secret not in path.read_text()


def test_unknown_store_scheme(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 10)
    code, _, err = invoke("profile", str(data), "--store", "s3://bucket/profiles")
    assert code == 2
    assert "'s3'" in err


def test_history_of_a_table_never_profiled(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 10)
    code, out, _ = invoke("history", str(data))
    assert code == 0
    assert "No runs" in out


BROKEN_DETECTOR = """
from dataprof import hookimpl

class Broken:
    name = "broken"
    def detect(self, current, history, thresholds):
        raise KeyError("missing")

@hookimpl
def dataprof_anomaly_detectors():
    return [Broken()]
"""


def test_failing_plugin_detector_keeps_the_profile_and_exits_2(
    tmp_path: Path, plugin_site: Any
) -> None:
    plugin_site.install(
        "dataprof-broken-detector",
        {"dataprof.plugins": {"brokendet": "cli_test_broken_detector"}},
        {"cli_test_broken_detector": BROKEN_DETECTOR},
    )
    data = write_orders(tmp_path / "orders.parquet", 50)
    code, out, err = invoke("profile", str(data), "--no-progress")
    assert code == 2
    message = " ".join(err.split())  # the terminal width wraps it
    assert (
        "'broken' (cli_test_broken_detector.Broken, plugin 'brokendet') failed on orders" in message
    )
    assert "Traceback" not in out + err
    [run] = store_at(tmp_path / ".dataprof" / "store").history(orders(tmp_path))
    assert any("anomaly detection failed" in note for note in run.notes)


def test_profiling_some_columns_does_not_report_the_others_as_dropped(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 400)
    assert invoke("profile", str(data), "--no-progress")[0] == 0
    code, out, err = invoke("profile", str(data), "--columns", "amount", "--format", "json")
    assert code == 0, err
    kinds = {a.anomaly_type for a in TableProfile.model_validate_json(out).anomalies}
    assert "column_dropped" not in kinds
    # ... while a real drop, on a full run, is reported
    pq.write_table(pq.read_table(data).drop_columns(["country"]), data)
    code, out, _ = invoke("profile", str(data), "--format", "json")
    dropped = [
        a.column_name
        for a in TableProfile.model_validate_json(out).anomalies
        if a.anomaly_type == "column_dropped"
    ]
    assert dropped == ["country"]


def test_progress_bar_shows_rows_bytes_and_elapsed() -> None:
    from io import StringIO

    from rich.console import Console

    from dataprof.cli.output import read_progress

    screen = StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    with read_progress(output=terminal) as update:
        assert update is not None
        update(5_000, 211_390)
        update(12_345, 1_500_000)
    shown = screen.getvalue()
    assert "12,345 rows" in shown
    assert "1.5 MB" in shown
    assert "0:00:0" in shown  # elapsed, h:mm:ss
    with read_progress(enabled=False) as nothing:
        assert nothing is None


def test_same_file_name_in_two_folders_keeps_two_histories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_orders(tmp_path / "a" / "orders.parquet", 100)
    write_orders(tmp_path / "b" / "orders.parquet", 300)
    for folder in ("a", "b"):
        code, _, err = invoke("profile", str(tmp_path / folder / "orders.parquet"), "--no-progress")
        assert code == 0, err
    store = store_at(tmp_path / ".dataprof" / "store")
    assert [r.row_count for r in store.history(orders(tmp_path / "a"))] == [100]
    assert [r.row_count for r in store.history(orders(tmp_path / "b"))] == [300]


def test_a_sample_and_a_full_run_of_the_same_file_are_not_compared(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 20_000)
    sampled = ("--mode", "sample", "--sample-size", "1000", "--workers", "1")
    assert invoke("profile", str(data), *sampled, "--no-progress")[0] == 0
    code, out, err = invoke("profile", str(data), "--mode", "full", "--format", "json")
    assert code == 0, err
    whole = TableProfile.model_validate_json(out)
    assert [a.anomaly_type for a in whole.anomalies] == ["all_null"]
    assert whole.history_comparison is not None
    assert whole.history_comparison.compared_run_ids == []
    assert [s.reason for s in whole.history_comparison.skipped] == [
        "a sample of 1,000 rows, this run read the whole table"
    ]
    # history says what each run read, and does not call the sample a row-count drop
    code, out, _ = invoke("history", str(data))
    assert code == 0
    assert "sample of 1,000" in out
    assert "full" in out
    assert "-19,000" not in out
    assert "+19,000" not in out
    runs = json.loads(invoke("history", str(data), "--format", "json")[1])
    assert [(r["mode"], r["sampled"], r["sample_size"]) for r in runs] == [
        ("full", False, None),
        ("sample", True, 1000),
    ]


def test_an_all_nan_column_is_flagged_like_an_all_null_one(tmp_path: Path) -> None:
    data = tmp_path / "readings.parquet"
    nan = float("nan")
    pq.write_table(
        pa.table(
            {
                "reading": pa.array(np.arange(100, dtype=float)),
                "ratio": pa.array([nan] * 100),
                "gauge": pa.array([nan, None] * 50, pa.float64()),
            }
        ),
        data,
    )
    code, out, err = invoke("profile", str(data), "--format", "json")
    assert code == 0, err
    found = TableProfile.model_validate_json(out).anomalies
    assert sorted((a.column_name, a.anomaly_type) for a in found) == [
        ("gauge", "all_null"),
        ("ratio", "all_null"),
    ]
    code, out, _ = invoke("profile", str(data), "--no-progress")
    ratio_block = out[out.index("\nratio ") : out.index("\ngauge ")]
    assert "NaN 100" in ratio_block


def test_an_unwritable_store_keeps_the_profile_on_screen_and_fails(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 300)
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")  # root can write anywhere; nobody can make a folder in a file
    code, out, err = invoke(
        "profile", str(data), "--store", str(blocker / "store"), "--format", "json"
    )
    assert code == 2
    printed = TableProfile.model_validate_json(out)
    assert printed.row_count == 300
    assert "was not stored" in err
    code, out, err = invoke("profile", str(data), "--store", str(blocker / "store"))
    assert code == 2
    assert "order_id" in out
    assert "not stored" in out
    assert "was not stored" in err


def test_disk_full_after_the_run_file_says_the_run_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataprof.stores.local_index import TableIndex

    data = write_orders(tmp_path / "orders.parquet", 300)

    def disk_full(self: TableIndex, source: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TableIndex, "save", disk_full)
    code, out, err = invoke("profile", str(data), "--store", "st", "--format", "json")
    assert code == 2
    printed = TableProfile.model_validate_json(out)
    flat = " ".join(err.split())
    assert "The profile above was stored, but" in flat
    assert f"Run {printed.run_id} was stored in" in flat
    assert "No space left on device" in flat
    assert "not stored" not in flat
    monkeypatch.undo()
    [summary] = store_at(tmp_path / "st").list_runs()
    assert summary.run_id == printed.run_id


def test_no_store_judges_the_run_alone_and_writes_nothing(tmp_path: Path) -> None:
    data = write_orders(tmp_path / "orders.parquet", 300)
    assert invoke("profile", str(data), "--no-progress")[0] == 0
    write_orders(data, 900, seed=3)  # a row-count jump history would flag
    code, out, err = invoke("profile", str(data), "--no-store", "--format", "json")
    assert code == 0, err
    printed = TableProfile.model_validate_json(out)
    assert [a.anomaly_type for a in printed.anomalies] == ["all_null"]
    assert len(store_at(tmp_path / ".dataprof" / "store").history(orders(tmp_path))) == 1


def test_auto_reads_a_small_csv_whole_and_a_sample_says_so_loudly(tmp_path: Path) -> None:
    import pyarrow.csv as pacsv

    rows = 30_000
    rng = np.random.default_rng(0)
    data = tmp_path / "trips.csv"
    # sorted and appended to: the first 10,000 rows have no nulls and one vendor
    vendor = np.where(np.arange(rows) < 10_000, "A", rng.choice(["A", "B", "C"], rows))
    tip = pa.array(
        rng.normal(2.0, 1.0, rows), mask=(np.arange(rows) >= 10_000) & (rng.random(rows) < 0.375)
    )
    pacsv.write_csv(pa.table({"vendor": pa.array(vendor.tolist()), "tip": tip}), data)
    code, out, err = invoke("profile", str(data), "--format", "json")
    assert code == 0, err
    whole = TableProfile.model_validate_json(out)
    assert whole.mode.value == "full"
    assert not whole.sampled
    assert whole.row_count == rows
    assert any("on disk" in note for note in whole.notes)
    assert "constant_column" not in {a.anomaly_type for a in whole.anomalies}
    tip_column = whole.column("tip")
    assert tip_column is not None
    assert tip_column.null_count == int(tip.null_count)
    code, out, err = invoke(
        "profile", str(data), "--mode", "sample", "--sample-size", "1000", "--no-store"
    )
    assert code == 0, err
    assert "SAMPLE: figures describe 1,000 rows" in out


def test_two_identical_runs_of_a_heavy_tailed_table_agree_and_raise_no_history(
    tmp_path: Path,
) -> None:
    rows = 100_000
    rng = np.random.default_rng(11)
    data = tmp_path / "rides.parquet"
    pq.write_table(
        pa.table(
            {
                "ride_id": pa.array(np.arange(rows)),
                "seconds": rng.lognormal(6.5, 0.9, rows),
                "wait_minutes": rng.exponential(7.0, rows),
                "delay_min": np.where(
                    rng.random(rows) < 0.7, rng.normal(-3, 6, rows), rng.exponential(25, rows)
                ).round(),
                "tip": np.where(rng.random(rows) < 0.3, 0.0, rng.lognormal(1.0, 0.7, rows)),
                "rider": pa.array([f"rider {i}" for i in rng.integers(0, 400_000, rows)]),
            }
        ),
        data,
        row_group_size=10_000,
    )
    runs = []
    for _ in range(2):
        code, out, err = invoke("profile", str(data), "--format", "json")
        assert code == 0, err
        runs.append(TableProfile.model_validate_json(out))
    first, second = (
        [(a.column_name, a.anomaly_type, a.description) for a in r.anomalies] for r in runs
    )
    assert first == second
    assert all(a.severity.value == "low" for a in runs[1].anomalies), runs[1].anomalies
    assert runs[1].history_comparison is not None
    assert runs[1].history_comparison.compared_run_ids == [runs[0].run_id]
