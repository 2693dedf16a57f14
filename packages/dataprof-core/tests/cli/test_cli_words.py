"""Errors and config problems said in a user's words, not the code's names."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.testing import standard_table

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(build_app(), list(args))
    # rich wraps stderr at the terminal width: compare words, not line breaks
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "orders.parquet"
    pq.write_table(standard_table(), path)
    return path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_missing_capability_is_said_in_a_users_words(parquet: Path, in_tmp: Path) -> None:
    code, _, err = invoke("profile", str(parquet), "--mode", "pushdown", "--no-progress")
    assert code == 2
    assert "The file source cannot push a profiling query down" in err
    assert "--mode full" in err
    assert "FileConnector" not in err
    assert "sql_pushdown" not in err


def test_bad_params_list_what_is_accepted_with_types(parquet: Path) -> None:
    code, _, err = invoke("schema", "--type", "file", "-p", f"path={parquet}", "-p", "colour=red")
    assert code == 2
    assert "connection_params.colour" in err
    assert "path (str, required)" in err
    assert "format (parquet|csv|json|arrow|auto, default 'auto')" in err
    assert "params_model" not in err
    assert "FileConnector" not in err


def test_a_broken_config_does_not_block_a_path(parquet: Path, in_tmp: Path) -> None:
    (in_tmp / "dataprof.toml").write_text("[sources.a]\nsource_type = = 'file'\n")
    code, out, _ = invoke("schema", str(parquet), "--format", "json")
    assert code == 0, out
    assert '"price"' in out
    code, _, err = invoke("schema", "a")
    assert code == 2
    assert "dataprof.toml" in err
    assert "line 2" in err


def test_one_broken_source_does_not_block_another(parquet: Path, in_tmp: Path) -> None:
    (in_tmp / "dataprof.toml").write_text(
        "[sources.good]\nsource_type = 'file'\n"
        f"[sources.good.connection_params]\npath = '{parquet}'\n"
        "[sources.bad]\nsource_type = 'file'\ntable = 't'\n"
        "[sources.bad.connection_params]\npath = '${DATAPROF_TEST_UNSET_VARIABLE}'\n"
    )
    code, out, err = invoke("schema", "good", "--format", "json")
    assert code == 0, err
    assert '"price"' in out


def test_unknown_source_type_is_labelled_with_the_source_name(in_tmp: Path) -> None:
    (in_tmp / "dataprof.toml").write_text(
        "[sources.orders]\nsource_type = 'postgres'\ndatabase = 'd'\ntable = 't'\n"
    )
    code, _, err = invoke("schema", "orders")
    assert code == 2
    assert "[source: orders]" in err
    assert "'postgres'" in err


def test_a_typo_in_a_key_is_named_with_a_suggestion(in_tmp: Path) -> None:
    (in_tmp / "dataprof.toml").write_text(
        "[sources.orders]\nsource_type = 'file'\ndatabase = 'd'\ntabel = 't'\n"
    )
    code, _, err = invoke("schema", "orders")
    assert code == 2
    assert "unknown key 'tabel'; did you mean 'table'?" in err
    assert "Field required" not in err


def test_a_file_source_needs_no_database_or_table(parquet: Path, in_tmp: Path) -> None:
    (in_tmp / "dataprof.toml").write_text(
        f"[sources.orders]\nsource_type = 'file'\n[sources.orders.connection_params]\npath = '{parquet}'\n"
    )
    from dataprof.sources import load_source

    named = load_source(in_tmp / "dataprof.toml", "orders")
    assert named is not None
    assert named.config.table == "orders"
    assert named.config.database == parquet.parent.name
    code, out, err = invoke("schema", "orders")
    assert code == 0, err
    assert "orders" in out


@pytest.fixture
def nested_parquet(tmp_path: Path) -> Path:
    import pyarrow as pa

    table = pa.table(
        {
            "id": [1, 2],
            "pos": pa.array([{"lat": 1.5, "lon": -2.0}, None]),
            "tags": pa.array([["a", "b"], []]),
            "blob": pa.array([b"\x00\xffx", None], type=pa.binary()),
        }
    )
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    return path


def test_sample_csv_writes_nested_values_as_json_and_binary_as_base64(
    nested_parquet: Path,
) -> None:
    import csv
    import io
    import json

    code, out, err = invoke("sample", str(nested_parquet), "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert json.loads(rows[0]["pos"]) == {"lat": 1.5, "lon": -2.0}
    assert json.loads(rows[0]["tags"]) == ["a", "b"]
    assert rows[0]["blob"] == "AP94"  # base64 of 00 ff 78
    assert rows[1]["blob"] == ""


def test_sample_json_writes_binary_as_base64(nested_parquet: Path) -> None:
    import json

    code, out, _ = invoke("sample", str(nested_parquet), "-f", "json")
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert first["blob"] == "AP94"
    assert first["pos"] == {"lat": 1.5, "lon": -2.0}


def test_version_and_short_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0
    assert out.startswith("dataprof ")
    code, out, _ = invoke("profile", "-h")
    assert code == 0
    assert "--no-progress " in out  # a flag: no value placeholder
    assert "<bool>" not in out
    assert "<sample|full|metadata|pushdown|auto>" in out  # never broken mid-word


@pytest.mark.parametrize(("delimiter", "shown"), [(";", "';'"), ("\t", "tab"), ("|", "'|'")])
def test_csv_delimiter_is_sniffed_and_said(tmp_path: Path, delimiter: str, shown: str) -> None:
    from dataprof import DataSourceConfig
    from dataprof.profiling import profile_table
    from dataprof.registry import get_connector

    path = tmp_path / "export.csv"
    rows = ["a,b|c", *(f"{i}{delimiter}x{i}" for i in range(50))]
    rows[0] = f"a{delimiter}b"
    path.write_text("\n".join(rows) + "\n")
    config = DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="", table="t"
    )
    with get_connector(config) as connector:
        profile = profile_table(connector, mode="full", workers=1)
    assert [c.column_name for c in profile.columns] == ["a", "b"]
    assert any(f"CSV delimiter {shown} detected" in note for note in profile.notes)


def test_comma_csv_gets_no_delimiter_note(tmp_path: Path) -> None:
    from dataprof.connectors.text_formats import sniff_delimiter

    path = tmp_path / "plain.csv"
    path.write_text('a,b\n1,"x;y"\n2,z\n')
    assert sniff_delimiter(str(path)) == ","


def test_a_json_file_holding_one_array_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text('[{"id": 1, "name": "a"}, {"id": 2, "name": null}]')
    store = str(tmp_path / "store")
    code, out, err = invoke("profile", str(path), "--no-progress", "--store", store, "-f", "json")
    assert code == 0, err
    import json

    profile = json.loads(out)
    assert profile["row_count"] == 2
    assert [c["column_name"] for c in profile["columns"]] == ["id", "name"]
    assert any("one array" in note for note in profile["notes"])
