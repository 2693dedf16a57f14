"""Dividing a snapshot's data files into balanced units of work.

Largest file first, each to the least-loaded bin (the LPT rule) keeps the bins
within one file of each other by bytes, which is as balanced as whole files allow.
A split names its files by path and carries the snapshot id, so a process that
builds the connector from the same config can read exactly those files at exactly
that snapshot without asking anyone else.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from dataprof.connector import ScanSplit

__all__ = ["FileUnit", "balance_files"]


@dataclass(frozen=True)
class FileUnit:
    path: str
    size_bytes: int
    record_count: int


def balance_files(
    units: Sequence[FileUnit], target: int, snapshot_id: int | None
) -> list[ScanSplit]:
    """At most ``target`` splits (fewer when there are fewer files), never empty
    ones; a table with no files gets one empty split so the caller's loop runs."""
    bins = max(1, min(target, len(units)))
    # (bytes, files, bin): among bins of equal load the one with fewer files, so empty
    # files spread out too instead of all landing in the first bin.
    heap: list[tuple[int, int, int]] = [(0, 0, i) for i in range(bins)]
    members: list[list[FileUnit]] = [[] for _ in range(bins)]
    for unit in sorted(units, key=lambda u: (-u.size_bytes, u.path)):
        load, count, index = heapq.heappop(heap)
        members[index].append(unit)
        heapq.heappush(heap, (load + unit.size_bytes, count + 1, index))
    splits: list[ScanSplit] = []
    for files in members:
        if not files and units:
            continue
        files = sorted(files, key=lambda u: u.path)
        splits.append(
            ScanSplit(
                index=len(splits),
                estimated_bytes=sum(u.size_bytes for u in files),
                estimated_rows=sum(u.record_count for u in files),
                payload={"snapshot_id": snapshot_id, "files": [u.path for u in files]},
            )
        )
    return splits
