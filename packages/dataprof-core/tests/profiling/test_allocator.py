"""dataprof picks the system allocator for Arrow's buffers unless told otherwise, and a
scan that switches it puts the user's pool back."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from dataprof._allocator import scan_memory_pool

_PROBE = "import dataprof, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def _backend(**env: str) -> str:
    clean = {
        k: v for k, v in os.environ.items() if "MEMORY_POOL" not in k and "ARROW_POOL" not in k
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_dataprof_first_picks_the_system_allocator() -> None:
    assert _backend() == "system"


def test_a_chosen_pool_is_kept() -> None:
    assert _backend(ARROW_DEFAULT_MEMORY_POOL="system") == "system"
    arrow_own = _backend(DATAPROF_ARROW_POOL="default")
    assert arrow_own != "system"
    assert _backend(ARROW_DEFAULT_MEMORY_POOL=arrow_own) == arrow_own


def test_a_scan_switches_the_pool_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.delenv("DATAPROF_ARROW_POOL", raising=False)
    before = pa.default_memory_pool()
    other = pa.mimalloc_memory_pool() if before.backend_name == "system" else before
    pa.set_memory_pool(other)
    try:
        with scan_memory_pool():
            with scan_memory_pool():  # nested: one switch
                assert pa.default_memory_pool().backend_name == "system"
            assert pa.default_memory_pool().backend_name == "system"
        assert pa.default_memory_pool().backend_name == other.backend_name
        monkeypatch.setenv("DATAPROF_ARROW_POOL", "default")
        with scan_memory_pool():
            assert pa.default_memory_pool().backend_name == other.backend_name
    finally:
        pa.set_memory_pool(before)
