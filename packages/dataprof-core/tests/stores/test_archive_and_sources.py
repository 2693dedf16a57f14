"""The full-profile archive (a folder, S3 through a moto server), written before the row
and refusing to leave a row without its file; named sources kept with their secrets as
references; and the Supabase REST path's keys and errors."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from postgrest_emulation import PostgrestEmulation
from profile_builders import column, profile
from run_ids import rid

from dataprof.errors import ConfigurationError, NotFoundError
from dataprof.profiling.models import RunStatus
from dataprof.sources import load_source
from dataprof.stores import (
    LocalProfileArchive,
    LocalProfileStore,
    ProfileArchive,
    S3ProfileArchive,
    SourceIdentity,
    StoreError,
    open_archive,
    open_store,
    profile_to_json,
)
from dataprof.testing.moto_server import aws_client

pytestmark = pytest.mark.postgres

SOURCE = SourceIdentity(source_type="file", database="db", table="t")


def rows(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


# -- the archive ------------------------------------------------------------------------------
def test_local_archive_layout_and_exact_content(tmp_path: Path) -> None:
    archive = LocalProfileArchive(tmp_path)
    made = profile(column("a", min_value=float("nan")), run_id=rid(1))
    uri = archive.write(made)
    path = tmp_path / "profiles" / SOURCE.key / f"{rid(1)}.json"
    assert uri == path.as_uri()
    assert path.read_text() == profile_to_json(made)
    assert profile_to_json(archive.read(uri)) == profile_to_json(made)


def test_archive_is_written_before_the_row_and_a_failed_write_commits_nothing(
    profile_database: str, tmp_path: Path
) -> None:
    class Broken(ProfileArchive):
        def write(self, profile: Any) -> str:
            raise StoreError("bucket is gone (test fault)")

        def read(self, uri: str) -> Any:  # pragma: no cover - never reached
            raise NotImplementedError

        def uri_of(self, source: SourceIdentity, run_id: str) -> str:  # pragma: no cover
            raise NotImplementedError

    with open_store(profile_database, archive=tmp_path / "a") as store:
        store.save_run(profile(column("a"), run_id=rid(1)))
        (uri,) = [
            u for (u,) in rows(profile_database, "select s3_full_profile_uri from profile_results")
        ]
        assert Path(uri.removeprefix("file://")).is_file()
        store.archive = Broken()
        with pytest.raises(StoreError, match="bucket is gone"):
            store.save_run(profile(column("a"), run_id=rid(2)))
        assert [s.run_id for s in store.list_runs()] == [rid(1)]


def test_s3_archive_through_moto(moto_server: str, profile_database: str) -> None:
    s3 = aws_client("s3", moto_server)
    bucket = f"profiles-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    archive = S3ProfileArchive(bucket, "team/dataprof/", client=s3)
    made = profile(column("a", max_value=b"\x00\xff"), run_id=rid(3))
    with open_store(profile_database) as store:
        store.archive = archive
        store.save_run(made)
    (uri,) = [
        u for (u,) in rows(profile_database, "select s3_full_profile_uri from profile_results")
    ]
    assert uri == f"s3://{bucket}/team/dataprof/profiles/{SOURCE.key}/{rid(3)}.json"
    body = s3.get_object(Bucket=bucket, Key=uri.split("/", 3)[3])["Body"].read().decode()
    assert body == profile_to_json(made)
    assert archive.read(uri) == made
    archive.send(made)  # also a ResultSink


def test_s3_archive_errors_are_store_errors(moto_server: str) -> None:
    archive = S3ProfileArchive("no-such-bucket-dataprof", client=aws_client("s3", moto_server))
    with pytest.raises(StoreError, match=r"s3:PutObject.*NoSuchBucket"):
        archive.write(profile(column("a"), run_id=rid(1)))


def test_open_archive_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAPROF_ARCHIVE", raising=False)
    assert open_archive() is None
    monkeypatch.setenv("DATAPROF_ARCHIVE", "s3://bucket/some/prefix")
    chosen = open_archive()
    assert isinstance(chosen, S3ProfileArchive)
    assert (chosen.bucket, chosen.prefix) == ("bucket", "some/prefix")
    monkeypatch.setenv("DATAPROF_ARCHIVE", str(tmp_path))
    assert isinstance(open_archive(), LocalProfileArchive)
    with pytest.raises(ConfigurationError, match="Unknown archive scheme 'gs'"):
        open_archive("gs://bucket")
    # the local store writes it too
    store = open_store(tmp_path / "store")
    store.save_run(profile(column("a"), run_id=rid(4)))
    assert (tmp_path / "profiles" / SOURCE.key / f"{rid(4)}.json").is_file()
    assert isinstance(store, LocalProfileStore)


# -- named sources ----------------------------------------------------------------------------
CONFIG = """
[sources.orders]
source_type = "file"
database = "sales"
table = "orders.csv"
thresholds = { null_percentage = 5 }
[sources.orders.connection_params]
path = "${ORDERS_PATH}"
password = "${ORDERS_DB_PASSWORD}"

