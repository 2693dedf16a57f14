"""Named sources from TOML and YAML, secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataprof import ConfigurationError, UnknownSourceTypeError
from dataprof.sources import find_config_file, load_sources

TOML = """
[sources.local]
source_type = "file"
database = "files"
table = "trips"
[sources.local.connection_params]
path = "examples/trips.csv"
password = "${DP_TEST_PASSWORD}"
region = "${DP_TEST_REGION:-eu-west-1}"
[sources.local.thresholds]
null_share_max = 0.2
"""


def test_toml_sources_resolve_env_and_keep_extras(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DP_TEST_PASSWORD", "from-the-env-1")
    path = tmp_path / "dataprof.toml"
    path.write_text(TOML)
    assert find_config_file(tmp_path) == path
    source = load_sources(path)["local"]
    assert source.config.connection_params["region"] == "eu-west-1"
    assert source.config.connection_params["password"].get_secret_value() == "from-the-env-1"
    assert "from-the-env-1" not in repr(source.config)
    assert source.extras == {"thresholds": {"null_share_max": 0.2}}
    assert source.config.label == "local (file)"


def test_yaml_sources(tmp_path: Path) -> None:
    path = tmp_path / "dataprof.yaml"
    path.write_text(
        "sources:\n  s:\n    source_type: file\n    database: d\n    table: t\n    connection_params: {path: x}\n"
    )
    assert load_sources(path)["s"].config.table == "t"


def test_missing_env_var_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DP_TEST_PASSWORD", raising=False)
    path = tmp_path / "dataprof.toml"
    path.write_text(TOML)
    with pytest.raises(ConfigurationError, match="DP_TEST_PASSWORD"):
        load_sources(path)


def test_bad_toml_and_missing_fields(tmp_path: Path) -> None:
    path = tmp_path / "dataprof.toml"
    path.write_text("[sources.x\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_sources(path)
    path.write_text('[sources.x]\nsource_type = "file"\ndatabase = ["d"]\n')
    with pytest.raises(
        ConfigurationError,
        match=r"sources\.x\] is invalid: database: Input should be a valid string",
    ):
        load_sources(path)


def test_unknown_source_type_in_file(tmp_path: Path) -> None:
    path = tmp_path / "dataprof.toml"
    path.write_text('[sources.x]\nsource_type = "oracle"\ndatabase = "d"\ntable = "t"\n')
    with pytest.raises(UnknownSourceTypeError):
        load_sources(path)
