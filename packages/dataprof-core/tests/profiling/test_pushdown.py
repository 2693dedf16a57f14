"""Pushdown in the engine: the builder, the consistency clamp, and the kit's pushdown test.

There is no warehouse in dataprof-core, so the "engine" here is DuckDB over the same
Parquet files a scan reads: a small SQL profile built with ``PushdownProfileBuilder``,
as the Athena and Redshift connectors build theirs. Its figures are checked against
``profile_table(mode="full")`` by the conformance kit's own pushdown test.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataprof import DataSourceConfig
from dataprof.connector import Capability, DataConnector
from dataprof.connectors.file import FileConnector
from dataprof.errors import ConnectorError
from dataprof.profiling import (
    APPROX_DISTINCT_BOUND,
    Approximation,
    ColumnFigures,
    ColumnProfile,
    Metric,
    MetricSource,
    PushdownProfileBuilder,
    PushdownRequest,
    PushdownResult,
    QueryStats,
    profile_table,
)
from dataprof.profiling.accumulators import QUANTILES
from dataprof.profiling.inference import PATTERNS
from dataprof.profiling.types import Kind, kind_of
from dataprof.testing import ConnectorConformanceTests, standard_table


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _epoch(expr: str, data_type: pa.DataType) -> str:
    """Seconds since the epoch, as the builder reads numbers for temporal columns."""
    if pa.types.is_date(data_type):
        return f"(epoch_ms({expr}::TIMESTAMP) / 1000.0)"
    return f"(epoch_us({expr}) / 1000000.0)"


class DuckDBPushdownConnector(FileConnector):
    """The file connector with a pushdown profile computed by DuckDB SQL (one query for
    the aggregates, one per column for top values)."""

    capabilities: ClassVar[frozenset[Capability]] = FileConnector.capabilities | {
        Capability.SQL_PUSHDOWN
    }
    queries_run: ClassVar[list[str]] = []

    def supports(self, capability: Capability) -> bool:
        return capability is Capability.SQL_PUSHDOWN or super().supports(capability)

    def profile_pushdown(self, request: PushdownRequest) -> PushdownResult:
        import duckdb

        schema = self.arrow_schema()
        names = request.columns or schema.names
        con = duckdb.connect()
        con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({self._paths!r})")
        selects = ["count(*)"]
        plan: list[tuple[str, pa.DataType, list[str]]] = []
        for name in names:
            data_type = schema.field(name).type
            keys, exprs = self._aggregates(_q(name), data_type)
            plan.append((name, data_type, keys))
            selects += exprs
        row = con.execute(f"SELECT {', '.join(selects)} FROM t").fetchone()
        assert row is not None
        rows, values = int(row[0]), list(row[1:])
        figures: dict[str, ColumnFigures] = {}
        for name, data_type, keys in plan:
            got = dict(zip(keys, values[: len(keys)], strict=True))
            del values[: len(keys)]
            figures[name] = self._figures(con, name, data_type, rows, got)
        builder = PushdownProfileBuilder(
            approximate={
                "distinct_count": Approximation("relative", APPROX_DISTINCT_BOUND),
                "quantiles": Approximation("rank", 0.01),
            },
            top_n=request.top_n,
        )
        declared = self.get_schema()
        columns = [builder.column(n, schema.field(n).type, declared[n], figures[n]) for n in names]
        return PushdownResult(
            row_count=rows,
            columns=columns,
            notes=builder.notes(),
            queries=[QueryStats(query_id="duckdb-1", bytes_scanned=0, engine_ms=0)],
        )

    @staticmethod
    def _aggregates(col: str, data_type: pa.DataType) -> tuple[list[str], list[str]]:
        kind, _ = kind_of(data_type)
        out = {"nulls": f"count(*) - count({col})"}
        valid = col
        if kind is Kind.FLOAT:
            valid = f"(CASE WHEN isfinite({col}) THEN {col} END)"
            out |= {
                "nan": f"count_if(isnan({col}))",
                "pinf": f"count_if({col} = 'inf'::DOUBLE)",
                "ninf": f"count_if({col} = '-inf'::DOUBLE)",
            }
        if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL, Kind.TEMPORAL):
            number = _epoch(valid, data_type) if kind is Kind.TEMPORAL else f"{valid}::DOUBLE"
            ranks = ", ".join(str(q) for q in QUANTILES.values())
            out |= {
                "distinct": f"approx_count_distinct({valid})",
                "min": _epoch(f"min({valid})", data_type)
                if kind is Kind.TEMPORAL
                else f"min({valid})",
                "max": _epoch(f"max({valid})", data_type)
                if kind is Kind.TEMPORAL
                else f"max({valid})",
                "sum": f"sum({valid})" if kind is not Kind.TEMPORAL else "NULL",
                "mean": f"avg({number})",
                "std": f"stddev_samp({number})",
                "quantiles": f"quantile_disc({number}, [{ranks}])",
            }
            if kind is not Kind.TEMPORAL:
                out |= {"zeros": f"count_if({valid} = 0)", "neg": f"count_if({valid} < 0)"}
        elif kind is Kind.STRING:
            out |= {
                "distinct": f"approx_count_distinct({col})",
                "min": f"min({col})",
                "max": f"max({col})",
                "lmin": f"min(length({col}))",
                "lmax": f"max(length({col}))",
                "lmean": f"avg(length({col}))",
                "empty": f"count_if(length({col}) = 0)",
            }
            for pattern, regex in PATTERNS.items():
                literal = "'" + regex.replace("'", "''") + "'"
                out[f"re:{pattern}"] = f"count_if(regexp_full_match({col}, {literal}))"
        elif kind is Kind.BOOLEAN:
            out |= {"true": f"count_if({col})", "false": f"count_if(NOT {col})"}
        return list(out), list(out.values())

    @staticmethod
    def _figures(
        con: Any, name: str, data_type: pa.DataType, rows: int, got: dict[str, Any]
    ) -> ColumnFigures:
        kind, _ = kind_of(data_type)
        col = _q(name)
        top: list[tuple[Any, int]] | None = None
        if kind is not Kind.BOOLEAN:
            valid = f"isfinite({col})" if kind is Kind.FLOAT else f"{col} IS NOT NULL"
            shown = _epoch(col, data_type) + "::DECIMAL(38, 6)" if kind is Kind.TEMPORAL else col
            top = [
                (v, int(c))
                for v, c in con.execute(
                    f"SELECT {shown}, count(*) AS n FROM t WHERE {valid} GROUP BY 1 "
                    "ORDER BY n DESC LIMIT 10"
                ).fetchall()
            ]
        quantiles = got.get("quantiles")
        return ColumnFigures(
            row_count=rows,
            null_count=int(got["nulls"]),
            nan_count=got.get("nan"),
            pos_inf_count=got.get("pinf"),
            neg_inf_count=got.get("ninf"),
            distinct_count=got.get("distinct"),
            top_values=top,
            min=_exact(got.get("min")),
            max=_exact(got.get("max")),
            sum=got.get("sum"),
            mean=got.get("mean"),
            std_dev=got.get("std"),
            quantiles=dict(zip(QUANTILES, quantiles, strict=True)) if quantiles else None,
            zero_count=got.get("zeros"),
            negative_count=got.get("neg"),
            length_min=got.get("lmin"),
            length_max=got.get("lmax"),
            length_mean=got.get("lmean"),
            empty_count=got.get("empty"),
            true_count=got.get("true"),
            false_count=got.get("false"),
            pattern_counts={p: got[f"re:{p}"] for p in PATTERNS} if "re:email" in got else None,
        )


def _exact(value: Any) -> Any:
    """DuckDB's epoch arithmetic comes back as float: keep microseconds exact."""
    return Decimal(repr(value)).quantize(Decimal("0.000001")) if isinstance(value, float) else value


