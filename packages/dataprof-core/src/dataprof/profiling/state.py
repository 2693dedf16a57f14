"""Partial profiles as values: ``profile_batches``, ``merge_states``, ``finalize``.

A :class:`ProfileState` is everything one pass over some rows of a table has
kept: a row count and one accumulator per column (struct fields as their own
dotted columns), plus the states of plugin metrics. Two states of the same table
merge into the state of their union, whatever the split: the same three calls
serve one process, both cores of a laptop (:mod:`.parallel`) and a fan-out of
containers, which send states to each other as bytes (:meth:`ProfileState.to_bytes`).

The bytes are a pickle read back by an unpickler that only builds the engine's
own classes and plain values, so a state from elsewhere cannot run code.
"""

from __future__ import annotations

import io
import pickle
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dataprof.errors import ConfigurationError
from dataprof.profiling.accumulators import (
    ColumnAccumulator,
    FinalizeContext,
    make_accumulator,
    plain_array,
)
from dataprof.profiling.models import (
    ColumnProfile,
    Metric,
    MetricSource,
    ProfileMode,
    RunStatus,
    TableProfile,
)
from dataprof.profiling.plugins import ColumnMetric

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ProfileState", "finalize", "merge_states", "profile_batches"]

_MAGIC = b"DPSTATE1"
_FIELD_ID_KEYS = (b"PARQUET:field_id", b"field_id", b"iceberg.id")


