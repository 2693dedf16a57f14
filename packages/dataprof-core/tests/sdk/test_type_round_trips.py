"""Whatever Arrow table goes into a file comes back through the connector unchanged."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from dataprof import DataSourceConfig, get_connector

UTC = dt.UTC
COLUMN_TYPES: dict[str, tuple[pa.DataType, st.SearchStrategy[object]]] = {
    "int8": (pa.int8(), st.integers(-128, 127)),
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "uint32": (pa.uint32(), st.integers(0, 2**32 - 1)),
    "float64": (pa.float64(), st.floats(allow_nan=False)),
    "string": (pa.string(), st.text(max_size=20)),
    "binary": (pa.binary(), st.binary(max_size=20)),
    "bool": (pa.bool_(), st.booleans()),
    "date": (pa.date32(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
    "timestamp_tz": (
        pa.timestamp("us", tz="UTC"),
        st.datetimes(dt.datetime(1677, 9, 22), dt.datetime(2262, 4, 11), timezones=st.just(UTC)),
    ),
    "decimal": (
        pa.decimal128(18, 4),
        st.decimals(
            min_value=Decimal("-99999999999999.9999"),
            max_value=Decimal("99999999999999.9999"),
            places=4,
        ),
    ),
}


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    names = draw(
        st.lists(st.sampled_from(sorted(COLUMN_TYPES)), min_size=1, max_size=5, unique=True)
    )
    rows = draw(st.integers(0, 30))
    columns = {}
    for name in names:
        data_type, values = COLUMN_TYPES[name]
        columns[name] = pa.array(
            draw(st.lists(st.none() | values, min_size=rows, max_size=rows)), data_type
        )
    return pa.table(columns)


@given(table=tables(), fmt=st.sampled_from(["parquet", "arrow"]))
def test_round_trip(table: pa.Table, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t.{fmt}"
        if fmt == "parquet":
            pq.write_table(table, path)
        else:
            feather.write_feather(table, path, compression="uncompressed")
        connector = get_connector(
            DataSourceConfig(
                source_type="file", connection_params={"path": str(path)}, database="", table="t"
            )
        )
        assert connector.arrow_schema() == table.schema
        # dictionary-encoded columns (low-cardinality Parquet text) as their declared type
        batches = [batch.cast(table.schema) for batch in connector.iter_batches()]
        read = pa.Table.from_batches(batches, schema=table.schema)
        assert read.equals(table)
        assert connector.get_row_count() == table.num_rows
