"""A store that never blocks the next profile: damaged run files, copied or misnamed
files, concurrent writers, and a disk that fills between the run file and the index."""

from __future__ import annotations

import errno
import json
import logging
import shutil
from pathlib import Path

import pytest
from profile_builders import column, profile

from dataprof.stores import LocalProfileStore, SourceIdentity, StoreError, local_index
from dataprof.stores.local_index import TableIndex

SOURCE = SourceIdentity(source_type="file", database="db", table="t")

DAMAGES = {
    "truncated": lambda text: text[: len(text) // 2],
    "not a profile": lambda text: '{"run_id": 3}',
    "bad tagged value": lambda text: text.replace(
        '"row_count":100', '"row_count": {"$dataprof": "timedelta", "v": 5}', 1
    ),
    "bad decimal": lambda text: text.replace(
        '"row_count":100', '"row_count": {"$dataprof": "decimal", "v": "x"}', 1
    ),
    "deep nesting": lambda text: "[" * 100_000 + "]" * 100_000,
    "empty": lambda text: "",
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_run_listed_in_the_index_is_moved_aside_and_the_new_run_kept(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = LocalProfileStore(tmp_path)
    for run in range(3):
        store.save_run(profile(column("a"), run=run))
    damaged = tmp_path / SOURCE.key / "runs" / "run-1.json"
    damaged.write_text(DAMAGES[damage](damaged.read_text()))
    caplog.set_level(logging.WARNING)
    # What `dataprof profile` does next: read history, then save the new run.
    assert [p.run_id for p in store.history(SOURCE)] == ["run-2", "run-0"]
    assert str(damaged) in caplog.text
    assert (tmp_path / SOURCE.key / "quarantine" / "run-1.json").is_file()
    store.save_run(profile(column("a"), run=3))
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-3", "run-2", "run-0"]
    assert [p.run_id for p in LocalProfileStore(tmp_path).history(SOURCE, limit=2)] == [
        "run-3",
        "run-2",
    ]


def test_history_fills_its_limit_past_a_damaged_run(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    for run in range(4):
        store.save_run(profile(column("a"), run=run))
    (tmp_path / SOURCE.key / "runs" / "run-3.json").write_text("{")
    assert [p.run_id for p in store.history(SOURCE, limit=2)] == ["run-2", "run-1"]


def test_a_copied_run_file_is_listed_once(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))
    runs = tmp_path / SOURCE.key / "runs"
    shutil.copy(runs / "run-0.json", runs / "run-0 (copy).json")
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-0"]
    assert [p.run_id for p in store.history(SOURCE)] == ["run-0"]
    (runs / "run-0.json").unlink()  # the copy still holds the run
    assert [p.run_id for p in store.history(SOURCE)] == ["run-0"]


def test_a_run_file_named_differently_from_its_run_id_is_found_by_content(
    tmp_path: Path,
) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))
    store.save_run(profile(column("a"), run=1))
    runs = tmp_path / SOURCE.key / "runs"
    (runs / "run-1.json").rename(runs / "renamed.json")
    assert [p.run_id for p in store.history(SOURCE)] == ["run-1", "run-0"]
    assert store.get_run("run-1").run_id == "run-1"
    store.save_run(profile(column("a"), run=2))
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-2", "run-1", "run-0"]


def test_saving_reads_only_the_run_files_the_index_does_not_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalProfileStore(tmp_path)
    for run in range(20):
        store.save_run(profile(column("a"), run=run))
    runs = tmp_path / SOURCE.key / "runs"
    # Another writer has written its run file and not yet its index entry.
    other = LocalProfileStore(tmp_path / "elsewhere")
    other.save_run(profile(column("a"), run=20))
    shutil.copy(tmp_path / "elsewhere" / SOURCE.key / "runs" / "run-20.json", runs)
    read: list[str] = []
    real = local_index.profile_from_json

    def counting(data: bytes | str) -> object:
        read.append(json.loads(data)["run_id"])
        return real(data)

    monkeypatch.setattr(local_index, "profile_from_json", counting)
    store.save_run(profile(column("a"), run=21))
    assert read == ["run-20"]
    assert len(store.list_runs(SOURCE)) == 22
    assert read == ["run-20"]


def test_disk_full_after_the_run_file_says_the_run_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))

    def disk_full(self: TableIndex, source: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TableIndex, "save", disk_full)
    with pytest.raises(StoreError, match=r"Run run-1 was stored in .*run-1\.json") as caught:
        store.save_run(profile(column("a"), run=1))
    assert caught.value.run_kept
    assert "No space left on device" in str(caught.value)
    monkeypatch.undo()
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-1", "run-0"]


def test_disk_full_before_the_run_file_says_nothing_was_stored(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    with pytest.raises(StoreError, match="Run run-0 was not stored") as caught:
        LocalProfileStore(blocker / "store").save_run(profile(column("a")))
    assert not caught.value.run_kept


def test_an_index_of_the_previous_layout_is_rebuilt(tmp_path: Path) -> None:
    store = LocalProfileStore(tmp_path)
    store.save_run(profile(column("a"), run=0))
    index = tmp_path / SOURCE.key / "index.json"
    document = json.loads(index.read_text())
    index.write_text(json.dumps({"version": 1, "runs": document["runs"], "unreadable": []}))
    assert [s.run_id for s in store.list_runs(SOURCE)] == ["run-0"]
    assert json.loads(index.read_text())["files"] == {"run-0.json": "run-0"}