def _write(tmp_path: Path, table: pa.Table) -> DataSourceConfig:
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=3)
    return DataSourceConfig(
        source_type="file",
        connection_params={"path": str(tmp_path / "t.parquet")},
        database="files",
        table="t",
    )


class TestDuckDBPushdownConformance(ConnectorConformanceTests):
    """The kit, pushdown test included, on a connector whose engine is DuckDB."""

    ordered = True

    @pytest.fixture
    def expected(self) -> pa.Table:
        return standard_table()

    @pytest.fixture
    def config(self, expected: pa.Table, tmp_path: Path) -> DataSourceConfig:
        return _write(tmp_path, expected)

    @pytest.fixture
    def bad_config(self, config: DataSourceConfig) -> DataSourceConfig:
        params = {"path": str(Path(config.connection_params["path"]).parent / "missing.parquet")}
        return config.model_copy(update={"table": "missing_table", "connection_params": params})

    @pytest.fixture
    def connector(self, config: DataSourceConfig) -> Iterator[DataConnector]:
        with DuckDBPushdownConnector(config) as built:
            yield built


def test_pushdown_profile_carries_its_queries_and_picks_pushdown_in_auto(tmp_path: Path) -> None:
    connector = DuckDBPushdownConnector(_write(tmp_path, standard_table()))
    profile = profile_table(connector, auto_full_scan_max_rows=3)
    assert profile.mode.value == "pushdown"
    assert profile.queries == [QueryStats(query_id="duckdb-1", bytes_scanned=0, engine_ms=0)]
    # what SQL cannot give is named: the histogram of every numeric column
    assert any("histogram" in n and "amount" in n for n in profile.notes)
    amount = profile.column("amount")
    assert amount is not None
    assert amount.metrics["distinct_count"].exact is False
    assert amount.metrics["distinct_count"].error_kind == "relative"
    assert amount.metrics["distinct_count"].error_bound == pytest.approx(0.046)
    assert amount.metrics["null_count"].exact


