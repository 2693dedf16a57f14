"""The conformance kit: the whole connector contract as tests an author inherits.

Subclass :class:`ConnectorConformanceTests` in a test module named ``test_*.py``
and give it three fixtures::

    from dataprof.testing import ConnectorConformanceTests, standard_table

    class TestMyConnector(ConnectorConformanceTests):
        @pytest.fixture
        def expected(self) -> pa.Table:
            return standard_table()           # or any small table

        @pytest.fixture
        def config(self, expected, tmp_path) -> DataSourceConfig:
            ...                               # write `expected` where the connector reads it

        @pytest.fixture
        def bad_config(self, config) -> DataSourceConfig:
            return config.model_copy(update={"table": "no_such_table"})

Optional: ``secret_values`` (strings in ``config`` that must never be shown) and
the class flags below. Capabilities are read from the connector itself: a
claimed capability is tested for what it promises; an unclaimed one is tested to
refuse cleanly with :class:`CapabilityNotSupportedError`, so nothing is skipped.

Every test's docstring ends with a ``Fix:`` line saying what usually makes it fail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import pyarrow as pa
import pytest

from dataprof.config import DataSourceConfig
from dataprof.connector import Capability, DataConnector
from dataprof.errors import (
    CapabilityNotSupportedError,
    ColumnNotFoundError,
    ConfigurationError,
    ConnectorError,
)
from dataprof.registry import default_registry, get_connector

__all__ = ["ConnectorConformanceTests", "comparable_rows", "normalize_type"]


def normalize_type(data_type: pa.DataType) -> pa.DataType:
    """Arrow types up to the differences engines are free to make (large vs small
    offsets, dictionary encoding, view types)."""
    if pa.types.is_dictionary(data_type):
        return normalize_type(data_type.value_type)
    if pa.types.is_large_string(data_type) or pa.types.is_string_view(data_type):
        return pa.string()
    if pa.types.is_large_binary(data_type) or pa.types.is_binary_view(data_type):
        return pa.binary()
    if pa.types.is_large_list(data_type):
        return pa.list_(normalize_type(data_type.value_type))
    return data_type


def comparable_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """Rows as tuples, sorted, so two reads compare whatever order the engine returned."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = list(zip(*columns, strict=True)) if columns else []
    return sorted(rows, key=repr)


