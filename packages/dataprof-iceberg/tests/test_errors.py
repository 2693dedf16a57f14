"""Bad input gets a ConnectorError that names the source, the table and what to fix."""

from __future__ import annotations

import socket
from typing import Any

import pyarrow as pa
import pytest

from dataprof import (
    ConfigurationError,
    DatabaseNotFoundError,
    DataSourceConfig,
    PermissionDeniedError,
    TableNotFoundError,
    get_connector,
)

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)


def _config(table: str = "t", namespace: str = "ns", **params: Any) -> DataSourceConfig:
    return DataSourceConfig(
        source_type="iceberg", database=namespace, table=table, connection_params=params
    )


def test_missing_table_names_table_and_namespace(sql_warehouse: SqlWarehouse) -> None:
    with (
        get_connector(sql_warehouse.config("nope")) as connector,
        pytest.raises(TableNotFoundError) as info,
    ):
        connector.get_row_count()
    assert "'nope'" in str(info.value)
    assert "'ns'" in str(info.value)
    assert not connector.test_connection().success


def test_missing_namespace_names_namespace_and_table(sql_warehouse: SqlWarehouse) -> None:
    with (
        get_connector(sql_warehouse.config("t", namespace="ghost")) as connector,
        pytest.raises(DatabaseNotFoundError) as info,
    ):
        connector.get_schema()
    assert "'ghost'" in str(info.value)
    assert "'t'" in str(info.value)


def test_missing_sqlite_file_names_the_uri_and_creates_nothing(tmp_path: Any) -> None:
    uri = f"sqlite:///{tmp_path / 'absent.db'}"
    with (
        get_connector(_config(catalog_type="sql", uri=uri)) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.uri"),
    ):
        connector.get_row_count()
    assert not (tmp_path / "absent.db").exists()


def test_sqlite_file_that_is_not_a_catalog_names_the_uri(tmp_path: Any) -> None:
    (tmp_path / "other.db").write_bytes(b"")
    uri = f"sqlite:///{tmp_path / 'other.db'}"
    with (
        get_connector(_config(catalog_type="sql", uri=uri)) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.uri"),
    ):
        connector.get_row_count()


@pytest.mark.parametrize("catalog_type", ["sql", "rest", "hive"])
def test_catalogs_that_need_a_uri_say_so(catalog_type: str) -> None:
    with (
        get_connector(_config(catalog_type=catalog_type)) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.uri"),
    ):
        connector.get_row_count()


def test_glue_without_a_region_names_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with (
        get_connector(_config(catalog_type="glue")) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.region"),
    ):
        connector.get_row_count()


def test_missing_pyiceberg_extra_gives_the_install_hint() -> None:
    """thrift (pyiceberg[hive]) is deliberately not installed in the test environment."""
    pytest.importorskip("pyiceberg")
    try:
        import thrift  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover
        pytest.fail("thrift is installed; this test needs an environment without pyiceberg[hive]")
    config = _config(catalog_type="hive", uri="thrift://127.0.0.1:9")
    with get_connector(config) as connector, pytest.raises(ConfigurationError) as info:
        connector.get_row_count()
    assert "pip install 'pyiceberg[hive]'" in str(info.value)


def test_unreachable_rest_catalog_names_the_uri() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = _config(catalog_type="rest", uri=f"http://127.0.0.1:{port}")
    with (
        get_connector(config) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.uri"),
    ):
        connector.get_row_count()


def test_bad_row_filter_names_the_property(sql_warehouse: SqlWarehouse) -> None:
    sql_warehouse.create("t", pa.table({"id": [1]}))
    for bad in ("id >>> 3", "no_such_column = 1"):
        config = sql_warehouse.config("t", row_filter=bad)
        with (
            get_connector(config) as connector,
            pytest.raises(ConfigurationError, match=r"connection_params\.row_filter"),
        ):
            list(connector.iter_batches())


def test_unknown_snapshot_and_too_early_timestamp_name_the_property(
    sql_warehouse: SqlWarehouse,
) -> None:
    table = sql_warehouse.create("t", pa.table({"id": [1]}))
    known = str(table.current_snapshot().snapshot_id)
    with (
        get_connector(sql_warehouse.config("t", snapshot_id=42)) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.snapshot_id") as info,
    ):
        connector.get_row_count()
    assert known in str(info.value)  # lists the snapshots there are
    with (
        get_connector(sql_warehouse.config("t", as_of="2001-01-01T00:00:00Z")) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.as_of"),
    ):
        connector.get_row_count()


def test_invalid_params_name_the_field() -> None:
    with pytest.raises(ConfigurationError, match=r"connection_params\.catalog_type"):
        get_connector(_config(catalog_type="dynamo"))
    with pytest.raises(ConfigurationError, match=r"connection_params\.snapshot_id"):
        get_connector(_config(snapshot_id="latest"))


