"""The profile loop's library steps (`dataprof.job`), called directly as the job runner calls
them: the real engine over a Parquet file, a real local store in a temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataprof import DataSourceConfig, TableNotFoundError
from dataprof.anomalies import Thresholds
from dataprof.hooks import reset_hooks
from dataprof.job import (
    failure_reason,
    judge,
    new_run_id,
    profile_source,
    record_failure,
    source_identity,
    store_profile,
)
from dataprof.profiling.models import ProfileMode, RunStatus, TableProfile
from dataprof.stores import LocalProfileStore, StoreError


@pytest.fixture(autouse=True)
def no_plugins() -> None:
    reset_hooks()


def file_source(path: Path) -> DataSourceConfig:
    return DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="", table=path.name
    )


def write(path: Path, rows: int) -> Path:
    pq.write_table(pa.table({"id": pa.array(range(rows), pa.int64())}), path)
    return path


def test_profile_judge_store_keeps_the_run_and_judges_the_next_against_it(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path / "store")
    config = file_source(write(tmp_path / "t.parquet", 1000))
    run_id = new_run_id()
    assert re.fullmatch(r"[0-9a-f]{32}", run_id)

    first = profile_source(config, run_id=run_id, mode=ProfileMode.FULL, workers=1)
    assert (first.run_id, first.row_count) == (run_id, 1000)
    assert judge(first, store, Thresholds()).anomalies == []  # no history yet
    assert store_profile(store, first) is None
    assert store.get_run(run_id).row_count == 1000

    write(tmp_path / "t.parquet", 10)  # the table lost 99% of its rows
    second = profile_source(config, run_id=new_run_id(), mode=ProfileMode.FULL, workers=1)
    judged = judge(second, store, Thresholds())
    assert "row_count_change" in {a.anomaly_type for a in judged.anomalies}
    assert second.anomalies == []  # judging returns a copy, the input is untouched


def test_record_failure_stores_the_reason_with_the_identity_of_the_config(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path / "store")
    config = file_source(tmp_path / "missing.parquet")
    run_id = new_run_id()
    with pytest.raises(TableNotFoundError) as caught:
        profile_source(config, run_id=run_id)
    assert record_failure(store, source_identity(config), run_id=run_id, error=caught.value) is None
    failed = store.get_run(run_id)
    assert failed.status is RunStatus.FAILED
    assert failed.error == failure_reason(caught.value)
    assert "missing.parquet" in (failed.error or "")
    assert failure_reason(ValueError("x")) == "ValueError: x"  # not ours: its type is named


class BrokenStore(LocalProfileStore):
    def save_run(self, profile: TableProfile) -> None:
        raise StoreError("the disk is full")


def test_record_failure_returns_the_store_error_instead_of_hiding_the_real_one(
    tmp_path: Path,
) -> None:
    store = BrokenStore(tmp_path / "store")
    config = file_source(tmp_path / "t.parquet")
    unrecorded = record_failure(
        store, source_identity(config), run_id=new_run_id(), error=RuntimeError("boom")
    )
    assert isinstance(unrecorded, StoreError)
    assert "the disk is full" in str(unrecorded)