class ProfileState:
    """What a pass over some of a table's rows has accumulated.

    ``declared`` maps top-level column names to the source's own type names
    (``connector.get_schema()``); nested fields show Arrow's rendering.
    """

    def __init__(
        self,
        schema: pa.Schema,
        *,
        declared: Mapping[str, str] | None = None,
        column_metrics: Sequence[ColumnMetric] = (),
    ) -> None:
        self.schema_bytes = bytes(schema.serialize().to_pybytes())
        self.row_count = 0
        self.bytes_read = 0
        self.batches = 0
        self.columns: dict[str, ColumnAccumulator] = {}
        self.field_ids: dict[str, int] = {}
        self.declared_types: dict[str, str] = {}
        self.child_names: dict[str, list[str]] = {}
        """A struct column's fields by their column names (see :func:`_child_name`)."""
        taken = set(schema.names)
        for field in schema:
            top_declared = (declared or {}).get(field.name)
            self._plan(field.name, field, top_declared, taken)
        self.plugin_states: dict[str, dict[str, Any]] = {}
        self.plugin_failures: dict[str, dict[str, str]] = {}
        self.column_metrics: list[ColumnMetric] = list(column_metrics)
        self._init_plugins()

    def _plan(self, name: str, field: pa.Field, declared: str | None, taken: set[str]) -> None:
        import pyarrow as pa

        from dataprof.profiling.types import storage_type

        type_name = declared or str(field.type)
        self.columns[name] = make_accumulator(name, field.type, type_name)
        self.declared_types[name] = type_name
        field_id = _field_id(field)
        if field_id is not None:
            self.field_ids[name] = field_id
        plain = storage_type(field.type)
        if pa.types.is_struct(plain):
            names = [_child_name(name, child.name, taken) for child in plain]
            self.child_names[name] = names
            for child_name, child in zip(names, plain, strict=True):
                self._plan(child_name, child, None, taken)

    def _init_plugins(self) -> None:
        for name, acc in self.columns.items():
            for metric in self.column_metrics:
                if metric.name in self.plugin_states.get(name, {}):
                    continue
                try:
                    if metric.applies_to(acc.data_type):
                        self.plugin_states.setdefault(name, {})[metric.name] = metric.initial()
                except Exception as exc:
                    self._plugin_failed(name, metric, exc)

    def _plugin_failed(self, column: str, metric: ColumnMetric, exc: BaseException) -> None:
        self.plugin_states.get(column, {}).pop(metric.name, None)
        self.plugin_failures.setdefault(column, {})[metric.name] = f"{type(exc).__name__}: {exc}"

    # -- one batch -------------------------------------------------------------------
    def update(self, batch: pa.RecordBatch) -> None:
        """Fold one record batch into the state (columns on threads: :mod:`.column_threads`)."""
        from dataprof.profiling.column_threads import run_all

        pairs = [
            (name, arr)
            for top_name, array in zip(batch.schema.names, batch.columns, strict=True)
            for name, arr in _walk(top_name, array, self.child_names)
            if name in self.columns
        ]
        # The biggest arrays first, so the longest task does not start last.
        pairs.sort(key=lambda pair: -pair[1].nbytes)
        run_all(
            [_column_update(self.columns[name], arr) for name, arr in pairs],
            batch.num_rows,
        )
        for name, arr in pairs:
            states = self.plugin_states.get(name)
            if states:
                for metric in self.column_metrics:
                    if metric.name in states:
                        try:
                            states[metric.name] = metric.update(states[metric.name], arr)
                        except Exception as exc:
                            self._plugin_failed(name, metric, exc)
        self.row_count += batch.num_rows
        self.bytes_read += batch.nbytes
        self.batches += 1

    # -- merging ---------------------------------------------------------------------
    def merge(self, other: ProfileState) -> None:
        """Fold ``other`` into ``self`` (``other`` is only read)."""
        self.row_count += other.row_count
        self.bytes_read += other.bytes_read
        self.batches += other.batches
        for name, theirs in other.columns.items():
            mine = self.columns.get(name)
            if mine is None:
                self.columns[name] = _copy(theirs)
                self.declared_types[name] = other.declared_types.get(name, theirs.declared)
            elif type(mine) is not type(theirs) or mine.type_bytes != theirs.type_bytes:
                mine.rows += theirs.rows
                mine.nulls += theirs.nulls
                mine.fail(
                    f"the column's type differs between parts of the table "
                    f"({mine.declared} and {theirs.declared})"
                )
            else:
                mine.merge(theirs)
        self.field_ids = {**other.field_ids, **self.field_ids}
        self.child_names = {**other.child_names, **self.child_names}
        metrics = {m.name: m for m in self.column_metrics}
        for m in other.column_metrics:
            metrics.setdefault(m.name, m)
        self.column_metrics = [metrics[k] for k in sorted(metrics)]
        for column, states in other.plugin_states.items():
            mine_states = self.plugin_states.setdefault(column, {})
            for metric_name, state in states.items():
                if metric_name not in mine_states:
                    mine_states[metric_name] = state
                    continue
                metric = metrics.get(metric_name)
                if metric is None:
                    continue
                try:
                    mine_states[metric_name] = metric.merge(mine_states[metric_name], state)
                except Exception as exc:
                    self._plugin_failed(column, metric, exc)
        for column, failures in other.plugin_failures.items():
            for metric_name, reason in failures.items():
                self.plugin_states.get(column, {}).pop(metric_name, None)
                mine_failures = self.plugin_failures.setdefault(column, {})
                mine_failures[metric_name] = min(reason, mine_failures.get(metric_name, reason))

    # -- bytes -----------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The state as bytes another process can read with :meth:`from_bytes`."""
        state = dict(self.__dict__)
        state["column_metrics"] = [m.name for m in self.column_metrics]
        return _MAGIC + pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(
        cls, data: bytes, *, column_metrics: Sequence[ColumnMetric] | None = None
    ) -> ProfileState:
        """A state from :meth:`to_bytes`. Plugin metrics are matched by name against
        ``column_metrics`` (default: those the installed plugins contribute)."""
        if not isinstance(data, bytes | bytearray | memoryview) or not bytes(data[:8]) == _MAGIC:
            raise _damaged("wrong header")
        try:
            state = _SafeUnpickler(io.BytesIO(bytes(data)[len(_MAGIC) :])).load()
            _check_state(state)
        except _DamagedStateError as exc:
            raise _damaged(str(exc)) from None
        except pickle.UnpicklingError as exc:
            raise _damaged(str(exc)) from None
        except (Exception, RecursionError) as exc:  # whatever a crafted pickle provokes
            raise _damaged(f"{type(exc).__name__} while reading it") from None
        return cls._from_checked_fields(state, column_metrics)

    def portable_fields(self) -> dict[str, Any]:
        """The state's fields as :mod:`.state_format` writes them (plugin metrics by name)."""
        fields = dict(self.__dict__)
        fields["column_metrics"] = [m.name for m in self.column_metrics]
        return fields

    @classmethod
    def from_fields(
        cls, fields: Any, *, column_metrics: Sequence[ColumnMetric] | None = None
    ) -> ProfileState:
        """A state from fields :meth:`portable_fields` gave, read back from elsewhere:
        checked field by field and accumulator by accumulator (ValueError if wrong)."""
        try:
            _check_state(fields)
        except _DamagedStateError as exc:
            raise ValueError(str(exc)) from None
        return cls._from_checked_fields(dict(fields), column_metrics)

    @classmethod
    def _from_checked_fields(
        cls, state: dict[str, Any], column_metrics: Sequence[ColumnMetric] | None
    ) -> ProfileState:
        names: list[str] = state.pop("column_metrics")
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        if names:
            if column_metrics is None:
                from dataprof.profiling.plugins import load_column_metrics

                column_metrics = load_column_metrics()
            by_name = {m.name: m for m in column_metrics}
            obj.column_metrics = [by_name[n] for n in names if n in by_name]
        else:
            obj.column_metrics = list(column_metrics or [])
        return obj

    @property
    def schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.ipc.read_schema(pa.py_buffer(self.schema_bytes))


