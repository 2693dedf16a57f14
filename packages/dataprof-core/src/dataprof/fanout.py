"""A full scan fanned out over work items: ``plan``, ``scan`` each item, ``merge``.

The same three calls as one process (``profile_batches`` -> ``merge_states`` ->
``finalize``), with the states passed as files under ``runs/<run_id>/`` (see
:mod:`dataprof.run_files`) so any scheduler can run the items:

* :func:`plan_run` pins the table's snapshot, plans the scan's splits and groups
  consecutive splits into work items of about ``bytes_per_task`` each, written as a
  JSON array to ``plan.json`` (each item names its run, number, snapshot and splits;
  Step Functions' Distributed Map reads the array as its items). A table smaller
  than one item gets one item.
* :func:`scan_item` profiles one item's splits and writes ``states/<N>.state`` in
  the portable state format (:mod:`dataprof.profiling.state_format`), signed with the
  run's key.
* :func:`merge_run` reads the states one at a time (a streaming merge: at most two
  states in memory, whatever the number of items), checks that they cover the plan
  exactly once and pin its snapshot, finalizes, judges against history, writes the
  profile's JSON beside the plan and saves the run. Any state missing, duplicated,
  of another snapshot or run, damaged or of an unknown version fails the merge with
  a :class:`StateFormatError` naming the item, and the run is recorded failed.

The run's key: ``$DATAPROF_RUN_SECRET`` (a secret the scheduler gives every task),
made per run with HMAC(secret, run id). Without it, ``plan`` draws a random key and
writes it beside the plan: that still refuses damaged files and states of other
runs, but not a forger who can write the run's folder.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from dataprof.connector import ScanSplit
from dataprof.errors import ConfigurationError, NotFoundError, StateFormatError

if TYPE_CHECKING:
    from dataprof.anomalies import Thresholds
    from dataprof.config import DataSourceConfig
    from dataprof.profiling.models import TableProfile
    from dataprof.run_files import RunFiles
    from dataprof.stores import ProfileStore
    from dataprof.stores.archive import ProfileArchive

__all__ = [
    "DEFAULT_BYTES_PER_TASK",
    "SECRET_ENV_VAR",
    "WorkItem",
    "group_splits",
    "merge_run",
    "plan_items",
    "execution_plan_name",
    "plan_json",
    "plan_run",
    "plan_splits_for",
    "read_plan",
    "run_key",
    "scan_item",
]

DEFAULT_BYTES_PER_TASK = 3 * 1024**3
"""Uncompressed bytes per work item: a 2 vCPU task scans a few hundred MB a minute,
so an item takes about ten minutes."""
SECRET_ENV_VAR = "DATAPROF_RUN_SECRET"
_MAX_SPLITS = 100_000


class WorkItem(BaseModel):
    """One scan task's share of a run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    item: int
    items: int
    snapshot_id: int | None
    splits: list[ScanSplit]


def _run_dir(run_id: str) -> str:
    if not run_id or not all(c.isalnum() or c in "-_" for c in run_id):
        raise ConfigurationError(
            f"Run id {run_id!r} cannot name a folder", hint="use letters, digits, - and _"
        )
    return f"runs/{run_id}"


