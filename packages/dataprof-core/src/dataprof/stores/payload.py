"""Profiles as the JSON documents the schema's SQL functions take and give back.

One mapping for both PostgreSQL paths: :class:`PostgresProfileStore` passes these
documents to ``dataprof_save_run(run jsonb)`` and friends over psycopg,
:class:`SupabaseProfileStore` posts the same documents to PostgREST.

jsonb is not JSON text, and a store must give back exactly what it was given:

- jsonb reorders object keys and drops duplicates, so maps whose order matters
  (``schema_fields``, ``metrics``, any dict inside a value) travel as ``[key, value]``
  pairs; the fixed-field models (``Metric``, ``TopValue``) stay objects.
- jsonb numbers are decimals: ``1e16`` comes back ``10000000000000000`` (an int) and
  ``-0.0`` comes back ``0``, so such floats travel tagged, as the codec tags NaN.
  ``double precision`` columns travel as text (``'NaN'``, ``'-0'``, ``'1e+16'``).
- jsonb and ``text`` refuse ``\\u0000`` and lone surrogates, ``bigint`` stops at
  2**63 - 1: such a profile is refused with a :class:`StoreError` naming the field,
  before anything is written.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dataprof.profiling.models import (
    Anomaly,
    ColumnProfile,
    Metric,
    ProfileMode,
    RunStatus,
    TableProfile,
    TopValue,
)
from dataprof.redaction import is_secret_key
from dataprof.stores.base import RunSummary, StoreError
from dataprof.stores.codec import TAG, decode_value, encode_value
from dataprof.stores.identity import SourceIdentity

if TYPE_CHECKING:
    from dataprof.sources import NamedSource

__all__ = [
    "check_run_id",
    "document_to_profile",
    "document_to_summary",
    "profile_to_payload",
    "registration_payload",
    "source_from_row",
    "source_payload",
    "start_payload",
]

_RUN_ID = re.compile(r"\A[0-9a-f]{32}\Z")
_BIGINT = 2**63 - 1
_SOURCE_FIELDS = ("source_type", "source_name", "database", "table")
_RUN_FIELDS = ("run_id", "status", "mode", "started_at", "finished_at", "error")
# TableProfile fields with a column of their own in profile_results (or child tables).
_RESULT_FIELDS = (
    "row_count",
    "sampled",
    "sample_size",
    "snapshot_id",
    "row_count_exact",
    "schema_fields",
    "field_ids",
    "notes",
    "columns_requested",
    "sketches",
    "columns",
    "anomalies",
)
_COLUMN_BIGINTS = ("row_count", "null_count", "distinct_count", "field_id")
_COLUMN_FLOATS = ("null_percentage", "distinct_percentage", "mean_value", "std_dev")
_COLUMN_VALUES = ("min_value", "max_value", "median_value")
_COLUMN_TEXTS = ("column_name", "data_type", "inferred_type", "unsupported_reason")


def check_run_id(run_id: str) -> str:
    """The run id as dataprof makes them (``uuid4().hex``); the PostgreSQL key is a uuid."""
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise StoreError(
            f"run_id {run_id!r} is not 32 lowercase hex digits, the form the PostgreSQL "
            "store keys runs by",
            hint="let dataprof make run ids (uuid.uuid4().hex)",
        )
    return run_id


# -- values into jsonb ---------------------------------------------------------------------
def _jsonb_safe(encoded: Any) -> Any:
    """An :func:`encode_value` result reshaped so jsonb gives it back unchanged."""
    if isinstance(encoded, float):
        if (encoded == 0.0 and math.copysign(1.0, encoded) < 0) or "e" in repr(encoded):
            return {TAG: "float", "v": repr(encoded)}
        return encoded
    if isinstance(encoded, list):
        return [_jsonb_safe(v) for v in encoded]
    if isinstance(encoded, dict):
        if set(encoded) == {TAG, "v"} and isinstance(encoded[TAG], str):
            inner = encoded["v"]
            return {
                TAG: encoded[TAG],
                "v": _jsonb_safe(inner) if isinstance(inner, list) else inner,
            }
        return {TAG: "dict", "v": [[k, _jsonb_safe(v)] for k, v in encoded.items()]}
    return encoded


def jsonb_value(value: Any) -> Any:
    """Any profile value as jsonb-safe JSON data (read back with :func:`decode_value`)."""
    return _jsonb_safe(encode_value(value))


def _float_text(value: float | None) -> str | None:
    return None if value is None else repr(float(value))


def _text_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _timestamp(value: datetime, field: str) -> str:
    if value.tzinfo is None:
        raise StoreError(
            f"{field} {value.isoformat()} has no time zone; the PostgreSQL store keeps instants",
            hint="make timestamps time-zone aware (datetime.now(UTC))",
        )
    return value.isoformat()


def _pairs(mapping: dict[str, Any]) -> list[list[Any]]:
    return [[k, v] for k, v in mapping.items()]


# -- checks before anything is sent ---------------------------------------------------------
def _check_storable(value: Any, field: str) -> None:
    """Refuse text PostgreSQL cannot hold (NUL, lone surrogates), naming the field."""
    if isinstance(value, str):
        if "\x00" in value:
            raise StoreError(
                f"{field} holds a NUL character (\\x00), which PostgreSQL text and jsonb refuse",
                hint="strip NUL characters from names and values, or use a local store",
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise StoreError(
                f"{field} holds a lone surrogate (not valid Unicode), which PostgreSQL refuses",
                hint="decode the source's text as UTF-8, or use a local store",
            ) from None
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_storable(item, f"{field}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(key, f"{field} (a key)")
            _check_storable(item, f"{field}.{key}" if isinstance(key, str) else field)


def _check_bigint(value: int | None, field: str) -> None:
    if value is not None and not -_BIGINT - 1 <= value <= _BIGINT:
        raise StoreError(
            f"{field} = {value} does not fit PostgreSQL's bigint (|x| < 2**63)",
            hint="this figure cannot be stored in PostgreSQL; use a local store",
        )


# -- models into payloads -------------------------------------------------------------------
def source_payload(source: SourceIdentity) -> dict[str, Any]:
    payload = source.model_dump(mode="json")
    _check_storable(payload, "source")
    return payload


def _metric(metric: Metric) -> dict[str, Any]:
    data = metric.model_dump(mode="python")
    data["value"] = jsonb_value(metric.value)
    data["source"] = metric.source.value
    data["error_bound"] = jsonb_value(metric.error_bound)
    return data


def _top_value(top: TopValue) -> dict[str, Any]:
    return {"value": jsonb_value(top.value), "count": top.count, "count_error": top.count_error}


def _column(column: ColumnProfile, index: int) -> dict[str, Any]:
    where = f"columns[{index}]"
    for name in _COLUMN_BIGINTS:
        _check_bigint(getattr(column, name), f"{where}.{name}")
    data: dict[str, Any] = {name: getattr(column, name) for name in _COLUMN_BIGINTS}
    data.update({name: getattr(column, name) for name in _COLUMN_TEXTS})
    data["supported"] = column.supported
    data.update({name: _float_text(getattr(column, name)) for name in _COLUMN_FLOATS})
    data.update({name: jsonb_value(getattr(column, name)) for name in _COLUMN_VALUES})
    data["top_values"] = [_top_value(t) for t in column.top_values]
    data["metrics"] = [[name, _metric(m)] for name, m in column.metrics.items()]
    _check_storable(data, where)
    return data


def _anomaly(anomaly: Anomaly, index: int) -> dict[str, Any]:
    data = {
        "column_name": anomaly.column_name,
        "anomaly_type": anomaly.anomaly_type,
        "severity": anomaly.severity.value,
        "description": anomaly.description,
        "observed_value": jsonb_value(anomaly.observed_value),
        "threshold": jsonb_value(anomaly.threshold),
        "metadata": jsonb_value(anomaly.metadata),
        "detector": anomaly.detector,
    }
    _check_storable(data, f"anomalies[{index}]")
    return data


def _details(profile: TableProfile, placed: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``profile`` that no column holds, encoded (future fields land here too)."""
    rest = {
        name: getattr(profile, name)
        for name in TableProfile.model_fields
        if name not in placed and name not in _SOURCE_FIELDS and name not in _RUN_FIELDS
    }
    data = {name: jsonb_value(_dump(value)) for name, value in rest.items()}
    _check_storable(data, "profile")
    return data


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="python")
    return value


