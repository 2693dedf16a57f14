"""History views: each past run cut to what the history detectors read finds exactly the
anomalies the whole runs find, and only the run compared with keeps its sketches."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from profile_builders import column, kll, normal, profile, top

from dataprof.anomalies import Thresholds, builtin_detectors, last_run
from dataprof.anomalies.history_view import history_views
from dataprof.profiling.models import (
    Anomaly,
    Metric,
    ProfileMode,
    RunStatus,
    TableProfile,
    TopValue,
)


def run(
    index: int, *, shift: float = 0.0, nulls: int = 10, cities: str = "abcdefghij", **fields: object
) -> TableProfile:
    """A run of a table with a numeric, a categorical and a key column, all of them
    carrying everything a stored run carries (metrics, top values, sketches)."""
    long = "x" * 120
    city_top = [TopValue(value=f"{c}{long}", count=10 - i) for i, c in enumerate(cities)]
    return profile(
        column(
            "fare",
            data_type="double",
            null_count=nulls,
            distinct_count=80,
            mean_value=15.0 + shift,
            min_value=1.0,
            max_value=99.0,
            metrics={"mean": Metric(value=15.0 + shift), "sum": Metric(value=1500.0)},
        ),
        column(
            "city",
            data_type="string",
            inferred_type="categorical",
            distinct_count=10,
            top_values=city_top,
            min_value=f"a{long}",
        ),
        column("order_id", distinct_count=100, mean_value=50.0 + index * 100),
        run=index,
        sketches={
            "fare/kll": kll(normal(index, 2_000, loc=15.0 + shift)),
            "city/top": top(f"{c}{long}" for c in cities for _ in range(3)),
            "gone/kll": kll(normal(index, 500)),
        },
        **{"schema_fields": {"fare": "double", "city": "string", "order_id": "int64"}, **fields},
    )


def findings(current: TableProfile, history: list[TableProfile]) -> list[list[Anomaly]]:
    thresholds = Thresholds(disabled=[])
    return [d.detect(current, history, thresholds) for d in builtin_detectors()]


def test_views_find_what_whole_runs_find() -> None:
    history = [run(i, nulls=10 + i % 3) for i in range(12, 0, -1)]  # newest first
    history.insert(3, run(20, mode=ProfileMode.SAMPLE, sampled=True, sample_size=50))
    current = run(
        13,
        shift=9.0,
        nulls=60,
        cities="abcdeKLMNO",
        schema_fields={"fare": "double", "city": "large_string", "order_id": "int64"},
    )
    whole = findings(current, history)
    assert {a.anomaly_type for found in whole for a in found} >= {
        "null_share_change",
        "null_share_zscore",
        "mean_change",
        "distribution_drift",
        "top_values_churn",
        "column_retyped",
    }  # every history detector has something to say
    assert findings(current, history_views(current, history)) == whole


def test_only_the_run_compared_with_keeps_top_values_and_sketches_of_this_runs_columns() -> None:
    history = [run(i) for i in range(5, 0, -1)]
    current = run(6)
    views = history_views(current, iter(history))
    assert [v.run_id for v in views] == [h.run_id for h in history]
    compared, *others = views
    assert compared.run_id == "run-5"
    assert set(compared.sketches) == {"fare/kll", "city/top"}  # not the dropped column's
    city = compared.column("city")
    assert city is not None
    assert city.top_values
    assert city.metrics == {}
    assert city.min_value is None
    for view in others:
        assert view.sketches == {}
        assert all(not c.top_values and not c.metrics for c in view.columns)
        whole = next(h for h in history if h.run_id == view.run_id)
        for before, after in zip(whole.columns, view.columns, strict=True):
            assert (before.null_count, before.distinct_count, before.mean_value) == (
                after.null_count,
                after.distinct_count,
                after.mean_value,
            )


scopes = st.sampled_from(["whole", "sample", "other sample", "partial", "failed"])


@given(
    st.lists(st.tuples(scopes, st.integers(0, 3)), max_size=8),
    st.sampled_from(["whole", "sample", "partial"]),
)
def test_the_run_compared_with_is_the_one_last_run_picks(
    past: list[tuple[str, int]], scope: str
) -> None:
    """Whatever the scopes, statuses and finish times (ties included), the view that keeps
    the sketches is the run last_run compares with."""

    def made(index: int, kind: str, finish: int) -> TableProfile:
        fields: dict[str, object] = {}
        if kind in ("sample", "other sample"):
            size = 50 if kind == "sample" else 70
            fields = {"mode": ProfileMode.SAMPLE, "sampled": True, "sample_size": size}
        elif kind == "partial":
            fields = {"columns_requested": ["fare"]}
        elif kind == "failed":
            fields = {"status": RunStatus.FAILED}
        base = run(0)
        return base.model_copy(
            update={
                "run_id": f"run-{index}",
                "finished_at": base.started_at + timedelta(minutes=finish),
                **fields,
            }
        )

    history = [made(i, kind, finish) for i, (kind, finish) in enumerate(past)]
    current = made(99, scope, 10)
    views = history_views(current, history)
    expected = last_run(current, history)
    chosen = last_run(current, views)
    assert (chosen and chosen.run_id) == (expected and expected.run_id)
    with_sketches = [v.run_id for v in views if v.sketches]
    assert with_sketches == ([expected.run_id] if expected is not None else [])
