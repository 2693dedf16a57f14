"""Drift from real sketches: KS between KLL sketches, churn of top values."""

from __future__ import annotations

import base64
from typing import Any

import datasketches
import numpy as np
import pytest
from profile_builders import column, kll, normal, profile, top

from dataprof.anomalies import (
    DistributionDriftDetector,
    Thresholds,
    TopValuesChurnDetector,
    jaccard_distance,
    ks_statistic,
)
from dataprof.profiling.models import Severity, TableProfile, TopValue


def sketch(values: np.ndarray) -> Any:
    return datasketches.kll_doubles_sketch.deserialize(base64.b64decode(kll(values)))


def test_ks_statistic_same_vs_shifted() -> None:
    same = ks_statistic(sketch(normal(1)), sketch(normal(2)))
    shifted = ks_statistic(sketch(normal(1)), sketch(normal(3, loc=1.0)))
    assert same < 0.05
    # Two unit normals one deviation apart: the CDFs differ by 2*Phi(0.5)-1 = 0.383 at most.
    assert shifted == pytest.approx(0.383, abs=0.04)


def test_ks_statistic_disjoint_and_identical() -> None:
    a = sketch(np.arange(1000, dtype=float))
    assert ks_statistic(a, a) == 0.0
    assert ks_statistic(a, sketch(np.arange(5000, 6000, dtype=float))) == pytest.approx(1.0)


def drift_profiles(
    seed_before: int, seed_after: int, loc: float
) -> tuple[TableProfile, TableProfile]:
    before = profile(
        column("x", data_type="double", rows=20_000),
        run=0,
        sketches={"x/kll": kll(normal(seed_before))},
    )
    after = profile(
        column("x", data_type="double", rows=20_000),
        run=1,
        sketches={"x/kll": kll(normal(seed_after, loc=loc))},
    )
    return before, after


def test_drift_detector_fires_on_a_shift_only() -> None:
    before, same = drift_profiles(1, 2, 0.0)
    assert DistributionDriftDetector().detect(same, [before], Thresholds()) == []
    # 0.75 deviations apart: a KS statistic of 2*Phi(0.375)-1 = 0.292, 0.09 from both the
    # threshold (0.2) and twice it (0.4, high), farther than KLL's random error reaches
    # (a shift of one deviation, 0.383, came out high in one run in many).
    before, shifted = drift_profiles(1, 3, 0.75)
    found = DistributionDriftDetector().detect(shifted, [before], Thresholds())
    assert [(a.column_name, a.anomaly_type, a.severity) for a in found] == [
        ("x", "distribution_drift", Severity.MEDIUM)
    ]
    assert found[0].observed_value == pytest.approx(0.292, abs=0.04)
    assert found[0].metadata["current_median"] == pytest.approx(0.75, abs=0.1)


def test_drift_threshold_per_column() -> None:
    before, shifted = drift_profiles(1, 3, 1.0)
    loose = Thresholds.from_mapping({"columns": {"x": {"drift_ks_statistic": 0.5}}})
    assert DistributionDriftDetector().detect(shifted, [before], loose) == []


def test_small_samples_need_the_significance_test_too() -> None:
    # 20 values each: a gap of 0.3 is what chance produces; the KS test does not reject.
    before = profile(
        column("x", data_type="double", rows=20), run=0, sketches={"x/kll": kll(normal(5, 20))}
    )
    after = profile(
        column("x", data_type="double", rows=20),
        run=1,
        sketches={"x/kll": kll(normal(6, 20, loc=0.3))},
    )
    thresholds = Thresholds.from_mapping({"drift_ks_statistic": 0.05})
    assert (
        ks_statistic(*(sketch(normal(s, 20, loc=shift)) for s, shift in ((5, 0.0), (6, 0.3))))
        > 0.05
    )
    assert DistributionDriftDetector().detect(after, [before], thresholds) == []


def test_missing_or_broken_sketches_are_skipped() -> None:
    before = profile(column("x", data_type="double"), run=0, sketches={"x/kll": "not base64!"})
    after = profile(column("x", data_type="double"), run=1, sketches={"x/kll": kll(normal(1))})
    assert DistributionDriftDetector().detect(after, [before], Thresholds()) == []


