"""Run by test_fuzz_state_files in a child process: a crash of a native library
(Arrow, DataSketches) kills this process, not pytest, and the test sees the signal.

Usage: python fuzz_state_files.py SEED COUNT. Prints one line per kind of outcome.

Half the files are mutated whole (the signature must refuse them); the other half
have their body mutated and are signed again with the run's key, as a buggy task
of the run would write them, so the decoder and the checks behind the signature
meet every kind of damage too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import random
import struct
import sys
from collections import Counter

import numpy as np
import pyarrow as pa

from dataprof.errors import StateFormatError
from dataprof.profiling import finalize, merge_states, profile_batches
from dataprof.profiling.state_format import read_state, write_state

KEY = b"fuzz-run-key"


def table(seed: int, rows: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "i": pa.array(rng.integers(-1000, 1000, rows)),
            "f": pa.array(rng.normal(size=rows)),
            "s": pa.array([f"v{x}" for x in rng.integers(0, 20_000, rows)]),
            "b": pa.array(rng.integers(0, 2, rows) == 1),
            "l": pa.array([[int(x)] for x in rng.integers(0, 9, rows)]),
        }
    )


def mutate(data: bytes, rng: random.Random, start: int = 0) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4])):
        out[rng.randrange(start, len(out))] = rng.randrange(256)
    if rng.random() < 0.1:
        out = out[: rng.randrange(start, len(out))]
    return bytes(out)


def resigned_body_mutation(data: bytes, rng: random.Random) -> bytes:
    (meta_length,) = struct.unpack_from(">I", data, 10)
    body_at = 14 + meta_length + 8
    body = mutate(data[body_at:-32], rng)
    signed = data[: body_at - 8] + struct.pack(">Q", len(body)) + body
    return signed + hmac.new(KEY, signed, hashlib.sha256).digest()


def main(seed: int, count: int) -> None:
    logging.disable(logging.CRITICAL)
    rng = random.Random(seed)
    small = profile_batches(table(1, 3_000).to_batches(1000), table(1, 1).schema, column_metrics=[])
    large = profile_batches(table(2, 40_000).to_batches(), table(2, 1).schema, column_metrics=[])
    # past a tiny exact-count budget: sketches and the distribution summary travel too
    os.environ["DATAPROF_EXACT_BUDGET_MIB"] = "0.01"
    past = profile_batches(
        table(3, 20_000).to_batches(5_000), table(3, 1).schema, column_metrics=[]
    )
    del os.environ["DATAPROF_EXACT_BUDGET_MIB"]
    states = [small, large, past]
    files = [write_state(s, key=KEY, meta={"item": n}) for n, s in enumerate(states)]
    outcomes: Counter[str] = Counter()
    for n in range(count):
        original = rng.choice(files)
        data = mutate(original, rng) if n % 2 else resigned_body_mutation(original, rng)
        try:
            state, _ = read_state(data, key=KEY, column_metrics=[])
        except StateFormatError:
            outcomes["refused"] += 1
            continue
        try:
            finalize(merge_states(state, small))
            outcomes["accepted"] += 1
        except Exception as exc:  # a Python error is a bug to report, not a crash
            outcomes[f"accepted, then {type(exc).__name__}"] += 1
    for outcome, times in sorted(outcomes.items()):
        print(f"{outcome}: {times}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
