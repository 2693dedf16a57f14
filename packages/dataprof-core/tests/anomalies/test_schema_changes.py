"""Schema changes between the last succeeded run and this one."""

from __future__ import annotations

from profile_builders import column, profile

from dataprof.anomalies import SchemaChangeDetector, Thresholds
from dataprof.profiling.models import RunStatus, Severity, TableProfile


def with_schema(
    run: int, fields: dict[str, str], ids: dict[str, int] | None = None, **kw: object
) -> TableProfile:
    return profile(run=run, schema_fields=fields, field_ids=ids or {}, **kw)  # type: ignore[arg-type]


def kinds(found: list) -> list[tuple[str | None, str, Severity]]:  # type: ignore[type-arg]
    return sorted((a.column_name, a.anomaly_type, a.severity) for a in found)


def test_added_dropped_retyped_by_name() -> None:
    before = with_schema(0, {"id": "int64", "name": "string", "gone": "double"})
    after = with_schema(1, {"id": "string", "name": "string", "new": "bool"})
    found = SchemaChangeDetector().detect(after, [before], Thresholds())
    assert kinds(found) == [
        ("gone", "column_dropped", Severity.HIGH),
        ("id", "column_retyped", Severity.HIGH),
        ("new", "column_added", Severity.LOW),
    ]
    retyped = next(a for a in found if a.anomaly_type == "column_retyped")
    assert (retyped.observed_value, retyped.threshold) == ("string", "int64")


def test_rename_followed_by_field_id() -> None:
    before = with_schema(0, {"amt": "double", "id": "long"}, {"amt": 2, "id": 1})
    after = with_schema(1, {"amount": "decimal(10,2)", "id": "long"}, {"amount": 2, "id": 1})
    found = SchemaChangeDetector().detect(after, [before], Thresholds())
    assert kinds(found) == [
        ("amount", "column_renamed", Severity.MEDIUM),
        ("amount", "column_retyped", Severity.HIGH),
    ]
    renamed = next(a for a in found if a.anomaly_type == "column_renamed")
    assert renamed.metadata["previous_name"] == "amt"
    assert renamed.metadata["field_id"] == 2


def test_same_name_new_field_id_is_dropped_and_added() -> None:
    before = with_schema(0, {"x": "int"}, {"x": 1})
    after = with_schema(1, {"x": "int"}, {"x": 5})
    assert kinds(SchemaChangeDetector().detect(after, [before], Thresholds())) == [
        ("x", "column_added", Severity.LOW),
        ("x", "column_dropped", Severity.HIGH),
    ]


def test_unchanged_schema_and_first_run_are_quiet() -> None:
    fields = {"id": "int64", "name": "string"}
    assert (
        SchemaChangeDetector().detect(
            with_schema(1, fields), [with_schema(0, fields)], Thresholds()
        )
        == []
    )
    assert SchemaChangeDetector().detect(with_schema(1, fields), [], Thresholds()) == []


def test_schema_from_columns_when_fields_are_missing() -> None:
    before = profile(column("a", data_type="int64"), run=0)
    after = profile(column("a", data_type="double"), run=1)
    assert kinds(SchemaChangeDetector().detect(after, [before], Thresholds())) == [
        ("a", "column_retyped", Severity.HIGH)
    ]


def test_failed_runs_are_not_a_baseline() -> None:
    good = with_schema(0, {"a": "int64", "b": "string"})
    failed = with_schema(1, {}, status=RunStatus.FAILED, error="unreachable")
    after = with_schema(2, {"a": "int64", "b": "string"})
    assert SchemaChangeDetector().detect(after, [failed, good], Thresholds()) == []


def test_disabled_change_type() -> None:
    before = with_schema(0, {"a": "int64"})
    after = with_schema(1, {"a": "int64", "b": "string"})
    thresholds = Thresholds.from_mapping({"disabled": ["column_added"]})
    assert SchemaChangeDetector().detect(after, [before], thresholds) == []


def test_partial_runs_are_compared_like_with_like() -> None:
    from dataprof.anomalies import requested_columns

    full = with_schema(0, {"a": "int64", "b": "string", "c": "double"})
    partial = with_schema(1, {"a": "int64"}, columns_requested=["a", "odd, name"])
    assert requested_columns(partial) == {"a", "odd, name"}
    # a partial run does not see the columns it left out as dropped
    assert SchemaChangeDetector().detect(partial, [full], Thresholds()) == []
    # a full run is judged against the last full run, not the partial one in between
    after = with_schema(2, {"a": "int64", "b": "string"})
    assert kinds(SchemaChangeDetector().detect(after, [full, partial], Thresholds())) == [
        ("c", "column_dropped", Severity.HIGH)
    ]