[sources.leaky]
source_type = "file"
table = "x.csv"
[sources.leaky.connection_params]
path = "/data/x.csv"
aws_secret_access_key = "AKIAliteral-secret-9999"
"""


def test_register_and_get_a_source_keeps_secrets_as_references(
    db_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "dataprof.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("ORDERS_PATH", str(tmp_path / "orders.csv"))
    monkeypatch.setenv("ORDERS_DB_PASSWORD", "hunter2-real-password")
    named = load_source(config, "orders")
    assert named is not None
    source_id = db_store.register_source(named)
    assert db_store.register_source(named) == source_id  # the same row again
    stored_text = json.dumps(db_store._call("dataprof_get_source", {"source_id": source_id}))
    assert "${ORDERS_DB_PASSWORD}" in stored_text
    assert "hunter2-real-password" not in stored_text
    monkeypatch.setenv("ORDERS_DB_PASSWORD", "rotated-password-2")
    again = db_store.get_source(source_id)
    assert again.name == "orders"
    assert again.config.connection_params["password"].get_secret_value() == "rotated-password-2"
    assert again.extras == {"thresholds": {"null_percentage": 5}}
    assert again.raw == named.raw


def test_a_literal_secret_is_refused_naming_the_field(db_store: Any, tmp_path: Path) -> None:
    config = tmp_path / "dataprof.toml"
    config.write_text(CONFIG)
    leaky = load_source(config, "leaky")
    assert leaky is not None
    with pytest.raises(
        StoreError, match=r"connection_params\.aws_secret_access_key holds a literal secret"
    ) as info:
        db_store.register_source(leaky)
    assert "AKIAliteral-secret-9999" not in str(info.value)
    with pytest.raises(NotFoundError):
        db_store.get_source(str(uuid.uuid4()))
    with pytest.raises(StoreError, match="is not a UUID"):
        db_store.get_source("orders")


def test_the_local_store_keeps_no_sources(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not keep sources"):
        LocalProfileStore(tmp_path).get_source(str(uuid.uuid4()))


# -- Supabase's REST API ----------------------------------------------------------------------
def legacy_jwt(role: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'role': role, 'iss': 'supabase'})}.c2lnbmF0dXJl"


def test_a_secret_key_goes_in_apikey_only_and_a_legacy_jwt_also_as_bearer(
    profile_database: str,
) -> None:
    from dataprof.stores.supabase import SupabaseProfileStore

    for key, bearer in (("sb_secret_abcdefgh12345678", False), (legacy_jwt("service_role"), True)):
        emulation = PostgrestEmulation(profile_database, key, bearer=bearer)
        with SupabaseProfileStore(
            "https://p.supabase.test", key=key, transport=emulation.transport()
        ) as store:
            store.save_run(profile(column("a"), run_id=rid(1)))
            assert store.get_run(rid(1)).status is RunStatus.SUCCEEDED
        sent = emulation.requests[-1]
        assert sent.url == "https://p.supabase.test/rest/v1/rpc/dataprof_get_run"
        assert json.loads(sent.content) == {"run_id": rid(1)}
        assert ("authorization" in sent.headers) is bearer
        emulation.close()


def test_supabase_errors(profile_database: str, postgres_server: Any, monkeypatch: Any) -> None:
    from dataprof.stores.supabase import SupabaseProfileStore

    key = "sb_secret_right-key-000111"
    emulation = PostgrestEmulation(profile_database, key)
    with pytest.raises(StoreError, match="Supabase refused dataprof_schema_version") as info:
        SupabaseProfileStore(
            "https://p.test", key="sb_secret_wrong-key-999", transport=emulation.transport()
        )
    assert "wrong-key-999" not in str(info.value)
    bare = PostgrestEmulation(postgres_server.fresh_database(prefix="nosch"), key)
    with pytest.raises(StoreError, match="dataprof db migrate"):
        SupabaseProfileStore("https://p.test", key=key, transport=bare.transport())
    monkeypatch.delenv("SUPABASE_SERVICE_ROLE_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SUPABASE_SERVICE_ROLE_KEY"):
        open_store("supabase://p.supabase.co")
    with pytest.raises(ConfigurationError, match="never in the URL") as url_info:
        open_store("supabase://user:sb_secret_in-url-777@p.supabase.co")
    assert "in-url-777" not in str(url_info.value)
    emulation.close()
    bare.close()
