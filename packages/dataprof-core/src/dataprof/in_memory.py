"""``dataprof.profile(obj)``: profile data you already hold, in a notebook or a script.

The object goes through a connector like any source: a path through the ``file``
connector, anything Arrow-shaped (pyarrow, pandas, polars, a C stream) through the
``arrow`` connector. The result is a :class:`~dataprof.profiling.TableProfile`
with the single-profile anomaly rules applied (there is no history to compare
with); Jupyter shows it with ``_repr_html_``, ``to_pandas()`` gives a frame and
``dataprof.report.render_html`` a full report. pandas and polars are never imported
here: an object is recognised by its type and its Arrow interface.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataprof.profiling.models import TableProfile

__all__ = ["profile"]


def profile(
    data: Any,
    *,
    table: str | None = None,
    mode: str = "auto",
    detect: bool = True,
    **options: Any,
) -> TableProfile:
    """Profile ``data``: a pyarrow Table, RecordBatch or RecordBatchReader, a pandas or
    polars DataFrame, any object with ``__arrow_c_stream__``, or a path to files the
    ``file`` connector reads.

    ``table`` names it in the profile (default: the file's stem, or ``dataframe``);
    ``mode`` and ``options`` are :func:`dataprof.profiling.profile_table`'s
    (``columns``, ``sample_size``, ``metrics``...). A RecordBatchReader can be read
    once, so ``auto`` reads it whole. ``detect`` runs the single-profile anomaly rules.
    """
    from dataprof.anomalies import detect_anomalies
    from dataprof.config import DataSourceConfig
    from dataprof.connectors.arrow import ArrowConnector, InMemoryData
    from dataprof.profiling import profile_table
    from dataprof.registry import get_connector

    if isinstance(data, str | os.PathLike):
        path = os.fspath(data)
        name = table or os.path.splitext(os.path.basename(path.rstrip("/")))[0] or "files"
        config = DataSourceConfig(
            source_type="file", connection_params={"path": path}, database="", table=name
        )
    else:
        config = DataSourceConfig(
            source_type="arrow",
            connection_params={"data": InMemoryData(data=data)},
            database="",
            table=table or "dataframe",
        )
    with get_connector(config) as connector:
        if mode == "auto" and isinstance(connector, ArrowConnector) and connector.one_shot:
            mode = "full"
        result = profile_table(connector, mode=mode, **options)
    if detect:
        result = result.model_copy(update={"anomalies": detect_anomalies(result)})
    return result
