"""Rules on one profile: each fires when it should, stays quiet when it shouldn't,
and a column's thresholds override the table's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from profile_builders import column, kll, normal, profile

from dataprof.anomalies import (
    ConstantColumnDetector,
    DuplicateKeyDetector,
    FutureTimestampDetector,
    NullShareDetector,
    OutlierDetector,
    Thresholds,
    TypeMismatchDetector,
)
from dataprof.profiling.models import Metric, Severity, TopValue

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def types_of(anomalies: list) -> list[tuple[str | None, str, Severity]]:  # type: ignore[type-arg]
    return [(a.column_name, a.anomaly_type, a.severity) for a in anomalies]


# -- nulls -----------------------------------------------------------------------------
def test_all_null_and_mostly_null() -> None:
    p = profile(
        column("empty", null_count=100),
        column("sparse", null_count=95),
        column("fine", null_count=50),
    )
    found = NullShareDetector().detect(p, [], Thresholds())
    assert types_of(found) == [
        ("empty", "all_null", Severity.HIGH),
        ("sparse", "mostly_null", Severity.MEDIUM),
    ]
    assert found[1].observed_value == pytest.approx(0.95)
    assert found[1].threshold == 0.9


def test_column_threshold_overrides_table_for_nulls() -> None:
    p = profile(column("sparse", null_count=95), column("other", null_count=95))
    thresholds = Thresholds.from_mapping(
        {"mostly_null_share": 0.5, "columns": {"sparse": {"mostly_null_share": 0.99}}}
    )
    found = NullShareDetector().detect(p, [], thresholds)
    assert types_of(found) == [("other", "mostly_null", Severity.MEDIUM)]
    assert found[0].threshold == 0.5


def test_empty_table_and_unmeasured_nulls_never_fire() -> None:
    p = profile(column("a", rows=0, null_count=0), column("b", null_count=None))
    assert NullShareDetector().detect(p, [], Thresholds()) == []


# -- constants -------------------------------------------------------------------------
def test_constant_column() -> None:
    p = profile(
        column("status", data_type="string", distinct_count=1, min_value="ok", max_value="ok"),
        column("varied", distinct_count=7, min_value=1, max_value=9),
        column("single_row", rows=1, distinct_count=1),
        column("from_bounds", distinct_count=None, min_value=3, max_value=3),
    )
    found = ConstantColumnDetector().detect(p, [], Thresholds())
    assert types_of(found) == [
        ("status", "constant_column", Severity.LOW),
        ("from_bounds", "constant_column", Severity.LOW),
    ]
    assert "'ok'" in found[0].description


def test_disabled_per_column() -> None:
    p = profile(column("flag", distinct_count=1, min_value=0, max_value=0))
    thresholds = Thresholds.from_mapping({"columns": {"flag": {"disabled": ["constant_column"]}}})
    assert ConstantColumnDetector().detect(p, [], thresholds) == []


# -- duplicate keys --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("id", "t"),
        ("order_id", "orders"),
        ("customerId", "customers"),
        ("uuid", "t"),
        ("category_key", "shop.categories"),
        ("address.id", "t"),
    ],
)
def test_duplicates_in_a_key_named_column(name: str, table: str) -> None:
    p = profile(column(name, distinct_count=90), table=table)
    found = DuplicateKeyDetector().detect(p, [], Thresholds())
    assert types_of(found) == [(name, "duplicate_key", Severity.HIGH)]
    assert found[0].observed_value == 10


def test_references_to_other_tables_repeat_by_design() -> None:
    """``driver_id`` in ``trips`` names another table's key: repeats are expected."""
    p = profile(
        column("driver_id", distinct_count=50),
        column("customerId", distinct_count=20),
        table="trips",
    )
    assert DuplicateKeyDetector().detect(p, [], Thresholds()) == []


def test_unique_key_and_non_key_columns_are_quiet() -> None:
    p = profile(
        column("order_id", distinct_count=100),
        column("paid", distinct_count=2),  # not key-like at all
        column("valid", distinct_count=90),  # 'valid' ends in 'id' but is not a key name
        column("amount", data_type="double", distinct_count=99, inferred_type="float"),
    )
    assert DuplicateKeyDetector().detect(p, [], Thresholds()) == []


def test_nearly_unique_text_column_is_treated_as_a_key() -> None:
    p = profile(column("email", data_type="string", rows=100_000, distinct_count=99_995))
    found = DuplicateKeyDetector().detect(p, [], Thresholds())
    assert types_of(found) == [("email", "duplicate_key", Severity.MEDIUM)]
    off = Thresholds.from_mapping({"columns": {"email": {"key_distinct_share": None}}})
    assert DuplicateKeyDetector().detect(p, [], off) == []


def test_approximate_distinct_count_within_its_error_is_not_a_duplicate() -> None:
    approx = Metric(value=995, exact=False, error_bound=0.02, error_kind="relative")
    within = profile(
        column("id", rows=1000, distinct_count=995, metrics={"distinct_count": approx})
    )
    assert DuplicateKeyDetector().detect(within, [], Thresholds()) == []
    beyond = profile(
        column("id", rows=1000, distinct_count=900, metrics={"distinct_count": approx})
    )
    assert len(DuplicateKeyDetector().detect(beyond, [], Thresholds())) == 1


