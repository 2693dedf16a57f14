"""Untrusted bytes: profile states and stored sketches that were damaged or crafted.

A damaged KLL sketch used to crash the process inside DataSketches (segfault, heap
corruption, hang), so the fuzz test runs the native calls in a child process: a
crash there fails this test instead of killing pytest.
"""

from __future__ import annotations

import base64
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import datasketches
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataprof.anomalies.stored_sketches import load_kll
from dataprof.errors import ConfigurationError
from dataprof.profiling import ProfileState, TableProfile, finalize, profile_batches
from dataprof.profiling.sketch_checks import (
    DamagedSketchError,
    checked_frequent_strings,
    checked_hll,
    checked_kll,
)

FUZZ = Path(__file__).with_name("fuzz_native.py")
MAGIC = b"DPSTATE1"


def a_state() -> ProfileState:
    table = pa.table({"i": list(range(500)), "s": [f"v{i % 7}" for i in range(500)]})
    return profile_batches(table.to_batches(), table.schema, column_metrics=[])


def kll_bytes(n: int, seed: int = 0) -> bytes:
    sketch = datasketches.kll_doubles_sketch(200)
    if n:
        sketch.update(np.random.default_rng(seed).normal(size=n))
    return bytes(sketch.serialize())


def pickled(state: Any) -> bytes:
    return MAGIC + pickle.dumps(state)


def _fields() -> dict[str, Any]:
    state = dict(a_state().__dict__)
    state["column_metrics"] = []
    return state


def _with(**changes: Any) -> bytes:
    return pickled({**_fields(), **changes})


def _column_with(**changes: Any) -> bytes:
    fields = _fields()
    acc = fields["columns"]["i"]
    vars(acc).update(changes)
    return pickled(fields)


MALFORMED: dict[str, Any] = {
    "empty": b"",
    "header only": MAGIC,
    "wrong header": b"DPSTATE9" + a_state().to_bytes()[8:],
    "text": "DPSTATE1 not bytes",
    "truncated": a_state().to_bytes()[:300],
    "an int": pickled(3),
    "a list": pickled([1, 2]),
    "a dict without the fields": pickled({"row_count": 1}),
    "no column_metrics": pickled({k: v for k, v in _fields().items() if k != "column_metrics"}),
    "extra field": _with(extra=1),
    "columns a list": _with(columns=[]),
    "row_count text": _with(row_count="3"),
    "row_count negative": _with(row_count=-1),
    "row_count bool": _with(row_count=True),
    "schema garbage": _with(schema_bytes=b"\x00" * 40),
    "metric names not text": _with(column_metrics=[3]),
    "column not an accumulator": _with(columns={"i": {"rows": 3}}),
    "column keyed by int": _with(columns={3: _fields()["columns"]["i"]}),
    "field_ids keyed by int": _with(field_ids={1: 1}),
    "accumulator renamed": _column_with(name="other"),
    "accumulator rows text": _column_with(rows="many"),
    "accumulator nulls above rows": _column_with(nulls=10**9),
    "accumulator missing attribute": pickled(
        {
            **_fields(),
            "columns": {
                "i": type(_fields()["columns"]["i"]).__new__(type(_fields()["columns"]["i"]))
            },
        }
    ),
    "accumulator type bytes garbage": _column_with(type_bytes=b"\x01\x02"),
    "forbidden class": MAGIC + b"cos\nsystem\n(S'true'\ntR.",
    "damaged KLL inside": b"",  # filled in below: needs the state's own sketch bytes
}


def _state_with_a_lying_kll() -> bytes:
    state = a_state()
    good = bytes(state.columns["i"].kll.sketch.serialize())  # type: ignore[attr-defined]
    lie = bytearray(good)
    struct.pack_into("<Q", lie, 8, 2**40)  # n
    data = state.to_bytes()
    assert data.count(good) == 1
    return data.replace(good, bytes(lie))


MALFORMED["damaged KLL inside"] = _state_with_a_lying_kll()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_state_raises_one_clear_error(name: str) -> None:
    with pytest.raises(ConfigurationError, match="Not a readable dataprof profile state") as err:
        ProfileState.from_bytes(MALFORMED[name], column_metrics=[])
    assert err.value.hint is not None
    assert "to_bytes" in err.value.hint


def test_a_good_state_still_round_trips() -> None:
    state = a_state()
    again = ProfileState.from_bytes(state.to_bytes(), column_metrics=[])
    assert finalize(again).columns == finalize(state).columns


