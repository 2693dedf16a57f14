"""Keeping secrets out of every string that leaves the process.

`SecretStr` already hides a secret in reprs and dumps; the leak that remains is an
engine echoing it back (a connection string in a driver's error, a signed URL in a
boto3 message). So every secret dataprof is handed is remembered here, and
:func:`redact` scrubs those values, plus credential-shaped patterns, from any text:
error messages and log records pass through it.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = [
    "REDACTED",
    "RedactingFilter",
    "get_logger",
    "is_secret_key",
    "redact",
    "remember_secret",
]

REDACTED = "**********"

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|session[_-]?key|auth)",
    re.IGNORECASE,
)
_PATTERNS = [
    # user:password@ in a URL
    re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+(?P<end>@)", re.IGNORECASE),
    # key=value, and "key": "value" as in JSON, where the key names a secret
    re.compile(
        r"(?P<keep>\b[\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|session[_-]?key)[\w.-]*"
        r"\s*=\s*['\"]?)(?P<value>[^'\"\s,;&}]+)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<keep>['\"][\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|session[_-]?key)[\w.-]*"
        r"['\"]\s*:\s*b?['\"])(?P<value>[^'\"]+)",
        re.IGNORECASE,
    ),
    # query-string signatures on presigned URLs
    re.compile(r"(?P<keep>X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s]+", re.IGNORECASE),
    # SigV4 as botocore logs it at DEBUG: the canonical request's token header line and
    # the Authorization header's signature
    re.compile(r"(?P<keep>\bx-amz-security-token:)[^\s'\"]+", re.IGNORECASE),
    re.compile(r"(?P<keep>\bSignature=)[0-9a-f]{16,}", re.IGNORECASE),
]

_known: set[str] = set()
_lock = threading.Lock()


def is_secret_key(key: str) -> bool:
    """Whether a parameter name says it holds a secret (``password``, ``aws_secret_access_key``...)."""
    return bool(_SECRET_KEY.search(key))


def remember_secret(value: str) -> None:
    """Scrub ``value`` from every later :func:`redact` call. Very short values are not
    remembered: replacing every ``a`` in a message would destroy it and protect nothing."""
    if len(value) >= 4:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` with every remembered secret and credential-shaped value masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda m: m.group("keep") + REDACTED + (m.groupdict().get("end") or ""), text
        )
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the rendered message of every record it sees.

    Logger filters are not inherited by child loggers, so :func:`get_logger` puts
    one on each logger it hands out; backends log through it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def get_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with a :class:`RedactingFilter` attached (once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
