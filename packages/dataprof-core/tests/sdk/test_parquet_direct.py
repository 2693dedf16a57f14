"""Plain Parquet files are read through their footers and ``ParquetFile``, never
``pyarrow.dataset`` (whose import alone costs about a second); everything else, and
Parquet files whose schemas differ, keeps the dataset path and its behaviour."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof import DataSourceConfig, QueryFailedError, get_connector
from dataprof.connector import DataConnector
from dataprof.profiling import ProfileMode, profile_table
from dataprof.testing import standard_table


def connector_for(path: Path | str, **params: str) -> DataConnector:
    return get_connector(
        DataSourceConfig(
            source_type="file",
            connection_params={"path": str(path), **params},
            database="",
            table="t",
        )
    )


def loaded_modules(code: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (which may print)."""
    done = "import sys; print('MODULES', ' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\n{done}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    ).stdout
    [line] = [line for line in out.splitlines() if line.startswith("MODULES ")]
    return set(line.split()[1:])


def test_the_cli_profiles_a_parquet_file_without_importing_pyarrow_dataset(
    tmp_path: Path,
) -> None:
    pq.write_table(standard_table(), tmp_path / "t.parquet", row_group_size=3)
    code = (
        "import io, contextlib, runpy, sys, json\n"
        "sys.argv = ['dataprof', 'profile', 't.parquet', '--no-progress', '--format', 'json']\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        runpy.run_module('dataprof', run_name='__main__')\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, exit.code\n"
        "print('ROWS', json.loads(out.getvalue())['row_count'])\n"
    )
    loaded = loaded_modules(code, tmp_path)
    assert "dataprof.connectors.parquet_files" in loaded  # the file was read, directly
    assert not {"pyarrow.dataset", "pyarrow._dataset"} & loaded


def test_reading_parquet_files_imports_neither_dataset_nor_pandas(tmp_path: Path) -> None:
    """The connector's own work (footers, planning, reading every split) pulls in
    neither. (A full profile still imports pandas: pyarrow 26 imports it through its
    pandas shim on ``pa.array``, ``pa.scalar`` and ``Array.to_numpy``, which the engine
    calls.)"""
    for i in range(2):
        pq.write_table(standard_table(), tmp_path / f"part-{i}.parquet", row_group_size=2)
    code = (
        "from dataprof import DataSourceConfig, get_connector\n"
        "c = get_connector(DataSourceConfig(source_type='file', database='', table='t',\n"
        "    connection_params={'path': '.'}))\n"
        "c.arrow_schema(); rows = c.get_row_count()\n"
        "read = sum(b.num_rows for s in c.plan_splits(3) for b in c.iter_batches(split=s))\n"
        "read += sum(b.num_rows for b in c.iter_batches(['name', 'id']))\n"
        "assert (rows, read) == (14, 28), (rows, read)\n"
    )
    loaded = loaded_modules(code, tmp_path)
    assert "pyarrow.parquet" in loaded
    assert not {"pyarrow.dataset", "pyarrow._dataset", "pandas"} & loaded


def test_batches_and_splits_equal_what_pyarrow_dataset_reads(tmp_path: Path) -> None:
    for i, groups in enumerate((1, 2, 3)):
        pq.write_table(standard_table(), tmp_path / f"part-{i}.parquet", row_group_size=groups)
    connector = connector_for(tmp_path)
    reference = ds.dataset(sorted(str(p) for p in tmp_path.glob("*.parquet"))).to_table()
    assert connector.arrow_schema() == reference.schema
    whole = pa.Table.from_batches(list(connector.iter_batches(batch_size=2)))
    assert whole.equals(reference)
    assert max(b.num_rows for b in connector.iter_batches(batch_size=2)) <= 2
    parts = [
        pa.Table.from_batches(list(connector.iter_batches(split=s)), schema=reference.schema)
        for s in connector.plan_splits(4)
    ]
    assert pa.concat_tables(parts).sort_by("id").equals(reference.sort_by("id"))


@settings(max_examples=25, deadline=None)
@given(
    files=st.lists(st.integers(0, 60), min_size=1, max_size=3),
    group_rows=st.integers(1, 25),
    batch_size=st.integers(1, 40),
    target=st.integers(1, 6),
)
def test_any_layout_reads_every_row_once_in_bounded_batches(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[int],
    group_rows: int,
    batch_size: int,
    target: int,
) -> None:
    folder = tmp_path_factory.mktemp("layout")
    start = 0
    for i, rows in enumerate(files):
        ids = pa.array(range(start, start + rows), pa.int64())
        names = pa.array([None if n % 7 == 0 else f"v{n % 5}" for n in range(rows)], pa.string())
        pq.write_table(
            pa.table({"id": ids, "name": names}),
            folder / f"f{i}.parquet",
            row_group_size=group_rows,
        )
        start += rows
    connector = connector_for(folder)
    whole = list(connector.iter_batches(["name", "id"], batch_size=batch_size))
    assert all(0 < b.num_rows <= batch_size for b in whole)
    assert [i for b in whole for i in b.column("id").to_pylist()] == list(range(start))
    assert all(b.schema.names == ["name", "id"] for b in whole)
    by_split = [
        i
        for split in connector.plan_splits(target)
        for b in connector.iter_batches(["id"], batch_size=batch_size, split=split)
        for i in b.column("id").to_pylist()
    ]
    assert sorted(by_split) == list(range(start))
    assert connector.get_row_count() == start


