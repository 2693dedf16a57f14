"""The plan's second name, the one a Step Functions Distributed Map can compute.

Step Functions has no uuid5, so its ItemReader cannot name ``runs/<run_id>/plan.json``;
it computes ``States.Hash($$.Execution.Id, 'SHA-256')`` (lowercase hex) instead, and the
plan task writes the same items under that digest too (infra/ reads it from there).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from dataprof import DataSourceConfig
from dataprof.fanout import execution_plan_name, plan_run, read_plan
from dataprof.job_spec import run_id_for_execution
from dataprof.run_files import FolderRunFiles


def write_orders(path: Path, rows: int) -> Path:
    table = pa.table({"id": pa.array(range(rows), pa.int64())})
    pq.write_table(table, path, row_group_size=500)
    return path


def config_for(path: Path) -> DataSourceConfig:
    return DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="shop", table="t"
    )


ARN = "arn:aws:states:eu-west-1:123456789012:execution:ProfileWorkflow:3f1c-run"


@given(arn=st.text(min_size=1, max_size=200))
def test_the_name_is_the_lowercase_sha256_hex_of_the_arn(arn: str) -> None:
    digest = hashlib.sha256(arn.encode()).hexdigest()
    assert execution_plan_name(arn) == f"runs/by-execution/{digest}/plan.json"
    assert digest == digest.lower()
    assert len(digest) == 64


def test_plan_run_writes_the_same_items_under_the_execution_digest(tmp_path: Path) -> None:
    path = write_orders(tmp_path / "orders.parquet", rows=4_000)
    files = FolderRunFiles(tmp_path / "runs")
    run_id = run_id_for_execution(ARN)
    items = plan_run(
        config_for(path), run_id=run_id, files=files, bytes_per_task=5_000, execution_arn=ARN
    )
    assert len(items) >= 2
    by_run = files.read(f"runs/{run_id}/plan.json")
    by_execution = files.read(
        f"runs/by-execution/{hashlib.sha256(ARN.encode()).hexdigest()}/plan.json"
    )
    assert by_execution == by_run
    # What the Map's ItemSelector reads from each entry: its item number, in order.
    assert [entry["item"] for entry in json.loads(by_execution)] == list(range(len(items)))
    assert read_plan(files, run_id) == items


def test_without_an_execution_arn_only_the_run_folder_is_written(tmp_path: Path) -> None:
    path = write_orders(tmp_path / "orders.parquet", rows=2_000)
    files = FolderRunFiles(tmp_path / "runs")
    plan_run(config_for(path), run_id="local-run", files=files, bytes_per_task=5_000)
    assert not (tmp_path / "runs/runs/by-execution").exists()
    assert sorted(p.name for p in (tmp_path / "runs/runs").iterdir()) == ["local-run"]