def test_all_null_and_empty_columns_agree_with_a_scan(tmp_path: Path) -> None:
    from dataprof.testing import assert_pushdown_agrees

    table = pa.table(
        {
            "nothing": pa.array([None, None, None], pa.float64()),
            "words": pa.array([None, None, None], pa.string()),
            "n": pa.array([1, 1, 2], pa.int32()),
        }
    )
    connector = DuckDBPushdownConnector(_write(tmp_path, table))
    pushed = profile_table(connector, mode="pushdown")
    assert_pushdown_agrees(pushed, profile_table(connector, mode="full", workers=1), table)
    empty = DuckDBPushdownConnector(_write(tmp_path, table.slice(0, 0)))
    assert_pushdown_agrees(
        profile_table(empty, mode="pushdown"),
        profile_table(empty, mode="full", workers=1),
        table.slice(0, 0),
    )


# -- the engine's checks on a connector's answer ------------------------------------------


class _Answering(FileConnector):
    """A connector returning whatever pushdown answer the test sets."""

    answer: PushdownResult

    def supports(self, capability: Capability) -> bool:
        return capability is Capability.SQL_PUSHDOWN or super().supports(capability)

    def profile_pushdown(self, request: PushdownRequest) -> PushdownResult:
        return self.answer


def _answering(tmp_path: Path, answer: PushdownResult) -> _Answering:
    table = pa.table({"a": pa.array([1, 2, 3]), "b": pa.array(["x", "y", None])})
    connector = _Answering(_write(tmp_path, table))
    connector.answer = answer
    return connector