class ConnectorConformanceTests:
    """Inherit to check a connector against the whole contract."""

    ordered: ClassVar[bool] = False
    """True if the connector promises to return rows in the order they were written."""
    rejects_unknown_params: ClassVar[bool] = True
    """Unknown ``connection_params`` keys are rejected (catches typos in configs)."""

    # -- fixtures the author may override ----------------------------------------------
    @pytest.fixture
    def secret_values(self) -> list[str]:
        return []

    @pytest.fixture
    def connector(self, config: DataSourceConfig) -> Iterator[DataConnector]:
        with get_connector(config) as built:
            yield built

    # -- helpers -----------------------------------------------------------------------
    def read_all(self, connector: DataConnector, **kwargs: Any) -> pa.Table:
        batches = list(connector.iter_batches(**kwargs))
        schema = batches[0].schema if batches else connector.arrow_schema()
        if kwargs.get("columns") is not None:
            schema = pa.schema([connector.arrow_schema().field(c) for c in kwargs["columns"]])
        return pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()

    def assert_same_rows(
        self, actual: pa.Table, expected: pa.Table, *, ordered: bool | None = None
    ) -> None:
        assert actual.column_names == expected.column_names
        if self.ordered if ordered is None else ordered:
            assert actual.to_pylist() == expected.to_pylist()
        else:
            assert comparable_rows(actual) == comparable_rows(expected)

    # -- registration ------------------------------------------------------------------
    def test_registered_under_its_source_type(
        self, config: DataSourceConfig, connector: DataConnector
    ) -> None:
        """`get_connector` finds the connector by its source type.
        Fix: declare the class under the entry-point group ``dataprof.connectors`` with the
        source type as the name, and reinstall the distribution."""
        assert config.source_type in default_registry.names()
        assert isinstance(connector, default_registry.load(config.source_type))

    # -- schema and sample ---------------------------------------------------------------
    def test_schema_matches_expected_columns(
        self, connector: DataConnector, expected: pa.Table
    ) -> None:
        """`get_schema` and `arrow_schema` name the table's columns, in order.
        Fix: build both from the same source of truth; keep the engine's column order."""
        assert list(connector.get_schema()) == expected.column_names
        assert connector.arrow_schema().names == expected.column_names
        assert all(isinstance(v, str) and v for v in connector.get_schema().values())

    def test_schema_types_match_sample(self, connector: DataConnector) -> None:
        """The sample's Arrow types are the ones `arrow_schema` announced.
        Fix: cast batches to the announced schema, or announce what you return."""
        sample = connector.get_sample_arrow(5)
        announced = connector.arrow_schema()
        assert [normalize_type(t) for t in sample.schema.types] == [
            normalize_type(t) for t in announced.types
        ]

    @pytest.mark.parametrize("limit", [0, 1, 3])
    def test_get_sample_honours_limit(
        self, connector: DataConnector, expected: pa.Table, limit: int
    ) -> None:
        """`get_sample(limit)` returns min(limit, rows) rows as a pandas DataFrame.
        Fix: stop reading once ``limit`` rows are collected, and handle ``limit=0``."""
        frame = connector.get_sample(limit)
        assert len(frame) == min(limit, expected.num_rows)
        assert list(frame.columns) == expected.column_names

    def test_get_sample_beyond_table_returns_everything(
        self, connector: DataConnector, expected: pa.Table
    ) -> None:
        """A limit larger than the table returns the whole table, nothing invented.
        Fix: don't pad or loop when the source runs out of rows."""
        sample = connector.get_sample_arrow(expected.num_rows + 100)
        self.assert_same_rows(sample, expected)

    def test_negative_sample_limit_is_a_configuration_error(self, connector: DataConnector) -> None:
        """A negative limit is refused with a ConfigurationError, not an engine error.
        Fix: validate ``limit`` before building a query."""
        with pytest.raises(ConfigurationError):
            connector.get_sample_arrow(-1)

    # -- counts and reads ----------------------------------------------------------------
    def test_row_count_equals_rows_read(self, connector: DataConnector, expected: pa.Table) -> None:
        """`get_row_count` agrees with the rows `iter_batches` yields.
        Fix: if the count comes from metadata, make sure deletes and filters are applied."""
        assert connector.get_row_count() == expected.num_rows
        assert sum(b.num_rows for b in connector.iter_batches()) == expected.num_rows

    def test_iter_batches_equals_table(self, connector: DataConnector, expected: pa.Table) -> None:
        """Concatenated batches hold exactly the table's rows.
        Fix: check type conversions (decimals, time zones) and that no batch is dropped."""
        self.assert_same_rows(self.read_all(connector), expected)

    def test_iter_batches_yields_record_batches(self, connector: DataConnector) -> None:
        """`iter_batches` yields `pyarrow.RecordBatch` objects lazily (a generator).
        Fix: yield batches as they are read instead of returning a list or a Table."""
        iterator = connector.iter_batches()
        assert not isinstance(iterator, list | tuple | pa.Table)
        for batch in iterator:
            assert isinstance(batch, pa.RecordBatch)

    def test_column_projection(self, connector: DataConnector, expected: pa.Table) -> None:
        """`iter_batches(columns=[...])` returns those columns in the order asked.
        Fix: pass the projection to the engine and reorder the result to match."""
        if len(expected.column_names) < 2:
            pytest.fail("the expected table needs at least two columns for this test")
        wanted = [expected.column_names[-1], expected.column_names[0]]
        actual = self.read_all(connector, columns=wanted)
        self.assert_same_rows(actual, expected.select(wanted))

    def test_unknown_column_is_column_not_found(self, connector: DataConnector) -> None:
        """Projecting a missing column raises ColumnNotFoundError naming it.
        Fix: call ``self.check_columns(columns, schema.names)`` before reading."""
        with pytest.raises(ColumnNotFoundError, match="no_such_column"):
            list(connector.iter_batches(columns=["no_such_column"]))

    # -- connection tests ----------------------------------------------------------------
    def test_connection_succeeds(self, connector: DataConnector, expected: pa.Table) -> None:
        """`test_connection` on a good config succeeds and reports the row count.
        Fix: return ConnectionTestResult(success=True, row_count=...) when the table is reachable."""
        result = connector.test_connection()
        assert result.success, result.message
        assert result.row_count == expected.num_rows
        assert result.message

    def test_connection_fails_clearly(self, bad_config: DataSourceConfig) -> None:
        """`test_connection` on a bad config returns success=False with a message naming the table.
        Fix: catch your engine's errors, wrap them in ConnectorError subclasses, and never raise
        from test_connection."""
        with get_connector(bad_config) as connector:
            result = connector.test_connection()
        assert not result.success
        assert bad_config.table in result.message

    def test_errors_are_connector_errors_naming_the_source(
        self, bad_config: DataSourceConfig
    ) -> None:
        """Reading a bad config raises a ConnectorError that names the source and table.
        Fix: wrap engine exceptions (``raise XError(..., **self.error_context()) from exc``)."""
        with get_connector(bad_config) as connector, pytest.raises(ConnectorError) as info:
            connector.get_row_count()
        assert info.value.source
        assert bad_config.table in str(info.value)

    def test_unknown_connection_param_is_a_configuration_error(
        self, config: DataSourceConfig
    ) -> None:
        """A misspelt connection parameter is refused, naming the field path.
        Fix: set ``model_config = ConfigDict(extra="forbid")`` on the params model."""
        if not self.rejects_unknown_params:
            return
        params = {**config.connection_params, "no_such_param": "x"}
        bad = config.model_copy(update={"connection_params": params})
        with pytest.raises(ConfigurationError, match=r"connection_params\.no_such_param"):
            get_connector(bad)

    # -- secrets -------------------------------------------------------------------------
    def test_no_secret_in_reprs_errors_or_logs(
        self,
        config: DataSourceConfig,
        bad_config: DataSourceConfig,
        secret_values: list[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """No secret shows in a repr, a dump, an error message or a log record.
        Fix: declare secrets as SecretStr in the params model and log through
        ``dataprof.get_logger``; never format raw connection_params into a message."""
        caplog.set_level(logging.DEBUG)
        texts = [repr(config), str(config), config.model_dump_json(), repr(bad_config)]
        with get_connector(config) as good:
            texts += [repr(good), repr(good.params), good.test_connection().message]
        with get_connector(bad_config) as bad:
            texts.append(bad.test_connection().message)
            try:
                bad.get_row_count()
            except ConnectorError as exc:
                texts += [str(exc), repr(exc)]
        texts += [r.getMessage() for r in caplog.records]
        for secret in secret_values:
            for text in texts:
                assert secret not in text

    # -- capabilities --------------------------------------------------------------------
    def test_splits_cover_the_table_once(
        self, connector: DataConnector, expected: pa.Table
    ) -> None:
        """The splits of `plan_splits` together read every row exactly once.
        Fix: assign each file or row group to exactly one split; read only that in iter_batches."""
        splits = connector.plan_splits(3)
        assert splits
        if not connector.supports(Capability.PARALLEL_SPLITS):
            assert len(splits) == 1
            return
        assert [s.index for s in splits] == list(range(len(splits)))
        parts = [self.read_all(connector, split=s) for s in splits]
        combined = pa.concat_tables(parts) if parts else expected.schema.empty_table()
        self.assert_same_rows(
            combined, expected, ordered=False
        )  # splits may come back in any order

    def test_column_statistics_from_metadata(
        self, connector: DataConnector, expected: pa.Table
    ) -> None:
        """Claimed metadata statistics agree with the data; unclaimed, they are refused cleanly.
        Fix: count nulls per column from metadata; mark truncated bounds ``bounds_exact=False``."""
        if not connector.supports(Capability.COLUMN_STATS_FROM_METADATA):
            with pytest.raises(CapabilityNotSupportedError):
                connector.get_column_statistics()
            return
        stats = connector.get_column_statistics()
        if stats.row_count_exact:
            assert stats.row_count == expected.num_rows
        for name in expected.column_names:
            column = stats.columns.get(name)
            if column is None or column.null_count is None:
                continue
            assert column.null_count == expected.column(name).null_count, name

    def test_snapshot_is_pinned_and_reported(self, connector: DataConnector) -> None:
        """A connector claiming snapshots reports one id, the same on every call.
        Fix: resolve the snapshot once (at first use) and reuse it for every read."""
        if connector.supports(Capability.SNAPSHOTS):
            first = connector.snapshot_id
            connector.get_row_count()
            assert first is not None
            assert connector.snapshot_id == first
        else:
            assert connector.snapshot_id is None

    def test_pushdown_agrees_with_a_scan(
        self, connector: DataConnector, expected: pa.Table
    ) -> None:
        """A claimed pushdown profile agrees with a full scan of the same rows (exact figures
        equal, approximate ones within their bounds, absent ones named in notes); unclaimed,
        pushdown is refused cleanly.
        Fix: build profiles with ``dataprof.profiling.PushdownProfileBuilder``; compute every
        figure over valid values only; answer one profile per requested column."""
        from dataprof.profiling import profile_table
        from dataprof.testing.profile_agreement import assert_pushdown_agrees

        if not connector.supports(Capability.SQL_PUSHDOWN):
            with pytest.raises(CapabilityNotSupportedError):
                profile_table(connector, mode="pushdown")
            return
        pushed = profile_table(connector, mode="pushdown")
        scanned = profile_table(connector, mode="full", workers=1)
        assert_pushdown_agrees(pushed, scanned, expected)
        columns = [expected.column_names[-1]]
        partial = profile_table(connector, mode="pushdown", columns=columns)
        assert [c.column_name.split(".")[0] for c in partial.columns] == columns * len(
            partial.columns
        )

    # -- lifecycle -----------------------------------------------------------------------
    def test_close_is_idempotent(self, config: DataSourceConfig) -> None:
        """`close()` may be called twice, and the context manager closes.
        Fix: guard close() against already-released clients."""
        connector = get_connector(config)
        with connector:
            connector.get_schema()
        connector.close()
