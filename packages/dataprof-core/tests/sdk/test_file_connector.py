"""What the kit does not cover: the file connector's own errors and planning."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataprof import (
    Capability,
    ConfigurationError,
    DataSourceConfig,
    QueryFailedError,
    TableNotFoundError,
    get_connector,
)


def connector_for(path: Path | str, **params: str):  # type: ignore[no-untyped-def]
    return get_connector(
        DataSourceConfig(
            source_type="file",
            connection_params={"path": str(path), **params},
            database="",
            table="t",
        )
    )


def test_missing_path_is_table_not_found_with_hint(tmp_path: Path) -> None:
    with pytest.raises(TableNotFoundError) as info:
        connector_for(tmp_path / "nope.parquet").get_row_count()
    assert "nope.parquet" in str(info.value)
    assert "connection_params.path" in str(info.value)


def test_corrupt_file_is_query_failed_naming_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(QueryFailedError) as info:
        connector_for(bad).arrow_schema()
    assert "bad.parquet" in str(info.value)
    assert info.value.engine_reason


def test_unknown_suffix_asks_for_format(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"x")
    with pytest.raises(ConfigurationError, match=r"connection_params\.format"):
        connector_for(tmp_path / "data.bin").arrow_schema()


def test_wrong_param_type_names_the_field() -> None:
    with pytest.raises(ConfigurationError, match=r"connection_params\.format"):
        connector_for("x.parquet", format="excel")


def test_splits_balance_bytes(tmp_path: Path) -> None:
    table = pa.table({"x": pa.array(range(100_000), pa.int64())})
    pq.write_table(table, tmp_path / "a.parquet", row_group_size=10_000)
    connector = connector_for(tmp_path / "a.parquet")
    splits = connector.plan_splits(2)
    assert len(splits) == 2
    sizes = [s.estimated_bytes for s in splits]
    assert max(sizes) - min(sizes) <= max(sizes) // 5 + 1  # ten equal groups split five and five
    assert sum(s.estimated_rows or 0 for s in splits) == 100_000
    assert connector.supports(Capability.ROW_COUNT_FROM_METADATA)


def test_csv_has_no_metadata_row_count(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n2\n")
    connector = connector_for(tmp_path / "a.csv")
    assert not connector.supports(Capability.ROW_COUNT_FROM_METADATA)
    assert connector.get_row_count() == 2


def test_batches_stream_in_bounded_sizes(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": pa.array(range(50_000))}), tmp_path / "a.parquet")
    sizes = [
        b.num_rows for b in connector_for(tmp_path / "a.parquet").iter_batches(batch_size=4096)
    ]
    assert sum(sizes) == 50_000
    assert max(sizes) <= 4096


def test_parquet_footer_statistics_match_the_data(tmp_path: Path) -> None:
    import pyarrow.compute as pc

    from dataprof.testing import standard_table

    table = standard_table()
    pq.write_table(table.slice(0, 4), tmp_path / "a.parquet", row_group_size=2)
    pq.write_table(table.slice(4), tmp_path / "b.parquet")
    stats = connector_for(tmp_path).get_column_statistics()
    assert stats.row_count == table.num_rows
    assert stats.data_file_count == 2
    for name in ("id", "amount", "day", "ts", "price", "name"):
        column = stats.columns[name]
        assert column.null_count == table.column(name).null_count, name
        assert column.value_count == table.num_rows
        minmax = pc.min_max(table.column(name))
        assert column.lower_bound == minmax["min"].as_py(), name
        assert column.upper_bound == minmax["max"].as_py(), name
    assert not stats.columns["name"].bounds_exact
    assert stats.columns["id"].bounds_exact
    assert any("NaN" in c for c in stats.columns["amount"].caveats)


def test_footer_statistics_never_open_a_data_page(tmp_path: Path) -> None:
    """Corrupt every byte between the magic header and the footer: statistics still come back."""
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"x": pa.array(range(1000), pa.int64())}), path)
    data = bytearray(path.read_bytes())
    footer_len = int.from_bytes(data[-8:-4], "little")
    for i in range(4, len(data) - 8 - footer_len):
        data[i] = 0xFF
    path.write_bytes(bytes(data))
    connector = connector_for(path)
    stats = connector.get_column_statistics()
    assert (stats.columns["x"].lower_bound, stats.columns["x"].upper_bound) == (0, 999)
    with pytest.raises(QueryFailedError):
        list(connector.iter_batches())  # the data itself is unreadable


def test_statistics_refused_for_csv(tmp_path: Path) -> None:
    from dataprof import CapabilityNotSupportedError

    (tmp_path / "a.csv").write_text("x\n1\n")
    with pytest.raises(
        CapabilityNotSupportedError, match="cannot answer column statistics from metadata"
    ):
        connector_for(tmp_path / "a.csv").get_column_statistics()


def test_field_ids_from_parquet_metadata(tmp_path: Path) -> None:
    def with_id(field: pa.Field, field_id: int) -> pa.Field:
        return field.with_metadata({b"PARQUET:field_id": str(field_id).encode()})

    schema = pa.schema(
        [
            with_id(pa.field("a", pa.int64()), 1),
            with_id(pa.field("s", pa.struct([with_id(pa.field("x", pa.int32()), 3)])), 2),
            pa.field("plain", pa.string()),
        ]
    )
    pq.write_table(schema.empty_table(), tmp_path / "ids.parquet")
    assert connector_for(tmp_path / "ids.parquet").field_ids() == {"a": 1, "s": 2, "s.x": 3}
