"""Where a fanned-out run keeps its files: a local folder or an ``s3://`` prefix.

``dataprof job plan|scan|merge`` pass work between machines through files under
``runs/<run_id>/`` (the plan, one state per work item, the finished profile's JSON),
so any scheduler that can run a command (Step Functions, a shell loop, Kubernetes
jobs, Airflow) can run the items. boto3 is imported only for an ``s3://`` location;
its endpoint and credentials come from the environment (``AWS_ENDPOINT_URL_S3``
points it at a stand-in).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from dataprof.errors import ConfigurationError, NotFoundError

__all__ = ["RUNS_ENV_VAR", "FolderRunFiles", "RunFiles", "S3RunFiles", "open_run_files"]

RUNS_ENV_VAR = "DATAPROF_RUNS"


class RunFiles(Protocol):
    """Bytes by relative name (``runs/<run_id>/plan.json``)."""

    location: str

    def read(self, name: str) -> bytes:
        """The file's bytes; :class:`NotFoundError` if there is none."""
        ...

    def write(self, name: str, data: bytes) -> str:
        """Write (or replace) the file; returns where it went."""
        ...

    def list(self, prefix: str) -> list[str]:
        """Names of the files under ``prefix`` (relative names, sorted)."""
        ...


class FolderRunFiles:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def read(self, name: str) -> bytes:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"No file {name} under {self.root}") from None

    def write(self, name: str, data: bytes) -> str:
        from dataprof.stores.atomic_files import atomic_write

        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        return str(path)

    def list(self, prefix: str) -> list[str]:
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(str(p.relative_to(self.root)) for p in folder.rglob("*") if p.is_file())


class S3RunFiles:
    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.location = f"s3://{bucket}/{self.prefix}"
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # noqa: TID251 - only for an s3:// location

            self._client = boto3.client("s3")
        return self._client

    def _fail(self, exc: Exception, doing: str) -> Exception:
        from dataprof.aws_errors import translate_botocore

        return (
            translate_botocore(
                exc,
                service="s3",
                doing=doing,
                where={"source": self.location, "table": None},
                endpoint_hint="check the AWS credentials and AWS_ENDPOINT_URL_S3 / AWS_REGION",
            )
            or exc
        )

    def read(self, name: str) -> bytes:
        key = self.prefix + name
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=key)
            data: bytes = reply["Body"].read()
            return data
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                raise NotFoundError(f"No file {name} under {self.location}") from None
            raise self._fail(exc, f"reading s3://{self.bucket}/{key}") from exc

    def write(self, name: str, data: bytes) -> str:
        key = self.prefix + name
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except Exception as exc:
            raise self._fail(exc, f"writing s3://{self.bucket}/{key}") from exc
        return f"s3://{self.bucket}/{key}"

    def list(self, prefix: str) -> list[str]:
        names: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            for page in pages:
                names += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        except Exception as exc:
            raise self._fail(exc, f"listing {self.location}{prefix}") from exc
        return sorted(names)


def open_run_files(location: str | None) -> RunFiles:
    """The run files at ``location`` (else ``$DATAPROF_RUNS``): a folder or ``s3://bucket/prefix``."""
    where = location or os.environ.get(RUNS_ENV_VAR)
    if not where:
        raise ConfigurationError(
            "No place for the run's files (plan, states)",
            hint=f"pass --runs or set {RUNS_ENV_VAR} (a folder, or s3://bucket/prefix/)",
        )
    parsed = urlparse(where)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigurationError(f"{where!r} names no bucket", hint="use s3://bucket/prefix/")
        return S3RunFiles(parsed.netloc, parsed.path)
    if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:
        return FolderRunFiles(Path(parsed.path if parsed.scheme == "file" else where))
    raise ConfigurationError(
        f"Run files cannot live at {parsed.scheme}://", hint="use a folder or s3://bucket/prefix/"
    )
