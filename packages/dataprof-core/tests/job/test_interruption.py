"""SIGTERM and Ctrl-C stop `dataprof profile` and every worker it started, record the run as
failed (interrupted) and leave the store readable.

The run is a real `dataprof profile` process (the CLI app in a child Python) over a
connector whose splits never finish: each worker writes its pid, yields one batch and
sleeps. Nothing is mocked; the test sends the signals a user or a container runtime
would send.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dataprof.profiling.models import RunStatus
from dataprof.stores import LocalProfileStore, SourceIdentity

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    import pyarrow as pa
    from dataprof import DataConnector
    from dataprof.connector import Capability, ScanSplit
    from dataprof.registry import register
    from dataprof.cli import build_app

    PIDS = sys.argv[1]

    class NeverEnding(DataConnector):
        capabilities = frozenset({Capability.PARALLEL_SPLITS})

        def arrow_schema(self):
            return pa.schema([("x", pa.int64())])

        def plan_splits(self, target):
            return [ScanSplit(index=i) for i in range(8)]

        def iter_batches(self, columns=None, batch_size=65536, *, split=None):
            with open(os.path.join(PIDS, str(os.getpid())), "w"):
                pass
            yield pa.record_batch([pa.array([1, 2, 3])], names=["x"])
            time.sleep(600)

    register("never_ending", NeverEnding)
    build_app()(
        ["profile", "--type", "never_ending", "--database", "d", "--table", "t",
         "--store", sys.argv[2], "--mode", "full", "--workers", "2", "--no-progress"],
    )
    """
)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has stopped; only its entry is left


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


@pytest.mark.parametrize(
    ("how", "code", "said"),
    [("SIGTERM", 143, "Interrupted by SIGTERM"), ("SIGINT", 130, "Interrupted (Ctrl-C)")],
)
def test_a_stopped_run_stops_its_workers_and_is_recorded(
    tmp_path: Path, how: str, code: int, said: str
) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    store = tmp_path / "store"
    child = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(pids), str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives a command
        env={**os.environ, "DATAPROF_START_METHOD": "fork", "COLUMNS": "200"},
    )
    try:
        assert _wait_for(lambda: len(list(pids.iterdir())) >= 2, 120), child.stderr
        workers = [int(p.name) for p in pids.iterdir()]
        if how == "SIGTERM":
            child.send_signal(signal.SIGTERM)  # what `kill` and a container runtime send
        else:
            os.killpg(child.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
        _, err = child.communicate(timeout=60)
        assert child.returncode == code, err
        assert said.encode() in err
        # the workers die with the run (they would otherwise sleep for ten minutes)
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 5), [
            pid for pid in workers if _alive(pid)
        ]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # whatever the run left behind
    [run] = LocalProfileStore(store).list_runs(
        SourceIdentity(source_type="never_ending", database="d", table="t")
    )
    assert run.status is RunStatus.FAILED
    assert run.error is not None
    assert run.error.startswith(said)
