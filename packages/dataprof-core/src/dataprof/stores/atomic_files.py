"""Writing a file so that a reader sees the old content or the new, never half of either.

The data goes to a temporary file in the same folder (so the rename cannot cross
file systems), is flushed and fsynced, then ``os.replace`` swaps it in, which is
atomic on POSIX and Windows; the folder is fsynced too where the platform allows,
so the rename itself survives a power cut. A crash before the rename leaves only a
temporary file, named ``.<name>.<random>.tmp``, which readers ignore.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "atomic_write", "is_temp_file", "remove_stale_temp_files"]

TEMP_SUFFIX = ".tmp"


def is_temp_file(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(folder: Path, older_than_seconds: float = 3600.0) -> None:
    """Delete temporary files a crashed writer left behind (not ones being written now)."""
    cutoff = time.time() - older_than_seconds
    for entry in folder.iterdir() if folder.is_dir() else ():
        if is_temp_file(entry):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
