"""What `auto` picks: the cheapest mode that answers what was asked, honestly.

In order: metadata when every requested metric comes from metadata; a full scan
when the work is small, judged by the metadata row count or, for sources without
one (CSV, JSON), by the bytes on disk: a sample of a small file saves a second and
costs every exact figure; pushdown when the connector's engine can compute the
profile; a sample otherwise. The choice and its reason go into the profile's notes.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from dataprof.connector import Capability
from dataprof.profiling.metadata import METADATA_METRICS
from dataprof.profiling.models import ProfileMode

if TYPE_CHECKING:
    from dataprof.connector import DataConnector

__all__ = ["AUTO_FULL_SCAN_MAX_BYTES", "AUTO_FULL_SCAN_MAX_ROWS", "choose_mode"]

AUTO_FULL_SCAN_MAX_ROWS = 10_000_000
"""`auto` scans every row up to this many (a few seconds per 5 million rows locally)."""
AUTO_FULL_SCAN_MAX_BYTES = 512 * 2**20
"""...and a table without a row count in its metadata (CSV, JSON) up to this size on disk:
about ten seconds of reading here, and the only way to be exact."""


def choose_mode(
    connector: DataConnector,
    metrics: Collection[str] | None,
    full_scan_max_rows: int,
    full_scan_max_bytes: int,
    notes: list[str],
) -> ProfileMode:
    """The cheapest mode that answers, with the reason appended to ``notes``."""
    if (
        metrics
        and set(metrics) <= METADATA_METRICS
        and connector.supports(Capability.COLUMN_STATS_FROM_METADATA)
    ):
        notes.append(
            "auto: metadata mode, the requested metrics "
            f"({', '.join(sorted(metrics))}) all come from metadata"
        )
        return ProfileMode.METADATA
    rows: int | None = None
    if connector.supports(Capability.ROW_COUNT_FROM_METADATA):
        rows = connector.get_row_count()
        if rows <= full_scan_max_rows:
            notes.append(
                f"auto: full scan, the table has {rows} rows (at most {full_scan_max_rows})"
            )
            return ProfileMode.FULL
    # Without a row count (CSV, JSON), the bytes on disk measure the work.
    size = _bytes_on_disk(connector) if rows is None else None
    if size is not None and size <= full_scan_max_bytes:
        notes.append(
            f"auto: full scan, the table is {_mib(size)} on disk (at most "
            f"{_mib(full_scan_max_bytes)}): small enough to read every row"
        )
        return ProfileMode.FULL
    if connector.supports(Capability.SQL_PUSHDOWN):
        notes.append(
            "auto: pushdown, the connector's engine computes the metrics"
            + (f" over {rows} rows" if rows is not None else "")
        )
        return ProfileMode.PUSHDOWN
    if rows is not None:
        why = f"the table has {rows} rows (more than {full_scan_max_rows})"
    elif size is not None:
        why = f"the table is {_mib(size)} on disk (more than {_mib(full_scan_max_bytes)})"
    else:
        why = "neither its row count nor its size is known without a scan"
    notes.append(f"auto: sample mode, {why}")
    return ProfileMode.SAMPLE


def _bytes_on_disk(connector: DataConnector) -> int | None:
    """The table's size as its splits estimate it (file sizes, row group bytes), or None
    when the connector cannot plan splits or does not know."""
    if not connector.supports(Capability.PARALLEL_SPLITS):
        return None
    size = sum(split.estimated_bytes for split in connector.plan_splits(1))
    return size if size > 0 else None


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"
