"""The local folder store's own promises: its files where the design says, and crashes
between the temporary write and the rename. What every store promises is in
test_store_contract.py."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from profile_builders import column, profile

from dataprof.profiling.models import (
    ProfileMode,
    RunStatus,
)
from dataprof.redaction import remember_secret
from dataprof.stores import (
    LocalProfileStore,
    RunNotFoundError,
    SourceIdentity,
    StoreError,
    profile_to_json,
)

SOURCE = SourceIdentity(source_type="file", database="db", table="t")


def test_files_where_the_design_says(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a")))
    folder = tmp_path / SOURCE.key
    assert (folder / "runs" / "run-0.json").is_file()
    index = json.loads((folder / "index.json").read_text())
    assert [r["run_id"] for r in index["runs"]] == ["run-0"]
    assert index["source"] == SOURCE.model_dump(mode="json")
    assert not list(folder.rglob("*.tmp"))


def test_failed_run_is_kept_with_a_redacted_reason(tmp_path: Path) -> None:
    remember_secret("hunter2-secret-value")
    store = LocalProfileStore(tmp_path)
    stored = store.record_failed_run(
        SOURCE,
        run_id="failed-1",
        error="login failed for postgresql://bob:pw123@db/x with hunter2-secret-value",
        mode=ProfileMode.FULL,
    )
    assert stored.status is RunStatus.FAILED
    text = (tmp_path / SOURCE.key / "runs" / "failed-1.json").read_text()
    index_text = (tmp_path / SOURCE.key / "index.json").read_text()
    for secret in ("hunter2-secret-value", "pw123"):
        assert secret not in text
        assert secret not in index_text
    [summary] = store.list_runs(SOURCE)
    assert summary.status is RunStatus.FAILED
    assert summary.error is not None
    assert "login failed" in summary.error
    assert store.get_run("failed-1").error == summary.error


def test_unknown_run_and_unsafe_run_id(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    with pytest.raises(RunNotFoundError, match="nope"):
        store.get_run("nope")
    with pytest.raises(StoreError, match="cannot be a file name"):
        store.save_run(profile(column("a"), run_id="../../etc/passwd"))
    with pytest.raises(StoreError):
        store.get_run("../x")


# -- crashes -----------------------------------------------------------------------------
def test_crash_before_the_rename_leaves_the_old_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0, rows=10))

    def power_cut(src: object, dst: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(StoreError, match="Input/output error"):
        store.save_run(profile(column("a"), run=1, rows=20))
    monkeypatch.undo()
    assert [p.run_id for p in store.history(SOURCE)] == ["run-0"]
    assert not list((tmp_path / SOURCE.key).rglob("*.tmp"))  # cleaned up after the failure


def test_leftover_temp_file_from_a_killed_writer_is_ignored(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))
    runs = tmp_path / SOURCE.key / "runs"
    # What a process killed between write and rename leaves: half a run file under a temp name.
    half = profile_to_json(profile(column("a"), run=1))[:200]
    (runs / ".run-1.json.5f3a9c.tmp").write_text(half)
    (tmp_path / SOURCE.key / ".index.json.77aa00.tmp").write_text('{"version": 1, "ru')
    assert [p.run_id for p in store.history(SOURCE)] == ["run-0"]
    store.save_run(profile(column("a"), run=2))
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-2", "run-0"]


def test_stale_temp_files_are_swept_when_the_store_is_opened(tmp_path: Path) -> None:
    LocalProfileStore(tmp_path).save_run(profile(column("a"), run=0))
    runs = tmp_path / SOURCE.key / "runs"
    stale = runs / ".run-1.json.dead.tmp"
    fresh = runs / ".run-2.json.live.tmp"
    stale_index = tmp_path / SOURCE.key / ".index.json.dead.tmp"
    for path in (stale, fresh, stale_index):
        path.write_text("x")
    old = (datetime.now() - timedelta(minutes=20)).timestamp()
    for path in (stale, stale_index):
        os.utime(path, (old, old))
    # The index is in step with the run files: no rebuild is needed for the sweep.
    LocalProfileStore(tmp_path).list_runs(SOURCE)
    assert not stale.exists()
    assert not stale_index.exists()
    assert fresh.exists()  # a writer may be busy with it right now


def test_truncated_index_is_rebuilt_from_the_run_files(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    for run in range(3):
        store.save_run(profile(column("a"), run=run))
    index = tmp_path / SOURCE.key / "index.json"
    index.write_bytes(index.read_bytes()[:57])
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-2", "run-1", "run-0"]
    assert json.loads(index.read_text())["runs"][0]["run_id"] == "run-2"  # repaired on disk


def test_missing_index_and_run_unknown_to_the_index(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))
    index = tmp_path / SOURCE.key / "index.json"
    before = index.read_bytes()
    store.save_run(profile(column("a"), run=1))
    index.write_bytes(before)  # a crash after the run file's rename, before the index's
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-1", "run-0"]
    index.unlink()
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-1", "run-0"]


def test_corrupt_run_file_is_skipped_in_listings_and_moved_aside(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))
    store.save_run(profile(column("a"), run=1))
    (tmp_path / SOURCE.key / "runs" / "run-1.json").write_text("{not json")
    (tmp_path / SOURCE.key / "index.json").unlink()
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-0"]
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-0"]  # from the repaired index
    assert (tmp_path / SOURCE.key / "quarantine" / "run-1.json").read_text() == "{not json"
    with pytest.raises(RunNotFoundError):
        store.get_run("run-1")


def test_unwritable_store_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    with pytest.raises(StoreError, match="Run run-0 was not stored"):
        LocalProfileStore(blocker / "store").save_run(profile(column("a")))


def test_identity_keys_do_not_collide() -> None:
    a = SourceIdentity(source_type="file", database="a.b", table="c")
    b = SourceIdentity(source_type="file", database="a_b", table="c")
    assert a.key != b.key
    assert a.key.startswith("file__a.b__c-")
    weird = SourceIdentity(source_type="file", source_name="../..", database="", table="/etc")
    assert "/" not in weird.key
    assert not weird.key.startswith(".")