def test_jaccard_distance() -> None:
    assert jaccard_distance(set(), set()) == 0.0
    assert jaccard_distance({"a", "b"}, {"a", "b"}) == 0.0
    assert jaccard_distance({"a", "b"}, {"b", "c"}) == pytest.approx(2 / 3)
    assert jaccard_distance({"a"}, {"b"}) == 1.0


def categorical(run: int, values: list[str]) -> TableProfile:
    return profile(
        column("country", data_type="string", rows=len(values), distinct_count=len(set(values))),
        run=run,
        sketches={"country/top": top(values)},
    )


def test_top_values_churn_from_frequent_items_sketches() -> None:
    rng = np.random.default_rng(0)
    old = [str(v) for v in rng.choice(["FR", "DE", "ES", "IT", "NL"], 5000)]
    same = [str(v) for v in rng.choice(["FR", "DE", "ES", "IT", "NL"], 5000)]
    new = [str(v) for v in rng.choice(["FR", "US", "CA", "MX", "BR"], 5000)]
    before = categorical(0, old)
    assert TopValuesChurnDetector().detect(categorical(1, same), [before], Thresholds()) == []
    found = TopValuesChurnDetector().detect(categorical(1, new), [before], Thresholds())
    assert [(a.column_name, a.anomaly_type) for a in found] == [("country", "top_values_churn")]
    assert found[0].observed_value == pytest.approx(1 - 1 / 9)
    assert found[0].severity is Severity.MEDIUM
    assert found[0].metadata["added"] == ["BR", "CA", "MX", "US"]


def test_top_values_churn_falls_back_to_top_values_and_skips_unique_columns() -> None:
    def p(run: int, values: list[str], distinct: int) -> TableProfile:
        return profile(
            column(
                "code",
                data_type="string",
                distinct_count=distinct,
                top_values=[TopValue(value=v, count=10 - i) for i, v in enumerate(values)],
            ),
            run=run,
        )

    before, after = p(0, ["a", "b", "c"], 3), p(1, ["x", "y", "z"], 3)
    assert len(TopValuesChurnDetector().detect(after, [before], Thresholds())) == 1
    unique_before, unique_after = p(0, ["a", "b", "c"], 100), p(1, ["x", "y", "z"], 100)
    assert TopValuesChurnDetector().detect(unique_after, [unique_before], Thresholds()) == []


def test_a_growing_id_sequence_is_not_drift() -> None:
    before = profile(
        column("order_id", rows=1000), run=0, sketches={"order_id/kll": kll(np.arange(1000.0))}
    )
    after = profile(
        column("order_id", rows=2000), run=1, sketches={"order_id/kll": kll(np.arange(2000.0))}
    )
    assert DistributionDriftDetector().detect(after, [before], Thresholds()) == []
    renamed = profile(
        column("sequence", rows=2000), run=1, sketches={"sequence/kll": kll(np.arange(2000.0))}
    )
    renamed_before = profile(
        column("sequence", rows=1000), run=0, sketches={"sequence/kll": kll(np.arange(1000.0))}
    )
    assert len(DistributionDriftDetector().detect(renamed, [renamed_before], Thresholds())) == 1


def test_rare_values_ranked_by_chance_are_not_churn() -> None:
    """Coordinates: 3,000 values about ten times each; the "top ten" are ties, so two
    samples of the same distribution rank different values first."""
    rng = np.random.default_rng(1)
    pool = [f"{40.5 + i / 10_000:.4f}" for i in range(3000)]

    def run(index: int) -> TableProfile:
        values = [str(v) for v in rng.choice(pool, 30_000)]
        return profile(
            column("lat", data_type="string", rows=30_000, distinct_count=3000),
            run=index,
            sketches={"lat/top": top(values, lg_max_map_size=12)},
        )

    before, after = run(0), run(1)
    assert TopValuesChurnDetector().detect(after, [before], Thresholds()) == []
    # with the frequency floor removed the same pair is flagged: the floor is what decides
    no_floor = Thresholds.from_mapping({"top_values_min_share": 0})
    assert len(TopValuesChurnDetector().detect(after, [before], no_floor)) == 1
