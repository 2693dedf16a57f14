"""String type inference, plugin metrics through the pluggy hook, and state bytes."""

from __future__ import annotations

import json
import pickle
import uuid
from typing import Any

import pyarrow as pa
import pytest
from engine_reference import ConnectorFactory, LongestValue

from dataprof import hookimpl
from dataprof.errors import ConfigurationError
from dataprof.hooks import get_hooks
from dataprof.profiling import (
    ProfileState,
    finalize,
    merge_states,
    profile_batches,
    profile_table,
)

N = 200


def _column(values: list[Any]) -> tuple[str, float]:
    table = pa.table({"v": pa.array(values, pa.string())})
    column = finalize(profile_batches(table.to_batches(), table.schema, column_metrics=[])).column(
        "v"
    )
    assert column is not None
    return column.inferred_type, column.metrics["inferred_match_share"].value


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([str(i - 100) for i in range(N)], "integer"),
        ([f"{i}.{i % 10}5" for i in range(N)], "decimal"),
        (["true", "false", "True", "no"] * 50, "boolean"),
        ([f"2024-01-{1 + i % 28:02d}" for i in range(N)], "date"),
        ([f"2024-01-01T10:{i % 60:02d}:00Z" for i in range(N)], "timestamp"),
        ([str(uuid.UUID(int=i)) for i in range(N)], "uuid"),
        ([f"user{i}@example.com" for i in range(N)], "email"),
        ([f"https://example.com/p/{i}" for i in range(N)], "url"),
        ([json.dumps({"k": i}) for i in range(N)], "json"),
        (["red", "green", "blue"] * 70, "categorical"),
        ([f"a sentence of words number {i} with spaces" for i in range(N)], "free_text"),
    ],
)
def test_string_content_types(values: list[str], expected: str) -> None:
    inferred, share = _column(values)
    assert inferred == expected
    assert share == 1.0


def test_match_share_counts_the_values_that_fit() -> None:
    values = [str(i) for i in range(95)] + ["n/a"] * 5
    inferred, share = _column(values)
    assert inferred == "integer"
    assert share == pytest.approx(0.95)
    _, share_text = _column([str(i) for i in range(80)] + [f"x{i}" for i in range(20)])
    assert share_text == 1.0  # below the 90% threshold it is not called integer-like


def test_inference_counts_every_value_not_the_first_batch() -> None:
    """5,000 integers followed by text: the text is counted, over every value, exactly."""
    values = [str(i) for i in range(5_000)] + ["abc", "3.5"]
    table = pa.table({"v": pa.array(values, pa.string())})
    state = profile_batches(table.to_batches(max_chunksize=1_024), table.schema, column_metrics=[])
    column = finalize(state).column("v")
    assert column is not None
    share = column.metrics["inferred_match_share"]
    assert column.inferred_type == "integer"
    assert share.value == pytest.approx(5_000 / 5_002)
    assert share.exact
    assert column.metrics["inferred_examined_count"].value == 5_002


def test_inference_beyond_exact_counts_is_a_spread_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without exact counts the share rests on values spread over every batch, and says so."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0")
    head = [str(i) for i in range(100_000)]
    tail = [f"note {i}" for i in range(100_000)]  # appended later: half the column is text
    table = pa.table({"v": pa.array(head + tail, pa.string())})
    state = profile_batches(table.to_batches(max_chunksize=65_536), table.schema, column_metrics=[])
    column = finalize(state).column("v")
    assert column is not None
    shares = column.metrics["inferred_type_shares"]
    assert not shares.exact
    assert shares.value["integer"] == pytest.approx(0.5, abs=0.05)
    examined = column.metrics["inferred_examined_count"].value
    assert 1_000 < examined < 200_000


class Plugin:
    @hookimpl
    def dataprof_column_metrics(self) -> list[Any]:
        return [LongestValue()]


def test_plugin_metrics_come_through_the_hook(parquet_connector: ConnectorFactory) -> None:
    table = pa.table({"s": ["a", "abcd", None, "ab"], "n": [1, 2, 3, 4]})
    manager = get_hooks().manager
    plugin = Plugin()
    manager.register(plugin, name="test-longest")
    try:
        profile = profile_table(parquet_connector(table), mode="full", workers=1)
    finally:
        manager.unregister(plugin)
    assert profile.column("s").metrics["longest_value"].value == 4  # type: ignore[union-attr]
    assert "longest_value" not in profile.column("n").metrics  # type: ignore[union-attr]


