"""The embedded default store: one folder, one JSON file per run, an index per table.

Layout::

    <root>/<source-key>/runs/<run_id>.json     the full profile (dataprof.stores.codec)
    <root>/<source-key>/index.json             which file holds which run, and its summary
    <root>/<source-key>/quarantine/            run files that could not be read, moved aside
    <root>/<source-key>/.lock                  serialises index updates between processes

Run files are the truth; the index is a cache (:mod:`dataprof.stores.local_index`).
Every write is atomic (:mod:`dataprof.stores.atomic_files`), and the run file is
written before the index, so a crash at any point leaves either the old state or a
run file the index does not know yet, which the next read adds. Runs are keyed by
the ``run_id`` inside the file, not by the file's name. A damaged run file never
blocks a profile: it is skipped with a warning and moved to ``quarantine/``.
Temporary files a killed writer left behind are swept once they are a few minutes
old, the first time the store touches a table.

Files get the umask's permissions. Profiles hold sample values (min, max, top
values), so on a shared machine the store belongs in a private folder.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from dataprof.profiling.models import RunStatus, TableProfile
from dataprof.stores.atomic_files import atomic_write, remove_stale_temp_files
from dataprof.stores.base import ProfileStore, RunNotFoundError, RunSummary, StoreError
from dataprof.stores.codec import profile_from_json, profile_to_json
from dataprof.stores.identity import SourceIdentity
from dataprof.stores.local_index import TableIndex, newest_first, quarantine_run_file

__all__ = ["TEMP_FILE_MAX_AGE_SECONDS", "LocalProfileStore"]

TEMP_FILE_MAX_AGE_SECONDS = 600.0
"""A temporary file older than this belongs to a writer that died (a write takes seconds)."""

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` where the platform has one (POSIX).

    Correctness does not rest on it: an index written from a stale read misses a
    run, and the next read sees the run file and adds it. The lock only keeps
    concurrent writers from undoing each other's index updates."""
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


class _DamagedRunError(Exception):
    """A run file the index listed could not be read (it has been moved aside)."""