def _run_header(
    run_id: str, source: SourceIdentity, mode: ProfileMode, started_at: datetime
) -> dict[str, Any]:
    return {
        "run_id": check_run_id(run_id),
        "source": source_payload(source),
        "mode": mode.value,
        "started_at": _timestamp(started_at, "started_at"),
    }


def start_payload(
    source: SourceIdentity,
    *,
    run_id: str,
    mode: ProfileMode,
    started_at: datetime,
    execution_arn: str | None = None,
) -> dict[str, Any]:
    """What ``dataprof_start_run`` takes: the run row of a run that is under way."""
    payload = _run_header(run_id, source, mode, started_at)
    payload["execution_arn"] = execution_arn
    _check_storable(execution_arn, "execution_arn")
    return payload


def profile_to_payload(
    profile: TableProfile,
    *,
    s3_full_profile_uri: str | None = None,
    execution_arn: str | None = None,
) -> dict[str, Any]:
    """What ``dataprof_save_run`` takes: the whole run, checked to be storable."""
    source = SourceIdentity.of(profile)
    payload = _run_header(profile.run_id, source, profile.mode, profile.started_at)
    payload.update(
        status=profile.status.value,
        finished_at=_timestamp(profile.finished_at, "finished_at"),
        error=profile.error,
        execution_arn=execution_arn,
    )
    _check_storable(profile.error, "error")
    if profile.status is not RunStatus.SUCCEEDED:
        # No profile_results row: everything but the run row rides in profile_runs.details.
        payload.update(details=_details(profile, ()), result=None, columns=[], anomalies=[])
        return payload
    for name in ("row_count", "sample_size", "snapshot_id"):
        _check_bigint(getattr(profile, name), name)
    result: dict[str, Any] = {
        "row_count": profile.row_count,
        "sampled": profile.sampled,
        "sample_size": profile.sample_size,
        "snapshot_id": profile.snapshot_id,
        "row_count_exact": profile.row_count_exact,
        "schema_fields": _pairs(profile.schema_fields),
        "field_ids": _pairs(profile.field_ids),
        "notes": list(profile.notes),
        "columns_requested": profile.columns_requested,
        "sketches": _pairs(profile.sketches),
        "s3_full_profile_uri": s3_full_profile_uri,
    }
    _check_storable(result, "profile")
    for name, value in profile.field_ids.items():
        _check_bigint(value, f"field_ids[{name!r}]")
    result["details"] = _details(profile, _RESULT_FIELDS)
    payload.update(
        details={},
        result=result,
        columns=[_column(c, i) for i, c in enumerate(profile.columns)],
        anomalies=[_anomaly(a, i) for i, a in enumerate(profile.anomalies)],
    )
    return payload


