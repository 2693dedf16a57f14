"""Logging when dataprof owns the process (the ``dataprof`` CLI and the jobs it runs).

:class:`~dataprof.redaction.RedactingFilter` on dataprof's own loggers keeps
dataprof's records clean, but a logger filter does not see records of other
libraries: botocore at DEBUG logs every request's ``X-Amz-Security-Token`` header.
So when dataprof configures logging it puts redaction on the *handler*, which sees
every record that reaches it, whoever logged it, and redacts the whole rendered
text (tracebacks included). It also remembers the values of secret-named
environment variables (``AWS_SESSION_TOKEN``, ``AWS_SECRET_ACCESS_KEY``, ...), which
boto3 reads without dataprof ever being handed them.

A library user who configures logging themselves adds the same protection with::

    import logging
    from dataprof.redaction import RedactingFilter

    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())

The level comes from ``--log-level`` or ``DATAPROF_LOG_LEVEL`` (default WARNING).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from dataprof.redaction import RedactingFilter, is_secret_key, redact, remember_secret

__all__ = ["LOG_LEVEL_ENV", "RedactingFormatter", "configure_logging"]

LOG_LEVEL_ENV = "DATAPROF_LOG_LEVEL"
_FORMAT = "%(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Redacts the fully rendered record: message, exception and stack text alike."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is at the time of the record (test runners and
    progress bars swap it), like :data:`logging.lastResort`."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def remember_environment_secrets() -> None:
    """Redact the values of environment variables whose names say they hold secrets."""
    for key, value in os.environ.items():
        if value and is_secret_key(key):
            remember_secret(value)


def configure_logging(level: str | int | None = None) -> logging.Handler:
    """One stderr handler on the root logger, redacting every record it writes.

    Calling it again replaces the handler it installed before (never a second one).
    """
    chosen = level if level is not None else os.environ.get(LOG_LEVEL_ENV) or "WARNING"
    if isinstance(chosen, str):
        chosen = chosen.upper()
    root = logging.getLogger()
    root.setLevel(chosen)  # an unknown level raises ValueError before anything changes
    remember_environment_secrets()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter(_FORMAT))
    root.addHandler(handler)
    return handler