def test_projection_keeps_the_order_asked_even_past_a_dotted_name(tmp_path: Path) -> None:
    """``ParquetFile`` reads a name with a dot as a path too (``a.b`` selects struct
    ``a``'s field ``b``) and keeps the file's column order; the connector returns
    exactly the columns asked, in the order asked."""
    table = pa.table(
        {
            "a": pa.array([{"b": 1}, {"b": 2}]),
            "a.b": pa.array([10, 20]),
            "z": pa.array(["x", "y"]),
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    [batch] = connector_for(tmp_path / "t.parquet").iter_batches(["z", "a.b"])
    assert batch.schema.names == ["z", "a.b"]
    assert batch.column(1).to_pylist() == [10, 20]


def test_files_with_different_schemas_read_as_pyarrow_dataset_does(tmp_path: Path) -> None:
    """The first file's schema is the table's; a file lacking a column reads it as nulls
    (the dataset path, kept for such globs)."""
    pq.write_table(pa.table({"x": [1, 2], "y": ["a", "b"]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"x": [3]}), tmp_path / "b.parquet")
    connector = connector_for(tmp_path)
    assert connector.arrow_schema().names == ["x", "y"]
    assert connector.get_row_count() == 3
    read = pa.Table.from_batches(list(connector.iter_batches()))
    assert read.to_pydict() == {"x": [1, 2, 3], "y": ["a", "b", None]}
    split_rows = [
        row
        for s in connector.plan_splits(2)
        for b in connector.iter_batches(split=s)
        for row in b.to_pylist()
    ]
    assert sorted(split_rows, key=lambda r: r["x"]) == read.to_pylist()


def test_hive_partitioning_keeps_its_partition_column(tmp_path: Path) -> None:
    for year in (2023, 2024):
        folder = tmp_path / f"year={year}"
        folder.mkdir()
        pq.write_table(pa.table({"x": [year % 10, year % 10 + 1]}), folder / "p.parquet")
    connector = connector_for(tmp_path, partitioning="hive")
    assert connector.arrow_schema().names == ["x", "year"]
    read = pa.Table.from_batches(list(connector.iter_batches()))
    assert sorted(read.column("year").to_pylist()) == [2023, 2023, 2024, 2024]
    stats = connector.get_column_statistics()
    assert any("partition column" in c for c in stats.columns["year"].caveats)


def test_a_broken_file_in_a_glob_is_named(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "a.parquet")
    (tmp_path / "b.parquet").write_bytes(b"PAR1 but not really")
    with pytest.raises(QueryFailedError) as err:
        connector_for(tmp_path / "*.parquet").get_row_count()
    assert str(tmp_path / "b.parquet") in str(err.value)
    assert err.value.engine_reason


def test_a_profile_reads_footers_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Schema, row count, statistics, planning and reading share one read of each footer."""
    from dataprof.connectors import parquet_files

    for i in range(3):
        pq.write_table(standard_table(), tmp_path / f"part-{i}.parquet", row_group_size=2)
    opened: list[tuple[str, bool]] = []
    real_open = parquet_files._open

    def counting_open(
        path: str, footer: pq.FileMetaData | None = None, read_dictionary: Sequence[str] = ()
    ) -> pq.ParquetFile:
        opened.append((path, footer is None))
        return real_open(path, footer, read_dictionary)

    monkeypatch.setattr(parquet_files, "_open", counting_open)
    profile = profile_table(connector_for(tmp_path), mode=ProfileMode.FULL, workers=1)
    assert profile.row_count == 3 * standard_table().num_rows
    footer_reads = [path for path, without_footer in opened if without_footer]
    assert sorted(footer_reads) == sorted(str(p) for p in tmp_path.glob("*.parquet"))


def test_reading_a_file_holds_one_row_group_not_the_file(tmp_path: Path) -> None:
    """``ParquetFile``'s pre-buffering caches every chunk a reader will read until it
    ends; the connector reads a row group at a time, so memory stays at one row group."""
    import numpy as np

    rows_per_group = 20_000
    values = np.random.default_rng(0).random(40 * rows_per_group)  # 6.4 MB, incompressible
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": values}), path, row_group_size=rows_per_group, compression="none")
    connector = connector_for(path)
    connector.arrow_schema()
    before = pa.total_allocated_bytes()
    peak = 0
    rows = 0
    for batch in connector.iter_batches(batch_size=4096):
        peak = max(peak, pa.total_allocated_bytes() - before)
        rows += batch.num_rows
    assert rows == values.size
    one_group = rows_per_group * 8
    assert peak < 4 * one_group, (peak, path.stat().st_size)  # the file is 40 groups