# -- named sources ---------------------------------------------------------------------------
_ENV_REFERENCE = re.compile(r"\A\$\{[A-Za-z_][A-Za-z0-9_]*\}\Z")


def _refuse_literal_secrets(value: Any, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if is_secret_key(str(key)) and not (
                item is None or (isinstance(item, str) and _ENV_REFERENCE.match(item))
            ):
                raise StoreError(
                    f"{where} holds a literal secret; a store keeps only references to secrets",
                    hint=f"write it as ${{ENV_VAR}} in the config file (e.g. {key} = "
                    '"${MY_SOURCE_PASSWORD}") and set the variable where the job runs',
                )
            _refuse_literal_secrets(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_literal_secrets(item, f"{path}[{index}]")


def registration_payload(named: NamedSource) -> dict[str, Any]:
    """What ``dataprof_register_source`` takes: the section as written, secrets as references."""
    section = dict(named.raw) or {
        "source_type": named.config.source_type,
        "database": named.config.database,
        "table": named.config.table,
        "connection_params": dict(named.config.connection_params),
    }
    _refuse_literal_secrets(section, "")
    config = {k: v for k, v in section.items() if k != "source_type"}
    _check_storable(config, "connection_config")
    return {
        "source_type": section.get("source_type", named.config.source_type),
        "name": named.name,
        "connection_config": jsonb_value(config),
    }


def source_from_row(row: dict[str, Any]) -> NamedSource:
    """A ``dataprof_get_source`` row as a :class:`NamedSource`, references resolved now."""
    from dataprof.sources import source_from_section

    section = {"source_type": row["source_type"], **decode_value(row["connection_config"])}
    return source_from_section(row["name"], section, origin=f"data_sources {row['id']}")


# -- documents back into models -------------------------------------------------------------
def _run_id_of(value: str) -> str:
    return uuid.UUID(value).hex


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def _decoded_details(details: dict[str, Any] | None) -> dict[str, Any]:
    return {name: decode_value(value) for name, value in (details or {}).items()}


def _column_from(doc: dict[str, Any]) -> ColumnProfile:
    data = {name: doc.get(name) for name in (*_COLUMN_BIGINTS, *_COLUMN_TEXTS)}
    data["supported"] = doc["supported"]
    data.update({name: _text_float(doc.get(name)) for name in _COLUMN_FLOATS})
    data.update({name: decode_value(doc.get(name)) for name in _COLUMN_VALUES})
    data["top_values"] = [
        TopValue(value=decode_value(t["value"]), count=t["count"], count_error=t["count_error"])
        for t in doc.get("top_values") or []
    ]
    data["metrics"] = {
        name: Metric(
            value=decode_value(m["value"]),
            exact=m["exact"],
            source=m["source"],
            error_bound=decode_value(m.get("error_bound")),
            error_kind=m.get("error_kind"),
        )
        for name, m in doc.get("metrics") or []
    }
    return ColumnProfile.model_validate(data)


def _anomaly_from(doc: dict[str, Any]) -> Anomaly:
    return Anomaly(
        column_name=doc["column_name"],
        anomaly_type=doc["anomaly_type"],
        severity=doc["severity"],
        description=doc["description"],
        observed_value=decode_value(doc.get("observed_value")),
        threshold=decode_value(doc.get("threshold")),
        metadata=decode_value(doc.get("metadata")) or {},
        detector=doc.get("detector") or "",
    )


def _header(doc: dict[str, Any]) -> dict[str, Any]:
    started = _when(doc["started_at"])
    return {
        **doc["source"],
        "run_id": _run_id_of(doc["run_id"]),
        "status": doc["status"],
        "mode": doc["mode"],
        "started_at": started,
        "finished_at": _when(doc.get("finished_at")) or started,
        "error": doc.get("error"),
    }


def document_to_profile(doc: dict[str, Any]) -> TableProfile:
    """A ``dataprof_run_document`` back into the profile that was saved."""
    data = _header(doc)
    result = doc.get("result")
    if result is None:
        data.update({"sampled": False, "row_count": 0, "row_count_exact": False})
        data.update(_decoded_details(doc.get("details")))
        return TableProfile.model_validate(data)
    data.update(
        row_count=result["row_count"],
        sampled=result["sampled"],
        sample_size=result["sample_size"],
        snapshot_id=result["snapshot_id"],
        row_count_exact=result["row_count_exact"],
        schema_fields=dict(result["schema_fields"]),
        field_ids=dict(result["field_ids"]),
        notes=result["notes"],
        columns_requested=result["columns_requested"],
        sketches=dict(result["sketches"]),
        columns=[_column_from(c) for c in doc.get("columns") or []],
        anomalies=[_anomaly_from(a) for a in doc.get("anomalies") or []],
    )
    data.update(_decoded_details(result.get("details")))
    return TableProfile.model_validate(data)


def document_to_summary(doc: dict[str, Any]) -> RunSummary:
    """A ``dataprof_list_runs`` entry as a :class:`RunSummary`."""
    header = _header(doc)
    result = doc.get("result")
    if result is None:
        details = _decoded_details(doc.get("details"))
        result = {
            "row_count": details.get("row_count", 0),
            "column_count": len(details.get("columns") or []),
            "sampled": details.get("sampled", False),
            "sample_size": details.get("sample_size"),
            "snapshot_id": details.get("snapshot_id"),
            "columns_requested": details.get("columns_requested"),
        }
    return RunSummary(
        run_id=header["run_id"],
        source=SourceIdentity.model_validate(doc["source"]),
        status=header["status"],
        mode=header["mode"],
        started_at=header["started_at"],
        finished_at=header["finished_at"],
        error=header["error"],
        anomaly_counts=doc.get("anomaly_counts") or {},
        **result,
    )