class LocalProfileStore(ProfileStore):
    """Profiles in a local folder; safe against a crash mid-write and a damaged file."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()
        self._swept: set[Path] = set()

    def __repr__(self) -> str:
        return f"LocalProfileStore({str(self.root)!r})"

    # -- paths -----------------------------------------------------------------------
    def _table_dir(self, source: SourceIdentity) -> Path:
        return self.root / source.key

    def _table_dirs(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir())

    @staticmethod
    def _check_run_id(run_id: str) -> None:
        if not _RUN_ID.match(run_id):
            raise StoreError(
                f"Run id {run_id!r} cannot be a file name in the local store",
                hint="run ids are letters, digits, '.', '_' and '-' (a UUID is fine)",
            )

    def _sweep(self, folder: Path) -> None:
        """Remove temporary files of dead writers, once per table and store object."""
        if folder in self._swept:
            return
        self._swept.add(folder)
        with contextlib.suppress(OSError):
            remove_stale_temp_files(folder / "runs", TEMP_FILE_MAX_AGE_SECONDS)
            remove_stale_temp_files(folder, TEMP_FILE_MAX_AGE_SECONDS)

    # -- writing ---------------------------------------------------------------------
    def save_run(self, profile: TableProfile) -> None:
        self._check_run_id(profile.run_id)
        self._archive(profile)
        source = SourceIdentity.of(profile)
        folder = self._table_dir(source)
        name = f"{profile.run_id}.json"
        path = folder / "runs" / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._sweep(folder)
            atomic_write(path, profile_to_json(profile).encode())
        except OSError as exc:
            raise StoreError(
                f"Run {profile.run_id} was not stored: cannot write {path}: {exc.strerror or exc}",
                source=source.label,
            ) from exc
        try:
            with _locked(folder / ".lock"):
                index = TableIndex.load(folder)
                index.record(name, RunSummary.of(profile))
                index.reconcile()
                index.save(source)
        except OSError as exc:
            error = StoreError(
                f"Run {profile.run_id} was stored in {path}, but the table's index could not "
                f"be updated ({exc.strerror or exc}); the next read of the store lists the run",
                source=source.label,
            )
            error.run_kept = True
            raise error from exc

    # -- reading ---------------------------------------------------------------------
    def _index(self, folder: Path, source: SourceIdentity | None) -> TableIndex:
        """The table's index in step with its run files (written back when it moved)."""
        self._sweep(folder)
        index = TableIndex.load(folder)
        if index.reconcile():
            index.save_quietly(source)
        return index

    def list_runs(
        self,
        source: SourceIdentity | None = None,
        *,
        limit: int | None = None,
        include_failed: bool = True,
    ) -> list[RunSummary]:
        folders = [self._table_dir(source)] if source is not None else self._table_dirs()
        summaries: list[RunSummary] = []
        try:
            for folder in folders:
                summaries.extend(self._index(folder, source).summaries.values())
        except OSError as exc:
            raise StoreError(
                f"Cannot read the local store at {self.root}: {exc.strerror or exc}"
            ) from exc
        return _select(summaries, source, limit=limit, include_failed=include_failed)

    def each_run(
        self, source: SourceIdentity, limit: int | None = None, *, include_failed: bool = False
    ) -> Iterator[TableProfile]:
        """Full profiles newest first, one file read at a time; a run file that turns out
        damaged is moved aside and the next older run takes its place."""
        folder = self._table_dir(source)
        try:
            index = self._index(folder, source)
        except OSError as exc:
            raise StoreError(
                f"Cannot read the local store at {self.root}: {exc.strerror or exc}"
            ) from exc
        summaries = _select(
            index.summaries.values(), source, limit=None, include_failed=include_failed
        )
        given = 0
        damaged = False
        try:
            for summary in summaries:
                if limit is not None and given >= limit:
                    break
                path = index.file_of(summary.run_id)
                if path is None:
                    continue
                try:
                    profile = self._load(path)
                except _DamagedRunError:
                    damaged = True
                    continue
                given += 1
                yield profile
                del profile  # not alive while the next file is read
        finally:
            if damaged:
                self._index(folder, source)  # forget the files moved aside

    def get_run(self, run_id: str) -> TableProfile:
        self._check_run_id(run_id)
        # The usual case: the file named after the run holds it.
        for folder in self._table_dirs():
            path = folder / "runs" / f"{run_id}.json"
            if path.is_file():
                found = self._load_reporting(path)
                if found.run_id == run_id:
                    return found
        # A run whose file has another name (copied, renamed): ask the indexes.
        for folder in self._table_dirs():
            indexed = self._index(folder, None).file_of(run_id)
            if indexed is not None:
                return self._load_reporting(indexed)
        raise RunNotFoundError(f"No run {run_id!r} in the local store at {self.root}")

    def _load_reporting(self, path: Path) -> TableProfile:
        try:
            return self._load(path)
        except _DamagedRunError:
            raise StoreError(
                f"Run file {path} is corrupt; it was moved to {path.parent.parent / 'quarantine'}",
                hint="the other runs are unaffected; delete the quarantined file when done",
            ) from None

    @staticmethod
    def _load(path: Path) -> TableProfile:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        try:
            return profile_from_json(data)
        except (ValueError, ValidationError) as exc:
            quarantine_run_file(path, f"corrupt: {type(exc).__name__}")
            raise _DamagedRunError(str(path)) from None


def _select(
    summaries: Iterable[RunSummary],
    source: SourceIdentity | None,
    *,
    limit: int | None,
    include_failed: bool,
) -> list[RunSummary]:
    chosen = list(summaries)
    if source is not None:
        chosen = [s for s in chosen if s.source == source]
    if not include_failed:
        chosen = [s for s in chosen if s.status is not RunStatus.FAILED]
    ordered = newest_first(chosen)
    return ordered[:limit] if limit is not None else ordered
