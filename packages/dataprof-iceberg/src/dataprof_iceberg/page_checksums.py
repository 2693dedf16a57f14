"""Parquet page checksums verified on every Iceberg read.

A data file written with page checksums (parquet-mr's default, ``write_page_checksum``
in pyarrow) and damaged in a page must fail the run, not be profiled as data.
PyIceberg builds its Parquet format object in one place, the module-level
``pyiceberg.io.pyarrow._get_file_format``, without a way to ask for verification; so
the connector wraps that function once per process to add
``page_checksum_verification=True`` for Parquet (files without checksums read as
before). The wrap is idempotent and keeps PyIceberg's caching. Another PyIceberg user
in the same process gets verified reads too, which only ever refuses damaged pages.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["verify_page_checksums"]

_MARK = "_dataprof_verifies_page_checksums"


def verify_page_checksums() -> None:
    """Make PyIceberg verify Parquet page checksums (once per process)."""
    import pyiceberg.io.pyarrow as arrow_io
    from pyiceberg.manifest import FileFormat

    current = arrow_io._get_file_format
    if getattr(current, _MARK, False):
        return
    original = getattr(current, "__wrapped__", current)  # under PyIceberg's lru_cache

    @functools.lru_cache
    def with_checksums(file_format: Any, **kwargs: Any) -> Any:
        if file_format == FileFormat.PARQUET:
            kwargs.setdefault("page_checksum_verification", True)
        return original(file_format, **kwargs)

    setattr(with_checksums, _MARK, True)
    arrow_io._get_file_format = with_checksums
