"""The local store's index of one table: which run file holds which run, kept in step cheaply.

Run files are the truth; ``index.json`` caches their summaries so a listing does
not parse every profile. The index records each run file *by file name* with the
``run_id`` its content holds, because a name can lie (a copied file, a renamed
one): runs are keyed by their content. Reconciling an index with the folder reads
only the files the index does not know yet, so concurrent writers each parse the
one or two runs the others added, never the whole history.

A run file that cannot be read (truncated, malformed, hand-edited) must not block
the next profile: it is moved to ``quarantine/`` beside ``runs/`` with a warning
naming it, and the index forgets it. Where the folder is read-only the file stays
and is listed under ``unreadable`` so it is not parsed again on every read.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dataprof.redaction import get_logger
from dataprof.stores.atomic_files import TEMP_SUFFIX, atomic_write
from dataprof.stores.base import RunSummary
from dataprof.stores.codec import profile_from_json
from dataprof.stores.identity import SourceIdentity

__all__ = ["INDEX_VERSION", "QUARANTINE", "TableIndex", "quarantine_run_file", "run_files"]

INDEX_VERSION = 2
QUARANTINE = "quarantine"
_log = get_logger(__name__)


def run_files(folder: Path) -> set[str]:
    """The names of a table folder's run files (temporary files excluded)."""
    try:
        entries = list(os.scandir(folder / "runs"))  # d_type from the listing: no stat each
    except (FileNotFoundError, NotADirectoryError):
        return set()
    return {
        entry.name
        for entry in entries
        if entry.name.endswith(".json")
        and not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX))
        and entry.is_file()
    }


def quarantine_run_file(path: Path, reason: str) -> bool:
    """Move an unreadable run file aside (``<table>/quarantine/``), warning with its name.

    Returns whether it moved; a read-only store leaves it where it is."""
    target_dir = path.parent.parent / QUARANTINE
    try:
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        if target.exists():
            target = target_dir / f"{path.stem}.{os.getpid()}.{target.stat().st_mtime_ns}.json"
        os.replace(path, target)
    except OSError:
        _log.warning("Skipping unreadable run file %s (%s); could not move it aside", path, reason)
        return False
    _log.warning("Skipping unreadable run file %s (%s); moved it to %s", path, reason, target)
    return True


def _read_summary(path: Path) -> RunSummary | str:
    """The run's summary, or why the file cannot be read."""
    try:
        return RunSummary.of(profile_from_json(path.read_bytes()))
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    except (ValueError, ValidationError) as exc:
        return f"corrupt: {type(exc).__name__}"


@dataclass
class TableIndex:
    """The index of one table folder as held in memory."""

    folder: Path
    files: dict[str, str] = field(default_factory=dict)
    """Run file name -> the ``run_id`` its content holds."""
    summaries: dict[str, RunSummary] = field(default_factory=dict)
    """``run_id`` -> summary (one per run, however many files hold it)."""
    unreadable: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, folder: Path) -> TableIndex:
        """The index on disk; empty when it is missing, torn or of another version."""
        index = cls(folder)
        try:
            document = json.loads((folder / "index.json").read_bytes())
        except (OSError, ValueError, RecursionError):
            return index
        if not isinstance(document, dict) or document.get("version") != INDEX_VERSION:
            return index
        try:
            files = {str(k): str(v) for k, v in dict(document.get("files", {})).items()}
            runs = [RunSummary.model_validate(r) for r in document.get("runs", [])]
            unreadable = {str(n) for n in document.get("unreadable", [])}
        except (ValidationError, TypeError, ValueError):
            return index
        summaries = {s.run_id: s for s in runs}
        if set(files.values()) != set(summaries):
            return index  # inconsistent: start over
        index.files, index.summaries, index.unreadable = files, summaries, unreadable
        return index

    def file_of(self, run_id: str) -> Path | None:
        """The file holding ``run_id``: the one named after it when there are several."""
        names = sorted(name for name, rid in self.files.items() if rid == run_id)
        if not names:
            return None
        canonical = f"{run_id}.json"
        return self.folder / "runs" / (canonical if canonical in names else names[0])

    def record(self, name: str, summary: RunSummary) -> None:
        """Note that file ``name`` holds the run ``summary`` describes."""
        self.forget(name)
        self.files[name] = summary.run_id
        if summary.run_id not in self.summaries or name == f"{summary.run_id}.json":
            self.summaries[summary.run_id] = summary

    def forget(self, name: str) -> None:
        self.unreadable.discard(name)
        run_id = self.files.pop(name, None)
        if run_id is not None and run_id not in self.files.values():
            self.summaries.pop(run_id, None)

    def reconcile(self) -> bool:
        """Bring the index in step with the folder, reading only files it does not know.

        Returns whether anything changed (so the caller writes it back)."""
        on_disk = run_files(self.folder)
        known = set(self.files) | self.unreadable
        gone = known - on_disk
        new = on_disk - known
        if not gone and not new:
            return False
        for name in gone:
            self.forget(name)
        for name in sorted(new):
            path = self.folder / "runs" / name
            summary = _read_summary(path)
            if isinstance(summary, RunSummary):
                self.record(name, summary)
            elif not quarantine_run_file(path, summary):
                self.unreadable.add(name)
        return True

    def save(self, source: SourceIdentity | None) -> None:
        """Write the index (atomically). Without a known source there is nothing to file."""
        first = next(iter(self.summaries.values()), None)
        identity = source or (first.source if first is not None else None)
        if identity is None:
            return
        document: dict[str, Any] = {
            "version": INDEX_VERSION,
            "source": identity.model_dump(mode="json"),
            "runs": [s.model_dump(mode="json") for s in newest_first(self.summaries.values())],
            "files": dict(sorted(self.files.items())),
            "unreadable": sorted(self.unreadable),
        }
        # Compact: the C encoder (indented JSON takes the pure-Python one, 10x slower)
        text = json.dumps(document, separators=(",", ":"))
        atomic_write(self.folder / "index.json", text.encode())

    def save_quietly(self, source: SourceIdentity | None) -> None:
        """Best effort: a read-only store still answers from the run files."""
        with contextlib.suppress(OSError):
            self.save(source)


def newest_first(summaries: Iterable[RunSummary]) -> list[RunSummary]:
    return sorted(
        summaries,
        key=lambda s: (s.started_at.timestamp(), s.finished_at.timestamp(), s.run_id),
        reverse=True,
    )
