"""The fan-out on an Iceberg table: `dataprof job plan` over a SQL-catalog table of 20
data files, `job scan --item N` in concurrent processes, `job merge`, with the run files
on a moto S3 server on 127.0.0.1. The merged profile's exact figures equal a one-process
full scan's; a commit after the plan does not leak into the scans (they read the
snapshot the plan pinned)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dataprof import get_connector
from dataprof.fanout import read_plan
from dataprof.profiling import TableProfile, profile_table
from dataprof.profiling.models import RunStatus
from dataprof.run_files import open_run_files
from dataprof.stores import LocalProfileStore
from dataprof.testing.moto_server import aws_client

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)
FILES = 20


def exact_figures(profile: TableProfile) -> dict[tuple[str, str], Any]:
    return {
        (column.column_name, name): metric.value
        for column in profile.columns
        for name, metric in column.metrics.items()
        if metric.exact
    }


def part(n: int, rows: int = 300) -> pa.Table:
    ids = range(n * rows, (n + 1) * rows)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "price": pa.array([(i % 97) / 4 for i in ids], pa.float64()),
            "city": pa.array([["Lyon", "Porto", None, "Gent"][i % 4] for i in ids]),
        }
    )


def test_fanned_out_profile_of_a_20_file_table_equals_the_full_scan(
    sql_warehouse: SqlWarehouse, moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = sql_warehouse.create("orders", part(0))
    for n in range(1, FILES):
        table.append(part(n))
    config = sql_warehouse.config("orders")
    with get_connector(config) as connector:
        full = profile_table(connector, mode="full", workers=1)
        pinned = connector.snapshot_id
    sizes = table.inspect.files().column("file_size_in_bytes").to_pylist()
    assert len(sizes) == FILES

    bucket = f"runs-{uuid.uuid4().hex[:12]}"
    aws_client("s3", moto_server).create_bucket(Bucket=bucket)
    run_id = uuid.uuid4().hex
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL_S3": moto_server,
        "DATAPROF_RUNS": f"s3://{bucket}/fanout",
        "DATAPROF_RUN_ID": run_id,
        "DATAPROF_STORE": str(tmp_path / "store"),
        "DATAPROF_RUN_SECRET": "the run's secret",
        "DATAPROF_JOB_SPEC": json.dumps(
            {
                "source": {"source_type": "iceberg", "connection_params": config.connection_params},
                "database": "ns",
                "table": "orders",
                "mode": "full",
            }
        ),
    }
    cli = [sys.executable, "-m", "dataprof", "job"]
    per_task = int(sum(sizes) / FILES * 5.5)
    done = subprocess.run(
        [*cli, "plan", "--bytes-per-task", str(per_task)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for key in ("AWS_ENDPOINT_URL_S3", "DATAPROF_RUN_SECRET"):
        monkeypatch.setenv(key, env[key])
    plan = read_plan(open_run_files(env["DATAPROF_RUNS"]), run_id)
    assert 3 <= len(plan) <= 6
    planned = [f for item in plan for split in item.splits for f in split.payload["files"]]
    assert len(planned) == len(set(planned)) == FILES
    assert {item.snapshot_id for item in plan} == {pinned}

    table.append(part(99))  # a commit after the plan: the scans must not see it
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
    done = subprocess.run([*cli, "merge"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    stored = LocalProfileStore(tmp_path / "store").get_run(run_id)
    assert stored.status is RunStatus.SUCCEEDED
    assert stored.snapshot_id == pinned
    assert stored.row_count == full.row_count == FILES * 300
    ours, theirs = exact_figures(stored), exact_figures(full)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-12), key
        else:
            assert ours[key] == value, key
