"""The read-ahead keeps order, bounds what is in flight, stops early and passes errors on."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof_iceberg.readahead import ordered_readahead


@settings(max_examples=50, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=7), max_size=12),
    threads=st.integers(min_value=1, max_value=4),
    depth=st.integers(min_value=1, max_value=3),
)
def test_same_items_in_the_same_order_as_a_sequential_read(
    sizes: list[int], threads: int, depth: int
) -> None:
    def read(unit: int) -> Iterator[tuple[int, int]]:
        for i in range(sizes[unit]):
            yield (unit, i)

    units = list(range(len(sizes)))
    expected = [item for u in units for item in read(u)]
    assert list(ordered_readahead(units, read, threads=threads, depth=depth)) == expected


def test_stopping_early_stops_the_workers_and_bounds_what_was_read() -> None:
    produced = 0
    lock = threading.Lock()

    def read(unit: int) -> Iterator[int]:
        nonlocal produced
        for i in range(1000):
            with lock:
                produced += 1
            yield unit * 1000 + i

    stream = ordered_readahead(list(range(50)), read, threads=2, depth=3)
    first = [next(stream) for _ in range(5)]
    stream.close()
    assert first == [0, 1, 2, 3, 4]
    assert produced <= 5 + 2 * (3 + 1) + 2  # what was consumed, plus each worker's queue
    assert not [t for t in threading.enumerate() if t.name.startswith("dataprof-read-")]


def test_an_error_in_a_worker_reaches_the_consumer_after_earlier_items() -> None:
    def read(unit: int) -> Iterator[int]:
        if unit == 2:
            raise RuntimeError("file 2 is corrupt")
        yield unit

    seen: list[int] = []
    with pytest.raises(RuntimeError, match="file 2"):
        seen.extend(ordered_readahead([0, 1, 2, 3], read, threads=2))  # appends as it goes
    assert seen == [0, 1]
