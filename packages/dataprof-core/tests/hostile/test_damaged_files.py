"""A Parquet file written with page checksums and damaged in one data page fails the
run with an error naming the file, instead of being profiled as (wrong) data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof import DataSourceConfig, QueryFailedError, get_connector
from dataprof.cli import build_app
from dataprof.profiling import ProfileMode, profile_table


def write(path: Path, *, damage: bool) -> Path:
    table = pa.table({"x": np.random.default_rng(0).normal(size=50_000)})
    pq.write_table(table, path, write_page_checksum=True, compression="none")
    if damage:
        data = bytearray(path.read_bytes())
        for offset in range(1000, 1064):  # inside the first data page of column x
            data[offset] ^= 0x5A
        path.write_bytes(bytes(data))
    return path


def config(folder: Path) -> DataSourceConfig:
    return DataSourceConfig(
        source_type="file", database="", table="t", connection_params={"path": str(folder)}
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_damaged_page_fails_the_run_naming_the_file(tmp_path: Path, workers: int) -> None:
    write(tmp_path / "a_good.parquet", damage=False)
    bad = write(tmp_path / "b_bad.parquet", damage=True)
    # Without verification these bytes decode to numbers: the damage is silent.
    assert pq.read_table(bad).num_rows == 50_000
    with get_connector(config(tmp_path)) as connector, pytest.raises(QueryFailedError) as err:
        profile_table(connector, mode=ProfileMode.FULL, workers=workers)
    assert str(bad) in str(err.value)
    assert "checksum" in str(err.value)


def test_intact_files_with_checksums_profile_as_before(tmp_path: Path) -> None:
    write(tmp_path / "good.parquet", damage=False)
    with get_connector(config(tmp_path)) as connector:
        profile = profile_table(connector, mode=ProfileMode.FULL, workers=1)
    assert profile.row_count == 50_000
    assert profile.columns[0].supported


def test_the_cli_exits_2_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path / "bad.parquet", damage=True)
    result = CliRunner().invoke(build_app(), ["profile", str(bad), "--no-progress"])
    assert result.exit_code == 2
    assert "bad.parquet" in result.stderr
    assert "damaged" in result.stderr


def test_a_damaged_stored_run_never_blocks_the_next_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's reproduction: one truncated run file listed in the index made every
    later `dataprof profile` of the table exit 2 and `history` fail."""
    monkeypatch.chdir(tmp_path)
    data = write(tmp_path / "t.parquet", damage=False)
    runner = CliRunner()
    args = ["profile", str(data), "--store", "st", "--no-progress", "--format", "json"]
    assert runner.invoke(build_app(), args).exit_code == 0
    [run_file] = (tmp_path / "st").rglob("runs/*.json")
    run_file.write_bytes(run_file.read_bytes()[:500])  # a torn write from another tool
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 0, result.stderr
    warning = " ".join(result.stderr.split())
    assert f"Skipping unreadable run file {run_file.relative_to(tmp_path)}" in warning
    assert (run_file.parent.parent / "quarantine" / run_file.name).is_file()
    history = runner.invoke(build_app(), ["history", str(data), "--store", "st"])
    assert history.exit_code == 0, history.stderr
    assert len(list((tmp_path / "st").rglob("runs/*.json"))) == 1  # the new run, kept
