"""Both cores in one process: a batch's columns are profiled on a small thread pool.

Almost all of an accumulator's work per batch is Arrow compute and numpy kernels,
which release the GIL, so columns profiled on separate threads run in parallel.
Threads share the process's memory: nothing is pickled, nothing merged, no second
copy of the exact-count tables, which is what made worker processes cost more than
they saved on one machine (measured: 2 workers took 1.25x the time of one process
on an idle 2-core machine, and 1.4x its memory).

Each accumulator is touched by one thread at a time and its batches arrive in
order (the caller waits for the whole batch before sending the next), so the
figures are the same as a sequential run's, whatever the thread count.
``DATAPROF_THREADS`` sets the count (``1`` turns threads off); the default is the
number of cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

__all__ = ["MAX_TASKS", "MIN_ROWS_PER_TASK", "column_threads", "run_all", "share_cores"]

MIN_ROWS_PER_TASK = 16_384
"""Below this many values a column, handing columns to threads costs more than it saves:
each task is then a few kernel calls, and the threads mostly wait for the GIL
(measured on 1,000 columns x 1,000 rows: 2.3 s on two threads against 1.4 s on one)."""
MAX_TASKS = 256
"""Above this many columns, one thread: a wide table's columns are each a few short
kernel calls, and two threads handing the GIL back and forth lose (1,000 columns x
100,000 rows: 12.1 s on two threads, 11.1 s on one), where 12 columns with text
to hash win (1M rows: 2.4 s against 3.0 s)."""

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_pid = 0
_processes = 1


def share_cores(processes: int) -> None:
    """This process is one of ``processes`` profiling at once (a worker): its share of
    the cores, not all of them, unless ``DATAPROF_THREADS`` says otherwise."""
    global _processes
    _processes = max(1, processes)


def column_threads() -> int:
    """Threads to profile a batch's columns on: ``DATAPROF_THREADS``, else this
    process's share of the cores."""
    raw = os.environ.get("DATAPROF_THREADS", "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            pass
    return max(1, (os.cpu_count() or 1) // _processes)


def _shared_pool(size: int) -> ThreadPoolExecutor:
    """One pool per process (a forked worker builds its own: threads do not survive a fork)."""
    global _pool, _pool_size, _pool_pid
    with _lock:
        if _pool is None or _pool_size != size or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="dataprof-column")
            _pool_size, _pool_pid = size, os.getpid()
        return _pool


def run_all(tasks: Sequence[Callable[[], None]], rows: int) -> None:
    """Run ``tasks`` (one per column over ``rows`` values, each catching its own
    errors), on threads when there are at least :data:`MIN_ROWS_PER_TASK` rows, more
    than one task and one thread, and at most :data:`MAX_TASKS` tasks; return when
    all have finished."""
    threads = column_threads()
    if threads <= 1 or not 1 < len(tasks) <= MAX_TASKS or rows < MIN_ROWS_PER_TASK:
        for task in tasks:
            task()
        return
    pool = _shared_pool(threads)
    futures = [pool.submit(task) for task in tasks]
    for future in futures:
        future.result()
