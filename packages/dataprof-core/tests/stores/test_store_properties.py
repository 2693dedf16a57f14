"""Property: whatever names and values a table holds, the local store gives back exactly
what it was given."""

from __future__ import annotations

import math
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dataprof.profiling.models import (
    Anomaly,
    ColumnProfile,
    Metric,
    ProfileMode,
    Severity,
    TableProfile,
    TopValue,
)
from dataprof.stores import LocalProfileStore, SourceIdentity, profile_from_json, profile_to_json
from dataprof.stores.codec import TAG

names = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from(
        ["", ".", "..", "../x", "a/b", "C:\\x", TAG, "v", "\x00", "\ud800", "ünï ☃", "index"]
    ),
)
timezones = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.binary(max_size=20),
    st.datetimes(timezones=timezones),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(names, inner, max_size=3),
        st.dictionaries(st.integers(), inner, max_size=2),
    ),
    max_leaves=8,
)


@st.composite
def columns(draw: st.DrawFn) -> ColumnProfile:
    rows = draw(st.integers(min_value=0, max_value=10**12))
    return ColumnProfile(
        column_name=draw(names),
        field_id=draw(st.none() | st.integers(min_value=0, max_value=2**31)),
        data_type=draw(names),
        inferred_type=draw(names),
        row_count=rows,
        null_count=draw(st.none() | st.integers(min_value=0, max_value=rows)),
        min_value=draw(values),
        max_value=draw(values),
        median_value=draw(values),
        mean_value=draw(st.none() | st.floats()),
        top_values=draw(
            st.lists(st.builds(TopValue, value=values, count=st.integers(0, 10**9)), max_size=3)
        ),
        metrics=draw(
            st.dictionaries(names, st.builds(Metric, value=values, exact=st.booleans()), max_size=3)
        ),
    )


@st.composite
def profiles(draw: st.DrawFn) -> TableProfile:
    started = draw(st.datetimes(timezones=st.just(UTC)))
    cols = draw(st.lists(columns(), max_size=4))
    return TableProfile(
        run_id=draw(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,40}\Z")),
        source_type="file",
        source_name=draw(st.none() | names),
        database=draw(names),
        table=draw(names),
        mode=draw(st.sampled_from(ProfileMode)),
        sampled=draw(st.booleans()),
        row_count=draw(st.integers(min_value=0, max_value=2**63)),
        started_at=started,
        finished_at=started,
        columns=cols,
        anomalies=draw(
            st.lists(
                st.builds(
                    Anomaly,
                    column_name=st.none() | names,
                    anomaly_type=names,
                    severity=st.sampled_from(Severity),
                    description=st.text(),
                    observed_value=values,
                    threshold=values,
                    metadata=st.dictionaries(names, values, max_size=3),
                ),
                max_size=2,
            )
        ),
        schema_fields=draw(st.dictionaries(names, names, max_size=4)),
        sketches=draw(st.dictionaries(names, st.text(max_size=20), max_size=2)),
        notes=draw(st.lists(st.text(), max_size=2)),
    )


def has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(has_nan(k) or has_nan(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(has_nan(v) for v in value)
    return False


@given(profiles())
def test_codec_round_trip(original: TableProfile) -> None:
    text = profile_to_json(original)
    text.encode("ascii")  # always writable, whatever the names hold
    loaded = profile_from_json(text)
    assert profile_to_json(loaded) == text
    if not has_nan(original.model_dump()):
        assert loaded == original


@given(profiles())
def test_store_round_trip(tmp_path_factory: Any, original: TableProfile) -> None:
    store = LocalProfileStore(Path(tmp_path_factory.mktemp("store")))
    store.save_run(original)
    loaded = store.get_run(original.run_id)
    assert profile_to_json(loaded) == profile_to_json(original)
    source = SourceIdentity.of(original)
    assert [s.run_id for s in store.list_runs(source)] == [original.run_id]
    assert [p.run_id for p in store.history(source)] == [original.run_id]
    assert store.root in (store.root / source.key).parents  # the key never escapes the root
