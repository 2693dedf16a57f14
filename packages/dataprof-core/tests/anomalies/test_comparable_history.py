"""History compares like with like: a sample only with samples of its size, the whole table
with the whole table, a partial run only with runs that profiled its columns."""

from __future__ import annotations

from profile_builders import column, kll, normal, profile

from dataprof.anomalies import (
    Thresholds,
    compare_with_history,
    detect_anomalies,
    judge_profile,
    previous_runs,
)
from dataprof.profiling.models import ProfileMode, TableProfile


def full(run: int, rows: int = 200_000, **fields: object) -> TableProfile:
    return profile(
        column("fare", rows=rows, null_count=rows // 4, distinct_count=rows // 2, mean_value=15.0),
        run=run,
        sketches={"fare/kll": kll(normal(run, 5_000, loc=15.0))},
        schema_fields={"fare": "double"},
        **fields,
    )


def sample(run: int, size: int = 10_000, **fields: object) -> TableProfile:
    # the first rows of a sorted file: a different scale and a different distribution
    return profile(
        column("fare", rows=size, null_count=0, distinct_count=size, mean_value=1.0),
        run=run,
        mode=ProfileMode.SAMPLE,
        sampled=True,
        sample_size=size,
        row_count_exact=False,
        sketches={"fare/kll": kll(normal(run, 5_000, loc=1.0))},
        schema_fields={"fare": "double"},
        **fields,
    )


def test_a_full_run_after_a_sample_raises_no_history_anomaly() -> None:
    history = [sample(0), full(1), sample(2)]
    current = full(3)
    assert detect_anomalies(current, history, Thresholds()) == detect_anomalies(
        current, [], Thresholds()
    )
    # and the other way round: a sample after full runs is judged against the sample only
    later = sample(4)
    assert [p.run_id for p in previous_runs(later, [*history, current])] == ["run-0", "run-2"]


def test_a_sample_is_not_compared_with_a_sample_of_another_size() -> None:
    current = sample(1, size=10_000)
    assert previous_runs(current, [sample(0, size=5_000)]) == []


def test_the_profile_records_the_run_compared_and_why_others_were_skipped() -> None:
    history = [full(0), sample(1), full(2, columns_requested=["fare"])]
    judged = judge_profile(full(3), history, Thresholds())
    comparison = judged.history_comparison
    assert comparison is not None
    assert comparison.scope == "whole table"
    assert comparison.compared_run_ids == ["run-0"]
    assert comparison.last_run_id == "run-0"
    reasons = {s.run_id: s.reason for s in comparison.skipped}
    assert reasons == {
        "run-1": "a sample of 10,000 rows, this run read the whole table",
        "run-2": "partial run (columns fare), this run read every column",
    }


def test_a_column_is_added_only_when_a_whole_table_run_lacked_it() -> None:
    first = profile(
        column("trip_id"),
        column("fare_amount"),
        run=0,
        columns_requested=["trip_id", "fare_amount"],
        schema_fields={"trip_id": "int64", "fare_amount": "double"},
    )
    second = profile(
        column("driver_notes", data_type="string", inferred_type="text"),
        run=1,
        columns_requested=["driver_notes"],
        schema_fields={"driver_notes": "string"},
    )
    assert detect_anomalies(second, [first], Thresholds()) == []
    assert compare_with_history(second, [first]).skipped[0].reason == (
        "partial run that did not profile driver_notes"
    )
    whole_without = profile(column("trip_id"), run=-1, schema_fields={"trip_id": "int64"})
    found = detect_anomalies(second, [whole_without, first], Thresholds())
    assert [(a.column_name, a.anomaly_type) for a in found] == [("driver_notes", "column_added")]
