"""detect_anomalies: built-ins plus plugins, sorted by severity, thresholds from config."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from profile_builders import column, profile

from dataprof import ConfigurationError, PluginError
from dataprof.anomalies import NullShareDetector, Thresholds, detect_anomalies, sort_anomalies
from dataprof.hooks import reset_hooks
from dataprof.profiling.models import Anomaly, Severity

GROUP = "dataprof.plugins"


@pytest.fixture(autouse=True)
def fresh_hooks() -> Iterator[None]:
    reset_hooks()
    yield
    reset_hooks()


def test_everything_sorted_critical_first() -> None:
    before = profile(column("id", null_count=0, distinct_count=100), column("x"), run=0, rows=100)
    after = profile(
        column("id", rows=0, null_count=0, distinct_count=0),
        column("x", rows=0, null_count=0),
        column("new", rows=0, null_count=0),
        run=1,
        rows=0,
    )
    found = detect_anomalies(after, [before])
    assert [(a.anomaly_type, a.severity) for a in found] == [
        ("row_count_change", Severity.CRITICAL),
        ("column_added", Severity.LOW),
    ]
    ranks = [a.severity.rank for a in found]
    assert ranks == sorted(ranks, reverse=True)


def test_sort_is_stable_table_level_first() -> None:
    def a(column: str | None, severity: Severity, kind: str = "k") -> Anomaly:
        return Anomaly(column_name=column, anomaly_type=kind, severity=severity, description="")

    ordered = sort_anomalies(
        [
            a("b", Severity.LOW),
            a("a", Severity.HIGH),
            a(None, Severity.HIGH),
            a("a", Severity.CRITICAL),
        ]
    )
    assert [(x.column_name, x.severity) for x in ordered] == [
        ("a", Severity.CRITICAL),
        (None, Severity.HIGH),
        ("a", Severity.HIGH),
        ("b", Severity.LOW),
    ]


def test_table_level_disabled_detector_and_type() -> None:
    p = profile(
        column("a", null_count=100), column("b", distinct_count=1, min_value=1, max_value=1)
    )
    assert {a.anomaly_type for a in detect_anomalies(p)} == {"all_null", "constant_column"}
    quiet = Thresholds.from_mapping({"disabled": ["null_share", "constant_column"]})
    assert detect_anomalies(p, thresholds=quiet) == []


def test_explicit_detectors_replace_the_builtins() -> None:
    p = profile(
        column("a", null_count=100), column("b", distinct_count=1, min_value=1, max_value=1)
    )
    found = detect_anomalies(p, detectors=[NullShareDetector()])
    assert [a.anomaly_type for a in found] == ["all_null"]


def test_thresholds_from_a_toml_table() -> None:
    text = """
    [sources.orders.thresholds]
    row_count_max_relative_change = 0.2
    disabled = ["top_values_churn"]
    [sources.orders.thresholds.columns.amount]
    outlier_iqr_multiplier = 5.0
    """
    data = tomllib.loads(text)["sources"]["orders"]["thresholds"]
    thresholds = Thresholds.from_mapping(data)
    assert thresholds.row_count_max_relative_change == 0.2
    assert thresholds.for_column("amount").outlier_iqr_multiplier == 5.0
    assert thresholds.for_column("amount").row_count_max_relative_change == 0.2
    assert thresholds.for_column("other").outlier_iqr_multiplier == 3.0
    assert not thresholds.for_column("amount").enabled("top_values_churn")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mostly_nul_share": 0.5}, "mostly_nul_share"),
        ({"mostly_null_share": 2}, "mostly_null_share"),
        ({"columns": {"amount": {"outlier_iqr_multiplier": -1}}}, "'amount'"),
        ({"columns": {"amount": {"typo": 1}}}, "typo"),
    ],
)
def test_invalid_thresholds_are_configuration_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Thresholds.from_mapping(data)


PLUGIN = """
from dataprof import hookimpl
from dataprof.profiling.models import Anomaly, Severity

class WideTable:
    name = "wide_table"
    def detect(self, current, history, thresholds):
        if len(current.columns) > 2:
            return [Anomaly(column_name=None, anomaly_type="wide_table", severity=Severity.CRITICAL,
                            description="too many columns", observed_value=len(current.columns))]
        return []

class Broken:
    name = "broken"
    def detect(self, current, history, thresholds):
        raise ZeroDivisionError("oops")

@hookimpl
def dataprof_anomaly_detectors():
    return [WideTable()] + ([Broken()] if BROKEN else [])
"""


def test_plugin_detector_runs_with_the_builtins(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-wide",
        {GROUP: {"wide": "anomaly_test_wide_detector"}},
        {"anomaly_test_wide_detector": "BROKEN = False\n" + PLUGIN},
    )
    p = profile(column("a"), column("b"), column("c", null_count=100))
    found = detect_anomalies(p)
    assert [(a.anomaly_type, a.severity) for a in found] == [
        ("wide_table", Severity.CRITICAL),
        ("all_null", Severity.HIGH),
    ]
    assert (
        detect_anomalies(p, thresholds=Thresholds(disabled=frozenset({"wide_table"})))[
            0
        ].anomaly_type
        == "all_null"
    )


def test_failing_plugin_detector_is_a_plugin_error_naming_it(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-broken",
        {GROUP: {"broken": "anomaly_test_broken_detector"}},
        {"anomaly_test_broken_detector": "BROKEN = True\n" + PLUGIN},
    )
    with pytest.raises(
        PluginError,
        match=r"'broken' \(anomaly_test_broken_detector\.Broken, plugin 'broken'\).*ZeroDivisionError: oops",
    ) as info:
        detect_anomalies(profile(column("a")))
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert "disabled" in str(info.value)
    # and the way out the hint gives works
    assert (
        detect_anomalies(
            profile(column("a")), thresholds=Thresholds(disabled=frozenset({"broken"}))
        )
        == []
    )


def test_plugin_returning_a_non_detector(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-odd",
        {GROUP: {"odd": "anomaly_test_odd_detector"}},
        {
            "anomaly_test_odd_detector": "from dataprof import hookimpl\n@hookimpl\ndef dataprof_anomaly_detectors():\n    return [42]\n"
        },
    )
    with pytest.raises(PluginError, match="int from dataprof_anomaly_detectors"):
        detect_anomalies(profile(column("a")))