# -- outliers --------------------------------------------------------------------------
def test_iqr_outliers_from_the_sketch() -> None:
    bulk = list(normal(1, 5000))
    with_outliers = [*bulk, 50.0, 60.0, -40.0]
    p = profile(
        column("x", data_type="double", rows=5003, min_value=-40.0, max_value=60.0),
        column("y", data_type="double", rows=5000, min_value=min(bulk), max_value=max(bulk)),
        sketches={"x/kll": kll(with_outliers), "y/kll": kll(bulk)},
    )
    found = OutlierDetector().detect(p, [], Thresholds())
    # 60 lies about 40 IQRs past the fence: no tail reaches that far
    assert types_of(found) == [("x", "outliers", Severity.HIGH)]
    assert found[0].metadata["method"] == "iqr"
    assert found[0].metadata["scale"] == "linear"
    assert 2 <= found[0].metadata["count_min"] <= 3 <= found[0].metadata["count_max"]
    assert found[0].threshold["upper"] < 50.0


def test_iqr_multiplier_per_column() -> None:
    values = [*normal(2, 5000), 9.0]
    p = profile(
        column("x", data_type="double", rows=5001, min_value=min(values), max_value=9.0),
        sketches={"x/kll": kll(values)},
    )
    assert len(OutlierDetector().detect(p, [], Thresholds())) == 1
    wide = Thresholds.from_mapping({"columns": {"x": {"outlier_iqr_multiplier": 10}}})
    assert OutlierDetector().detect(p, [], wide) == []


def test_zscore_outliers_without_a_sketch() -> None:
    p = profile(
        column("far", data_type="int64", mean_value=10.0, std_dev=2.0, min_value=5, max_value=40),
        column("near", data_type="int64", mean_value=10.0, std_dev=2.0, min_value=5, max_value=20),
        column("text", data_type="string", mean_value=None, min_value="a", max_value="z"),
    )
    found = OutlierDetector().detect(p, [], Thresholds())
    assert types_of(found) == [("far", "outliers", Severity.LOW)]
    assert found[0].observed_value == pytest.approx(15.0)
    assert found[0].metadata["method"] == "zscore"


# -- future timestamps -----------------------------------------------------------------
def test_future_timestamps_and_dates() -> None:
    detector = FutureTimestampDetector(clock=lambda: NOW)
    p = profile(
        column("created", data_type="timestamp[us, tz=UTC]", max_value=NOW + timedelta(days=2)),
        column("far", data_type="timestamp[us]", max_value=datetime(2099, 1, 1)),
        column("skewed", data_type="timestamp[us, tz=UTC]", max_value=NOW + timedelta(seconds=60)),
        column("past", data_type="timestamp[us, tz=UTC]", max_value=NOW - timedelta(days=1)),
        column("today", data_type="date32[day]", max_value=NOW.date()),
        column("tomorrow", data_type="date32[day]", max_value=date(2026, 6, 2)),
        column("as_text", data_type="timestamp", max_value="2030-01-01T00:00:00+00:00"),
        column("not_temporal", data_type="string", max_value="2099-01-01"),
    )
    found = detector.detect(p, [], Thresholds())
    assert sorted(types_of(found)) == [
        ("as_text", "future_values", Severity.HIGH),
        ("created", "future_values", Severity.MEDIUM),
        ("far", "future_values", Severity.HIGH),
        ("tomorrow", "future_values", Severity.MEDIUM),
    ]


def test_future_values_allowed_for_an_expiry_column() -> None:
    detector = FutureTimestampDetector(clock=lambda: NOW)
    p = profile(column("expires_at", data_type="timestamp", max_value=NOW + timedelta(days=30)))
    allowed = Thresholds.from_mapping(
        {"columns": {"expires_at": {"future_tolerance_seconds": None}}}
    )
    assert detector.detect(p, [], allowed) == []


# -- text that is another type ---------------------------------------------------------
def test_text_holding_numbers_or_dates() -> None:
    share = {"inferred_match_share": Metric(value=0.97)}
    low_share = {"inferred_match_share": Metric(value=0.6)}
    p = profile(
        column("amount", data_type="string", inferred_type="float", metrics=share),
        column("day", data_type="large_string", inferred_type="date"),
        column("mixed", data_type="string", inferred_type="integer", metrics=low_share),
        column("email", data_type="string", inferred_type="email"),
        column("count", data_type="int64", inferred_type="integer"),
    )
    found = TypeMismatchDetector().detect(p, [], Thresholds())
    assert types_of(found) == [
        ("amount", "type_mismatch", Severity.LOW),
        ("day", "type_mismatch", Severity.LOW),
    ]
    assert "97.0% of the values" in found[0].description


def test_top_values_do_not_confuse_constant_rule() -> None:
    p = profile(
        column(
            "code",
            data_type="string",
            distinct_count=1,
            top_values=[TopValue(value="X", count=100)],
        )
    )
    found = ConstantColumnDetector().detect(p, [], Thresholds())
    assert found[0].metadata == {"value": "X"}


def test_a_column_allowed_to_be_empty_is_not_mostly_null_either() -> None:
    p = profile(column("optional", null_count=100))
    allowed = Thresholds.from_mapping({"columns": {"optional": {"disabled": ["all_null"]}}})
    assert NullShareDetector().detect(p, [], allowed) == []
