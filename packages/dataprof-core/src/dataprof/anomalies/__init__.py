"""Anomaly detection: rules on one profile, strategies on the table's history.

A detector is anything with a ``name`` and a ``detect(current, history,
thresholds)`` method (:class:`AnomalyDetector`). The built-ins live in modules by
concern:

* :mod:`~dataprof.anomalies.single_profile`: all/mostly null, constant columns,
  duplicate keys, outliers (IQR fences or z-score), future timestamps, text that
  is really another type;
* :mod:`~dataprof.anomalies.history`: absolute and relative change since the last
  run and a z-score against the running mean of past runs (Deequ's strategies);
* :mod:`~dataprof.anomalies.schema_changes`: columns added, dropped, renamed,
  retyped, followed by field id;
* :mod:`~dataprof.anomalies.drift`: KS statistic between stored KLL sketches and
  churn of the top values.

:func:`detect_anomalies` runs them all plus any plugin detectors
(``dataprof_anomaly_detectors`` hook) under one :class:`Thresholds`.
"""

from dataprof.anomalies.comparable import (
    compare_with_history,
    is_comparable,
    last_run,
    previous_runs,
    requested_columns,
)
from dataprof.anomalies.detector import AnomalyDetector
from dataprof.anomalies.drift import (
    DistributionDriftDetector,
    TopValuesChurnDetector,
    jaccard_distance,
    ks_statistic,
)
from dataprof.anomalies.history import HistoryZScoreDetector, MetricChangeDetector
from dataprof.anomalies.history_view import history_views, summary_view
from dataprof.anomalies.runner import (
    builtin_detectors,
    detect_anomalies,
    judge_profile,
    plugin_detectors,
    sort_anomalies,
)
from dataprof.anomalies.schema_changes import SchemaChangeDetector
from dataprof.anomalies.single_profile import (
    ConstantColumnDetector,
    DuplicateKeyDetector,
    FutureTimestampDetector,
    NullShareDetector,
    OutlierDetector,
    TypeMismatchDetector,
)
from dataprof.anomalies.thresholds import Thresholds, ThresholdValues

__all__ = [
    "AnomalyDetector",
    "ConstantColumnDetector",
    "DistributionDriftDetector",
    "DuplicateKeyDetector",
    "FutureTimestampDetector",
    "HistoryZScoreDetector",
    "MetricChangeDetector",
    "NullShareDetector",
    "OutlierDetector",
    "SchemaChangeDetector",
    "ThresholdValues",
    "Thresholds",
    "TopValuesChurnDetector",
    "TypeMismatchDetector",
    "builtin_detectors",
    "compare_with_history",
    "detect_anomalies",
    "history_views",
    "is_comparable",
    "jaccard_distance",
    "judge_profile",
    "ks_statistic",
    "last_run",
    "plugin_detectors",
    "previous_runs",
    "requested_columns",
    "sort_anomalies",
    "summary_view",
]
