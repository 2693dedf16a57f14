"""Dictionary-encoded text (a low-cardinality Parquet column read as it is stored) is
profiled from its entries' counts: every figure equals the decoded values' figures."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling import finalize, profile_batches
from dataprof.profiling.accumulators.long_values import MAX_KEY_CHARS
from dataprof.profiling.models import TableProfile
from dataprof.testing import assert_same_profile

_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", "a", "b", "12", "3.5", "true", "é€", "x" * (MAX_KEY_CHARS + 5)]),
    st.text(max_size=6),
)


def _profile(batches: list[pa.RecordBatch], schema: pa.Schema) -> TableProfile:
    """As a connector declares its schema (text) and hands batches (dictionaries)."""
    return finalize(profile_batches(batches, schema, column_metrics=[]))


def _as_dictionaries(table: pa.Table, *, shuffle: bool, chunk: int) -> list[pa.RecordBatch]:
    """Each batch's column as a dictionary array; with ``shuffle``, a dictionary with
    unused and repeated entries in another order (Arrow allows both)."""
    out = []
    for batch in table.to_batches(max_chunksize=chunk):
        encoded = batch.column(0).dictionary_encode()
        if shuffle:
            entries = encoded.dictionary.to_pylist()
            dictionary = pa.array(["unused", *reversed(entries), *entries], batch.column(0).type)
            where = {v: len(entries) - i for i, v in enumerate(entries)}
            indices = pa.array(
                [None if v is None else where[v] for v in batch.column(0).to_pylist()], pa.int32()
            )
            encoded = pa.DictionaryArray.from_arrays(indices, dictionary)
        out.append(pa.record_batch([encoded], names=["s"]))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_TEXT, min_size=1, max_size=300),
    st.booleans(),
    st.integers(1, 120),
    st.sampled_from([pa.string(), pa.large_string()]),
)
def test_dictionary_batches_profile_as_their_decoded_values(
    values: list[str | None], shuffle: bool, chunk: int, text_type: pa.DataType
) -> None:
    table = pa.table({"s": pa.array(values, text_type)})
    plain = _profile(table.to_batches(max_chunksize=chunk), table.schema)
    encoded = _profile(_as_dictionaries(table, shuffle=shuffle, chunk=chunk), table.schema)
    assert encoded.columns[0].unsupported_reason is None
    assert_same_profile(plain, encoded)


def test_past_the_budget_dictionary_text_lists_certain_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0.05")
    rng = np.random.default_rng(7)
    values = [
        f"heavy-{k}" if r < 0.05 else f"rare value {v}"
        for r, k, v in zip(
            rng.random(60_000),
            rng.integers(0, 3, 60_000),
            rng.integers(0, 10**9, 60_000),
            strict=True,
        )
    ]
    table = pa.table({"s": values})
    column = _profile(_as_dictionaries(table, shuffle=False, chunk=5_000), table.schema).columns[0]
    truth = Counter(values)
    assert not column.metrics["top_values"].exact
    assert {t.value for t in column.top_values} == {f"heavy-{k}" for k in range(3)}
    for top in column.top_values:
        assert top.count_lower is not None
        assert top.count_upper is not None
        assert top.count_lower <= truth[top.value] <= top.count_upper
    assert column.distinct_count is not None
    assert abs(column.distinct_count - len(truth)) <= 0.05 * len(truth)


def test_low_cardinality_parquet_text_is_read_as_dictionaries(
    tmp_path: pytest.TempPathFactory,
) -> None:
    """The file connector reads a Parquet text column whose every chunk is dictionary
    encoded as dictionaries, and a high-cardinality one decoded; the profile is the same
    as from the decoded table."""
    import dataprof
    from dataprof.profiling import profile_table

    rng = np.random.default_rng(1)
    table = pa.table(
        {
            "country": pa.array(rng.choice(["DE", "FR", None, "ÉÉ"], 50_000)),
            "id": pa.array([f"user-{i}" for i in rng.integers(0, 10**9, 50_000)]),
        }
    )
    path = tmp_path / "t.parquet"  # type: ignore[operator]
    pq.write_table(table, path, row_group_size=20_000)
    connector = dataprof.get_connector(
        dataprof.DataSourceConfig(
            source_type="file", connection_params={"path": str(path)}, database="d", table="t"
        )
    )
    batch = next(connector.iter_batches())
    assert pa.types.is_dictionary(batch.schema.field("country").type)
    assert not pa.types.is_dictionary(batch.schema.field("id").type)
    assert connector.get_sample_arrow(5).schema == connector.arrow_schema()
    from_file = profile_table(connector, mode="full")
    plain = _profile(table.to_batches(max_chunksize=20_000), table.schema)
    for name in ("country", "id"):
        a, b = from_file.column(name), plain.column(name)
        assert a is not None
        assert b is not None
        assert a.metrics == b.metrics
