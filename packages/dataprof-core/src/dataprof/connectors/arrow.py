"""The built-in ``arrow`` connector: data already in memory, read without a copy.

It takes any object that speaks the Arrow C stream interface (``__arrow_c_stream__``:
a pyarrow Table or RecordBatchReader, a polars DataFrame, a DuckDB relation...) and
pandas DataFrames, through ``connection_params={"data": obj}`` (or ``InMemoryData(data=obj)``, which
keeps the config printable and serializable).
:func:`dataprof.profile` builds it for you. Arrow-backed data is read in place:
a Table is sliced, a C stream hands over its buffers. A pandas DataFrame goes
through ``pyarrow.Table.from_pandas`` once, which copies only what is not Arrow
already (NumPy object columns); its index is kept only when it is named (an
unnamed index is row numbers, not data).

A RecordBatchReader (or another one-shot stream) can be read once, so the
engine gets one full pass and nothing else: no row count up front, no second read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from dataprof.connector import DEFAULT_BATCH_SIZE, Capability, DataConnector, ScanSplit
from dataprof.errors import ConfigurationError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ArrowConnector", "ArrowParams", "InMemoryData", "is_pandas_frame"]


def is_pandas_frame(value: object) -> bool:
    """A pandas DataFrame, recognised without importing pandas."""
    return any(
        cls.__name__ == "DataFrame" and cls.__module__.split(".")[0] == "pandas"
        for cls in type(value).__mro__
    )


class InMemoryData(BaseModel):
    """An in-memory object inside a :class:`~dataprof.DataSourceConfig`: a config that
    holds one still prints and serializes (``model_dump_json``) as the object's type,
    never as its values."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    data: Any = Field(exclude=True, repr=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def object_type(self) -> str:
        kind = type(self.data)
        return f"{kind.__module__}.{kind.__qualname__}"


class ArrowParams(BaseModel):
    """``connection_params`` of the ``arrow`` source: the data object itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    data: Any = Field(
        repr=False,
        description="a pyarrow Table, RecordBatch or RecordBatchReader, a pandas or polars "
        "DataFrame, or any object with __arrow_c_stream__",
    )

    @model_validator(mode="before")
    @classmethod
    def _data_given(cls, values: Any) -> Any:
        if isinstance(values, dict) and "data" not in values:
            raise ValueError(
                "the arrow source reads data already in memory: call dataprof.profile(obj) "
                "from Python; from the command line, write it to a file and name the path"
            )
        return values

    @field_validator("data")
    @classmethod
    def _arrow_like(cls, value: Any) -> Any:
        if isinstance(value, InMemoryData):
            value = value.data
        if hasattr(value, "__arrow_c_stream__") or hasattr(value, "__arrow_c_array__"):
            return value
        if is_pandas_frame(value):
            return value
        raise ValueError(
            f"expected a pyarrow Table or RecordBatchReader, a pandas or polars DataFrame, or "
            f"an object with __arrow_c_stream__; got {type(value).__module__}."
            f"{type(value).__qualname__}"
        )


class ArrowConnector(DataConnector):
    """In-memory Arrow data as one table. ``database`` and ``table`` only label it."""

    params_model = ArrowParams
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.ROW_COUNT_FROM_METADATA, Capability.COLUMN_PROJECTION}
    )
    params: ArrowParams

    def supports(self, capability: Capability) -> bool:
        if capability is Capability.ROW_COUNT_FROM_METADATA and self._table is None:
            return False  # a one-shot stream is counted only by reading it
        return super().supports(capability)

    @property
    def one_shot(self) -> bool:
        """True when the data is a stream that can be read once (a RecordBatchReader)."""
        return self._table is None and self._is_reader

    @cached_property
    def _is_reader(self) -> bool:
        import pyarrow as pa

        return isinstance(self.params.data, pa.RecordBatchReader)

    @cached_property
    def _table(self) -> pa.Table | None:
        """The data as a Table when it can be held as one without copying Arrow buffers;
        None for streams, read through their C interface on each pass."""
        import pyarrow as pa

        data = self.params.data
        if isinstance(data, pa.Table):
            return data
        if isinstance(data, pa.RecordBatch):
            return pa.Table.from_batches([data])
        if is_pandas_frame(data):
            named_index = any(name is not None for name in data.index.names)
            return pa.Table.from_pandas(data, preserve_index=named_index)
        if not hasattr(data, "__arrow_c_stream__"):
            return pa.Table.from_batches([pa.record_batch(data)])
        return None

    @cached_property
    def _reader(self) -> pa.RecordBatchReader:
        """The one-shot stream, opened once (its schema is readable before any batch)."""
        return self._open_stream()

    def _open_stream(self) -> pa.RecordBatchReader:
        import pyarrow as pa

        data = self.params.data
        if isinstance(data, pa.RecordBatchReader):
            return data
        try:
            return pa.RecordBatchReader.from_stream(data)
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise ConfigurationError(
                f"Cannot read {type(data).__qualname__} through the Arrow C stream interface: {exc}",
                **self.error_context(),
            ) from None

    @cached_property
    def _schema(self) -> pa.Schema:
        if self._table is not None:
            return self._table.schema
        if self._is_reader:
            return self._reader.schema
        return self._open_stream().schema

    def arrow_schema(self) -> pa.Schema:
        return self._schema

    def get_row_count(self) -> int:
        if self._table is not None:
            rows: int = self._table.num_rows
            return rows
        return super().get_row_count()

    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        names = self._schema.names
        if columns is not None:
            self.check_columns([c for c in columns if c not in names], names)
        if self._table is not None:
            table = self._table if columns is None else self._table.select(list(columns))
            yield from table.to_batches(max_chunksize=batch_size)
            return
        yield from self._stream_batches(columns, batch_size)

    def _stream_batches(
        self, columns: Sequence[str] | None, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        if self._is_reader:
            if self.__dict__.get("_consumed"):
                raise ConfigurationError(
                    "This RecordBatchReader was read already; a stream can be read once",
                    **self.error_context(),
                    hint="pass a pyarrow Table (reader.read_all()) to read the data again",
                )
            self.__dict__["_consumed"] = True
            reader = self._reader
        else:
            reader = self._open_stream()
        for batch in reader:
            if columns is not None:
                batch = batch.select(list(columns))
            for start in range(0, max(batch.num_rows, 1), batch_size):
                yield batch.slice(start, batch_size)
