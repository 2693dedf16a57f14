"""The live files of one snapshot, read from its manifests alone.

Statistics, row counts and split planning all start from the same list: every
live entry of the snapshot's manifests, sorted into data files, position-delete
files and equality-delete files. Reading it touches the manifest list and the
manifests (small Avro files) and never a data file, which is what makes metadata
statistics cheap; the manifests are read in parallel on PyIceberg's executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyiceberg.manifest import DataFileContent, ManifestEntry
from pyiceberg.utils.concurrent import ExecutorFactory

if TYPE_CHECKING:
    from pyiceberg.io import FileIO
    from pyiceberg.table.snapshots import Snapshot

__all__ = ["SnapshotFiles", "read_snapshot_files"]


@dataclass
class SnapshotFiles:
    """The live entries of a snapshot's manifests, by content."""

    manifest_count: int = 0
    data: list[ManifestEntry] = field(default_factory=list)
    position_deletes: list[ManifestEntry] = field(default_factory=list)
    equality_deletes: list[ManifestEntry] = field(default_factory=list)

    @property
    def has_deletes(self) -> bool:
        return bool(self.position_deletes or self.equality_deletes)

    @property
    def delete_file_count(self) -> int:
        return len(self.position_deletes) + len(self.equality_deletes)

    @property
    def data_record_count(self) -> int:
        """Rows in the data files before any delete file is applied."""
        return sum(e.data_file.record_count for e in self.data)

    @property
    def data_size_bytes(self) -> int:
        return sum(e.data_file.file_size_in_bytes for e in self.data)


def read_snapshot_files(snapshot: Snapshot | None, io: FileIO) -> SnapshotFiles:
    """Every live entry of ``snapshot`` (none for a table without one)."""
    files = SnapshotFiles()
    if snapshot is None:
        return files
    manifests = snapshot.manifests(io)
    files.manifest_count = len(manifests)
    executor = ExecutorFactory.get_or_create()
    for entries in executor.map(
        lambda manifest: manifest.fetch_manifest_entry(io, discard_deleted=True), manifests
    ):
        for entry in entries:
            content = entry.data_file.content
            if content == DataFileContent.DATA:
                files.data.append(entry)
            elif content == DataFileContent.POSITION_DELETES:
                files.position_deletes.append(entry)
            else:
                files.equality_deletes.append(entry)
    files.data.sort(key=lambda e: e.data_file.file_path)
    return files