def _column(name: str, rows: int, nulls: int, distinct: int) -> ColumnProfile:
    source = MetricSource.PUSHDOWN
    return ColumnProfile(
        column_name=name,
        data_type="int64",
        inferred_type="integer",
        row_count=rows,
        null_count=nulls,
        null_percentage=100.0 * nulls / rows,
        distinct_count=distinct,
        distinct_percentage=100.0 * distinct / (rows - nulls) if rows > nulls else None,
        metrics={
            "row_count": Metric(value=rows, source=source),
            "null_count": Metric(value=nulls, source=source),
            "null_percentage": Metric(value=100.0 * nulls / rows, source=source),
            "non_null_count": Metric(value=rows - nulls, source=source),
            "distinct_count": Metric(value=distinct, source=source, exact=False),
            "distinct_percentage": Metric(value=0.0, source=source, exact=False),
        },
    )


def test_clamped_counts_change_the_flat_fields_and_the_metrics_together(tmp_path: Path) -> None:
    answer = PushdownResult(row_count=3, columns=[_column("a", 5, 4, 9), _column("b", 3, 1, 2)])
    profile = profile_table(_answering(tmp_path, answer), mode="pushdown")
    a = profile.column("a")
    assert a is not None
    assert (a.row_count, a.null_count, a.distinct_count) == (3, 3, 0)
    assert a.metrics["row_count"].value == 3
    assert a.metrics["null_count"].value == 3
    assert a.metrics["null_percentage"].value == a.null_percentage == 100.0
    assert a.metrics["non_null_count"].value == 0
    assert a.metrics["distinct_count"].value == 0
    assert a.metrics["distinct_percentage"].value == a.distinct_percentage is None
    assert any("a: null count 4 clamped to 3" in n for n in profile.notes)
    b = profile.column("b")
    assert b == answer.columns[1]  # consistent already: left as it was
    assert not any(n.startswith("b:") for n in profile.notes)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["a"], "no profile for 'b'"),
        (["a", "b", "b"], "more than one profile for 'b'"),
    ],
)
def test_a_missing_or_repeated_column_is_a_connector_error(
    tmp_path: Path, columns: list[str], message: str
) -> None:
    answer = PushdownResult(row_count=3, columns=[_column(c, 3, 0, 3) for c in columns])
    connector = _answering(tmp_path, answer)
    with pytest.raises(ConnectorError, match=message) as info:
        profile_table(connector, mode="pushdown")
    assert "_Answering" in str(info.value)
    assert info.value.source == "file"


def test_long_text_from_sql_is_cut_as_a_scan_cuts_it(tmp_path: Path) -> None:
    """An engine returns whole values: min, max and top values are cut to what a scan
    shows (128 bytes, a cut max bumped, both labelled bound), digests alike."""
    from dataprof.profiling.accumulators.long_values import MAX_TEXT_BYTES
    from dataprof.testing import assert_pushdown_agrees

    values = {
        "accents": ["é" * 300 + "a"] * 3 + ["é" * 300 + "b"] * 2 + ["é" * 300 + "c"],
        "cjk": ["数" * 5_000 + "1"] * 3 + ["数" * 5_000 + "2"] * 2 + ["数" * 5_000 + "3"],
        "short": ["a"] * 3 + ["b"] * 2 + ["数" * 42 + "é"],  # 128 bytes: kept whole
    }
    table = pa.table(values)
    connector = DuckDBPushdownConnector(_write(tmp_path, table))
    pushed = profile_table(connector, mode="pushdown")
    scanned = profile_table(connector, mode="full", workers=1)
    assert_pushdown_agrees(pushed, scanned, table)
    scan = {c.column_name: c for c in scanned.columns}
    for p in pushed.columns:
        s, name = scan[p.column_name], p.column_name
        assert p.metrics["min"].source is MetricSource.PUSHDOWN
        assert (p.min_value, p.max_value) == (s.min_value, s.max_value)
        assert [t.value for t in p.top_values] == [t.value for t in s.top_values]
        shown = [p.min_value, p.max_value, *(t.value for t in p.top_values)]
        assert all(len(v.encode()) <= MAX_TEXT_BYTES for v in shown)
        long = name != "short"
        assert p.metrics["max"].exact is not long
        assert p.metrics["max"].error_kind == ("bound" if long else None)
    assert pushed.columns[2].max_value == "数" * 42 + "é"