def test_glue_access_denied_names_the_call(moto_endpoint: str, glue_params: dict[str, Any]) -> None:
    """moto does not enforce IAM, so the refusal is injected where AWS would send it: a
    botocore ``before-send`` hook returns AWS's real 400 AccessDeniedException response,
    which botocore parses and raises through its real error path."""
    from botocore.awsrequest import AWSResponse

    connector = get_connector(_config(table="t", namespace="ns", **glue_params))
    catalog = connector._catalog  # the real Glue client PyIceberg built

    def deny(request: Any, **_: Any) -> AWSResponse:
        body = b'{"__type":"AccessDeniedException","Message":"User is not authorized"}'
        return AWSResponse(
            request.url, 400, {"x-amzn-ErrorType": "AccessDeniedException"}, _Raw(body)
        )

    catalog.glue.meta.events.register("before-send.glue.GetTable", deny)
    with pytest.raises(PermissionDeniedError, match="glue:GetTable") as info:
        connector.get_row_count()
    assert "ns.t" in str(info.value)
    assert "moto-secret-do-not-show" not in str(info.value)


class _Raw:
    """The raw stream botocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def test_unreachable_glue_endpoint_names_the_endpoint_property() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = _config(
        catalog_type="glue",
        region="us-east-1",
        glue_endpoint=f"http://127.0.0.1:{port}",
        access_key_id="testing",
        secret_access_key="testing-secret",
        properties={"glue.max-retries": 1},  # botocore would retry for ~12 s
    )
    with (
        get_connector(config) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.glue_endpoint"),
    ):
        connector.get_row_count()


def test_s3_access_denied_from_pyarrow_names_the_call_and_object() -> None:
    """moto enforces no IAM, so PyArrow's own error text is raised through the real
    translation path (the message format of pyarrow's S3 filesystem)."""
    from dataprof_iceberg.error_translation import ErrorContext, translate_errors

    ctx = ErrorContext("lake (iceberg)", "sales", "orders", "glue", lambda: True)
    text = (
        "When reading information for key 'w/sales/orders/data/f.parquet' in bucket 'lake': "
        "AWS Error ACCESS_DENIED during HeadObject operation: No response body."
    )
    with pytest.raises(PermissionDeniedError) as info, translate_errors(ctx, "reading"):
        raise OSError(text)
    assert "s3:HeadObject" in str(info.value)
    assert "s3://lake/w/sales/orders/data/f.parquet" in str(info.value)
    assert "sales.orders" in str(info.value)


def test_a_locked_sqlite_catalog_is_transient_not_a_bad_uri(sql_warehouse: SqlWarehouse) -> None:
    import sqlite3

    from dataprof import TransientError

    sql_warehouse.create("t", pa.table({"a": [1, 2, 3]}))
    holder = sqlite3.connect(sql_warehouse.root / "catalog.db")
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a commit
    try:
        # a short busy timeout keeps the test quick; the default waits 5 s per attempt
        config = sql_warehouse.config("t", uri=f"{sql_warehouse.uri}?timeout=0.2")
        with get_connector(config) as connector, pytest.raises(TransientError) as info:
            connector.get_row_count()
    finally:
        holder.rollback()
        holder.close()
    assert "locked by another process" in str(info.value)
    assert info.value.table == "ns.t"
    assert "try again" in (info.value.hint or "")
    with get_connector(sql_warehouse.config("t")) as connector:
        assert connector.get_row_count() == 3  # nothing was wrong with the configuration


def test_a_damaged_page_in_a_data_file_fails_the_read_naming_the_file(
    sql_warehouse: SqlWarehouse,
) -> None:
    import numpy as np
    import pyarrow.parquet as pq

    from dataprof import QueryFailedError

    data = pa.table({"x": pa.array(np.random.default_rng(0).normal(size=50_000))})
    table = sql_warehouse.create("damaged", data.slice(0, 0))
    path = sql_warehouse.root / "warehouse" / "written-with-checksums.parquet"
    pq.write_table(data, path, write_page_checksum=True, compression="none")
    table.add_files([path.as_uri()])
    raw = bytearray(path.read_bytes())
    for offset in range(1000, 1064):  # inside the first data page
        raw[offset] ^= 0x5A
    path.write_bytes(bytes(raw))
    assert pq.read_table(path).num_rows == 50_000  # unverified, the damage reads as data
    with (
        get_connector(sql_warehouse.config("damaged")) as connector,
        pytest.raises(QueryFailedError, match="fails its checksum") as info,
    ):
        list(connector.iter_batches())
    assert "written-with-checksums.parquet" in str(info.value)
