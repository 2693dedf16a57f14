"""`dataprof job plan` -> concurrent `job scan --item N` processes -> `job merge`, end to
end: a Parquet table through the real `file` connector, run files on a moto S3 server on
127.0.0.1 (and in a local folder), a local profile store. The merged profile's exact
figures must equal `profile --mode full`'s; every way the states can be wrong fails the
merge with a StateFormatError and records the run failed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof import DataSourceConfig, get_connector
from dataprof.errors import StateFormatError
from dataprof.fanout import WorkItem, merge_run, plan_run, read_plan, run_key, scan_item
from dataprof.profiling import TableProfile, profile_table
from dataprof.profiling.models import RunStatus
from dataprof.profiling.state_format import read_state, write_state
from dataprof.run_files import FolderRunFiles, RunFiles, open_run_files
from dataprof.stores import LocalProfileStore, SourceIdentity, open_archive
from dataprof.testing.moto_server import aws_client


def write_orders(path: Path, rows: int = 12_000, row_group: int = 1_000) -> Path:
    n = range(rows)
    table = pa.table(
        {
            "id": pa.array(n, pa.int64()),
            "amount": pa.array([(i * 37 % 1000) / 7 for i in n], pa.float64()),
            "country": pa.array([["FR", "DE", "ES", None][i % 4] for i in n]),
            "paid": pa.array([i % 3 == 0 for i in n]),
        }
    )
    pq.write_table(table, path, row_group_size=row_group)
    return path


def config_for(path: Path) -> DataSourceConfig:
    return DataSourceConfig(
        source_type="file",
        connection_params={"path": str(path)},
        database="shop",
        table="orders",
    )


def spec_for(path: Path) -> str:
    return json.dumps(
        {
            "source": {"source_type": "file", "connection_params": {"path": str(path)}},
            "database": "shop",
            "table": "orders",
            "mode": "full",
        }
    )


def exact_figures(profile: TableProfile) -> dict[tuple[str, str], Any]:
    return {
        (column.column_name, name): metric.value
        for column in profile.columns
        for name, metric in column.metrics.items()
        if metric.exact
    }


def full_profile(path: Path) -> TableProfile:
    with get_connector(config_for(path)) as connector:
        return profile_table(connector, mode="full", workers=1)


def assert_same_exact(merged: TableProfile, full: TableProfile) -> None:
    assert merged.row_count == full.row_count
    ours, theirs = exact_figures(merged), exact_figures(full)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-12), key
        else:
            assert ours[key] == value, key


@pytest.fixture
def bucket(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"runs-{uuid.uuid4().hex[:12]}"
    aws_client("s3", moto_server).create_bucket(Bucket=name)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    return name


def test_plan_concurrent_scans_and_merge_over_s3_equal_the_full_profile(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_orders(tmp_path / "orders.parquet", rows=8_000, row_group=2_000)
    runs = f"s3://{bucket}/dataprof"
    run_id = uuid.uuid4().hex
    env = {
        **os.environ,
        "DATAPROF_RUNS": runs,
        "DATAPROF_RUN_ID": run_id,
        "DATAPROF_JOB_SPEC": spec_for(path),
        "DATAPROF_STORE": str(tmp_path / "store"),
        "DATAPROF_ARCHIVE": str(tmp_path / "archive"),
        "DATAPROF_RUN_SECRET": "a secret only this run's tasks know",
    }
    cli = [sys.executable, "-m", "dataprof", "job"]
    planned = subprocess.run(
        [*cli, "plan", "--bytes-per-task", "1"], env=env, capture_output=True, text=True
    )
    assert planned.returncode == 0, planned.stderr
    monkeypatch.setenv("DATAPROF_RUN_SECRET", env["DATAPROF_RUN_SECRET"])
    plan = read_plan(open_run_files(runs), run_id)
    assert len(plan) == 4  # one per row group
    assert sorted(s.index for item in plan for s in item.splits) == list(
        range(sum(len(i.splits) for i in plan))
    )
    scans = [
        subprocess.Popen(
            [*cli, "scan", "--item", str(item.item)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for item in plan
    ]
    for scan in scans:
        _, err = scan.communicate(timeout=300)
        assert scan.returncode == 0, err
    keys = aws_client("s3", os.environ["AWS_ENDPOINT_URL_S3"]).list_objects_v2(
        Bucket=bucket, Prefix=f"dataprof/runs/{run_id}/states/"
    )["Contents"]
    assert len(keys) == len(plan)
    merged = subprocess.run([*cli, "merge"], env=env, capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr
    stored = LocalProfileStore(tmp_path / "store").get_run(run_id)
    assert stored.status is RunStatus.SUCCEEDED
    assert_same_exact(stored, full_profile(path))
    written = open_run_files(runs).read(f"runs/{run_id}/profile.json")
    assert json.loads(written)["run_id"] == run_id
    archive = open_archive(str(tmp_path / "archive"))
    assert archive is not None
    assert archive.read_run(SourceIdentity.of(stored), run_id).row_count == stored.row_count


# -- every way the states can be wrong ------------------------------------------------------


@pytest.fixture
def scanned(tmp_path: Path) -> tuple[Path, FolderRunFiles, str, list[WorkItem]]:
    path = write_orders(tmp_path / "orders.parquet", rows=4_000)
    files = FolderRunFiles(tmp_path / "runs")
    run_id = uuid.uuid4().hex
    plan = plan_run(config_for(path), run_id=run_id, files=files, bytes_per_task=20_000)
    assert len(plan) >= 3
    for item in plan:
        scan_item(config_for(path), run_id=run_id, item=item.item, files=files)
    return path, files, run_id, plan


def _state_path(files: FolderRunFiles, run_id: str, item: int) -> Path:
    return files.root / f"runs/{run_id}/states/{item}.state"


def _resign(files: RunFiles, run_id: str, item: int, **meta: Any) -> bytes:
    key = run_key(files, run_id)
    state, old = read_state(files.read(f"runs/{run_id}/states/{item}.state"), key=key)
    return write_state(state, key=key, meta={**old, **meta})


def _break(kind: str, files: FolderRunFiles, run_id: str) -> str:
    """Damage the run's states in one way; returns what the error must say."""
    one = _state_path(files, run_id, 1)
    if kind == "missing":
        one.unlink()
        return "missing the states of 1"
    if kind == "duplicated":
        shutil.copy(_state_path(files, run_id, 0), one)
        return "duplicated or misplaced"
    if kind == "other snapshot":
        one.write_bytes(_resign(files, run_id, 1, snapshot_id=12345))
        return "snapshot 12345"
    if kind == "other run":
        other_key = b"another run's key"
        state, meta = read_state(one.read_bytes(), key=run_key(files, run_id))
        one.write_bytes(write_state(state, key=other_key, meta=meta))
        return "signature"
    if kind == "damaged":
        data = bytearray(one.read_bytes())
        data[len(data) // 2] ^= 0x40
        one.write_bytes(bytes(data))
        return "signature"
    if kind == "unknown version":
        data = bytearray(one.read_bytes())
        data[8:10] = (99).to_bytes(2, "big")
        one.write_bytes(bytes(data))
        return "format version 99"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    ["missing", "duplicated", "other snapshot", "other run", "damaged", "unknown version"],
)
def test_a_wrong_state_fails_the_merge_and_records_the_run_failed(
    kind: str, scanned: tuple[Path, FolderRunFiles, str, list[WorkItem]], tmp_path: Path
) -> None:
    path, files, run_id, _ = scanned
    expected = _break(kind, files, run_id)
    store = LocalProfileStore(tmp_path / "store")
    with pytest.raises(StateFormatError) as caught:
        merge_run(config_for(path), run_id=run_id, files=files, store=store)
    assert expected in str(caught.value)
    failed = store.get_run(run_id)
    assert failed.status is RunStatus.FAILED
    assert expected in (failed.error or "")


