"""Property: whatever names and values a table holds, a store gives back exactly what it
was given; the PostgreSQL store refuses, naming the field, what PostgreSQL cannot hold
(NUL, lone surrogates, integers past bigint) and gives back exactly everything else."""

from __future__ import annotations

import base64
import hashlib
import math
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
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
from dataprof.stores.codec import METRIC_FIELDS, TAG

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
            st.dictionaries(
                names | st.sampled_from(sorted(METRIC_FIELDS)),
                st.builds(Metric, value=values, exact=st.booleans()),
                max_size=3,
            )
        ),
    )


@st.composite
def mirrored_columns(draw: st.DrawFn) -> ColumnProfile:
    """Columns whose metrics repeat some of their flat fields, as the engine's do (the
    stored form keeps each such value once)."""
    column = draw(columns())
    metrics = dict(column.metrics)
    for name in draw(st.lists(st.sampled_from(sorted(METRIC_FIELDS)), max_size=4)):
        value = getattr(column, METRIC_FIELDS[name])
        if name == "top_values":
            value = [t.model_dump() for t in value]
        metrics[name] = Metric(value=value, exact=draw(st.booleans()))
    return column.model_copy(update={"metrics": metrics})


def _frequent_items(items: list[tuple[str, int]]) -> str:
    import datasketches

    sketch = datasketches.frequent_strings_sketch(3)
    for item, weight in items:
        sketch.update(item.encode("utf-8", "replace").decode("utf-8"), weight)
    return base64.b64encode(sketch.serialize()).decode("ascii")


frequent_items_sketches = st.lists(
    st.tuples(st.text(max_size=12), st.integers(1, 1000)), max_size=6
).map(_frequent_items)


@st.composite
def profiles(draw: st.DrawFn) -> TableProfile:
    started = draw(st.datetimes(timezones=st.just(UTC)))
    cols = draw(st.lists(columns() | mirrored_columns(), max_size=4))
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
        sketches=draw(
            st.dictionaries(
                names | names.map(lambda name: f"{name}/top"),
                st.text(max_size=20) | frequent_items_sketches,
                max_size=2,
            )
        ),
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
    text.encode("utf-8")  # always writable, whatever the names hold (lone surrogates too)
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


# -- the PostgreSQL store ------------------------------------------------------------------
_BIGINT = 2**63 - 1


def pg_refusal(original: TableProfile) -> bool:
    """Whether PostgreSQL cannot hold something in ``original`` (text or a bigint column)."""

    def bad_text(value: Any) -> bool:
        if isinstance(value, str):
            if "\x00" in value:
                return True
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
            return False
        if isinstance(value, dict):
            return any(bad_text(k) or bad_text(v) for k, v in value.items())
        if isinstance(value, list | tuple | set | frozenset):
            return any(bad_text(v) for v in value)
        return False

    too_big = original.row_count > _BIGINT or any(
        (c.field_id or 0) > _BIGINT or c.row_count > _BIGINT for c in original.columns
    )
    return too_big or bad_text(original.model_dump())


@pytest.fixture(scope="module")
def pg_store(postgres_server: Any) -> Any:
    from dataprof.stores.postgres import PostgresProfileStore
    from dataprof.testing.profile_db import profile_template

    dsn = postgres_server.fresh_database(template=profile_template(postgres_server))
    with PostgresProfileStore(dsn) as store:
        yield store


pg_profiles = profiles().map(
    lambda p: p.model_copy(update={"run_id": hashlib.md5(p.run_id.encode()).hexdigest()})
)


@pytest.mark.postgres
@given(pg_profiles)
def test_postgres_store_round_trip_or_a_named_refusal(
    pg_store: Any, original: TableProfile
) -> None:
    from dataprof.stores import StoreError

    pg_store._connection().execute("truncate data_sources cascade")
    if pg_refusal(original):
        with pytest.raises(StoreError, match=r"holds a NUL|lone surrogate|does not fit") as info:
            pg_store.save_run(original)
        assert "PostgreSQL" in str(info.value)
        assert pg_store.list_runs() == []  # nothing half-written
        return
    pg_store.save_run(original)
    loaded = pg_store.get_run(original.run_id)
    assert profile_to_json(loaded) == profile_to_json(original)
    source = SourceIdentity.of(original)
    assert [s.run_id for s in pg_store.list_runs(source)] == [original.run_id]
    assert [profile_to_json(p) for p in pg_store.history(source)] == [profile_to_json(original)]
