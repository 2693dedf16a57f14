"""Strategies against history: change since the last run and z-score against past runs."""

from __future__ import annotations

import pytest
from profile_builders import column, profile

from dataprof.anomalies import HistoryZScoreDetector, MetricChangeDetector, Thresholds
from dataprof.profiling.models import RunStatus, Severity, TableProfile


def run(
    n: int,
    rows: int,
    *,
    nulls: int = 0,
    distinct: int | None = None,
    mean: float | None = None,
    **kw: object,
) -> TableProfile:
    return profile(
        column("amount", rows=rows, null_count=nulls, distinct_count=distinct, mean_value=mean),
        run=n,
        rows=rows,
        **kw,  # type: ignore[arg-type]
    )


def kinds(found: list) -> list[tuple[str | None, str, Severity]]:  # type: ignore[type-arg]
    return [(a.column_name, a.anomaly_type, a.severity) for a in found]


def test_no_history_no_findings() -> None:
    assert MetricChangeDetector().detect(run(1, 100), [], Thresholds()) == []
    assert HistoryZScoreDetector().detect(run(1, 100), [], Thresholds()) == []


def test_row_count_relative_change() -> None:
    before = run(0, 1000)
    assert MetricChangeDetector().detect(run(1, 1400), [before], Thresholds()) == []
    found = MetricChangeDetector().detect(run(1, 1800), [before], Thresholds())
    assert kinds(found) == [(None, "row_count_change", Severity.MEDIUM)]
    assert found[0].observed_value == pytest.approx(0.8)
    assert found[0].metadata["previous"] == 1000
    assert found[0].metadata["previous_run_id"] == "run-0"
    assert "rose from 1,000 to 1,800" in found[0].description
    # four times the limit: critical
    assert (
        MetricChangeDetector().detect(run(1, 4000), [before], Thresholds())[0].severity
        is Severity.CRITICAL
    )


def test_emptied_table_is_critical() -> None:
    found = MetricChangeDetector().detect(run(1, 0), [run(0, 1000)], Thresholds())
    assert kinds(found) == [(None, "row_count_change", Severity.CRITICAL)]


def test_absolute_row_count_limit_and_relative_off() -> None:
    thresholds = Thresholds.from_mapping(
        {"row_count_max_relative_change": None, "row_count_max_absolute_change": 50}
    )
    found = MetricChangeDetector().detect(run(1, 1060), [run(0, 1000)], thresholds)
    assert kinds(found) == [(None, "row_count_change", Severity.MEDIUM)]
    assert found[0].metadata["kind"] == "absolute"
    assert MetricChangeDetector().detect(run(1, 1040), [run(0, 1000)], thresholds) == []


def test_null_share_and_distinct_share_and_mean_changes() -> None:
    before = run(0, 1000, nulls=0, distinct=500, mean=10.0)
    after = run(1, 1000, nulls=200, distinct=100, mean=30.0)
    found = MetricChangeDetector().detect(after, [before], Thresholds())
    assert sorted(kinds(found)) == [
        ("amount", "distinct_share_change", Severity.MEDIUM),
        ("amount", "mean_change", Severity.CRITICAL),
        ("amount", "null_share_change", Severity.HIGH),  # 0.2 is twice the 0.1 limit
    ]


def test_column_override_silences_one_column_only() -> None:
    before = profile(column("a", null_count=0), column("b", null_count=0), run=0)
    after = profile(column("a", null_count=30), column("b", null_count=30), run=1)
    thresholds = Thresholds.from_mapping(
        {"columns": {"a": {"null_share_max_absolute_change": 0.5}}}
    )
    assert kinds(MetricChangeDetector().detect(after, [before], thresholds)) == [
        ("b", "null_share_change", Severity.HIGH)
    ]


def test_relative_change_from_zero_is_left_to_the_absolute_limit() -> None:
    thresholds = Thresholds.from_mapping(
        {"null_share_max_absolute_change": None, "null_share_max_relative_change": 0.1}
    )
    found = MetricChangeDetector().detect(run(1, 100, nulls=5), [run(0, 100)], thresholds)
    assert found == []


def test_compares_with_the_latest_succeeded_run_whatever_the_order() -> None:
    old = run(0, 100)
    recent = run(2, 1000)
    failed = run(3, 0, status=RunStatus.FAILED, error="boom")
    found = MetricChangeDetector().detect(run(4, 1000), [failed, old, recent], Thresholds())
    assert found == []


def test_the_current_run_in_history_is_ignored() -> None:
    current = run(1, 5000)
    assert kinds(MetricChangeDetector().detect(current, [current, run(0, 1000)], Thresholds())) == [
        (None, "row_count_change", Severity.CRITICAL)
    ]


def test_zscore_against_past_runs() -> None:
    history = [run(i, rows) for i, rows in enumerate([1000, 1010, 990, 1005, 995, 1000])]
    assert HistoryZScoreDetector().detect(run(9, 1012), history, Thresholds()) == []
    found = HistoryZScoreDetector().detect(run(9, 1100), history, Thresholds())
    assert kinds(found) == [(None, "row_count_zscore", Severity.CRITICAL)]
    assert found[0].metadata["runs"] == 6
    assert found[0].observed_value > 10


def test_zscore_needs_enough_runs_and_some_spread() -> None:
    few = [run(i, rows) for i, rows in enumerate([1000, 1010, 990])]
    assert HistoryZScoreDetector().detect(run(9, 5000), few, Thresholds()) == []
    flat = [run(i, 1000) for i in range(8)]
    assert HistoryZScoreDetector().detect(run(9, 1001), flat, Thresholds()) == []
    lowered = Thresholds.from_mapping({"history_min_runs": 3})
    assert len(HistoryZScoreDetector().detect(run(9, 5000), few, lowered)) == 1


def test_columns_followed_by_field_id_across_a_rename() -> None:
    before = profile(column("amt", field_id=7, null_count=0), run=0)
    after = profile(column("amount", field_id=7, null_count=50), run=1)
    found = MetricChangeDetector().detect(after, [before], Thresholds())
    assert kinds(found) == [("amount", "null_share_change", Severity.CRITICAL)]


def test_the_mean_of_an_id_column_is_not_tracked() -> None:
    before = profile(column("order_id", mean_value=500.0), column("amount", mean_value=10.0), run=0)
    after = profile(column("order_id", mean_value=5000.0), column("amount", mean_value=10.0), run=1)
    assert MetricChangeDetector().detect(after, [before], Thresholds()) == []
