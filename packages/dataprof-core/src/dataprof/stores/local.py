"""The embedded default store: one folder, one JSON file per run, an index per table.

Layout::

    <root>/<source-key>/runs/<run_id>.json     the full profile (dataprof.stores.codec)
    <root>/<source-key>/index.json             RunSummary of every run, for listings
    <root>/<source-key>/.lock                  serialises index updates between processes

Run files are the truth; the index is a cache of their summaries. Every write
is atomic (:mod:`dataprof.stores.atomic_files`), and the run file is written
before the index, so a crash at any point leaves either the old state or a run
file the index does not know yet. Reading reconciles: an index that is missing,
torn, or disagrees with the run files on disk is rebuilt from them. Leftover
temporary files are ignored (and swept once they are an hour old).

Files get the umask's permissions. Profiles hold sample values (min, max, top
values), so on a shared machine the store belongs in a private folder.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dataprof.profiling.models import RunStatus, TableProfile
from dataprof.redaction import get_logger
from dataprof.stores.atomic_files import atomic_write, is_temp_file, remove_stale_temp_files
from dataprof.stores.base import ProfileStore, RunNotFoundError, RunSummary, StoreError
from dataprof.stores.codec import profile_from_json, profile_to_json
from dataprof.stores.identity import SourceIdentity

__all__ = ["LocalProfileStore"]

INDEX_VERSION = 1
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_log = get_logger(__name__)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` where the platform has one (POSIX).

    Correctness does not rest on it: an index written from a stale read misses a
    run, and the next read sees the run file and rebuilds. The lock only keeps
    concurrent writers from making each other rebuild."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: atomic replace still keeps files whole
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class LocalProfileStore(ProfileStore):
    """Profiles in a local folder; safe against a crash mid-write."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()

    def __repr__(self) -> str:
        return f"LocalProfileStore({str(self.root)!r})"

    # -- paths -----------------------------------------------------------------------
    def _table_dir(self, source: SourceIdentity) -> Path:
        return self.root / source.key

    @staticmethod
    def _check_run_id(run_id: str) -> None:
        if not _RUN_ID.match(run_id):
            raise StoreError(
                f"Run id {run_id!r} cannot be a file name in the local store",
                hint="run ids are letters, digits, '.', '_' and '-' (a UUID is fine)",
            )

    # -- writing ---------------------------------------------------------------------
    def save_run(self, profile: TableProfile) -> None:
        self._check_run_id(profile.run_id)
        source = SourceIdentity.of(profile)
        folder = self._table_dir(source)
        runs = folder / "runs"
        try:
            runs.mkdir(parents=True, exist_ok=True)
            atomic_write(runs / f"{profile.run_id}.json", profile_to_json(profile).encode())
            with _locked(folder / ".lock"):
                summaries = self._read_index(folder, source, just_written=profile.run_id)
                summaries = [s for s in summaries if s.run_id != profile.run_id]
                summaries.append(RunSummary.of(profile))
                self._write_index(folder, source, summaries, skipped=[])
        except OSError as exc:
            raise StoreError(
                f"Cannot write run {profile.run_id} to the local store at {self.root}: "
                f"{exc.strerror or exc}",
                source=source.label,
            ) from exc

    def _write_index(
        self,
        folder: Path,
        source: SourceIdentity,
        summaries: list[RunSummary],
        skipped: list[str],
    ) -> None:
        document = {
            "version": INDEX_VERSION,
            "source": source.model_dump(mode="json"),
            "runs": [s.model_dump(mode="json") for s in _newest_first(summaries)],
            "unreadable": sorted(skipped),
        }
        atomic_write(folder / "index.json", json.dumps(document, indent=1).encode())

    # -- reading ---------------------------------------------------------------------
    def _run_files(self, folder: Path) -> dict[str, Path]:
        runs = folder / "runs"
        if not runs.is_dir():
            return {}
        return {
            p.stem: p
            for p in runs.iterdir()
            if p.suffix == ".json" and not is_temp_file(p) and p.is_file()
        }

    def _read_index(
        self, folder: Path, source: SourceIdentity | None, *, just_written: str | None = None
    ) -> list[RunSummary]:
        """The index's summaries, rebuilt from the run files when it cannot be trusted.

        ``just_written`` is a run file saved a moment ago that the index may not list
        yet; that alone is no reason to rebuild.
        """
        files = self._run_files(folder)
        document = _load_json(folder / "index.json")
        if document is not None and document.get("version") == INDEX_VERSION:
            try:
                summaries = [RunSummary.model_validate(r) for r in document.get("runs", [])]
                unreadable = set(document.get("unreadable", []))
            except (ValidationError, TypeError):
                summaries, unreadable = [], set()
            else:
                known = {s.run_id for s in summaries} | unreadable
                if just_written is not None:
                    known.add(just_written)
                if known == set(files):
                    return summaries
        return self._rebuild(folder, source, files)

    def _rebuild(
        self, folder: Path, source: SourceIdentity | None, files: dict[str, Path]
    ) -> list[RunSummary]:
        summaries: list[RunSummary] = []
        skipped: list[str] = []
        for run_id, path in sorted(files.items()):
            try:
                summaries.append(RunSummary.of(profile_from_json(path.read_bytes())))
            except (OSError, ValueError, ValidationError) as exc:
                _log.warning("Skipping unreadable run file %s: %s", path, type(exc).__name__)
                skipped.append(run_id)
        identity = source or (summaries[0].source if summaries else None)
        if identity is not None:
            # Best effort: a read-only store still answers from the run files.
            with contextlib.suppress(OSError):
                remove_stale_temp_files(folder / "runs")
                remove_stale_temp_files(folder)
                self._write_index(folder, identity, summaries, skipped)
        return summaries

    def list_runs(
        self,
        source: SourceIdentity | None = None,
        *,
        limit: int | None = None,
        include_failed: bool = True,
    ) -> list[RunSummary]:
        if source is not None:
            folders = [self._table_dir(source)]
        elif self.root.is_dir():
            folders = sorted(p for p in self.root.iterdir() if p.is_dir())
        else:
            folders = []
        summaries: list[RunSummary] = []
        try:
            for folder in folders:
                summaries.extend(self._read_index(folder, source))
        except OSError as exc:
            raise StoreError(
                f"Cannot read the local store at {self.root}: {exc.strerror or exc}"
            ) from exc
        if source is not None:
            summaries = [s for s in summaries if s.source == source]
        if not include_failed:
            summaries = [s for s in summaries if s.status is not RunStatus.FAILED]
        ordered = _newest_first(summaries)
        return ordered[:limit] if limit is not None else ordered

    def history(
        self, source: SourceIdentity, limit: int | None = None, *, include_failed: bool = False
    ) -> list[TableProfile]:
        """Full profiles newest first, read straight from the table's folder."""
        runs = self._table_dir(source) / "runs"
        summaries = self.list_runs(source, limit=limit, include_failed=include_failed)
        return [self._load(runs / f"{s.run_id}.json") for s in summaries]

    def get_run(self, run_id: str) -> TableProfile:
        self._check_run_id(run_id)
        if self.root.is_dir():
            for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
                path = folder / "runs" / f"{run_id}.json"
                if path.is_file():
                    return self._load(path)
        raise RunNotFoundError(f"No run {run_id!r} in the local store at {self.root}")

    @staticmethod
    def _load(path: Path) -> TableProfile:
        try:
            return profile_from_json(path.read_bytes())
        except OSError as exc:
            raise StoreError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        except (ValueError, ValidationError) as exc:
            raise StoreError(
                f"Run file {path} is corrupt ({type(exc).__name__})",
                hint="delete the file; the index rebuilds without it",
            ) from None


def _newest_first(summaries: list[RunSummary]) -> list[RunSummary]:
    return sorted(
        summaries,
        key=lambda s: (s.started_at.timestamp(), s.finished_at.timestamp(), s.run_id),
        reverse=True,
    )


def _load_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
