"""Reading a Redshift table through the emulated Data API over PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from redshift_emulation import RedshiftEmulation
from redshift_tables import load_table, redshift_config

from dataprof import get_connector
from dataprof.errors import ConnectorError
from dataprof.profiling import profile_table
from dataprof.testing import comparable_rows, standard_table


def test_schema_comes_from_describe_table_once(emulation: RedshiftEmulation, database: str) -> None:
    with get_connector(redshift_config(database)) as connector:
        assert connector.arrow_schema() == standard_table().schema
        assert connector.get_schema()["price"] == "numeric(10,2)"
        assert connector.get_schema()["ts"] == "timestamptz"
        connector.get_schema()
        list(connector.iter_batches())
    assert emulation.calls.count("DescribeTable") == 1


def test_rows_arrive_exact_over_many_pages(emulation: RedshiftEmulation, database: str) -> None:
    emulation.page_rows = 2
    with get_connector(redshift_config(database)) as connector:
        batches = list(connector.iter_batches(batch_size=1))
    assert all(b.num_rows == 1 for b in batches)
    table = pa.Table.from_batches(batches)
    assert comparable_rows(table) == comparable_rows(standard_table())
    assert emulation.calls.count("GetStatementResult") == 4  # 7 rows, 2 per page
    assert Decimal("99999999.99") in table.column("price").to_pylist()


def test_row_count_is_one_count_statement(emulation: RedshiftEmulation, database: str) -> None:
    with get_connector(redshift_config(database)) as connector:
        assert connector.get_row_count() == 7
    assert [s.sql for s in emulation.executed] == [
        'SELECT COUNT(*) AS row_count FROM "public"."standard_rows"'
    ]


def test_sample_is_one_limit_statement(emulation: RedshiftEmulation, database: str) -> None:
    with get_connector(redshift_config(database)) as connector:
        sample = connector.get_sample_arrow(3)
    assert sample.num_rows == 3
    assert len(emulation.executed) == 1
    assert emulation.executed[0].sql.endswith("LIMIT 3")


def test_schema_dot_table_and_schema_name(emulation: RedshiftEmulation, database: str) -> None:
    load_table(emulation.dsn, "events", pa.table({"n": pa.array([1, 2], pa.int32())}), "sales")
    with get_connector(redshift_config(database, table="sales.events")) as connector:
        assert connector.get_row_count() == 2
        assert connector.arrow_schema().field("n").type == pa.int32()
    config = redshift_config(database, table="events", schema_name="sales")
    with get_connector(config) as connector:
        assert connector.get_row_count() == 2


@pytest.mark.parametrize(
    ("data_type", "values"),
    [
        (pa.int16(), [1, None, -5]),
        (pa.float32(), [1.5, None, -0.25]),
        (pa.timestamp("us"), [None, 0, 1_700_000_000_123_456]),
        (pa.time64("us"), [0, None, 86_399_999_999]),
        (pa.decimal128(38, 10), [Decimal("1234567890123456789012345678.0123456789"), None]),
    ],
)
def test_more_types_round_trip(
    emulation: RedshiftEmulation, database: str, data_type: pa.DataType, values: list[object]
) -> None:
    table = pa.table({"v": pa.array(values, data_type)})
    load_table(emulation.dsn, "typed", table)
    with get_connector(redshift_config(database, table="typed")) as connector:
        assert connector.arrow_schema().field("v").type == data_type
        read = pa.Table.from_batches(list(connector.iter_batches()))
    assert comparable_rows(read) == comparable_rows(table)


def test_a_value_arrow_cannot_hold_is_a_clear_error(
    emulation: RedshiftEmulation, database: str
) -> None:
    emulation.connection().execute(
        "CREATE TABLE odd_times (id int8, ts date);"
        "INSERT INTO odd_times VALUES (1, '2024-01-01'), (2, '0044-03-15 BC')"
    )
    with get_connector(redshift_config(database, table="odd_times")) as connector:
        with pytest.raises(ConnectorError, match=r"column 'ts' \(date\) holds '0044-03-15 BC'"):
            list(connector.iter_batches())
        with pytest.raises(ConnectorError, match="'0044-03-15 BC'"):
            profile_table(connector, mode="pushdown")
        assert connector.get_sample_arrow(1).num_rows == 1  # the rows before it still read
