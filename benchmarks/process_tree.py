"""Peak memory of a whole process tree, for the benchmarks.

`/usr/bin/time -v` reports the largest single process's peak, not the sum over a
parent and its workers; this samples the tree's summed RSS while it runs.
"""

from __future__ import annotations

import contextlib
import subprocess
import time


def peak_tree_rss(process: subprocess.Popen[str], every_s: float = 0.02) -> int:
    """Sample the summed RSS of ``process`` and its descendants until it exits; the peak in
    bytes. The caller still waits for (or communicates with) the process."""
    import psutil

    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        peak = max(peak, total)
        time.sleep(every_s)
    return peak
