"""The C library's allocator for Arrow's buffers, instead of Arrow's default.

A scan allocates and frees every batch's buffers, tens of megabytes a batch. Arrow's
default pool on Linux (mimalloc) hands freed pages back to the system at once and
faults them in again for the next batch: on the benchmark's 5M-row file the profile
spent 2.2-2.4 s of system time, against 0.8-1.0 s with the system allocator, and
took 6.9-8.8 s against 5.9-6.2 s (2 cores, both measured alternately).

So ``import dataprof`` before pyarrow makes the system allocator pyarrow's default
(:func:`prefer_system_allocator`, through ``ARROW_DEFAULT_MEMORY_POOL``); when
pyarrow came first, a scan switches the default pool for its own duration
(:func:`scan_memory_pool`), which covers fewer of the buffers. A user who chose a
pool (``ARROW_DEFAULT_MEMORY_POOL``) keeps it, and ``DATAPROF_ARROW_POOL=default``
keeps Arrow's own.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["prefer_system_allocator", "scan_memory_pool"]

_lock = threading.Lock()
_depth = 0
_previous: Any = None


def _arrow_default_kept() -> bool:
    chosen = os.environ.get("DATAPROF_ARROW_POOL", "").strip().lower()
    return bool(os.environ.get("ARROW_DEFAULT_MEMORY_POOL")) or chosen in ("default", "arrow")


def prefer_system_allocator() -> None:
    """Make the system allocator pyarrow's default pool, if pyarrow is not imported yet
    and nobody chose another."""
    if "pyarrow" not in sys.modules and not _arrow_default_kept():
        os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"


@contextmanager
def scan_memory_pool() -> Iterator[None]:
    """Within the block, new Arrow buffers come from the system allocator (nested and
    concurrent blocks share one switch; the last to leave restores the pool)."""
    global _depth, _previous
    if _arrow_default_kept():
        yield
        return
    import pyarrow as pa

    with _lock:
        if _depth == 0:
            _previous = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                pa.set_memory_pool(_previous)
                _previous = None


prefer_system_allocator()  # at import: ``import dataprof`` imports this module first
