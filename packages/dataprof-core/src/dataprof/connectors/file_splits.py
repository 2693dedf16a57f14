"""Dividing files (and Parquet row groups) into splits balanced by bytes.

The file connector's units of work are whole files, or row groups for Parquet;
largest first, each goes to the least-loaded of ``target`` bins, so no split is
more than one unit heavier than another. A split's payload lists its files in
path order, each with its row groups (None: the whole file).
"""

from __future__ import annotations

from collections.abc import Sequence

from dataprof.connector import ScanSplit

__all__ = ["ScanUnit", "balanced_splits"]

ScanUnit = tuple[int, str, int | None, int | None]
"""(bytes, path, row group index or None for a whole file, rows or None when unknown)."""


def balanced_splits(units: Sequence[ScanUnit], target: int) -> list[ScanSplit]:
    bins: list[list[ScanUnit]] = [[] for _ in range(max(1, target))]
    loads = [0] * len(bins)
    for unit in sorted(units, key=lambda u: -u[0]):
        # the least bytes, then the fewest units: empty units spread out too
        i = min(range(len(bins)), key=lambda b: (loads[b], len(bins[b])))
        bins[i].append(unit)
        loads[i] += unit[0]
    splits: list[ScanSplit] = []
    for units_in_bin in (b for b in bins if b):
        by_path: dict[str, list[int] | None] = {}
        for _size, path, rg, _rows in sorted(units_in_bin, key=lambda u: (u[1], u[2] or 0)):
            by_path[path] = None if rg is None else [*(by_path.get(path) or []), rg]
        rows = [u[3] for u in units_in_bin]
        known_rows = [r for r in rows if r is not None]
        splits.append(
            ScanSplit(
                index=len(splits),
                estimated_bytes=sum(u[0] for u in units_in_bin),
                estimated_rows=sum(known_rows) if len(known_rows) == len(rows) else None,
                payload={"files": [{"path": p, "row_groups": g} for p, g in by_path.items()]},
            )
        )
    return splits or [ScanSplit(index=0, payload={"files": []})]
