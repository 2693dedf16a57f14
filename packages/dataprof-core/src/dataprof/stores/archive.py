"""The full profile JSON, kept whole beside the database rows: a folder or an S3 bucket.

The PostgreSQL schema holds every field, but the one file a person, a notebook or
Athena can read without the database is the full JSON. A :class:`ProfileArchive`
writes :func:`profile_to_json` (exact, unlike ``model_dump_json``) to
``profiles/<SourceIdentity.key>/<run_id>.json``. The store writes it *before* it
commits the run, so the run's ``profile_results.s3_full_profile_uri`` always points
at a file that exists. (A result sink would be too late: sinks run after
``save_run``.) It also implements :class:`ResultSink`, for setups that want the JSON
without a database.

``DATAPROF_ARCHIVE`` (``s3://bucket/prefix`` or a folder) turns it on for every
store :func:`open_store` opens. boto3 is imported only when an S3 archive is used
(``dataprof-core[s3]``).
"""

from __future__ import annotations

import abc
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from dataprof.errors import ConfigurationError
from dataprof.profiling.models import TableProfile
from dataprof.stores.atomic_files import atomic_write
from dataprof.stores.base import StoreError
from dataprof.stores.codec import profile_from_json, profile_to_json
from dataprof.stores.identity import SourceIdentity

__all__ = [
    "ARCHIVE_ENV_VAR",
    "LocalProfileArchive",
    "ProfileArchive",
    "S3ProfileArchive",
    "open_archive",
]

ARCHIVE_ENV_VAR = "DATAPROF_ARCHIVE"


class ProfileArchive(abc.ABC):
    """Where full profile JSON files go; ``write`` returns the file's URI."""

    name = "archive"

    @staticmethod
    def key(profile: TableProfile) -> str:
        """``profiles/<source key>/<run_id>.json``: one folder per table, as the local store."""
        return ProfileArchive.run_key(SourceIdentity.of(profile), profile.run_id)

    @staticmethod
    def run_key(source: SourceIdentity, run_id: str) -> str:
        return f"profiles/{source.key}/{run_id}.json"

    @abc.abstractmethod
    def uri_of(self, source: SourceIdentity, run_id: str) -> str:
        """Where :meth:`write` puts that table's run (whether it is there or not)."""

    def read_run(self, source: SourceIdentity, run_id: str) -> TableProfile:
        """The archived profile of that table's run (the job's store task reads it back)."""
        return self.read(self.uri_of(source, run_id))

    @abc.abstractmethod
    def write(self, profile: TableProfile) -> str:
        """Write the profile's full JSON; returns its URI. Raises :class:`StoreError`."""

    @abc.abstractmethod
    def read(self, uri: str) -> TableProfile:
        """The profile at ``uri`` (as :meth:`write` returned it)."""

    def send(self, profile: TableProfile) -> None:
        """:class:`ResultSink`'s method: archive the run."""
        self.write(profile)


class LocalProfileArchive(ProfileArchive):
    """Full profiles under a local folder (atomic writes)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().absolute()

    def __repr__(self) -> str:
        return f"LocalProfileArchive({str(self.root)!r})"

    def uri_of(self, source: SourceIdentity, run_id: str) -> str:
        return (self.root / self.run_key(source, run_id)).as_uri()

    def write(self, profile: TableProfile) -> str:
        path = self.root / self.key(profile)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, profile_to_json(profile).encode())
        except OSError as exc:
            raise StoreError(
                f"Cannot write the full profile of run {profile.run_id} to {path}: "
                f"{exc.strerror or exc}",
                hint=f"check {ARCHIVE_ENV_VAR} and the folder's permissions",
            ) from exc
        return path.as_uri()

    def read(self, uri: str) -> TableProfile:
        path = Path(unquote(urlparse(uri).path)) if uri.startswith("file:") else Path(uri)
        try:
            return profile_from_json(path.read_bytes())
        except FileNotFoundError:
            raise StoreError(
                f"No archived profile of run {path.stem} at {path}",
                hint="the store task runs after the profile task of the same execution",
            ) from None
        except OSError as exc:
            raise StoreError(f"Cannot read {path}: {exc.strerror or exc}") from exc


class S3ProfileArchive(ProfileArchive):
    """Full profiles in ``s3://bucket/prefix/profiles/...`` (boto3, imported on first use)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client
        self._endpoint_url = endpoint_url
        self._region = region

    def __repr__(self) -> str:
        return f"S3ProfileArchive('s3://{self.bucket}/{self.prefix}')"

    def _s3(self) -> Any:
        if self._client is None:
            try:
                import boto3  # noqa: TID251 - the S3 archive's own optional dependency
            except ImportError:
                raise ConfigurationError(
                    "The S3 profile archive needs boto3, which is not installed",
                    hint="pip install 'dataprof-core[s3]'",
                ) from None
            self._client = boto3.client(
                "s3", endpoint_url=self._endpoint_url, region_name=self._region
            )
        return self._client

    def _object_key(self, profile: TableProfile) -> str:
        return self._prefixed(self.key(profile))

    def _prefixed(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri_of(self, source: SourceIdentity, run_id: str) -> str:
        return f"s3://{self.bucket}/{self._prefixed(self.run_key(source, run_id))}"

    def write(self, profile: TableProfile) -> str:
        key = self._object_key(profile)
        try:
            self._s3().put_object(
                Bucket=self.bucket,
                Key=key,
                Body=profile_to_json(profile).encode(),
                ContentType="application/json",
            )
        except Exception as exc:
            raise _store_error(exc, f"writing s3://{self.bucket}/{key}") from None
        return f"s3://{self.bucket}/{key}"

    def read(self, uri: str) -> TableProfile:
        parsed = urlparse(uri)
        try:
            body = self._s3().get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))
            return profile_from_json(body["Body"].read())
        except Exception as exc:
            from dataprof.aws_errors import aws_error_code

            if (aws_error_code(exc) or ("",))[0] in ("NoSuchKey", "404"):
                raise StoreError(
                    f"No archived profile at {uri}",
                    hint="the store task runs after the profile task of the same execution",
                ) from None
            raise _store_error(exc, f"reading {uri}") from None


def _store_error(exc: Exception, doing: str) -> StoreError:
    from dataprof.aws_errors import translate_botocore

    translated = translate_botocore(exc, service="s3", doing=doing, where={})
    if translated is None:
        raise exc
    return StoreError(
        translated.reason,
        hint=translated.hint or f"check {ARCHIVE_ENV_VAR}, the bucket and the credentials",
    )


def open_archive(location: str | Path | None = None) -> ProfileArchive | None:
    """The archive at ``location`` (else ``$DATAPROF_ARCHIVE``); None when neither is set.

    ``s3://bucket/prefix`` is S3 (``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` picks a
    non-AWS endpoint, as boto3 itself reads them); a path or ``file://`` URL a folder.
    """
    chosen = location if location not in (None, "") else os.environ.get(ARCHIVE_ENV_VAR)
    if not chosen:
        return None
    if isinstance(chosen, Path):
        return LocalProfileArchive(chosen)
    parsed = urlparse(chosen)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigurationError(
                f"Archive URL {chosen!r} names no bucket", hint="use s3://bucket/prefix"
            )
        return S3ProfileArchive(parsed.netloc, parsed.path)
    if parsed.scheme == "file":
        return LocalProfileArchive(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:
        raise ConfigurationError(
            f"Unknown archive scheme {parsed.scheme!r} in {ARCHIVE_ENV_VAR}",
            hint="give s3://bucket/prefix, a folder path or a file:// URL",
        )
    return LocalProfileArchive(chosen)