class _DamagedStateError(Exception):
    pass


def _damaged(why: str) -> ConfigurationError:
    return ConfigurationError(
        f"Not a readable dataprof profile state: {why}",
        hint="pass the bytes ProfileState.to_bytes() produced, by the same dataprof version; "
        "these are damaged or come from elsewhere",
    )


_STATE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "schema_bytes": bytes,
    "row_count": int,
    "bytes_read": int,
    "batches": int,
    "columns": dict,
    "field_ids": dict,
    "declared_types": dict,
    "child_names": dict,
    "plugin_states": dict,
    "plugin_failures": dict,
    "column_metrics": list,
}


def _check_state(state: Any) -> None:
    """The unpickled dict has the shape :meth:`ProfileState.to_bytes` writes, down to the
    attributes of each accumulator (compared with a fresh one of the same column), so
    that merging or finalizing it cannot stumble over a wrong type later."""
    import pyarrow as pa

    if not isinstance(state, dict) or set(state) != set(_STATE_FIELDS):
        raise _DamagedStateError("not a state's fields")
    for key, kind in _STATE_FIELDS.items():
        if not isinstance(state[key], kind) or isinstance(state[key], bool):
            raise _DamagedStateError(f"{key} is a {type(state[key]).__name__}")
    if min(state["row_count"], state["bytes_read"], state["batches"]) < 0:
        raise _DamagedStateError("negative counts")
    pa.ipc.read_schema(pa.py_buffer(state["schema_bytes"]))
    if not all(isinstance(n, str) for n in state["column_metrics"]):
        raise _DamagedStateError("plugin metric names")
    for key in ("field_ids", "declared_types", "plugin_states", "plugin_failures", "child_names"):
        if not all(isinstance(k, str) for k in state[key]):
            raise _DamagedStateError(f"{key} keys")
    for names in state["child_names"].values():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _DamagedStateError("struct field names")
    for name, acc in state["columns"].items():
        if not isinstance(name, str) or not isinstance(acc, ColumnAccumulator):
            raise _DamagedStateError(f"column {name!r}")
        _check_accumulator(name, acc)


def _check_accumulator(name: str, acc: ColumnAccumulator) -> None:
    import numbers

    attributes = vars(acc)
    if not isinstance(attributes.get("type_bytes"), bytes) or attributes.get("name") != name:
        raise _DamagedStateError(f"column {name!r}")
    if not isinstance(attributes.get("declared"), str):
        raise _DamagedStateError(f"column {name!r}: declared type")
    fresh = make_accumulator(name, acc.data_type, acc.declared)
    if type(fresh) is not type(acc) or set(vars(fresh)) != set(attributes):
        raise _DamagedStateError(f"column {name!r}: not the accumulator its type makes")
    for key, expected in vars(fresh).items():
        value = attributes[key]
        if expected is None or value is None:
            continue
        if isinstance(expected, numbers.Number) and isinstance(value, numbers.Number):
            continue
        if not isinstance(value, type(expected)):
            raise _DamagedStateError(f"column {name!r}: {key} is a {type(value).__name__}")
    if min(acc.rows, acc.nulls) < 0 or acc.nulls > acc.rows:
        raise _DamagedStateError(f"column {name!r}: counts")


