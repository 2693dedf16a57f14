"""Reading a few files at once while keeping their order and a fixed memory bound.

One file at a time leaves a core idle while Python does its per-file work (schema
resolution, projection) and the next file waits. Here ``threads`` workers each take
every ``threads``-th file and push its batches into their own queue of ``depth``
batches; the consumer drains the queues in file order. Memory is bounded by
``threads * (depth + 1)`` batches whatever the size of the table, the output order
is the same as a sequential read, and a consumer that stops early (a sample)
stops the workers instead of letting them read the rest of the table.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

__all__ = ["ordered_readahead"]

T = TypeVar("T")
B = TypeVar("B")

_END = object()
_POLL_SECONDS = 0.05


def ordered_readahead(
    units: Sequence[T], read: Callable[[T], Iterator[B]], *, threads: int = 2, depth: int = 4
) -> Iterator[B]:
    """Every item of ``read(unit)`` for each unit, in unit order, read ahead by
    ``threads`` workers. Errors raised by ``read`` surface in the consumer."""
    if threads <= 1 or len(units) <= 1:
        for unit in units:
            yield from read(unit)
        return

    workers = min(threads, len(units))
    stop = threading.Event()
    queues: list[queue.Queue[object]] = [queue.Queue(maxsize=depth) for _ in range(workers)]

    def put(q: queue.Queue[object], item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce(worker: int) -> None:
        q = queues[worker]
        try:
            for index in range(worker, len(units), workers):
                for item in read(units[index]):
                    if not put(q, (item,)):
                        return
                if not put(q, _END):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put(q, exc)

    pool = [
        threading.Thread(target=produce, args=(w,), name=f"dataprof-read-{w}", daemon=True)
        for w in range(workers)
    ]
    for thread in pool:
        thread.start()
    try:
        for index in range(len(units)):
            q = queues[index % workers]
            while True:
                item = q.get()
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, tuple)
                yield item[0]
    finally:
        stop.set()
        for q in queues:  # unblock workers waiting on a full queue
            while not q.empty():
                q.get_nowait()
        for thread in pool:
            thread.join()