def group_splits(splits: Sequence[ScanSplit], bytes_per_task: int) -> list[list[ScanSplit]]:
    """Consecutive splits in ``ceil(total / bytes_per_task)`` groups of about equal bytes
    (fewer when a split is larger than a group's share; always at least one group).

    Each split goes to the group its byte midpoint falls in, so groups are balanced by
    bytes whatever the sizes of the splits, rather than filled greedily (which makes
    three uneven items of a table asked for in two)."""
    if bytes_per_task < 1:
        raise ConfigurationError(f"bytes_per_task must be >= 1, got {bytes_per_task}")
    total = sum(s.estimated_bytes for s in splits)
    count = max(1, min(len(splits), -(-total // bytes_per_task)))
    groups: list[list[ScanSplit]] = [[] for _ in range(count)]
    before = 0
    for n, split in enumerate(splits):
        if total:
            middle = 2 * before + split.estimated_bytes  # twice the midpoint, in integers
            group = min(count - 1, middle * count // (2 * total))
        else:
            group = n * count // len(splits)
        groups[group].append(split)
        before += split.estimated_bytes
    return [g for g in groups if g] or [[]]


def plan_splits_for(
    config: DataSourceConfig, bytes_per_task: int = DEFAULT_BYTES_PER_TASK
) -> tuple[list[ScanSplit], int | None]:
    """The splits of a full scan of ``config``'s table, at least one per work item of
    ``bytes_per_task``, and the snapshot they pin."""
    from dataprof.connector import Capability
    from dataprof.profiling.engine import plan_scan_splits
    from dataprof.registry import get_connector

    with get_connector(config) as connector:
        splits = plan_scan_splits(connector)
        total = sum(s.estimated_bytes for s in splits)
        wanted = min(_MAX_SPLITS, -(-total // bytes_per_task))
        if connector.supports(Capability.PARALLEL_SPLITS) and wanted > len(splits):
            splits = connector.plan_splits(wanted)
        pinned = {
            int(s.payload["snapshot_id"])
            for s in splits
            if s.payload.get("snapshot_id") is not None
        }
        snapshot = connector.snapshot_id
        if pinned and pinned != {snapshot}:
            raise ConfigurationError(
                f"The table's splits pin snapshots {sorted(pinned)}, not {snapshot}",
                **connector.error_context(),
            )
    return splits, snapshot


def run_key(files: RunFiles, run_id: str, *, create: bool = False) -> bytes:
    """The key the run's states are signed with (see the module's docstring)."""
    secret = os.environ.get(SECRET_ENV_VAR)
    name = f"{_run_dir(run_id)}/state.key"
    if secret:
        return hmac.new(secret.encode(), f"dataprof-state:{run_id}".encode(), "sha256").digest()
    if create:
        key = secrets.token_bytes(32)
        files.write(name, key.hex().encode())
        return key
    try:
        return bytes.fromhex(files.read(name).decode("ascii"))
    except (NotFoundError, ValueError, UnicodeDecodeError):
        raise ConfigurationError(
            f"No key for run {run_id}",
            hint=f"set {SECRET_ENV_VAR} to the same secret for plan, scan and merge, "
            "or run `dataprof job plan` first",
        ) from None


def execution_plan_name(execution_arn: str) -> str:
    """Where the plan is also written for a workflow execution:
    ``runs/by-execution/<sha256 hex of the ARN>/plan.json``. Step Functions cannot compute
    the run id (a uuid5), but ``States.Hash($$.Execution.Id, 'SHA-256')`` gives this
    lowercase hex digest, so its Distributed Map can name the plan it reads."""
    digest = hashlib.sha256(execution_arn.encode()).hexdigest()
    return f"runs/by-execution/{digest}/plan.json"


def plan_run(
    config: DataSourceConfig,
    *,
    run_id: str,
    files: RunFiles,
    bytes_per_task: int = DEFAULT_BYTES_PER_TASK,
    store: ProfileStore | None = None,
    execution_arn: str | None = None,
) -> list[WorkItem]:
    """Plan the run's work items and write them to ``runs/<run_id>/plan.json`` (and, given
    the workflow's ``execution_arn``, to :func:`execution_plan_name` too); the run is
    marked ``running`` in ``store`` first (see :func:`dataprof.job.start`)."""
    from dataprof.job import source_identity, start
    from dataprof.profiling.models import ProfileMode

    start(
        store,
        source_identity(config),
        run_id=run_id,
        mode=ProfileMode.FULL,
        started_at=datetime.now(UTC),
    )
    items = plan_items(config, run_id=run_id, bytes_per_task=bytes_per_task)
    run_key(files, run_id, create=True)
    document = plan_json(items).encode()
    files.write(f"{_run_dir(run_id)}/plan.json", document)
    if execution_arn:
        files.write(execution_plan_name(execution_arn), document)
    return items


def plan_items(
    config: DataSourceConfig, *, run_id: str, bytes_per_task: int = DEFAULT_BYTES_PER_TASK
) -> list[WorkItem]:
    """The run's work items, written nowhere (``dataprof profile --plan-only``)."""
    if bytes_per_task < 1:
        raise ConfigurationError(f"bytes_per_task must be >= 1, got {bytes_per_task}")
    _run_dir(run_id)
    splits, snapshot = plan_splits_for(config, bytes_per_task)
    groups = group_splits(splits, bytes_per_task)
    return [
        WorkItem(run_id=run_id, item=n, items=len(groups), snapshot_id=snapshot, splits=group)
        for n, group in enumerate(groups)
    ]


def plan_json(items: Sequence[WorkItem]) -> str:
    """The plan as the JSON array ``plan.json`` holds (Step Functions' ItemReader reads it)."""
    return json.dumps([item.model_dump(mode="json") for item in items], indent=1)


def read_plan(files: RunFiles, run_id: str) -> list[WorkItem]:
    """The work items :func:`plan_run` wrote."""
    name = f"{_run_dir(run_id)}/plan.json"
    try:
        raw = json.loads(files.read(name))
        items = [WorkItem.model_validate(entry) for entry in raw]
    except NotFoundError:
        raise ConfigurationError(
            f"Run {run_id} has no plan at {files.location}/{name}",
            hint="run `dataprof job plan` first, with the same --runs and run id",
        ) from None
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"The plan {name} is not a dataprof plan: {exc}") from None
    if [i.item for i in items] != list(range(len(items))) or any(
        i.run_id != run_id or i.items != len(items) for i in items
    ):
        raise ConfigurationError(f"The plan {name} does not list run {run_id}'s items in order")
    return items


def scan_item(config: DataSourceConfig, *, run_id: str, item: int, files: RunFiles) -> str:
    """Profile work item ``item``'s splits and write its state; returns where."""
    from dataprof.profiling import ProfileState
    from dataprof.profiling.state_format import write_state
    from dataprof.registry import get_connector

    plan = read_plan(files, run_id)
    if not 0 <= item < len(plan):
        raise ConfigurationError(
            f"Run {run_id} has items 0 to {len(plan) - 1}, not {item}",
            hint="pass --item with a number from the plan",
        )
    work = plan[item]
    key = run_key(files, run_id)
    with get_connector(config) as connector:
        schema = connector.arrow_schema()
        state = ProfileState(schema, declared=connector.get_schema())
        for split in work.splits:
            read_at = split.payload.get("snapshot_id", work.snapshot_id)
            if read_at != work.snapshot_id:
                raise ConfigurationError(
                    f"Item {item}'s split {split.index} reads snapshot {read_at}, "
                    f"the plan pins {work.snapshot_id}",
                    **connector.error_context(),
                )
            for batch in connector.iter_batches(split=split):
                state.update(batch)
    meta = {
        "run_id": run_id,
        "item": item,
        "snapshot_id": work.snapshot_id,
        "splits": [s.index for s in work.splits],
    }
    data = write_state(state, key=key, meta=meta)
    return files.write(f"{_run_dir(run_id)}/states/{item}.state", data)


def _merged_state(files: RunFiles, run_id: str, plan: list[WorkItem]) -> Any:
    """The merge of every item's state, read one at a time, each checked against the plan."""
    from dataprof.profiling.state_format import read_state

    key = run_key(files, run_id)
    prefix = f"{_run_dir(run_id)}/states/"
    found = set(files.list(prefix))
    expected = {f"{prefix}{w.item}.state" for w in plan}
    missing = sorted(expected - found, key=len)
    if missing:
        raise StateFormatError(
            f"Run {run_id} is missing the states of {len(missing)} of its {len(plan)} items "
            f"({', '.join(m.rsplit('/', 1)[-1] for m in missing[:5])})",
            hint="re-run `dataprof job scan --item N` for those items, then merge again",
        )
    if found - expected:
        raise StateFormatError(
            f"Run {run_id} has state files the plan does not list: "
            + ", ".join(sorted(found - expected)[:5]),
            hint="remove them; each item of the plan writes exactly one state",
        )
    merged = None
    covered: set[int] = set()
    for work in plan:
        name = f"{prefix}{work.item}.state"
        try:
            state, meta = read_state(files.read(name), key=key)
        except StateFormatError as exc:
            raise StateFormatError(f"{name}: {exc.reason}", hint=exc.hint) from None
        splits = [s.index for s in work.splits]
        claims = (meta.get("run_id"), meta.get("item"), meta.get("snapshot_id"), meta.get("splits"))
        if claims[2] != work.snapshot_id:
            raise StateFormatError(
                f"{name} was read at snapshot {claims[2]}, the plan pins {work.snapshot_id}"
            )
        if claims != (run_id, work.item, work.snapshot_id, splits):
            raise StateFormatError(
                f"{name} holds item {claims[1]} of run {claims[0]} (splits {claims[3]}), "
                f"not item {work.item} (splits {splits}): a duplicated or misplaced state"
            )
        if covered & set(splits):
            raise StateFormatError(f"{name} covers splits another item already covered")
        covered |= set(splits)
        if merged is None:
            merged = state
        else:
            merged.merge(state)
        del state
    return merged


def merge_run(
    config: DataSourceConfig,
    *,
    run_id: str,
    files: RunFiles,
    store: ProfileStore | None,
    archive: ProfileArchive | None = None,
    thresholds: Thresholds | None = None,
    columns: Sequence[str] | None = None,
    started_at: datetime | None = None,
) -> TableProfile:
    """Merge the run's states, finalize, judge against history, write
    ``runs/<run_id>/profile.json`` (and the full JSON to ``archive``, when given) and save
    the run (recorded failed if anything fails)."""
    from dataprof.anomalies import Thresholds
    from dataprof.job import judge, record_failure, source_identity, store_profile
    from dataprof.profiling import finalize
    from dataprof.profiling.models import MetricSource, ProfileMode
    from dataprof.registry import get_connector
    from dataprof.stores import profile_to_json

    started_at = started_at or datetime.now(UTC)
    try:
        plan = read_plan(files, run_id)
        state = _merged_state(files, run_id, plan)
        with get_connector(config) as connector:
            field_ids = connector.field_ids()
            notes = [*connector.read_notes(), f"full: {len(plan)} work items scanned and merged"]
        result = finalize(
            state,
            **config.identity,
            run_id=run_id,
            mode=ProfileMode.FULL,
            source=MetricSource.FULL_SCAN,
            snapshot_id=plan[0].snapshot_id,
            started_at=started_at,
            notes=notes,
            columns=columns,
            field_ids=field_ids,
        )
        result = result.model_copy(
            update={"columns_requested": list(columns) if columns is not None else None}
        )
        result = judge(result, store, thresholds or Thresholds())
        files.write(f"{_run_dir(run_id)}/profile.json", profile_to_json(result).encode())
        if archive is not None:
            archive.write(result)
        if store is not None:
            sink_error = store_profile(store, result)
            if sink_error is not None:
                result = result.model_copy(
                    update={"notes": [*result.notes, f"a result sink failed: {sink_error.reason}"]}
                )
        return result
    except BaseException as exc:
        if store is not None:
            unrecorded = record_failure(
                store,
                source_identity(config),
                run_id=run_id,
                error=exc,
                mode=ProfileMode.FULL,
                started_at=started_at,
            )
            if unrecorded is not None:
                exc.add_note(f"the failed run was not recorded: {unrecorded}")
        raise
