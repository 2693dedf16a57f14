"""Mutated portable state files never crash the process: only StateFormatError.

The mutations run in a child process (``fuzz_state_files.py``): a native crash
there fails this test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FUZZ = Path(__file__).with_name("fuzz_state_files.py")


def test_fuzz_1000_mutated_state_files_end_in_clean_errors() -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ), "20261126", "1000"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (
        f"the fuzz process ended with {done.returncode} (negative: killed by that signal)\n"
        f"{done.stdout}\n{done.stderr[-3000:]}"
    )
    outcomes = dict(line.rsplit(": ", 1) for line in done.stdout.splitlines())
    assert sum(int(v) for v in outcomes.values()) == 1000
    assert int(outcomes.get("refused", 0)) >= 500  # every whole-file mutation at least
    assert not [o for o in outcomes if "then" in o], outcomes  # accepted states always work
