"""Running every detector over a profile: the built-ins plus plugin detectors.

Plugin detectors come from the ``dataprof_anomaly_detectors`` pluggy hook. A
plugin detector that raises stops detection with a :class:`PluginError` naming
the detector and its class, the original error chained. Failing loudly was
chosen over recording a note: a detector that silently did not run reads as a
clean bill of health, which is exactly what a CI gate (``--fail-on``) must not
produce. Built-in detectors are not wrapped: an error there is a bug in dataprof
and keeps its own traceback.

Findings are sorted by severity (critical first), then table-level before
column-level, then by column and type, so the output is stable run to run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dataprof.anomalies.comparable import compare_with_history
from dataprof.anomalies.detector import AnomalyDetector
from dataprof.anomalies.drift import DistributionDriftDetector, TopValuesChurnDetector
from dataprof.anomalies.history import HistoryZScoreDetector, MetricChangeDetector
from dataprof.anomalies.history_view import history_views
from dataprof.anomalies.schema_changes import SchemaChangeDetector
from dataprof.anomalies.single_profile import (
    ConstantColumnDetector,
    DuplicateKeyDetector,
    FutureTimestampDetector,
    NullShareDetector,
    OutlierDetector,
    TypeMismatchDetector,
)
from dataprof.anomalies.thresholds import Thresholds
from dataprof.errors import PluginError
from dataprof.profiling.models import Anomaly, TableProfile

_BUILTIN_PACKAGE = "dataprof.anomalies."

__all__ = [
    "builtin_detectors",
    "detect_anomalies",
    "judge_profile",
    "plugin_detectors",
    "sort_anomalies",
]


def builtin_detectors() -> list[AnomalyDetector]:
    """A fresh instance of every built-in detector."""
    return [
        NullShareDetector(),
        ConstantColumnDetector(),
        DuplicateKeyDetector(),
        OutlierDetector(),
        FutureTimestampDetector(),
        TypeMismatchDetector(),
        MetricChangeDetector(),
        HistoryZScoreDetector(),
        SchemaChangeDetector(),
        DistributionDriftDetector(),
        TopValuesChurnDetector(),
    ]


def plugin_detectors() -> list[AnomalyDetector]:
    """Detectors installed plugins provide, checked to have ``name`` and ``detect``."""
    from dataprof.hooks import get_hooks

    found: list[AnomalyDetector] = []
    for detector in get_hooks().anomaly_detectors():
        if not isinstance(detector, AnomalyDetector):
            raise PluginError(
                f"A plugin returned {type(detector).__module__}.{type(detector).__qualname__} "
                "from dataprof_anomaly_detectors, which has no `name` and `detect`",
                hint="return objects implementing dataprof.anomalies.AnomalyDetector",
            )
        found.append(detector)
    return found


def sort_anomalies(anomalies: Iterable[Anomaly]) -> list[Anomaly]:
    """Critical first; within a severity, table-level first, then by column and type."""
    return sorted(
        anomalies,
        key=lambda a: (
            -a.severity.rank,
            a.column_name is not None,
            a.column_name or "",
            a.anomaly_type,
        ),
    )


def detect_anomalies(
    current: TableProfile,
    history: Sequence[TableProfile] = (),
    thresholds: Thresholds | None = None,
    detectors: Sequence[AnomalyDetector] | None = None,
) -> list[Anomaly]:
    """Every anomaly in ``current``, judged alone and against ``history``.

    ``detectors`` replaces the built-ins and plugins when given (for tests, or a
    caller who wants one rule). Detectors see each past run as its view
    (:func:`~dataprof.anomalies.history_views`): what history detection reads. Detectors named in ``thresholds.disabled`` are
    skipped; per-column ``disabled`` lists are honoured by each detector.
    """
    thresholds = thresholds or Thresholds()
    # Every detector sees the same history, however the caller loaded it: views.
    history = history_views(current, history)
    chosen: list[AnomalyDetector] = (
        [*builtin_detectors(), *plugin_detectors()] if detectors is None else list(detectors)
    )
    found: list[Anomaly] = []
    for detector in chosen:
        if not thresholds.enabled(detector.name):
            continue
        if type(detector).__module__.startswith(_BUILTIN_PACKAGE):
            found.extend(detector.detect(current, history, thresholds))
        else:
            found.extend(_run_guarded(detector, current, history, thresholds))
    disabled_types = thresholds.disabled
    return sort_anomalies(a for a in found if a.anomaly_type not in disabled_types)


def judge_profile(
    current: TableProfile,
    history: Sequence[TableProfile] = (),
    thresholds: Thresholds | None = None,
    detectors: Sequence[AnomalyDetector] | None = None,
) -> TableProfile:
    """``current`` with its anomalies and the record of which past runs they were judged
    against (``history_comparison``): what a job stores and shows."""
    anomalies = detect_anomalies(current, history, thresholds, detectors)
    return current.model_copy(
        update={
            "anomalies": anomalies,
            "history_comparison": compare_with_history(current, history),
        }
    )


def _qualified(profile: TableProfile) -> str:
    return f"{profile.database}.{profile.table}" if profile.database else profile.table


def _plugin_of(detector: object) -> str | None:
    """The registered plugin (entry-point name) whose module defines ``detector``'s class."""
    from dataprof.hooks import get_hooks

    module = type(detector).__module__
    for name, plugin in get_hooks().manager.list_name_plugin():
        plugin_module = getattr(plugin, "__name__", None)
        if plugin_module and (module == plugin_module or module.startswith(plugin_module + ".")):
            return str(name)
    return None


def _run_guarded(
    detector: AnomalyDetector,
    current: TableProfile,
    history: Sequence[TableProfile],
    thresholds: Thresholds,
) -> list[Anomaly]:
    where = f"{type(detector).__module__}.{type(detector).__qualname__}"
    plugin = _plugin_of(detector)
    if plugin:
        where += f", plugin {plugin!r}"
    name = getattr(detector, "name", where)
    try:
        result = detector.detect(current, history, thresholds)
    except Exception as exc:
        raise PluginError(
            f"Anomaly detector {name!r} ({where}) failed on "
            f"{_qualified(current)}: {type(exc).__name__}: {exc}",
            source=current.source_name or current.source_type,
            table=_qualified(current),
            hint="fix or uninstall the plugin that provides it, or disable it with "
            f'thresholds.disabled = ["{name}"]; the original error is chained',
        ) from exc
    if not isinstance(result, list) or not all(isinstance(a, Anomaly) for a in result):
        raise PluginError(
            f"Anomaly detector {name!r} ({where}) returned {type(result).__name__}, "
            "not a list of dataprof.profiling.Anomaly",
            source=current.source_name or current.source_type,
            hint="make detect() return list[Anomaly]",
        )
    return result
