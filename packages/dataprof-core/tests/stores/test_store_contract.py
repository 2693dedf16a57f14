"""What every store promises, run on each (``store`` is parametrized in conftest): exact
round trips, history order, failed runs with redacted reasons, replacement by run id,
listings across tables, and the run scope history needs to compare like with like."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from profile_builders import column, kll, normal, profile
from run_ids import rid

from dataprof.profiling.models import (
    Anomaly,
    HistoryComparison,
    Metric,
    ProfileMode,
    QueryStats,
    RunStatus,
    Severity,
    SkippedRun,
    TableProfile,
    TopValue,
)
from dataprof.redaction import remember_secret
from dataprof.stores import ProfileStore, RunNotFoundError, SourceIdentity, profile_to_json

SOURCE = SourceIdentity(source_type="file", database="db", table="t")


def rich_profile(run: int = 0) -> TableProfile:
    return profile(
        column(
            "ts",
            data_type="timestamp[us, tz=UTC]",
            min_value=datetime(2020, 1, 1, tzinfo=UTC),
            max_value=datetime(2021, 1, 1, 12, 30, 15, 123456, tzinfo=UTC),
            median_value=date(2020, 6, 1),
            metrics={
                "nan_count": Metric(value=float("nan"), exact=False, error_bound=0.1),
                "tiny": Metric(value=1e-300, error_bound=1e16),
                "negative_zero": Metric(value=-0.0),
            },
            mean_value=-0.0,
            std_dev=float("inf"),
            null_percentage=12.5,
        ),
        column(
            "amount",
            data_type="decimal(10,2)",
            min_value=Decimal("-1.50"),
            max_value=Decimal("1e6"),
            mean_value=1e16,
            median_value=2**80,
            top_values=[TopValue(value=b"\x00\xff", count=3, count_error=1)],
        ),
        run_id=rid(run),
        run=run,
        sketches={"amount/kll": kll(normal(1, 100)), "a/first-but-later": "x"},
        anomalies=[
            Anomaly(
                column_name="amount",
                anomaly_type="outliers",
                severity=Severity.LOW,
                description="x",
                observed_value=float("inf"),
                threshold={"lower": -1.0, "upper": (1, 2)},
                metadata={"zeta": 1, "$dataprof": "not a tag", "v": {3: "int key"}, "alpha": 2},
            ),
            Anomaly(
                column_name=None, anomaly_type="row_count", severity=Severity.HIGH, description="y"
            ),
        ],
        schema_fields={"ts": "timestamp[us, tz=UTC]", "amount": "decimal(10,2)"},
        field_ids={"ts": 1, "amount": 2},
        snapshot_id=2**62,
        notes=["mode auto chose full"],
        queries=[QueryStats(query_id="q-1", bytes_scanned=2**40, engine_ms=12)],
    )


def test_round_trip_is_exact(store: ProfileStore) -> None:
    original = rich_profile()
    store.save_run(original)
    loaded = store.get_run(rid(0))
    # NaN is never equal to itself, so compare the encodings, then everything else directly.
    assert profile_to_json(loaded) == profile_to_json(original)
    ts, amount = loaded.columns
    assert ts.max_value == datetime(2021, 1, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert ts.median_value == date(2020, 6, 1)
    assert amount.min_value == Decimal("-1.50")
    assert amount.top_values[0].value == b"\x00\xff"
    assert loaded.anomalies[0].threshold == {"lower": -1.0, "upper": (1, 2)}
    assert list(loaded.anomalies[0].metadata) == ["zeta", "$dataprof", "v", "alpha"]
    assert list(loaded.sketches) == ["amount/kll", "a/first-but-later"]
    assert loaded.sketches == original.sketches
    assert loaded.queries == original.queries


def test_history_newest_first_and_latest(store: ProfileStore) -> None:
    for run in (2, 0, 1):
        store.save_run(profile(column("a"), run=run, run_id=rid(run), rows=100 + run))
    store.record_failed_run(
        SOURCE, run_id=rid(9), error="boom", started_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert [p.run_id for p in store.history(SOURCE)] == [rid(2), rid(1), rid(0)]
    assert [p.run_id for p in store.history(SOURCE, limit=2)] == [rid(2), rid(1)]
    assert next(p.run_id for p in store.history(SOURCE, include_failed=True)) == rid(9)
    latest = store.latest(SOURCE)
    assert latest is not None
    assert latest.row_count == 102
    other = SourceIdentity(source_type="file", database="db", table="other")
    assert store.history(other) == []
    assert store.latest(other) is None
    assert store.list_runs(other) == []


def test_each_run_reads_the_history_one_run_at_a_time(store: ProfileStore) -> None:
    """What detection streams: the runs history gives, in its order, one by one."""
    for run in (2, 0, 1):
        store.save_run(profile(column("a"), run=run, run_id=rid(run), rows=100 + run))
    runs = store.each_run(SOURCE, limit=2)
    first = next(runs)
    assert first == store.history(SOURCE, limit=1)[0]
    assert [p.run_id for p in runs] == [rid(1)]
    assert [p.run_id for p in store.each_run(SOURCE)] == [rid(2), rid(1), rid(0)]
    store.record_failed_run(
        SOURCE, run_id=rid(9), error="boom", started_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert [p.run_id for p in store.each_run(SOURCE)] == [rid(2), rid(1), rid(0)]
    everything = store.each_run(SOURCE, include_failed=True)
    assert [p.run_id for p in everything] == [rid(9), rid(2), rid(1), rid(0)]


def test_failed_run_is_kept_with_a_redacted_reason(store: ProfileStore) -> None:
    remember_secret("hunter2-secret-value")
    stored = store.record_failed_run(
        SOURCE,
        run_id=rid(1),
        error="login failed for postgresql://bob:pw123@db/x with hunter2-secret-value",
        mode=ProfileMode.FULL,
    )
    assert stored.status is RunStatus.FAILED
    [summary] = store.list_runs(SOURCE)
    assert summary.status is RunStatus.FAILED
    assert summary.error is not None
    assert "login failed" in summary.error
    for secret in ("hunter2-secret-value", "pw123"):
        assert secret not in summary.error
    again = store.get_run(rid(1))
    assert again == stored
    assert store.list_runs(SOURCE, include_failed=False) == []


def test_saving_a_run_again_replaces_it(store: ProfileStore) -> None:
    store.save_run(profile(column("a"), column("b"), run_id=rid(0), rows=1))
    store.save_run(profile(column("a"), run_id=rid(0), rows=2))
    assert [(s.row_count, s.column_count) for s in store.list_runs()] == [(2, 1)]
    assert [c.column_name for c in store.get_run(rid(0)).columns] == ["a"]


def test_list_runs_across_tables_and_anomaly_counts(store: ProfileStore) -> None:
    store.save_run(rich_profile(0))
    store.save_run(profile(column("a"), run=1, run_id=rid(1), table="other"))
    runs = store.list_runs()
    assert [(r.run_id, r.source.table) for r in runs] == [(rid(1), "other"), (rid(0), "t")]
    assert runs[1].anomaly_counts == {"low": 1, "high": 1}
    assert runs[1].column_count == 2
    assert runs[1].snapshot_id == 2**62
    assert [r.run_id for r in store.list_runs(limit=1)] == [rid(1)]


def test_unknown_run(store: ProfileStore) -> None:
    with pytest.raises(RunNotFoundError, match=rid(404)):
        store.get_run(rid(404))


def test_columns_keep_their_order(store: ProfileStore) -> None:
    names = ["z", "a", "m", "b", "y"] * 3
    names = [f"{n}{i}" for i, n in enumerate(names)]
    store.save_run(profile(*[column(n) for n in names], run_id=rid(0)))
    assert [c.column_name for c in store.get_run(rid(0)).columns] == names


def test_run_scope_metadata_round_trips_and_reaches_listings(store: ProfileStore) -> None:
    """Mode, sample size, seed, requested columns and the history comparison are kept, so
    history can compare like with like after a reload (every store must keep them)."""
    sampled = profile(
        column("c"),
        run=1,
        run_id=rid(1),
        mode=ProfileMode.SAMPLE,
        sampled=True,
        sample_size=10_000,
        sample_seed=7,
        columns_requested=["c"],
        history_comparison=HistoryComparison(
            scope="sample of 10,000 rows, columns c",
            skipped=[SkippedRun(run_id=rid(0), reason="whole table, not a sample")],
        ),
    )
    store.save_run(sampled)
    again = store.get_run(sampled.run_id)
    assert again == sampled
    assert again.scope == "sample of 10,000 rows, columns c"
    (summary,) = store.list_runs(SOURCE)
    assert summary.mode is ProfileMode.SAMPLE
    assert summary.scope == "sample of 10,000 rows, columns c"
    (from_history,) = store.history(SOURCE)
    assert from_history == sampled
