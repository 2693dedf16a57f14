"""The portable state format: every accumulator round-trips, anything else is refused.

States that travel between machines (fan-out tasks through S3) use
:mod:`dataprof.profiling.state_format`, never pickle. Mutation fuzzing of whole
files lives in ``tests/hostile/test_state_files.py`` (in a child process).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import struct
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from dataprof.errors import ConnectorError, StateFormatError
from dataprof.profiling import ProfileState, TableProfile, finalize, profile_batches
from dataprof.profiling.state_format import (
    FORMAT_VERSION,
    MAGIC,
    _state_classes,
    read_state,
    read_state_meta,
    write_state,
)

KEY = b"k" * 32
META = {"run_id": "r1", "item": 3, "snapshot_id": 42, "splits": [0, 1]}


def every_type_table(rows: int = 300) -> pa.Table:
    """One column per accumulator the engine has (an interval is unsupported)."""
    n = range(rows)
    return pa.table(
        {
            "i": pa.array([i if i % 7 else None for i in n], pa.int64()),
            "f": pa.array([i / 3 if i % 5 else float("nan") for i in n], pa.float64()),
            "d": pa.array([Decimal(i) / 100 for i in n], pa.decimal128(9, 2)),
            "ts": pa.array(list(n), pa.timestamp("ms", tz="UTC")),
            "s": pa.array([f"v{i % 11}" if i % 3 else "" for i in n], pa.string()),
            "bin": pa.array([bytes([i % 256]) for i in n], pa.binary()),
            "b": pa.array([i % 2 == 0 for i in n], pa.bool_()),
            "l": pa.array([[i, i + 1][: i % 3] for i in n], pa.list_(pa.int32())),
            "m": pa.array([[("k", i)] for i in n], pa.map_(pa.string(), pa.int64())),
            "st": pa.array([{"x": i, "y": str(i)} for i in n]),
            "nul": pa.nulls(rows),
            "iv": pa.array([(1, 2, 3)] * rows, pa.month_day_nano_interval()),
        }
    )


def state_of(table: pa.Table, batch: int = 64) -> ProfileState:
    return profile_batches(table.to_batches(batch), table.schema, column_metrics=[])


def comparable(profile: TableProfile) -> dict[str, Any]:
    data = profile.model_dump(mode="json")
    for key in ("run_id", "started_at", "finished_at"):
        data.pop(key)
    return data


@pytest.fixture
def sketched_counts() -> Iterator[None]:
    """An exact-count budget of zero: value counters switch to HLL + frequent items."""
    before = os.environ.get("DATAPROF_EXACT_BUDGET_MIB")
    os.environ["DATAPROF_EXACT_BUDGET_MIB"] = "0"
    yield
    if before is None:
        del os.environ["DATAPROF_EXACT_BUDGET_MIB"]
    else:
        os.environ["DATAPROF_EXACT_BUDGET_MIB"] = before


def _classes_in(value: Any, found: set[str]) -> None:
    if type(value).__name__ in _state_classes():
        found.add(type(value).__name__)
        value = value.__dict__ if hasattr(value, "__dict__") else {}
    if isinstance(value, dict):
        for item in value.values():
            _classes_in(item, found)


@pytest.mark.parametrize("counts", ["exact", "sketched"])
def test_every_accumulator_round_trips_to_the_same_profile_and_bytes(
    counts: str, request: pytest.FixtureRequest
) -> None:
    if counts == "sketched":
        request.getfixturevalue("sketched_counts")
    state = state_of(every_type_table())
    found: set[str] = set()
    _classes_in(state.columns, found)
    # a distribution summary exists only past the exact-count budget
    expected = set(_state_classes()) - ({"DistributionSummary"} if counts == "exact" else set())
    assert found == expected, "the table must exercise every state class"
    data = write_state(state, key=KEY, meta=META)
    back, meta = read_state(data, key=KEY, column_metrics=[])
    assert meta == META
    assert comparable(finalize(back)) == comparable(finalize(state))
    if counts == "exact":
        assert write_state(back, key=KEY, meta=META) == data
    # (sketches reserialize with other header flags and item order: same sketch, other bytes)
    if counts == "sketched":
        counters = [acc.counter for acc in back.columns.values() if hasattr(acc, "counter")]
        assert counters
        assert all(c.table is None and c.hll is not None for c in counters)


def test_a_read_state_merges_like_the_original() -> None:
    table = every_type_table(400)
    a, b = state_of(table.slice(0, 150)), state_of(table.slice(150))
    read_a, _ = read_state(write_state(a, key=KEY, meta={}), key=KEY, column_metrics=[])
    read_b, _ = read_state(write_state(b, key=KEY, meta={}), key=KEY, column_metrics=[])
    read_a.merge(read_b)
    a.merge(b)
    assert exact_figures(finalize(read_a)) == exact_figures(finalize(a))
    assert finalize(read_a).row_count == 400


def exact_figures(profile: TableProfile) -> dict[tuple[str, str], Any]:
    """Every exact metric (sketched ones depend on KLL's random compaction)."""
    return {
        (column.column_name, name): metric.value
        for column in profile.columns
        for name, metric in column.metrics.items()
        if metric.exact
    }


def test_reading_never_unpickles(monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_state(state_of(every_type_table(50)), key=KEY, meta=META)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    read_state(data, key=KEY, column_metrics=[])
    assert data.startswith(MAGIC)


def _resign(signed: bytes, key: bytes = KEY) -> bytes:
    return signed + hmac.new(key, signed, hashlib.sha256).digest()


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(header, meta, body) of a state file."""
    (meta_length,) = struct.unpack_from(">I", data, 10)
    meta_end = 14 + meta_length
    return data[:14], data[14:meta_end], data[meta_end + 8 : -32]


def _file(meta: bytes, body: bytes, version: int = FORMAT_VERSION) -> bytes:
    header = MAGIC + struct.pack(">HI", version, len(meta))
    return _resign(header + meta + struct.pack(">Q", len(body)) + body)


def test_refusals_are_one_clear_error() -> None:
    data = write_state(state_of(every_type_table(50)), key=KEY, meta=META)
    _, meta, body = _split(data)
    cases = {
        "another key": (data, b"other key"),
        "a flipped bit": (data[:40] + bytes([data[40] ^ 1]) + data[41:], KEY),
        "truncated": (data[:-1], KEY),
        "a pickle": (b"DPSTATE1" + pickle.dumps({"a": 1}), KEY),
        "empty": (b"", KEY),
        "unknown version": (_file(meta, body, version=FORMAT_VERSION + 1), KEY),
        "a class not allowed": (
            _file(meta, b"o" + struct.pack(">I", 9) + b"os.system" + b"N"),
            KEY,
        ),
        "meta not an object": (_file(b"[1]", body), KEY),
        "trailing bytes": (_file(meta, body + b"N"), KEY),
        "a length past the end": (_file(meta, b"l\xff\xff\xff\xff"), KEY),
        "nested too deep": (_file(meta, b"l\x00\x00\x00\x01" * 64 + b"N"), KEY),
        "fields missing": (_file(meta, b"m\x00\x00\x00\x00"), KEY),
    }
    reasons = {}
    for name, (bad, key) in cases.items():
        with pytest.raises(StateFormatError) as caught:
            read_state(bad, key=key, column_metrics=[])
        assert isinstance(caught.value, ConnectorError)
        assert "Not a usable dataprof state file" in str(caught.value), name
        reasons[name] = caught.value.reason
    assert f"format version {FORMAT_VERSION + 1}" in reasons["unknown version"]
    assert "signature" in reasons["another key"]
    assert "signature" in reasons["a flipped bit"]
    assert "os.system" in reasons["a class not allowed"]


def test_meta_is_signed_and_readable_alone() -> None:
    data = write_state(state_of(every_type_table(20)), key=KEY, meta=META)
    assert read_state_meta(data, key=KEY) == META
    header, _, body = _split(data)
    forged = json.dumps({**META, "item": 4}).encode()
    unsigned = header[:10] + struct.pack(">I", len(forged)) + forged + struct.pack(">Q", len(body))
    with pytest.raises(StateFormatError, match="signature"):
        read_state_meta(unsigned + body + data[-32:], key=KEY)


def test_a_plugin_state_that_is_not_plain_values_cannot_travel() -> None:
    state = state_of(pa.table({"i": [1, 2]}))
    state.plugin_states = {"i": {"odd": object()}}
    with pytest.raises(StateFormatError, match="plugin metric"):
        write_state(state, key=KEY, meta={})
