"""`dataprof.profile(obj)` on pandas, polars and pyarrow objects: the same exact figures as
the `file` connector on the same data written to Parquet, read without copying Arrow data."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dataprof
from dataprof import ConfigurationError
from dataprof.config import DataSourceConfig
from dataprof.profiling.models import TableProfile
from dataprof.registry import get_connector

pl = pytest.importorskip("polars", reason="polars is a test dependency of the core session")

ROWS = 500


def reference_table() -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(ROWS), pa.int64()),
            "qty": pa.array([None if i % 7 == 0 else i % 13 for i in range(ROWS)], pa.int64()),
            "price": pa.array([None if i % 9 == 0 else (i % 50) * 1.25 for i in range(ROWS)]),
            "city": pa.array(
                [None if i % 5 == 0 else ["Oslo", "Lima", ""][i % 3] for i in range(ROWS)]
            ),
            "paid": pa.array([None if i % 4 == 0 else i % 3 == 0 for i in range(ROWS)]),
            "day": pa.array([date(2026, 1, 1 + i % 28) for i in range(ROWS)]),
        }
    )


def _rounded(value: Any) -> Any:
    """Floats to 12 significant digits: sums of floats depend on batch boundaries."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def exact_figures(profile: TableProfile) -> dict[tuple[str, str], Any]:
    """Every exact figure by (column, metric); approximate ones (sketches) are left out."""
    return {
        (column.column_name, name): _rounded(metric.value)
        for column in profile.columns
        for name, metric in column.metrics.items()
        if metric.exact
    }


@pytest.fixture(scope="module")
def parquet_figures(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    path = tmp_path_factory.mktemp("ref") / "ref.parquet"
    pq.write_table(reference_table(), path)
    return exact_figures(dataprof.profile(path, mode="full"))


def pandas_object(table: pa.Table) -> pd.DataFrame:
    """NumPy and object columns; integers with nulls as Python objects (NumPy has no
    integer null), so the frame holds the same values as the table."""
    frame = table.to_pandas()
    frame["qty"] = pd.Series(table.column("qty").to_pylist(), dtype=object)
    frame["city"] = frame["city"].astype(object)
    return frame


def pandas_nullable(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(
        types_mapper={
            pa.int64(): pd.Int64Dtype(),
            pa.float64(): pd.Float64Dtype(),
            pa.bool_(): pd.BooleanDtype(),
            pa.string(): pd.StringDtype(),
        }.get
    )


def pandas_arrow(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=pd.ArrowDtype)


MAKERS = {
    "pyarrow Table": lambda t: t,
    "pyarrow RecordBatchReader": lambda t: t.to_reader(max_chunksize=64),
    "pandas object dtypes": pandas_object,
    "pandas nullable dtypes": pandas_nullable,
    "pandas Arrow dtypes": pandas_arrow,
    "polars DataFrame": lambda t: pl.from_arrow(t),
}


@pytest.mark.parametrize("kind", MAKERS)
def test_in_memory_objects_give_the_figures_of_the_same_data_in_parquet(
    kind: str, parquet_figures: dict[tuple[str, str], Any]
) -> None:
    """Fix: connectors/arrow.py (how each object becomes Arrow batches)."""
    data = MAKERS[kind](reference_table())
    result = dataprof.profile(data, mode="full")
    assert result.source_type == "arrow"
    assert [c.column_name for c in result.columns] == reference_table().schema.names
    assert exact_figures(result) == parquet_figures


def test_a_record_batch_reader_is_read_once_and_whole() -> None:
    """auto reads a one-shot stream fully; a second read says why it cannot."""
    reader = reference_table().to_reader(max_chunksize=100)
    result = dataprof.profile(reader)
    assert result.mode.value == "full"
    assert result.row_count == ROWS
    fresh = reference_table().to_reader(max_chunksize=100)
    config = DataSourceConfig(
        source_type="arrow", connection_params={"data": fresh}, database="", table="t"
    )
    with get_connector(config) as connector:
        assert sum(batch.num_rows for batch in connector.iter_batches()) == ROWS
        with pytest.raises(ConfigurationError, match="read once"):
            list(connector.iter_batches())


def _data_address(array: pa.Array | pa.ChunkedArray) -> int:
    chunk = array.chunks[0] if isinstance(array, pa.ChunkedArray) else array
    return chunk.buffers()[1].address  # type: ignore[no-any-return, union-attr]


@pytest.mark.parametrize("kind", ["pyarrow Table", "pandas Arrow dtypes", "polars DataFrame"])
def test_arrow_backed_data_is_read_in_place(kind: str) -> None:
    """The batches the connector yields point at the object's own buffers: no copy."""
    data = MAKERS[kind](reference_table())
    config = DataSourceConfig(
        source_type="arrow", connection_params={"data": data}, database="", table="t"
    )
    if kind == "polars DataFrame":
        original = _data_address(data["qty"].to_arrow())
    elif kind == "pandas Arrow dtypes":
        original = _data_address(pa.chunked_array(data["qty"].array._pa_array))
    else:
        original = _data_address(data.column("qty"))
    with get_connector(config) as connector:
        first = next(connector.iter_batches(columns=["qty"]))
    assert _data_address(first.column(0)) == original


def test_unknown_objects_are_refused_with_what_is_accepted() -> None:
    with pytest.raises(ConfigurationError, match="expected a pyarrow Table") as caught:
        dataprof.profile({"a": [1, 2]})
    assert "builtins.dict" in str(caught.value)


def test_the_arrow_source_from_a_config_says_how_to_use_it() -> None:
    """A config file or the CLI cannot hold an object: the error says what to do instead."""
    config = DataSourceConfig(source_type="arrow", database="", table="t")
    with pytest.raises(ConfigurationError, match=r"call dataprof\.profile\(obj\) from Python"):
        get_connector(config)


def test_a_named_pandas_index_is_data_an_unnamed_one_is_not() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 11, 12])
    assert [c.column_name for c in dataprof.profile(frame).columns] == ["a"]
    named = frame.rename_axis("order_id")
    assert [c.column_name for c in dataprof.profile(named).columns] == ["a", "order_id"]


