"""connection_params -> PyIceberg catalog properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataprof import DataSourceConfig, get_connector
from dataprof.redaction import redact
from dataprof_iceberg.params import IcebergParams, catalog_properties, property_origin


def test_glue_defaults_with_region_set_everywhere() -> None:
    params = IcebergParams(region="eu-west-1", glue_endpoint="http://g", s3_endpoint="http://s")
    props = catalog_properties(params)
    assert props["type"] == "glue"
    assert props["client.region"] == props["s3.region"] == props["glue.region"] == "eu-west-1"
    assert (props["glue.endpoint"], props["s3.endpoint"]) == ("http://g", "http://s")


def test_named_fields_win_over_properties_and_region_fills_gaps() -> None:
    params = IcebergParams(
        catalog_type="rest",
        uri="http://catalog",
        region="us-east-2",
        properties={"uri": "http://ignored", "s3.region": "ap-south-1", "header.x": "1"},
    )
    props = catalog_properties(params)
    assert props["uri"] == "http://catalog"
    assert props["s3.region"] == "us-east-2"
    assert props["header.x"] == "1"


def test_region_from_properties_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert IcebergParams().resolved_region() is None
    assert IcebergParams(properties={"glue.region": "sa-east-1"}).resolved_region() == "sa-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    assert catalog_properties(IcebergParams())["s3.region"] == "ca-central-1"


def test_s3_warehouses_need_a_region_local_ones_do_not() -> None:
    assert IcebergParams(catalog_type="sql", warehouse="s3://bucket/w").needs_region()
    assert not IcebergParams(catalog_type="sql", warehouse="file:///tmp/w").needs_region()
    assert IcebergParams().needs_region()  # glue


def test_secrets_are_hidden_but_reach_pyiceberg() -> None:
    config = DataSourceConfig(
        source_type="iceberg",
        database="ns",
        table="t",
        connection_params={
            "catalog_type": "rest",
            "secret_access_key": "aws-secret-1234",
            "credential": "client:oauth-secret-5678",
            "properties": {"s3.session-token": "session-token-9012"},
        },
    )
    params = get_connector(config).params  # building validates; nothing connects
    assert isinstance(params, IcebergParams)
    shown = repr(params)
    for secret in ("aws-secret-1234", "oauth-secret-5678", "session-token-9012"):
        assert secret not in shown
        assert secret not in redact(f"engine said {secret}")
    props = catalog_properties(params)
    assert props["client.secret-access-key"] == "aws-secret-1234"
    assert props["credential"] == "client:oauth-secret-5678"
    assert props["s3.session-token"] == "session-token-9012"


@given(key=st.sampled_from(["uri", "s3.endpoint", "client.region", "type", "py-io-impl"]))
def test_every_property_maps_back_to_a_connection_params_name(key: str) -> None:
    assert property_origin(key).startswith("connection_params.")