def _kll_header_lies() -> dict[str, bytes]:
    """One-field lies in a full KLL sketch's header; each crashed or hung DataSketches."""
    good = kll_bytes(5000)
    num_levels = good[18]
    lies = {}
    for name, offset, fmt, value in [
        ("n too large", 8, "<Q", 2**40),
        ("n too small", 8, "<Q", 3),
        ("levels past the items", 20, "<I", 60_000),
        ("last level boundary", 20 + 4 * (num_levels - 1), "<I", 0),
        ("k", 4, "<H", 9),
        ("min_k above k", 16, "<H", 400),
    ]:
        data = bytearray(good)
        struct.pack_into(fmt, data, offset, value)
        lies[name] = bytes(data)
    lies["num_levels"] = good[:18] + bytes([60]) + good[19:]
    lies["truncated"] = good[:-8]
    lies["longer"] = good + b"\x00" * 8
    lies["NaN item"] = good[:-8] + struct.pack("<d", float("nan"))
    lies["single item flag on a full sketch"] = good[:3] + bytes([4]) + good[4:]
    return lies


@pytest.mark.parametrize("lie", sorted(_kll_header_lies()))
def test_kll_bytes_whose_header_lies_are_refused(lie: str) -> None:
    with pytest.raises(DamagedSketchError):
        checked_kll(_kll_header_lies()[lie])


@given(n=st.integers(0, 200_000), seed=st.integers(0, 2**32 - 1), merges=st.integers(0, 3))
def test_every_sketch_datasketches_writes_is_accepted(n: int, seed: int, merges: int) -> None:
    sketch = datasketches.kll_doubles_sketch.deserialize(kll_bytes(n, seed))
    for extra in range(merges):
        sketch.merge(datasketches.kll_doubles_sketch.deserialize(kll_bytes(n // 3 + extra, seed)))
    data = bytes(sketch.serialize())
    assert bytes(checked_kll(data).serialize()) == data


def test_frequent_items_and_hll_checks() -> None:
    top = datasketches.frequent_strings_sketch(11)
    for i in range(5000):
        top.update(f"v{i % 900}", 1 + i % 3)
    data = bytes(top.serialize())
    assert checked_frequent_strings(data).total_weight == top.total_weight
    for bad in (b"", data[:7], data[:100], b"\xff" * 64):
        with pytest.raises(DamagedSketchError):
            checked_frequent_strings(bad)
    hll = datasketches.hll_sketch(14, datasketches.tgt_hll_type.HLL_8)
    for i in range(100):
        hll.update(i)
    compact = bytes(hll.serialize_compact())
    assert round(checked_hll(compact, 14).get_estimate()) == 100
    with pytest.raises(DamagedSketchError, match="lg_k"):
        checked_hll(compact, 12)


def test_a_damaged_stored_sketch_reads_as_missing() -> None:
    damaged = _kll_header_lies()["levels past the items"]
    profile = TableProfile.model_validate(
        {
            "run_id": "r",
            "source_type": "file",
            "database": "",
            "table": "t",
            "mode": "full",
            "sampled": False,
            "row_count": 1,
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:00:00Z",
            "sketches": {"a/kll": base64.b64encode(damaged).decode()},
        }
    )
    assert load_kll(profile, "a") is None


def test_fuzz_1000_mutated_states_and_stored_sketches_never_crash_the_process() -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ), "20261126", "1000"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (
        f"the fuzz process ended with {done.returncode} (negative: killed by that signal)\n"
        f"{done.stdout}\n{done.stderr[-3000:]}"
    )
    outcomes = dict(line.rsplit(": ", 1) for line in done.stdout.splitlines())
    assert sum(int(v) for v in outcomes.values()) == 1000
    assert int(outcomes.get("state refused", 0)) > 0
    assert not [o for o in outcomes if "then" in o], outcomes  # accepted states always work


def test_a_damaged_stored_sketch_is_ignored_with_a_note(tmp_path: Path) -> None:
    from dataprof.anomalies import Thresholds
    from dataprof.job import judge
    from dataprof.stores import LocalProfileStore

    table = pa.table({"x": np.random.default_rng(1).normal(size=5000)})

    def run(run_id: str) -> TableProfile:
        state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
        return finalize(state, source_type="file", table="t", run_id=run_id)

    store = LocalProfileStore(tmp_path)
    first = run("first")
    good = base64.b64decode(first.sketches["x/kll"])
    lie = bytearray(good)
    struct.pack_into("<Q", lie, 8, 2**40)  # n disagrees with the levels
    store.save_run(
        first.model_copy(
            update={"sketches": {**first.sketches, "x/kll": base64.b64encode(lie).decode()}}
        )
    )
    judged = judge(run("second"), store, Thresholds())
    assert judged.history_comparison is not None
    assert judged.history_comparison.last_run_id == "first"
    [note] = [n for n in judged.notes if "damaged" in n]
    assert "x/kll" in note
    assert "drift was not compared" in note
