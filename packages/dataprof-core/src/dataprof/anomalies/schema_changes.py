"""Columns added, dropped, renamed or retyped since the last succeeded run.

Where the source has field ids (Iceberg) columns are followed by id, so a rename
is a rename and not a drop plus an add, and a column dropped and re-added under
the same name is reported as what it is: a new column with new data. Columns
without ids are matched by name.

Severity follows the harm to readers of the table: a dropped or retyped column
breaks queries (high), a rename breaks them too but keeps the data (medium), an
added column breaks nothing (low).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dataprof.anomalies.comparable import last_run
from dataprof.anomalies.thresholds import Thresholds
from dataprof.profiling.models import Anomaly, Severity, TableProfile

__all__ = ["SchemaChangeDetector"]


@dataclass(frozen=True)
class _Field:
    name: str
    type: str
    field_id: int | None


def _fields(profile: TableProfile) -> dict[str, _Field]:
    types = profile.schema_fields or {c.column_name: c.data_type for c in profile.columns}
    ids = dict(profile.field_ids) or {
        c.column_name: c.field_id for c in profile.columns if c.field_id is not None
    }
    return {name: _Field(name, type_, ids.get(name)) for name, type_ in types.items()}


class SchemaChangeDetector:
    """Diff of the declared schema between the last succeeded run and this one."""

    name = "schema_change"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        last = last_run(current, history)
        if last is None:
            return []
        old, new = _fields(last), _fields(current)
        pairs: list[tuple[_Field, _Field]] = []
        old_by_id = {f.field_id: f for f in old.values() if f.field_id is not None}
        paired_old: set[str] = set()
        paired_new: set[str] = set()
        for field in new.values():
            if field.field_id is not None and field.field_id in old_by_id:
                before = old_by_id[field.field_id]
                pairs.append((before, field))
                paired_old.add(before.name)
                paired_new.add(field.name)
        for field in new.values():
            if field.name in paired_new or field.name not in old or field.name in paired_old:
                continue
            before = old[field.name]
            if before.field_id is not None and field.field_id is not None:
                continue  # same name, different ids: dropped and re-added
            pairs.append((before, field))
            paired_old.add(before.name)
            paired_new.add(field.name)

        found: list[Anomaly | None] = []
        context = {"previous_run_id": last.run_id}
        for before, after in pairs:
            if before.name != after.name:
                found.append(
                    self._anomaly(
                        thresholds,
                        after.name,
                        "column_renamed",
                        Severity.MEDIUM,
                        f"Column {before.name!r} was renamed to {after.name!r}"
                        f" (field id {after.field_id})",
                        after.name,
                        before.name,
                        {**context, "field_id": after.field_id, "previous_name": before.name},
                    )
                )
            if before.type != after.type:
                found.append(
                    self._anomaly(
                        thresholds,
                        after.name,
                        "column_retyped",
                        Severity.HIGH,
                        f"Column {after.name!r} changed type from {before.type} to {after.type}",
                        after.type,
                        before.type,
                        {**context, "field_id": after.field_id, "previous_type": before.type},
                    )
                )
        for name, field in old.items():
            if name not in paired_old:
                found.append(
                    self._anomaly(
                        thresholds,
                        name,
                        "column_dropped",
                        Severity.HIGH,
                        f"Column {name!r} ({field.type}) is gone",
                        None,
                        field.type,
                        {**context, "field_id": field.field_id, "previous_type": field.type},
                    )
                )
        for name, field in new.items():
            if name not in paired_new:
                found.append(
                    self._anomaly(
                        thresholds,
                        name,
                        "column_added",
                        Severity.LOW,
                        f"Column {name!r} ({field.type}) is new",
                        field.type,
                        None,
                        {**context, "field_id": field.field_id},
                    )
                )
        return [a for a in found if a is not None]

    def _anomaly(
        self,
        thresholds: Thresholds,
        column: str,
        anomaly_type: str,
        severity: Severity,
        description: str,
        observed: str | None,
        previous: str | None,
        metadata: dict[str, object],
    ) -> Anomaly | None:
        if not thresholds.for_column(column).enabled(self.name, anomaly_type):
            return None
        return Anomaly(
            column_name=column,
            anomaly_type=anomaly_type,
            severity=severity,
            description=description,
            observed_value=observed,
            threshold=previous,
            detector=self.name,
            metadata=metadata,
        )