def test_plugin_states_merge_like_built_ins() -> None:
    table = pa.table({"s": ["a", "abcdef", "abc", None]})
    metrics = [LongestValue()]
    a = profile_batches(table.slice(0, 1).to_batches(), table.schema, column_metrics=metrics)
    b = profile_batches(table.slice(1).to_batches(), table.schema, column_metrics=metrics)
    b = ProfileState.from_bytes(b.to_bytes(), column_metrics=metrics)
    merged = finalize(merge_states(a, b))
    assert merged.column("s").metrics["longest_value"].value == 6  # type: ignore[union-attr]


def test_a_failing_plugin_does_not_fail_the_profile() -> None:
    class Broken(LongestValue):
        name = "broken"

        def update(self, state: int, values: pa.Array) -> int:
            raise ValueError("nope")

    table = pa.table({"s": ["a"]})
    profile = finalize(profile_batches(table.to_batches(), table.schema, column_metrics=[Broken()]))
    column = profile.column("s")
    assert column is not None
    assert column.supported
    assert column.metrics["broken"].value is None
    assert "nope" in str(column.metrics["broken"].error_kind)


def test_state_bytes_refuse_foreign_objects() -> None:
    evil = b"DPSTATE1" + pickle.dumps({"x": pickle.loads(pickle.dumps(print))})
    with pytest.raises(ConfigurationError, match="may not contain"):
        ProfileState.from_bytes(evil)
    with pytest.raises(ConfigurationError, match="header"):
        ProfileState.from_bytes(b"garbage")


def test_state_bytes_round_trip() -> None:
    table = pa.table({"i": [1, 2, None], "s": ["x", "y", "x"]})
    state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
    again = ProfileState.from_bytes(state.to_bytes(), column_metrics=[])
    assert finalize(again, run_id="r").model_dump(
        exclude={"started_at", "finished_at"}
    ) == finalize(state, run_id="r").model_dump(exclude={"started_at", "finished_at"})


def test_state_bytes_round_trip_every_accumulator() -> None:
    """The unpickler's allow-list names each accumulator where its module now lives."""
    import datetime as dt
    from decimal import Decimal

    table = pa.table(
        {
            "i": [1, 2],
            "f": [1.5, None],
            "d": pa.array([Decimal("1.5"), Decimal("2.5")], pa.decimal128(5, 1)),
            "t": [dt.date(2024, 1, 1), None],
            "s": ["x", "y"],
            "b": [b"x", None],
            "flag": [True, False],
            "l": [[1], []],
            "st": [{"a": 1}, None],
            "n": pa.array([None, None], pa.null()),
            "u": pa.array([None, None], pa.month_day_nano_interval()),
        }
    )
    state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
    again = ProfileState.from_bytes(state.to_bytes(), column_metrics=[])
    assert finalize(again, run_id="r").model_dump(
        exclude={"started_at", "finished_at"}
    ) == finalize(state, run_id="r").model_dump(exclude={"started_at", "finished_at"})


def test_every_metric_the_engine_emits_is_described() -> None:
    """Renderers look metric names up in METRIC_DESCRIPTIONS; none may be missing."""
    import datetime as dt
    from decimal import Decimal

    from dataprof.profiling import METRIC_DESCRIPTIONS

    table = pa.table(
        {
            "i": [1, None],
            "f": [1.5, float("nan")],
            "d": pa.array([Decimal("1.5"), None], pa.decimal128(4, 1)),
            "s": ["a", "b"],
            "b": [True, None],
            "bin": [b"x", None],
            "t": pa.array([dt.datetime(2024, 1, 1), None], pa.timestamp("us")),
            "l": [[1], None],
        }
    )
    profile = finalize(profile_batches(table.to_batches(), table.schema, column_metrics=[]))
    emitted = {name for column in profile.columns for name in column.metrics}
    assert emitted <= set(METRIC_DESCRIPTIONS), emitted - set(METRIC_DESCRIPTIONS)