def test_to_pandas_gives_one_row_per_column() -> None:
    result = dataprof.profile(reference_table())
    frame = result.to_pandas()
    assert list(frame["column_name"]) == reference_table().schema.names
    qty = frame.set_index("column_name").loc["qty"]
    assert qty["null_count"] == sum(1 for i in range(ROWS) if i % 7 == 0)
    assert qty["row_count"] == ROWS
    assert "top_value" in frame.columns


def test_profiling_arrow_data_needs_neither_pandas_nor_polars(tmp_path: Path) -> None:
    """pandas and polars stay optional: with both made unimportable, a pyarrow table is
    profiled and displayed. (pyarrow itself imports pandas, when installed, as soon as it
    converts Python objects; so the test blocks the imports rather than watching them.)"""
    script = (
        "import sys\n"
        "class Blocked:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pandas', 'polars'):\n"
        "            raise ImportError(f'{name} is blocked by this test')\n"
        "sys.meta_path.insert(0, Blocked())\n"
        "import pyarrow as pa, dataprof\n"
        "table = pa.table({'a': [1, 2, None], 'b': ['x', 'y', 'x']})\n"
        "p = dataprof.profile(table)\n"
        "html = p._repr_html_() + dataprof.report.render_html(p)\n"
        "print(p.row_count, 'data-name=\"b\"' in html)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "True"]


def test_decimals_stay_exact_in_memory() -> None:
    table = pa.table({"d": pa.array([Decimal("1.10"), Decimal("2.25"), None], pa.decimal128(6, 2))})
    column = dataprof.profile(table).column("d")
    assert column is not None
    assert column.metrics["sum"].value == Decimal("3.35")