def test_merge_of_a_good_run_equals_the_full_profile_locally(
    scanned: tuple[Path, FolderRunFiles, str, list[WorkItem]], tmp_path: Path
) -> None:
    path, files, run_id, _ = scanned
    store = LocalProfileStore(tmp_path / "store")
    merged = merge_run(config_for(path), run_id=run_id, files=files, store=store)
    assert_same_exact(merged, full_profile(path))
    assert store.get_run(run_id).status is RunStatus.SUCCEEDED


# -- any grouping ---------------------------------------------------------------------------

_TABLE_DIR = Path(tempfile.mkdtemp(prefix="dataprof-fanout-"))
_TABLE = write_orders(_TABLE_DIR / "orders.parquet", rows=3_000, row_group=250)
_FULL = full_profile(_TABLE)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.booleans(), min_size=11, max_size=11))
def test_any_grouping_of_splits_into_items_merges_to_the_same_exact_figures(
    cuts: list[bool],
) -> None:
    """``cuts[i]``: a new item starts after split ``i``; the plan is rewritten by hand."""
    with tempfile.TemporaryDirectory() as folder:
        files = FolderRunFiles(Path(folder))
        run_id = uuid.uuid4().hex
        items = plan_run(config_for(_TABLE), run_id=run_id, files=files, bytes_per_task=1)
        splits = [s for item in items for s in item.splits]
        assert len(splits) == 12
        groups: list[list[Any]] = [[]]
        for split, cut in zip(splits, [*cuts, False], strict=True):
            groups[-1].append(split)
            if cut:
                groups.append([])
        plan = [
            WorkItem(run_id=run_id, item=n, items=len(groups), snapshot_id=None, splits=g)
            for n, g in enumerate(groups)
        ]
        files.write(
            f"runs/{run_id}/plan.json",
            json.dumps([p.model_dump(mode="json") for p in plan]).encode(),
        )
        for item in plan:
            scan_item(config_for(_TABLE), run_id=run_id, item=item.item, files=files)
        merged = merge_run(config_for(_TABLE), run_id=run_id, files=files, store=None)
        assert_same_exact(merged, _FULL)