def _copy(acc: ColumnAccumulator) -> ColumnAccumulator:
    data = pickle.dumps(acc, protocol=pickle.HIGHEST_PROTOCOL)
    copied: ColumnAccumulator = _SafeUnpickler(io.BytesIO(data)).load()
    return copied


def _field_id(field: pa.Field) -> int | None:
    metadata = field.metadata or {}
    for key in _FIELD_ID_KEYS:
        raw = metadata.get(key)
        if raw is not None:
            try:
                return int(raw)
            except ValueError:
                return None
    return None


def _child_name(parent: str, field: str, taken: set[str]) -> str:
    """The column name of struct field ``field`` of column ``parent``: ``parent.field``,
    unless another column already has that name (a top-level column literally called
    ``"a.b"`` beside struct ``a`` with field ``b``); then the struct's name is quoted in
    backticks (the field becomes column "`a`.b"), numbered past any further clash. Two columns never share a name,
    so one column's figures never absorb another's rows."""
    candidate = f"{parent}.{field}"
    if candidate in taken:
        candidate = f"`{parent}`.{field}"
        number = 2
        while candidate in taken:
            candidate = f"`{parent}`.{field}#{number}"
            number += 1
    taken.add(candidate)
    return candidate


def _column_update(acc: ColumnAccumulator, arr: pa.Array) -> Callable[[], None]:
    def update() -> None:
        try:
            acc.update(arr)
        except Exception as exc:  # an engine bug on one column never fails the table
            acc.fail(f"profiling failed: {type(exc).__name__}: {exc}")

    return update


def _walk(
    name: str, arr: pa.Array, child_names: Mapping[str, list[str]]
) -> Iterator[tuple[str, pa.Array]]:
    """The column and, for a struct, its fields as their own columns (a null struct
    makes its fields null, which ``StructArray.flatten`` applies)."""
    import pyarrow as pa

    yield name, arr
    plain = plain_array(arr)
    if isinstance(plain, pa.StructArray):
        names = child_names.get(name) or [f"{name}.{f.name}" for f in plain.type]
        for child_name, child in zip(names, plain.flatten(), strict=True):
            yield from _walk(child_name, child, child_names)


