"""Which past runs a run may be judged against: only those whose figures mean the same thing.

A figure is comparable across runs only when both runs measured the same thing:

* **Rows read.** ``full``, ``metadata`` and ``pushdown`` runs describe the whole
  table (as does a sample that held every row); a sample describes ``N`` rows of
  it. Whole-table runs are compared with each other; a sample only with samples of
  the same size, whose counts, shares and distinct counts have the same scale and
  the same sampling error. Comparing a 10,000-row sample with a full scan reads
  as "row count rose +1900%" when nothing changed.
* **Columns read.** A whole-table run is never judged against a partial
  (``--columns``) one, whose missing columns would read as dropped. A partial run
  is judged against past runs that profiled every one of its columns (the whole
  table, or a selection including them), cut down to its own columns; a column it
  asks for is "added" only when a past run of the whole table lacked it.

:func:`compare_with_history` says which runs were used and why each other one was
not; the profile keeps that (:class:`HistoryComparison`) so a reader can tell
what a history anomaly, or the lack of one, is based on.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataprof.profiling.models import HistoryComparison, RunStatus, SkippedRun, TableProfile

__all__ = [
    "compare_with_history",
    "is_comparable",
    "last_run",
    "previous_runs",
    "requested_columns",
]


def requested_columns(profile: TableProfile) -> set[str] | None:
    """The columns a partial run was asked for, or None when it profiled them all."""
    return None if profile.columns_requested is None else set(profile.columns_requested)


def _rows_scope(profile: TableProfile) -> tuple[str, int | None]:
    return ("sample", profile.sample_size) if profile.sampled else ("whole", None)


def _columns_of(profile: TableProfile) -> set[str]:
    return set(profile.schema_fields) | {c.column_name for c in profile.columns}


def _why_not(current: TableProfile, past: TableProfile) -> str | None:
    """Why ``past`` cannot be compared with ``current``; None when it can."""
    if past.status is not RunStatus.SUCCEEDED:
        return f"the run {past.status.value}"
    if _rows_scope(past) != _rows_scope(current):
        return f"{_rows_label(past)}, this run read {_rows_label(current)}"
    wanted = requested_columns(current)
    had = requested_columns(past)
    if wanted is None and had is not None:
        return f"partial run (columns {', '.join(sorted(had))}), this run read every column"
    if wanted is not None and had is not None:
        missing = wanted - had
        if missing:
            return f"partial run that did not profile {', '.join(sorted(missing))}"
    return None


def is_comparable(current: TableProfile, past: TableProfile) -> bool:
    """Whether ``current`` is judged against ``past`` (another run, same scope, succeeded)."""
    return past.run_id != current.run_id and _why_not(current, past) is None


def _rows_label(profile: TableProfile) -> str:
    return f"a sample of {profile.sample_size:,} rows" if profile.sampled else "the whole table"


def _restricted(past: TableProfile, names: set[str]) -> TableProfile:
    return past.model_copy(
        update={
            "columns": [c for c in past.columns if c.column_name in names],
            "schema_fields": {k: v for k, v in past.schema_fields.items() if k in names},
            "field_ids": {k: v for k, v in past.field_ids.items() if k in names},
        }
    )


def _split(
    current: TableProfile, history: Sequence[TableProfile]
) -> tuple[list[TableProfile], list[SkippedRun]]:
    used: list[TableProfile] = []
    skipped: list[SkippedRun] = []
    names = _columns_of(current) if requested_columns(current) is not None else None
    for past in history:
        if past.run_id == current.run_id:
            continue
        reason = _why_not(current, past)
        if reason is not None:
            skipped.append(SkippedRun(run_id=past.run_id, reason=reason))
        else:
            used.append(past if names is None else _restricted(past, names))
    used.sort(key=lambda p: p.finished_at.timestamp())
    return used, skipped


def previous_runs(current: TableProfile, history: Sequence[TableProfile]) -> list[TableProfile]:
    """The runs to judge ``current`` against, oldest first (see the module's rules).

    History reaches detectors as the store gives it (newest first) but nothing
    relies on order; the current run is dropped should the caller have saved it."""
    return _split(current, history)[0]


def last_run(current: TableProfile, history: Sequence[TableProfile]) -> TableProfile | None:
    """The run ``current`` is compared with, as :func:`previous_runs` chooses; None if none."""
    runs = previous_runs(current, history)
    return runs[-1] if runs else None


def compare_with_history(
    current: TableProfile, history: Sequence[TableProfile]
) -> HistoryComparison:
    """Which runs of ``history`` the detectors use for ``current``, and why the rest are not."""
    used, skipped = _split(current, history)
    return HistoryComparison(
        scope=current.scope,
        compared_run_ids=[p.run_id for p in used],
        last_run_id=used[-1].run_id if used else None,
        skipped=skipped,
    )
