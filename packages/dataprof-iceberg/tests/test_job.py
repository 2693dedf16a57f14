"""The AWS job's tasks on an Iceberg source: `dataprof job profile` then `job store`, as the
workflow runs them (execution ARN and spec as the task's environment), on a real SQL-catalog
table; a local store and a folder archive stand in for Supabase and S3 (their own paths are
tested in dataprof-core on PostgreSQL and moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.job_spec import run_id_for_execution
from dataprof.profiling.models import RunStatus
from dataprof.stores import LocalProfileStore

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)
ARN = "arn:aws:states:eu-west-1:123456789012:execution:dataprof-profile:iceberg-1"


def test_job_profile_then_store_on_an_iceberg_table(
    sql_warehouse: SqlWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    table = sql_warehouse.create(
        "orders",
        pa.table({"id": pa.array(range(1000), pa.int64()), "amount": pa.array([1.5] * 1000)}),
    )
    config = sql_warehouse.config("orders")
    spec = json.dumps(
        {
            "source": {
                "source_type": "iceberg",
                "connection_params": config.connection_params,
                "name": "lake",
            },
            "database": "ns",
            "table": "orders",
            "mode": "full",
        }
    )
    env = {
        "DATAPROF_EXECUTION_ARN": ARN,
        "DATAPROF_JOB_SPEC": spec,
        "DATAPROF_STORE": str(tmp_path / "store"),
        "DATAPROF_ARCHIVE": str(tmp_path / "archive"),
    }
    runner = CliRunner()
    for command in (["job", "profile", "--workers", "1"], ["job", "store"]):
        result = runner.invoke(build_app(), command, env=env)
        assert result.exit_code == 0, result.stderr
    run = LocalProfileStore(tmp_path / "store").get_run(run_id_for_execution(ARN))
    assert run.status is RunStatus.SUCCEEDED
    assert (run.source_type, run.source_name, run.database, run.table) == (
        "iceberg",
        "lake",
        "ns",
        "orders",
    )
    assert run.row_count == 1000
    assert run.snapshot_id == table.current_snapshot().snapshot_id
    assert [c.column_name for c in run.columns] == ["id", "amount"]
    assert len(list((tmp_path / "archive").glob("profiles/*/*.json"))) == 1