class _SafeUnpickler(pickle.Unpickler):
    """Builds only the engine's state classes and plain values."""

    _ALLOWED: frozenset[tuple[str, str]] = frozenset(
        {
            ("dataprof.profiling.accumulators.numeric", "NumericAccumulator"),
            ("dataprof.profiling.accumulators.text", "StringAccumulator"),
            ("dataprof.profiling.accumulators.text", "BinaryAccumulator"),
            ("dataprof.profiling.accumulators.boolean", "BooleanAccumulator"),
            ("dataprof.profiling.accumulators.nested", "ListAccumulator"),
            ("dataprof.profiling.accumulators.nested", "StructAccumulator"),
            ("dataprof.profiling.accumulators.base", "NullAccumulator"),
            ("dataprof.profiling.accumulators.base", "UnsupportedAccumulator"),
            ("dataprof.profiling.accumulators.distribution_summary", "DistributionSummary"),
            ("dataprof.profiling.sketches", "KllSketch"),
            ("dataprof.profiling.value_counter", "ValueCounter"),
            ("dataprof.profiling.types", "Kind"),
            ("decimal", "Decimal"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a profile state may not contain {module}.{name}")


# -- the three calls ----------------------------------------------------------------------


def profile_batches(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    *,
    declared: Mapping[str, str] | None = None,
    column_metrics: Sequence[ColumnMetric] | None = None,
) -> ProfileState:
    """One pass over ``batches`` (all of ``schema``, or a projection of it).

    ``column_metrics`` defaults to what the installed plugins contribute.
    """
    if column_metrics is None:
        from dataprof.profiling.plugins import load_column_metrics

        column_metrics = load_column_metrics()
    state = ProfileState(schema, declared=declared, column_metrics=column_metrics)
    for batch in batches:
        state.update(batch)
    return state


def merge_states(a: ProfileState, b: ProfileState) -> ProfileState:
    """The state of the union of ``a``'s and ``b``'s rows; neither input changes.

    Associative and commutative: exact figures are equal whatever the order,
    sketched ones equal within their stated error.
    """
    merged = ProfileState.from_bytes(a.to_bytes(), column_metrics=a.column_metrics)
    merged.merge(b)
    return merged


def finalize(
    state: ProfileState,
    *,
    source_type: str = "arrow",
    database: str = "",
    table: str = "",
    source_name: str | None = None,
    run_id: str | None = None,
    mode: ProfileMode = ProfileMode.FULL,
    source: MetricSource = MetricSource.FULL_SCAN,
    sampled: bool = False,
    sample_size: int | None = None,
    row_count: int | None = None,
    row_count_exact: bool = True,
    snapshot_id: int | None = None,
    started_at: datetime | None = None,
    notes: Sequence[str] = (),
    columns: Sequence[str] | None = None,
    field_ids: Mapping[str, int] | None = None,
) -> TableProfile:
    """The :class:`TableProfile` of a state.

    ``row_count`` is the table's (it differs from the rows profiled when sampled);
    ``columns`` restricts the profile to those columns and their nested fields;
    ``field_ids`` (``connector.field_ids()``) overrides the ids the state read from
    the Arrow schema's field metadata.
    """
    ids = {**state.field_ids, **(field_ids or {})}
    ctx = FinalizeContext(source=source, sampled=sampled)
    from dataprof.profiling.column_threads import run_all

    wanted = set(columns) if columns is not None else None
    chosen = [
        (name, acc)
        for name, acc in state.columns.items()
        if wanted is None or _selected(name, wanted)
    ]
    # Each column finalizes on a thread into its own dict; joined in column order, so
    # the profile is the same whatever the threads did first.
    finished: list[tuple[ColumnProfile, dict[str, str]] | None] = [None] * len(chosen)

    def finalize_one(index: int, acc: ColumnAccumulator) -> Callable[[], None]:
        def run() -> None:
            own: dict[str, str] = {}
            finished[index] = (acc.finalize(ctx, own), own)

        return run

    run_all(
        [finalize_one(i, acc) for i, (_, acc) in enumerate(chosen)],
        state.row_count,
    )
    sketches: dict[str, str] = {}
    profiles: list[ColumnProfile] = []
    for (name, _), done in zip(chosen, finished, strict=True):
        assert done is not None
        profile, own = done
        sketches.update(own)
        plugin_metrics = _plugin_results(state, name)
        if plugin_metrics:
            profile = profile.model_copy(update={"metrics": {**profile.metrics, **plugin_metrics}})
        if name in ids:
            profile = profile.model_copy(update={"field_id": ids[name]})
        profiles.append(profile)
    now = datetime.now(UTC)
    return TableProfile(
        run_id=run_id or uuid.uuid4().hex,
        source_type=source_type,
        source_name=source_name,
        database=database,
        table=table,
        snapshot_id=snapshot_id,
        mode=mode,
        sampled=sampled,
        sample_size=sample_size,
        row_count=state.row_count if row_count is None else row_count,
        row_count_exact=row_count_exact,
        started_at=started_at or now,
        finished_at=now,
        status=RunStatus.SUCCEEDED,
        columns=profiles,
        schema_fields={
            name: declared
            for name, declared in state.declared_types.items()
            if wanted is None or _selected(name, wanted)
        },
        field_ids={
            name: fid
            for name, fid in ids.items()
            if name in state.columns and (wanted is None or _selected(name, wanted))
        },
        sketches=sketches,
        notes=list(notes),
    )


def _selected(name: str, wanted: set[str]) -> bool:
    """A column is selected by its own name or by any struct above it."""
    parts = name.split(".")
    return any(".".join(parts[:i]) in wanted for i in range(1, len(parts) + 1))


def _plugin_results(state: ProfileState, column: str) -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    metrics = {m.name: m for m in state.column_metrics}
    for metric_name, metric_state in state.plugin_states.get(column, {}).items():
        metric = metrics.get(metric_name)
        if metric is None:
            continue
        try:
            value = metric.result(metric_state)
        except Exception as exc:
            state.plugin_failures.setdefault(column, {})[metric_name] = (
                f"{type(exc).__name__}: {exc}"
            )
            continue
        out[metric_name] = value if isinstance(value, Metric) else Metric(value=value)
    for metric_name, reason in state.plugin_failures.get(column, {}).items():
        out[metric_name] = Metric(value=None, exact=False, error_kind=f"failed: {reason}")
    return out
