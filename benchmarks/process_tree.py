"""Peak memory of a whole process tree, for the benchmarks.

`/usr/bin/time -v` reports the largest single process's peak, not the sum over a
parent and its workers; this samples the tree's summed RSS while it runs. A forked
worker's RSS also counts the pages it shares with its parent (the imported
libraries, ~200 MiB), so the summed RSS overstates a forked tree; the summed PSS
(each shared page divided among its sharers, Linux only) is what it takes.
"""

from __future__ import annotations

import contextlib
import subprocess
import time


def peak_tree_rss(process: subprocess.Popen[str], every_s: float = 0.02) -> int:
    """The peak summed RSS of ``process`` and its descendants, in bytes, sampled until it
    exits. The caller still waits for (or communicates with) the process."""
    return peak_tree_memory(process, every_s, pss=False)[0]


def peak_tree_memory(
    process: subprocess.Popen[str], every_s: float = 0.02, *, pss: bool = True
) -> tuple[int, int]:
    """The peak summed RSS and the peak summed PSS (0 where the platform has none, or
    when not asked for) of ``process`` and its descendants, in bytes; PSS sampled every
    fifth time (reading it walks the page tables)."""
    import psutil

    parent = psutil.Process(process.pid)
    peak_rss = peak_pss = 0
    tick = 0
    while process.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = pss_sum = 0
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, AttributeError):
                rss += proc.memory_info().rss
                if pss and tick % 5 == 0:
                    pss_sum += getattr(proc.memory_full_info(), "pss", 0)
        peak_rss = max(peak_rss, rss)
        peak_pss = max(peak_pss, pss_sum)
        tick += 1
        time.sleep(every_s)
    return peak_rss, peak_pss
