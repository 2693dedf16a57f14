"""Outlier fences that respect skew, and severity by magnitude: clean heavy-tailed columns
raise nothing at medium or above, broken readings far past the fence rate high."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profile_builders import column, kll, profile

from dataprof.anomalies import NullShareDetector, OutlierDetector, Thresholds
from dataprof.profiling.fences import outlier_fences
from dataprof.profiling.models import Anomaly, Metric, Severity

ROWS = 200_000


def judged(
    values: np.ndarray, name: str = "x", sketch: str | None = None, **fields: object
) -> list[Anomaly]:
    p = profile(
        column(
            name,
            data_type="double",
            rows=len(values),
            min_value=float(values.min()),
            max_value=float(values.max()),
            **fields,
        ),
        sketches={f"{name}/kll": sketch or kll(values)},
    )
    return OutlierDetector().detect(p, [], Thresholds())


def heavy_tailed(seed: int) -> dict[str, np.ndarray]:
    """Clean columns of the shapes real tables hold: durations, gusts, ages, amounts, delays."""
    rng = np.random.default_rng(seed)
    return {
        "trip_seconds": rng.lognormal(6.5, 0.9, ROWS),
        "wait_minutes": rng.exponential(7.0, ROWS),
        "gust_kmh": rng.gamma(4.0, 9.0, ROWS),
        "income": (rng.pareto(2.5, ROWS) + 1) * 20_000,
        "tip_amount": np.where(rng.random(ROWS) < 0.3, 0.0, rng.lognormal(1.0, 0.7, ROWS)),
        "age": np.clip(rng.normal(41, 15, ROWS), 0, 105).round(),
        "altitude_m": rng.lognormal(5.0, 1.2, ROWS),
        # on time give or take, then a long tail of late arrivals
        "arrival_delay_min": np.where(
            rng.random(ROWS) < 0.7, rng.normal(-3, 6, ROWS), rng.exponential(25, ROWS)
        ).round(),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_clean_heavy_tails_raise_nothing_at_medium_or_above(seed: int) -> None:
    for name, values in heavy_tailed(seed).items():
        found = judged(values, name)
        assert all(a.severity is Severity.LOW for a in found), (name, found)


def test_a_log_scale_for_positive_skewed_columns() -> None:
    values = np.random.default_rng(3).lognormal(6.5, 0.9, ROWS)
    fences = outlier_fences(lambda r: float(np.quantile(values, r)), float(values.min()))
    assert fences is not None
    assert fences.scale == "log"
    # plain Tukey fences call about 2% of these ordinary values outliers
    q1, q3 = np.quantile(values, [0.25, 0.75])
    assert np.mean(values > q3 + 3 * (q3 - q1)) > 0.01
    assert np.mean(values > fences.upper) < 1e-4


def test_a_reading_far_past_the_fence_is_high_and_a_few_iqrs_medium() -> None:
    rng = np.random.default_rng(4)
    bulk = rng.normal(20.0, 2.0, ROWS)
    q1, q3 = np.quantile(bulk, [0.25, 0.75])
    iqr = q3 - q1
    impossible = np.append(bulk, q3 + 3 * iqr + 30 * iqr)  # 30 IQRs past the fence
    assert [a.severity for a in judged(impossible)] == [Severity.HIGH]
    odd = np.append(bulk, q3 + 3 * iqr + 5 * iqr)
    assert [a.severity for a in judged(odd)] == [Severity.MEDIUM]
    # a sentinel in a heavy-tailed column is still caught
    durations = np.append(rng.lognormal(6.5, 0.9, ROWS), 9.9e9)
    (found,) = judged(durations)
    assert found.severity.rank >= Severity.MEDIUM.rank
    # and a negative sentinel in a column that is otherwise never negative
    (found,) = judged(np.append(rng.gamma(4.0, 9.0, ROWS), -999.0))
    assert found.severity is Severity.HIGH


def test_the_engine_count_is_used_when_counted_at_the_same_fences() -> None:
    values = np.append(np.random.default_rng(5).normal(0, 1, 10_000), [40.0, 50.0])
    sketch = kll(values)
    (first,) = judged(values, sketch=sketch)
    fences = first.threshold
    counted = Metric(value={**fences, "count": 2}, exact=True)
    (exact,) = judged(values, sketch=sketch, metrics={"outlier_count": counted})
    assert exact.description.startswith("2 values (0.02%) outside the fences")
    assert (exact.metadata["count_min"], exact.metadata["count_max"]) == (2, 2)
    ranged = Metric(value={**fences, "count": 5}, exact=False, error_bound=3, error_kind="count")
    (between,) = judged(values, sketch=sketch, metrics={"outlier_count": ranged})
    assert between.description.startswith("Between 2 and 8 values")
    # fences that differ (another multiplier): the engine's count is not these fences' count
    other = Metric(value={"lower": -1.0, "upper": 1.0, "count": 999}, exact=True)
    (sketched,) = judged(values, sketch=sketch, metrics={"outlier_count": other})
    assert sketched.metadata["count_max"] < 999


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False),
        min_size=5,
        max_size=60,
    )
)
def test_fences_hold_the_bulk_and_distance_is_zero_inside(values: list[float]) -> None:
    data = np.array(values)
    fences = outlier_fences(lambda r: float(np.quantile(data, r)), float(data.min()))
    if fences is None:
        return
    q1, q3 = np.quantile(data, [0.25, 0.75])
    assert fences.lower <= q1 + 1e-9 * max(1.0, abs(q1))
    assert fences.upper >= q3 - 1e-9 * max(1.0, abs(q3))
    for value in (q1, q3, float(np.median(data))):
        assert fences.distance(float(value)) == 0.0
    assert math.isfinite(fences.iqr)


def test_an_all_nan_column_is_all_null() -> None:
    nan = Metric(value=100, exact=True)
    p = profile(
        column("ratio", data_type="double", rows=100, null_count=0, metrics={"nan_count": nan})
    )
    (found,) = NullShareDetector().detect(p, [], Thresholds())
    assert (found.anomaly_type, found.severity) == ("all_null", Severity.HIGH)
    assert "NaN" in found.description
