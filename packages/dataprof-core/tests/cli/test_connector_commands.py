"""The CLI end to end through typer's runner: output, formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.testing import standard_table

runner = CliRunner()


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "orders.parquet"
    pq.write_table(standard_table(), path)
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def test_connectors_lists_builtin_and_first_party() -> None:
    code, out, _ = invoke("connectors")
    assert code == 0
    assert "file" in out
    assert "dataprof-core" in out
    for name in ("iceberg", "athena", "redshift"):
        assert name in out


def test_schema_json(parquet: Path) -> None:
    code, out, _ = invoke("schema", str(parquet), "--json")
    assert code == 0
    assert json.loads(out)["price"] == "decimal128(10, 2)"


def test_sample_csv_and_json(parquet: Path) -> None:
    code, out, _ = invoke("sample", str(parquet), "-n", "2", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0].startswith('"id","amount","name"')
    assert len(out.splitlines()) == 3
    code, out, _ = invoke("sample", str(parquet), "-n", "3", "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3]


def test_test_connection_ok_and_failed(parquet: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("test-connection", str(parquet))
    assert code == 0
    assert "7 rows" in out
    code, out, _ = invoke(
        "test-connection", "--type", "file", "-p", f"path={tmp_path}/none/*.csv", "--table", "gone"
    )
    assert code == 1
    assert "FAILED" in out


def test_named_source_from_config(parquet: Path, tmp_path: Path) -> None:
    config = tmp_path / "dataprof.toml"
    config.write_text(
        f'[sources.orders]\nsource_type = "file"\ndatabase = "shop"\ntable = "orders"\n'
        f'[sources.orders.connection_params]\npath = "{parquet}"\n'
    )
    code, out, _ = invoke("schema", "orders", "--config", str(config))
    assert code == 0
    assert "shop.orders" in out


def test_errors_are_one_message_no_traceback(tmp_path: Path) -> None:
    code, out, err = invoke("schema", "no-such-source")
    assert code == 2
    assert "Traceback" not in out + err
    assert "Error:" in err
    code, _, err = invoke("schema", "--type", "athena")
    assert code == 2
    assert "pip install ./packages/dataprof-athena" in " ".join(err.split())


def test_bad_param_syntax(parquet: Path) -> None:
    code, _, err = invoke("schema", "--type", "file", "-p", "oops")
    assert code == 2
    assert "key=value" in err


def test_empty_source_type_is_one_message() -> None:
    code, out, err = invoke("schema", "--type", "")
    assert code == 2
    assert "Traceback" not in out + err
