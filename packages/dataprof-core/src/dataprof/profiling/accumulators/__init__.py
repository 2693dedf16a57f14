"""One accumulator per column: what a single pass keeps, how two passes combine.

One module per type family: :mod:`.base` (rows, nulls, the shared parts),
:mod:`.counting` (distinct and top values), :mod:`.lengths`, :mod:`.numeric`
(numbers and time; past the budget :mod:`.numeric_summary`, its final figures
:mod:`.numeric_figures`), :mod:`.text` (strings and bytes), :mod:`.boolean` and
:mod:`.nested` (lists, maps, structs). :func:`make_accumulator` picks one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataprof.profiling.accumulators.base import (
    HISTOGRAM_BINS,
    QUANTILES,
    TOP_VALUES,
    ColumnAccumulator,
    FinalizeContext,
    NullAccumulator,
    UnsupportedAccumulator,
    plain_array,
)
from dataprof.profiling.accumulators.boolean import BooleanAccumulator
from dataprof.profiling.accumulators.nested import ListAccumulator, StructAccumulator
from dataprof.profiling.accumulators.numeric import NumericAccumulator
from dataprof.profiling.accumulators.text import BinaryAccumulator, StringAccumulator
from dataprof.profiling.types import Kind, kind_of

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "QUANTILES",
    "BinaryAccumulator",
    "BooleanAccumulator",
    "ColumnAccumulator",
    "FinalizeContext",
    "HISTOGRAM_BINS",
    "ListAccumulator",
    "NullAccumulator",
    "NumericAccumulator",
    "StringAccumulator",
    "StructAccumulator",
    "TOP_VALUES",
    "UnsupportedAccumulator",
    "make_accumulator",
    "plain_array",
]


def make_accumulator(name: str, data_type: pa.DataType, declared: str) -> ColumnAccumulator:
    """The accumulator for a column of ``data_type``; never raises for an odd type."""
    kind, reason = kind_of(data_type)
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL, Kind.TEMPORAL):
        return NumericAccumulator(name, data_type, declared, kind)
    if kind is Kind.STRING:
        return StringAccumulator(name, data_type, declared)
    if kind is Kind.BINARY:
        return BinaryAccumulator(name, data_type, declared)
    if kind is Kind.BOOLEAN:
        return BooleanAccumulator(name, data_type, declared)
    if kind is Kind.LIST:
        return ListAccumulator(name, data_type, declared)
    if kind is Kind.STRUCT:
        return StructAccumulator(name, data_type, declared)
    if kind is Kind.NULL:
        return NullAccumulator(name, data_type, declared)
    return UnsupportedAccumulator(name, data_type, declared, reason or "unsupported type")
