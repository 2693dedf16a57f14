"""Past runs as the history detectors see them: what they read, and nothing else.

A stored run holds every figure, top values and sketches of every column; the
detectors that judge a run against history read a small part of it:

* of every past run: its scope and status (which runs are comparable), row count,
  schema (``schema_fields``, ``field_ids``) and per column the flat summary
  figures (counts and shares, mean, standard deviation, types, field id);
* of the run compared with (the newest comparable one, :func:`last_run`) also the
  top values and the drift sketches (``<column>/kll``, ``<column>/top``) of the
  columns this run profiled.

:func:`history_views` keeps that much of each run it is given, one run at a time,
so a caller that streams runs from a store (:meth:`ProfileStore.each_run`) holds
one whole run at a time and a small view of each other: memory that does not
follow how big past runs were. Detection itself works on views
(:func:`dataprof.anomalies.detect_anomalies` makes them), so a detector, a plugin's
too, sees the same history whether the caller loaded whole runs or views.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from dataprof.anomalies.comparable import is_comparable
from dataprof.anomalies.stored_sketches import KLL_SUFFIX, TOP_SUFFIX
from dataprof.profiling.models import TableProfile

__all__ = ["history_views", "summary_view"]

_Model = TypeVar("_Model", bound=BaseModel)


def _dropped_column_fields() -> dict[str, Any]:
    """What no history detector reads of a past column (its figures for its run only)."""
    return {
        "min_value": None,
        "max_value": None,
        "median_value": None,
        "top_values": [],
        "metrics": {},
    }


def _dropped_run_fields() -> dict[str, Any]:
    return {
        "anomalies": [],
        "sketches": {},
        "notes": [],
        "history_comparison": None,
        "queries": [],
        "error": None,
    }


_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}


def _lean_copy(model: _Model, update: dict[str, Any]) -> _Model:
    """``model.model_copy(update=update)`` in less memory, as 30 runs of 100 columns make
    3,000 column views: every view of a class shares one set of fields set (all of them;
    frozen models never change it) where each copy would hold its own, and the names and
    types every run repeats are shared (interned) rather than held once per run."""
    cls = type(model)
    fields_set = _ALL_FIELDS.setdefault(cls, set(cls.model_fields))
    values = {**model.__dict__, **update}
    for name in ("column_name", "data_type", "inferred_type"):
        if isinstance(values.get(name), str):
            values[name] = _interned(values[name])
    return cls.model_construct(_fields_set=fields_set, **values)


def _interned(text: str) -> str:
    return sys.intern(text) if type(text) is str else text


def _is_summary(past: TableProfile) -> bool:
    """Whether ``past`` holds nothing :func:`summary_view` would drop (it is a view)."""
    return not (
        past.sketches
        or past.anomalies
        or past.notes
        or past.queries
        or past.history_comparison
        or past.error
    ) and all(
        c.min_value is None
        and c.max_value is None
        and c.median_value is None
        and not c.top_values
        and not c.metrics
        for c in past.columns
    )


def _schema_of(past: TableProfile) -> dict[str, Any]:
    return {
        "schema_fields": {_interned(k): _interned(v) for k, v in past.schema_fields.items()},
        "field_ids": {_interned(k): v for k, v in past.field_ids.items()},
    }


def summary_view(past: TableProfile, *, keep_anomalies: bool = False) -> TableProfile:
    """``past`` with its scope, schema and each column's flat summary figures only (and its
    anomalies if asked: the report's trend charts mark them)."""
    if _is_summary(past):
        return past
    columns = [_lean_copy(c, _dropped_column_fields()) for c in past.columns]
    update = {**_dropped_run_fields(), **_schema_of(past), "columns": columns}
    if keep_anomalies:
        update["anomalies"] = past.anomalies
    return _lean_copy(past, update)


def _compared_view(past: TableProfile, current: TableProfile) -> TableProfile:
    """The summary plus what churn and drift read of the run compared with."""
    names = {c.column_name for c in current.columns}
    wanted = {f"{name}/{kind}" for name in names for kind in (KLL_SUFFIX, TOP_SUFFIX)}
    columns = [
        _lean_copy(
            c,
            {**_dropped_column_fields(), "top_values": c.top_values}
            if c.column_name in names
            else _dropped_column_fields(),
        )
        for c in past.columns
    ]
    sketches = {k: v for k, v in past.sketches.items() if k in wanted}
    return _lean_copy(
        past,
        {**_dropped_run_fields(), **_schema_of(past), "sketches": sketches, "columns": columns},
    )


def history_views(current: TableProfile, runs: Iterable[TableProfile]) -> list[TableProfile]:
    """Of each run in ``runs`` (in the order given) the view the detectors read.

    ``runs`` is consumed one at a time and no whole run is kept: only the run that
    :func:`last_run` will pick keeps its top values and sketches (of this run's columns).
    A view given again is kept as it is."""
    views: list[TableProfile] = []
    compared: int | None = None
    compared_finish = 0.0
    for past in runs:
        finish = past.finished_at.timestamp()
        # last_run sorts comparable runs by finish time, stably: among equal times the one
        # given later wins, hence >=.
        if is_comparable(current, past) and (compared is None or finish >= compared_finish):
            if compared is not None:
                views[compared] = summary_view(views[compared])
            compared, compared_finish = len(views), finish
            views.append(_compared_view(past, current))
        else:
            views.append(summary_view(past))
        del past  # not alive while the next run is read
    return views
