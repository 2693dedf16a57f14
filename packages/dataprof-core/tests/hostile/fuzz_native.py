"""Run by test_fuzz_native_bytes in a child process: a crash of the native sketch
library kills this process, not pytest, and the test sees the signal.

Usage: python fuzz_native.py SEED COUNT. Prints one line per kind of outcome.
"""

from __future__ import annotations

import base64
import logging
import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from dataprof.anomalies import Thresholds, detect_anomalies
from dataprof.errors import ConfigurationError
from dataprof.profiling import ProfileState, finalize, merge_states, profile_batches


def table(seed: int, rows: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return pa.table(
        {
            "i": pa.array(rng.integers(-1000, 1000, rows)),
            "f": pa.array(rng.normal(size=rows)),
            "s": pa.array([f"v{x}" for x in rng.integers(0, 20_000, rows)]),
            "t": pa.array(
                [start + timedelta(seconds=int(x)) for x in rng.integers(0, 10**6, rows)]
            ),
        }
    )


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4])):
        out[rng.randrange(len(out))] = rng.randrange(256)
    if rng.random() < 0.1:
        out = out[: rng.randrange(len(out))]
    return bytes(out)


def main(seed: int, count: int) -> None:
    logging.disable(logging.CRITICAL)  # each refused sketch logs a warning
    rng = random.Random(seed)
    small = profile_batches(table(1, 3_000).to_batches(1000), table(1, 1).schema, column_metrics=[])
    large = profile_batches(table(2, 40_000).to_batches(), table(2, 1).schema, column_metrics=[])
    states = [small.to_bytes(), large.to_bytes()]
    reference = finalize(large, run_id="ref")
    sketches = {k: base64.b64decode(v) for k, v in reference.sketches.items()}
    outcomes: Counter[str] = Counter()
    for n in range(count):
        if n % 2 == 0:
            data = mutate(rng.choice(states), rng)
            try:
                state = ProfileState.from_bytes(data, column_metrics=[])
            except ConfigurationError:
                outcomes["state refused"] += 1
                continue
            try:
                finalize(merge_states(state, small))
                outcomes["state accepted"] += 1
            except Exception as exc:  # a Python error is a bug to report, not a crash
                outcomes[f"state accepted, then {type(exc).__name__}"] += 1
        else:
            key = rng.choice(sorted(sketches))
            damaged = mutate(sketches[key], rng)
            current = reference.model_copy(
                update={
                    "run_id": "now",
                    "sketches": {**reference.sketches, key: base64.b64encode(damaged).decode()},
                }
            )
            detect_anomalies(current, [reference], Thresholds())
            detect_anomalies(reference, [current], Thresholds())
            outcomes["stored sketch"] += 1
    for outcome, times in sorted(outcomes.items()):
        print(f"{outcome}: {times}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
