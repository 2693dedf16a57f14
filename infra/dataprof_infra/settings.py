"""What the CDK context may say about a deployment, read and checked in one place.

Every key lives under the ``dataprof:`` prefix (``cdk synth -c dataprof:glue_databases=sales``
or the ``context`` block of ``cdk.json``). A list is a JSON list in ``cdk.json`` or a
comma-separated string on the command line. Data access is opt-in: without any of the
source keys the task role reads no source at all. A key the app does not know (a typo
in ``dataprof:``, or a bare key that looks like one of ours) fails the synth, naming it,
rather than silently granting nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONTEXT_PREFIX",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_SUPABASE_SECRET_NAME",
    "ContextError",
    "DataAccess",
    "Settings",
]

CONTEXT_PREFIX = "dataprof:"
DEFAULT_SUPABASE_SECRET_NAME = "dataprof/supabase"

_LIST_KEYS = (
    "glue_databases",
    "s3_data_prefixes",
    "athena_workgroups",
    "athena_output_prefixes",
    "redshift_workgroups",
    "redshift_secret_arns",
)
_INT_KEYS = ("max_concurrency", "bytes_per_task")
_KNOWN = (*_LIST_KEYS, *_INT_KEYS, "supabase_secret_name")
DEFAULT_MAX_CONCURRENCY = 20
"""Scan tasks at once in the workflow's Distributed Map (``dataprof:max_concurrency``)."""

# Bare keys the CDK itself keeps in context (cdk.context.json); every other bare key
# is taken for a mistyped one of ours.
_CDK_BARE_KEYS = frozenset({"acknowledged-issue-numbers"})


class ContextError(ValueError):
    """A context key or value the app cannot use; the message names it and the fix."""


def _as_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise ContextError(
            f"context {CONTEXT_PREFIX}{key} must be a list of strings or a comma-separated "
            f"string, not {type(value).__name__}"
        )
    return tuple(item for item in items if item)


def _positive_int(key: str, value: Any) -> int:
    """A positive integer, from JSON (``20``) or the command line (``"20"``)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isdigit():
        text = int(text)
    if isinstance(text, bool) or not isinstance(text, int) or text < 1:
        raise ContextError(
            f"context {CONTEXT_PREFIX}{key} must be a positive integer, not {value!r}"
        )
    return text


def _s3_location(key: str, value: str) -> tuple[str, str]:
    """``bucket/prefix`` or ``s3://bucket/prefix`` as (bucket, prefix)."""
    bare = value.removeprefix("s3://")
    bucket, _, prefix = bare.partition("/")
    if not bucket or "*" in bare:
        raise ContextError(
            f"context {CONTEXT_PREFIX}{key}: {value!r} is not an S3 location; "
            "write bucket/prefix or s3://bucket/prefix (no wildcards)"
        )
    return bucket, prefix


@dataclass(frozen=True)
class DataAccess:
    """The sources the profiler task may read, each list empty unless the context names it."""

    glue_databases: tuple[str, ...] = ()
    s3_data_prefixes: tuple[tuple[str, str], ...] = ()
    """(bucket, prefix) pairs the task may read."""
    athena_workgroups: tuple[str, ...] = ()
    athena_output_prefixes: tuple[tuple[str, str], ...] = ()
    """(bucket, prefix) pairs where Athena writes results the task reads back."""
    redshift_workgroups: tuple[str, ...] = ()
    """Redshift Serverless workgroup ids or ARNs (IAM names a workgroup by id)."""
    redshift_secret_arns: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return any(
            (
                self.glue_databases,
                self.s3_data_prefixes,
                self.athena_workgroups,
                self.athena_output_prefixes,
                self.redshift_workgroups,
                self.redshift_secret_arns,
            )
        )


@dataclass(frozen=True)
class Settings:
    """Everything the stacks take from the context."""

    supabase_secret_name: str = DEFAULT_SUPABASE_SECRET_NAME
    data_access: DataAccess = field(default_factory=DataAccess)
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    """Scan tasks the Distributed Map runs at once."""
    bytes_per_task: int | None = None
    """Uncompressed bytes per work item (``dataprof job plan --bytes-per-task``); None
    keeps dataprof's default (about ten minutes of one task)."""

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Settings:
        ours: dict[str, Any] = {}
        for key, value in context.items():
            if key.startswith(CONTEXT_PREFIX):
                name = key.removeprefix(CONTEXT_PREFIX)
                if name not in _KNOWN:
                    raise ContextError(_unknown(key, name))
                ours[name] = value
            elif ":" not in key and not key.startswith("@") and key not in _CDK_BARE_KEYS:
                raise ContextError(_unknown(key, key))
        lists = {key: _as_list(key, ours[key]) for key in _LIST_KEYS if key in ours}
        for key in ("redshift_secret_arns",):
            for arn in lists.get(key, ()):
                if not arn.startswith("arn:") or ":secret:" not in arn:
                    raise ContextError(
                        f"context {CONTEXT_PREFIX}{key}: {arn!r} is not a Secrets Manager "
                        "secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)"
                    )
        secret_name = ours.get("supabase_secret_name", DEFAULT_SUPABASE_SECRET_NAME)
        if not isinstance(secret_name, str) or not secret_name.strip():
            raise ContextError(
                f"context {CONTEXT_PREFIX}supabase_secret_name must be a secret's name"
            )
        access = DataAccess(
            glue_databases=lists.get("glue_databases", ()),
            s3_data_prefixes=tuple(
                _s3_location("s3_data_prefixes", v) for v in lists.get("s3_data_prefixes", ())
            ),
            athena_workgroups=lists.get("athena_workgroups", ()),
            athena_output_prefixes=tuple(
                _s3_location("athena_output_prefixes", v)
                for v in lists.get("athena_output_prefixes", ())
            ),
            redshift_workgroups=lists.get("redshift_workgroups", ()),
            redshift_secret_arns=lists.get("redshift_secret_arns", ()),
        )
        numbers = {key: _positive_int(key, ours[key]) for key in _INT_KEYS if key in ours}
        return cls(
            supabase_secret_name=secret_name.strip(),
            data_access=access,
            max_concurrency=numbers.get("max_concurrency", DEFAULT_MAX_CONCURRENCY),
            bytes_per_task=numbers.get("bytes_per_task"),
        )


def _unknown(key: str, name: str) -> str:
    known = ", ".join(CONTEXT_PREFIX + k for k in _KNOWN)
    close = difflib.get_close_matches(name, _KNOWN, n=1)
    hint = f"; did you mean {CONTEXT_PREFIX}{close[0]}?" if close else ""
    return f"unknown context key {key!r}{hint} (the app reads {known})"
