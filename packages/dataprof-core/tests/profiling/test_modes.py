"""The modes of `profile_table`, parallel splits, and errors that must reach the caller."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from engine_reference import ConnectorFactory, check_consistent, file_connector

import dataprof
from dataprof.connector import Capability
from dataprof.connectors.file import FileConnector
from dataprof.errors import (
    CapabilityNotSupportedError,
    ColumnNotFoundError,
    ConfigurationError,
    TableNotFoundError,
)
from dataprof.profiling import (
    ColumnProfile,
    Metric,
    MetricSource,
    ProfileMode,
    PushdownRequest,
    PushdownResult,
    TableProfile,
    decode_kll,
    decode_top,
    profile_table,
)


def _mixed(n: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "id": pa.array(np.arange(n)),
            "price": pa.array(rng.normal(10, 2, n), mask=rng.random(n) < 0.1),
            "country": pa.array(rng.choice(["fr", "de", "us", "jp"], n)),
            "flag": pa.array(rng.random(n) < 0.3),
        }
    )


# -- full and parallel ---------------------------------------------------------------------


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_full_scan_equals_serial(
    parquet_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch, start_method: str
) -> None:
    monkeypatch.setenv("DATAPROF_START_METHOD", start_method)
    table = _mixed(6_000)
    connector = parquet_connector(table, row_group_size=1_000)
    progress: list[tuple[int, int]] = []
    parallel = profile_table(
        connector,
        mode="full",
        workers=2,
        parallel_min_rows=0,
        progress=lambda r, b: progress.append((r, b)),
    )
    serial = profile_table(connector, mode="full", workers=1)
    check_consistent(parallel)
    assert any("worker processes" in note for note in parallel.notes), parallel.notes
    assert progress
    assert progress[-1][0] == 6_000
    for p, s in zip(parallel.columns, serial.columns, strict=True):
        assert p.column_name == s.column_name
        for name, metric in s.metrics.items():
            if metric.exact and isinstance(metric.value, int | str | bool | None):
                assert p.metrics[name].value == metric.value, (p.column_name, name)
            elif metric.exact and isinstance(metric.value, float):
                assert p.metrics[name].value == pytest.approx(metric.value), (p.column_name, name)
    price = parallel.column("price")
    assert price is not None
    assert price.null_count == table.column("price").null_count
    assert price.mean_value == pytest.approx(pc.mean(table.column("price")).as_py())


def test_small_tables_stay_in_one_process(parquet_connector: ConnectorFactory) -> None:
    connector = parquet_connector(_mixed(2_000), row_group_size=500)
    profile = profile_table(connector, mode="full", workers=2)
    assert any("below the parallel threshold" in note for note in profile.notes), profile.notes


def test_default_workers_are_sized_by_the_bytes_to_read(
    parquet_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Left to choose, the engine starts no worker that a few MiB cannot pay for."""
    import dataprof.profiling.engine as engine

    monkeypatch.setattr(engine.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(engine, "_load_average", lambda: 0.2)
    connector = parquet_connector(_mixed(4_000), row_group_size=500)
    profile = profile_table(connector, mode="full", parallel_min_rows=0)
    assert any("full: one process for" in note for note in profile.notes), profile.notes
    assert not any("worker processes" in note for note in profile.notes), profile.notes
    monkeypatch.setattr(engine, "WORKER_MIN_BYTES", 1)
    profile = profile_table(connector, mode="full", parallel_min_rows=0)
    assert any("worker processes" in note for note in profile.notes), profile.notes
    monkeypatch.setattr(engine, "_load_average", lambda: 7.5)  # every core already busy
    profile = profile_table(connector, mode="full", parallel_min_rows=0)
    assert any("the machine is busy" in note for note in profile.notes), profile.notes
    assert not any("worker processes" in note for note in profile.notes), profile.notes


def test_sketches_are_stored_for_drift_checks(parquet_connector: ConnectorFactory) -> None:
    table = _mixed(3_000)
    profile = profile_table(parquet_connector(table), mode="full", workers=1)
    kll = decode_kll(profile.sketches["price/kll"])
    assert kll.n == table.num_rows - table.column("price").null_count
    top = decode_top(profile.sketches["country/top"])
    assert top.total_weight == table.num_rows
    assert "id/kll" in profile.sketches
    assert "flag/kll" not in profile.sketches
    flag = decode_top(profile.sketches["flag/top"])
    assert flag.get_estimate("true") == pc.sum(table.column("flag")).as_py()


# -- sample --------------------------------------------------------------------------------


def test_sample_mode_draws_rows_across_the_table_and_records_its_seed(
    tmp_path: Path,
) -> None:
    table = _mixed(20_000)  # sorted by id: its head is the least representative part
    path = tmp_path / "sorted.parquet"
    pq.write_table(table, path, row_group_size=500)
    profile = profile_table(file_connector(path), mode="sample", sample_size=1_000)
    check_consistent(profile)
    assert profile.mode is ProfileMode.SAMPLE
    assert profile.sampled
    assert profile.sample_size == 1_000
    assert profile.sample_seed == 0
    assert profile.row_count == 20_000  # from Parquet metadata
    column = profile.column("id")
    assert column is not None
    assert column.row_count == 1_000
    assert column.min_value < 2_000
    assert column.max_value > 18_000
    assert column.distinct_count == 1_000  # a unique key stays unique in the sample
    assert all(m.source is MetricSource.SAMPLE and not m.exact for m in column.metrics.values())
    assert any("drawn at random (seed 0)" in note for note in profile.notes)

    # the same seed draws the same sample; another seed another one
    def drawn(p: TableProfile) -> list[tuple[object, ...]]:
        return [(c.min_value, c.max_value, c.mean_value, c.null_count) for c in p.columns]

    again = profile_table(file_connector(path), mode="sample", sample_size=1_000)
    assert drawn(again) == drawn(profile)
    other = profile_table(file_connector(path), mode="sample", sample_size=1_000, sample_seed=7)
    assert other.sample_seed == 7
    assert drawn(other) != drawn(profile)


def test_a_sample_takes_rows_from_all_of_each_part_not_its_head(tmp_path: Path) -> None:
    """A file sorted by a column, in 20 row groups: the sample's rows lie across each
    group (about half in a group's second half), so its min and max span the range."""
    from dataprof.profiling.sampling import draw_sample

    rows, group = 200_000, 10_000
    path = tmp_path / "sorted.parquet"
    pq.write_table(pa.table({"id": pa.array(np.arange(rows))}), path, row_group_size=group)
    draw = draw_sample(file_connector(path), None, 1_000, seed=0)
    ids = draw.table.column("id").to_numpy()
    assert len(ids) == 1_000
    assert 0.35 < float(((ids % group) >= group // 2).mean()) < 0.65
    profile = profile_table(file_connector(path), mode="sample", sample_size=1_000)
    column = profile.column("id")
    assert column is not None
    assert column.min_value < 0.01 * rows
    assert column.max_value > 0.99 * rows
    assert not any("first rows" in note for note in profile.notes), profile.notes
    # seeded: the same rows again
    again = draw_sample(file_connector(path), None, 1_000, seed=0)
    assert again.table.column("id").to_pylist() == ids.tolist()


def test_sample_larger_than_table_is_a_full_profile(parquet_connector: ConnectorFactory) -> None:
    profile = profile_table(parquet_connector(_mixed(300)), mode="sample", sample_size=1_000)
    assert not profile.sampled
    assert profile.row_count == 300
    assert profile.row_count_exact
    column = profile.column("id")
    assert column is not None
    assert column.metrics["max"].exact
    assert column.metrics["max"].source is MetricSource.FULL_SCAN


def test_sample_of_a_csv_file_spreads_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pacsv.write_csv(_mixed(3_000).select(["id", "country"]), path)
    profile = profile_table(file_connector(path), mode="sample", sample_size=500)
    assert profile.sampled
    # the one file is read whole to spread the sample, which also counts its rows
    assert profile.row_count == 3_000
    assert profile.row_count_exact
    column = profile.column("id")
    assert column is not None
    assert column.max_value > 2_500


# -- metadata ------------------------------------------------------------------------------


def test_metadata_mode_reads_parquet_statistics(parquet_connector: ConnectorFactory) -> None:
    table = _mixed(4_000)
    profile = profile_table(parquet_connector(table, row_group_size=1_000), mode="metadata")
    check_consistent(profile)
    assert profile.mode is ProfileMode.METADATA
    assert profile.row_count == 4_000
    price = profile.column("price")
    assert price is not None
    assert price.null_count == table.column("price").null_count
    assert price.metrics["null_count"].source is MetricSource.METADATA
    assert price.min_value == pc.min(table.column("price")).as_py()
    assert price.max_value == pc.max(table.column("price")).as_py()
    assert price.distinct_count is None  # metadata does not know; nothing is guessed


def test_long_text_bounds_from_metadata_are_cut_as_a_scan_cuts_them(
    parquet_connector: ConnectorFactory,
) -> None:
    """Parquet (and Iceberg in ``full`` metrics mode) can hold whole values as bounds:
    a profile from metadata keeps at most 128 bytes of text (64 of bytes), like a scan."""
    table = pa.table(
        {
            "s": ["é" * 300 + "a", "é" * 300 + "b", "a"],
            "b": [b"\x01" * 100, b"\x02" * 100, b"\x00"],
            "short": ["数" * 42 + "é", "a", "b"],  # 128 bytes: whole
        }
    )
    connector = parquet_connector(table)
    profile = profile_table(connector, mode="metadata")
    scanned = profile_table(connector, mode="full", workers=1)
    columns = {c.column_name: c for c in profile.columns}
    s, b, short = columns["s"], columns["b"], columns["short"]
    assert (s.min_value, s.max_value) == ("a", "é" * 63 + "ê")  # prefix, last character bumped
    assert s.max_value == scanned.columns[0].max_value
    assert not s.metrics["max"].exact
    assert s.metrics["max"].error_kind == "bound"
    assert b.max_value == b"\x02" * 63 + b"\x03"
    assert not b.metrics["max"].exact
    assert short.max_value == "数" * 42 + "é"


def test_metadata_mode_needs_the_capability(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pacsv.write_csv(_mixed(10), path)
    with pytest.raises(
        CapabilityNotSupportedError, match="cannot answer column statistics from metadata"
    ):
        profile_table(file_connector(path), mode="metadata")


# -- auto ----------------------------------------------------------------------------------


def test_auto_uses_metadata_for_metadata_metrics(parquet_connector: ConnectorFactory) -> None:
    profile = profile_table(parquet_connector(_mixed(100)), metrics=["null_count", "min", "max"])
    assert profile.mode is ProfileMode.METADATA
    assert any(note.startswith("auto: metadata") for note in profile.notes)


def test_auto_scans_small_tables_and_samples_big_ones(parquet_connector: ConnectorFactory) -> None:
    connector = parquet_connector(_mixed(2_000))
    small = profile_table(connector, workers=1)
    assert small.mode is ProfileMode.FULL
    assert not small.sampled
    assert any(note.startswith("auto: full scan") for note in small.notes)
    big = profile_table(connector, auto_full_scan_max_rows=1_000, sample_size=500)
    assert big.mode is ProfileMode.SAMPLE
    assert big.sampled
    assert big.sample_size == 500
    assert any(note.startswith("auto: sample") for note in big.notes)


# -- pushdown ------------------------------------------------------------------------------


class PushdownFileConnector(FileConnector):
    """A connector whose "engine" computes counts itself: pyarrow over the files, as a
    stand-in for the SQL an Athena or Redshift connector runs (there is no engine here)."""

    capabilities: ClassVar[frozenset[Capability]] = FileConnector.capabilities | {
        Capability.SQL_PUSHDOWN
    }
    requests: ClassVar[list[PushdownRequest]] = []

    def supports(self, capability: Capability) -> bool:
        if capability is Capability.SQL_PUSHDOWN:
            return True
        return super().supports(capability)

    def profile_pushdown(self, request: PushdownRequest) -> PushdownResult:
        self.requests.append(request)
        table = self._dataset.to_table(columns=request.columns)
        source = MetricSource.PUSHDOWN
        columns = [
            ColumnProfile(
                column_name=name,
                data_type=str(table.schema.field(name).type),
                inferred_type="unknown",
                row_count=table.num_rows,
                null_count=table.column(name).null_count,
                distinct_count=len(pc.unique(table.column(name).drop_null())),
                metrics={"null_count": Metric(value=table.column(name).null_count, source=source)},
            )
            for name in table.column_names
        ]
        return PushdownResult(row_count=table.num_rows, columns=columns, notes=["one query"])


def _pushdown_connector(path: Path) -> PushdownFileConnector:
    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="x", table="y"
    )
    return PushdownFileConnector(config)


def test_pushdown_mode_asks_the_connector(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(_mixed(500), path)
    connector = _pushdown_connector(path)
    profile = profile_table(connector, mode="pushdown", columns=["price", "country"])
    check_consistent(profile)
    assert profile.mode is ProfileMode.PUSHDOWN
    assert connector.requests[-1].columns == ["price", "country"]
    assert [c.column_name for c in profile.columns] == ["price", "country"]
    assert profile.column("country").distinct_count == 4  # type: ignore[union-attr]
    assert "one query" in profile.notes
    # auto prefers pushdown over a sample for a table too big to scan here
    auto = profile_table(connector, auto_full_scan_max_rows=10)
    assert auto.mode is ProfileMode.PUSHDOWN


def test_pushdown_without_the_capability_is_refused(parquet_connector: ConnectorFactory) -> None:
    with pytest.raises(CapabilityNotSupportedError, match="cannot push a profiling query down"):
        profile_table(parquet_connector(_mixed(10)), mode="pushdown")


# -- errors --------------------------------------------------------------------------------


def test_connector_errors_propagate(tmp_path: Path) -> None:
    with pytest.raises(TableNotFoundError):
        profile_table(file_connector(tmp_path / "missing.parquet"), mode="full")


def test_unknown_columns_and_modes(parquet_connector: ConnectorFactory) -> None:
    connector = parquet_connector(_mixed(10))
    with pytest.raises(ColumnNotFoundError, match="nope"):
        profile_table(connector, mode="full", columns=["id", "nope"])
    with pytest.raises(ConfigurationError, match="Unknown profile mode"):
        profile_table(connector, mode="fast")


def test_column_projection(parquet_connector: ConnectorFactory) -> None:
    table = pa.table({"a": [1, 2], "s": pa.array([{"x": 1, "y": 2}, None])})
    profile = profile_table(parquet_connector(table), mode="full", columns=["s.x"], workers=1)
    assert [c.column_name for c in profile.columns] == ["s.x"]
    assert profile.column("s.x").null_count == 1  # type: ignore[union-attr]


def test_an_engine_failure_marks_one_column(
    parquet_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated engine bug (nothing real fails on demand): the string accumulator raises."""
    from dataprof.profiling import accumulators

    def broken(self: object, arr: pa.Array) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(accumulators.StringAccumulator, "_update", broken)
    monkeypatch.setattr(accumulators.StringAccumulator, "_update_dictionary", broken)
    profile = profile_table(parquet_connector(_mixed(50)), mode="full", workers=1)
    country = profile.column("country")
    assert country is not None
    assert not country.supported
    assert country.unsupported_reason == "profiling failed: RuntimeError: boom"
    assert country.null_count == 0
    assert country.row_count == 50
    assert profile.column("price").supported  # type: ignore[union-attr]


def test_field_ids_follow_the_source(parquet_connector: ConnectorFactory) -> None:
    schema = pa.schema(
        [
            pa.field("a", pa.int64(), metadata={b"PARQUET:field_id": b"7"}),
            pa.field(
                "s",
                pa.struct([pa.field("x", pa.int32(), metadata={b"PARQUET:field_id": b"9"})]),
                metadata={b"PARQUET:field_id": b"8"},
            ),
        ]
    )
    table = pa.Table.from_pylist([{"a": 1, "s": {"x": 2}}], schema=schema)
    connector = parquet_connector(table)
    for mode in ("full", "sample", "metadata"):
        profile = profile_table(connector, mode=mode, workers=1)
        assert profile.field_ids == {"a": 7, "s": 8, "s.x": 9}, mode
        assert profile.column("a").field_id == 7  # type: ignore[union-attr]
        assert profile.column("s.x").field_id == 9  # type: ignore[union-attr]


@pytest.mark.parametrize("workers", [1, 2])
def test_read_errors_in_workers_reach_the_caller(tmp_path: Path, workers: int) -> None:
    """A damaged data page fails the read inside a worker; the caller gets the
    connector's QueryFailedError, not a broken pool or a pickling error."""
    import pyarrow.parquet as pq

    from dataprof.errors import QueryFailedError

    path = tmp_path / "damaged.parquet"
    table = pa.table({"x": np.arange(200_000), "s": [f"v{i}" for i in range(200_000)]})
    pq.write_table(table, path, row_group_size=50_000)
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 3)
        handle.write(b"\xff" * 4096)  # deterministic garbage in a data page
    with pytest.raises(QueryFailedError, match=r"damaged\.parquet"):
        profile_table(file_connector(path), mode="full", workers=workers, parallel_min_rows=0)


def test_column_selection_is_recorded_in_every_mode(tmp_path: Path) -> None:
    """History compares a partial run only with its own columns, so the selection is data."""
    import pyarrow.parquet as pq

    from dataprof import DataSourceConfig, get_connector
    from dataprof.profiling import profile_table
    from dataprof.testing import standard_table

    pq.write_table(standard_table(), tmp_path / "t.parquet")
    connector = get_connector(
        DataSourceConfig(
            source_type="file",
            connection_params={"path": str(tmp_path / "t.parquet")},
            database="",
            table="t",
        )
    )
    for mode in ("full", "sample", "metadata"):
        assert profile_table(connector, mode=mode, columns=["id", "name"]).columns_requested == [
            "id",
            "name",
        ]
        assert profile_table(connector, mode=mode).columns_requested is None


def test_metadata_counts_are_exact_unless_the_connector_says_otherwise(tmp_path: Path) -> None:
    """Parquet footers count nulls exactly; a caveat about NaN or truncated strings does
    not make the null count approximate, but ``counts_exact=False`` does."""
    import pyarrow.parquet as pq

    from dataprof import ColumnStatistics, DataSourceConfig, TableStatistics, get_connector
    from dataprof.profiling import profile_table
    from dataprof.testing import standard_table

    pq.write_table(standard_table(), tmp_path / "t.parquet")
    config = DataSourceConfig(
        source_type="file",
        connection_params={"path": str(tmp_path / "t.parquet")},
        database="",
        table="t",
    )
    profile = profile_table(get_connector(config), mode="metadata")
    for name in ("amount", "name", "id"):
        metric = profile.column(name).metrics["null_count"]  # type: ignore[union-attr]
        assert metric.exact, name
        assert metric.value == standard_table().column(name).null_count

    class StaleStatistics(FileConnector):
        def get_column_statistics(self) -> TableStatistics:
            stats = super().get_column_statistics()
            columns = {
                k: ColumnStatistics(**{**v.model_dump(), "counts_exact": False})
                for k, v in stats.columns.items()
            }
            return stats.model_copy(update={"columns": columns})

    stale = profile_table(StaleStatistics(config), mode="metadata")
    assert not stale.column("id").metrics["null_count"].exact  # type: ignore[union-attr]