def test_profile_plan_only_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dataprof.cli import build_app

    path = write_orders(tmp_path / "orders.parquet", rows=4_000, row_group=1_000)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(
        build_app(),
        ["profile", str(path), "--plan-only", "--bytes-per-task", "1", "--store", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    items = [WorkItem.model_validate(entry) for entry in json.loads(result.stdout)]
    assert [i.item for i in items] == [0, 1, 2, 3]
    assert sum(s.estimated_rows or 0 for i in items for s in i.splits) == 4_000
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    small = CliRunner().invoke(build_app(), ["profile", str(path), "--plan-only"])
    assert len(json.loads(small.stdout)) == 1  # a small table is one item: nothing extra


@given(
    sizes=st.lists(st.integers(0, 10**6), max_size=40),
    per_task=st.integers(1, 3 * 10**6),
)
def test_grouping_keeps_every_split_once_in_order_and_balanced(
    sizes: list[int], per_task: int
) -> None:
    from dataprof import ScanSplit
    from dataprof.fanout import group_splits

    splits = [ScanSplit(index=i, estimated_bytes=b) for i, b in enumerate(sizes)]
    groups = group_splits(splits, per_task)
    assert [s.index for g in groups for s in g] == list(range(len(sizes)))
    wanted = max(1, min(len(sizes), -(-sum(sizes) // per_task)))
    assert 1 <= len(groups) <= wanted
    share = sum(sizes) / wanted
    for group in groups:  # within a split (each side) of its share
        assert sum(s.estimated_bytes for s in group) <= share + 2 * max(sizes, default=0)


def test_merge_holds_one_state_besides_the_running_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streaming: whatever the number of items, a state read is dropped once merged."""
    import gc
    import weakref

    import dataprof.profiling.state_format as state_format

    path = write_orders(tmp_path / "orders.parquet", rows=6_000, row_group=500)
    files = FolderRunFiles(tmp_path / "runs")
    run_id = uuid.uuid4().hex
    plan = plan_run(config_for(path), run_id=run_id, files=files, bytes_per_task=1)
    assert len(plan) == 12
    for item in plan:
        scan_item(config_for(path), run_id=run_id, item=item.item, files=files)
    alive: weakref.WeakSet[Any] = weakref.WeakSet()
    most = 0
    real = state_format.read_state

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal most
        gc.collect()
        most = max(most, len(alive))  # states alive when the next one is read
        state, meta = real(*args, **kwargs)
        alive.add(state)
        return state, meta

    monkeypatch.setattr(state_format, "read_state", counting)
    merged = merge_run(config_for(path), run_id=run_id, files=files, store=None)
    assert merged.row_count == 6_000
    assert most == 1  # only the running merge (the first state read) stays alive


def test_sketched_figures_of_a_fanned_out_run_lie_within_their_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the exact-count budget (0 here) distinct counts come from merged HLL sketches,
    which travel in the state files: the merged estimate is within its stated bound
    (HLL's is about two sigma; checked at three, as the merge properties do)."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0")
    path = write_orders(tmp_path / "orders.parquet", rows=6_000, row_group=1_000)
    files = FolderRunFiles(tmp_path / "runs")
    run_id = uuid.uuid4().hex
    plan = plan_run(config_for(path), run_id=run_id, files=files, bytes_per_task=1)
    assert len(plan) == 6
    for item in plan:
        scan_item(config_for(path), run_id=run_id, item=item.item, files=files)
    merged = merge_run(config_for(path), run_id=run_id, files=files, store=None)
    truth = {"id": 6_000, "amount": len({(i * 37 % 1000) / 7 for i in range(6_000)})}
    for column in merged.columns:
        if column.column_name in truth:
            distinct = column.metrics["distinct_count"]
            assert not distinct.exact
            assert distinct.error_kind == "relative"
            assert distinct.error_bound is not None
            expected = truth[column.column_name]
            assert abs(distinct.value - expected) <= 1.5 * distinct.error_bound * expected + 1
