"""The athena connector: a registered placeholder until its issue lands.

It is installed and found like the finished connector will be, so the plugin
machinery can be exercised end to end; every read says plainly that it is not
implemented yet instead of failing somewhere deep.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

from dataprof import CapabilityNotSupportedError, DataConnector, ScanSplit

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["AthenaConnector"]


class AthenaConnector(DataConnector):
    """Placeholder: reads raise :class:`CapabilityNotSupportedError`."""

    def _not_yet(self) -> NoReturn:
        raise CapabilityNotSupportedError(
            "dataprof-athena 0.1.0 registers the 'athena' source type but does not read tables yet",
            **self.error_context(),
            hint="use a release of dataprof-athena that implements the connector",
        )

    def arrow_schema(self) -> pa.Schema:
        self._not_yet()

    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = 65_536,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        self._not_yet()
