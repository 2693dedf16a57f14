"""A sample spread across the whole table, drawn the same way every time for one seed.

The first rows of a table are its least representative part: files are sorted,
appended to, partitioned by date, so the head holds the oldest rows, the smallest
keys, one partition. For a connector that can split its scan
(:attr:`Capability.PARALLEL_SPLITS`: Parquet row groups, files, Iceberg data
files) the sample is drawn in two stages:

1. up to 64 splits are chosen at random (seeded);
2. each chosen part is read through, and every row read gets a random key; the
   ``sample_size`` rows with the smallest keys are kept (a bottom-k sample:
   uniform over the rows read, in memory for ``sample_size`` rows plus one batch).

So within a part the sample is spread as well: a file sorted by a column (or
appended to in time order) gives rows from its whole range, not from the head
of each part. What is read is bounded: at most ``_MAX_READ_PER_KEPT`` rows per
row kept in all, an equal share of that per part. A part bigger than its share
(one multi-gigabyte CSV file, a huge row group) is read up to its share only, so
its rows come from its head, and the notes say when a part was cut short.

Whole row groups are the unit a columnar file can be read by, so the sample is
uniform over randomly chosen parts of the table rather than over every row; with
many small parts (the usual case) the difference is small, and it is nothing like
the head of the table. The seed is recorded in the profile, so the same sample
can be drawn again. Connectors that cannot split fall back to
``get_sample_arrow`` (a warehouse's ``TABLESAMPLE``, or the first rows), and the
profile's notes say which was used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dataprof.connector import DEFAULT_BATCH_SIZE, Capability

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.connector import DataConnector

__all__ = ["DEFAULT_SAMPLE_SEED", "SampleDraw", "draw_sample"]

DEFAULT_SAMPLE_SEED = 0
"""The seed used when none is given: an unchanged table gives the same sample every run,
so history compares like with like and sampling noise never reads as change."""
_MAX_READ_PER_KEPT = 400
"""Rows read per row kept at most: a 10,000-row sample reads up to 4 million rows."""
_SPLITS_PER_SAMPLE = 256
"""How finely to plan the table for sampling (splits are the unit chosen at random)."""
_MAX_PARTS = 64
"""Parts read at most: a share of the budget from each."""


@dataclass(frozen=True)
class SampleDraw:
    """The rows drawn and how: what the profile's notes and row count need."""

    table: pa.Table
    rows_read: int
    splits_read: int
    splits_total: int
    spread: bool
    """True for a sample spread over the table; False when the connector's own
    ``get_sample_arrow`` was used (it cannot split)."""
    cut_short: bool = False
    """A part was too big to read whole; the sample holds its first rows only."""

    @property
    def read_everything(self) -> bool:
        return self.spread and not self.cut_short and self.splits_read == self.splits_total


def draw_sample(
    connector: DataConnector,
    columns: Sequence[str] | None,
    sample_size: int,
    seed: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> SampleDraw:
    """Up to ``sample_size`` rows of ``connector``'s table (see the module's two stages)."""
    import numpy as np
    import pyarrow as pa

    if not connector.supports(Capability.PARALLEL_SPLITS):
        table = connector.get_sample_arrow(sample_size)
        if columns is not None:
            table = table.select(list(columns))
        return SampleDraw(table, table.num_rows, 1, 1, spread=False)
    splits = connector.plan_splits(_SPLITS_PER_SAMPLE)
    rng = np.random.default_rng(seed)
    chosen_parts = rng.permutation(len(splits))[:_MAX_PARTS]
    # Each chosen part is read through (its head is its least representative slice),
    # up to an equal share of what a sample may read.
    total = _MAX_READ_PER_KEPT * sample_size
    per_part = -(-total // len(chosen_parts)) if len(chosen_parts) else 0
    kept: pa.Table | None = None
    kept_keys = np.zeros(0)
    rows_read = 0
    splits_read = 0
    cut_short = False
    for position in chosen_parts:
        splits_read += 1
        from_part = 0
        reader = connector.iter_batches(
            columns, min(batch_size, max(per_part, 1)), split=splits[int(position)]
        )
        for batch in reader:
            if from_part >= per_part:
                cut_short = True  # the rest of this part is not needed
                break
            from_part += batch.num_rows
            rows_read += batch.num_rows
            keys = np.concatenate([kept_keys, rng.random(batch.num_rows)])
            candidates = pa.Table.from_batches([batch])
            if kept is not None:
                candidates = pa.concat_tables([kept, candidates])
            if len(keys) > sample_size:
                chosen = np.sort(np.argpartition(keys, sample_size - 1)[:sample_size])
                candidates = candidates.take(pa.array(chosen))
                keys = keys[chosen]
            kept, kept_keys = candidates, keys
        close = getattr(reader, "close", None)
        if close is not None:
            close()
    if kept is None:
        schema = connector.arrow_schema()
        if columns is not None:
            schema = pa.schema([schema.field(name) for name in columns])
        kept = schema.empty_table()
    return SampleDraw(kept, rows_read, splits_read, len(splits), spread=True, cut_short=cut_short)
