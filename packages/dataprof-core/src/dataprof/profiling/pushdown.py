"""The hook a connector implements to compute a profile in its own engine.

A connector that declares :attr:`Capability.SQL_PUSHDOWN` also implements
:class:`SupportsPushdown`: one method, ``profile_pushdown``, that takes a
:class:`PushdownRequest` and answers with the same :class:`ColumnProfile` models a
scan produces, each metric labelled ``source=pushdown`` and with its exactness
(``approx_distinct`` is ``exact=False, error_kind="relative"``). The connector
knows its engine's SQL; the engine here decides when to ask and checks that the
answer is consistent before it becomes a profile.

The method is not on the ``DataConnector`` ABC yet, so the engine finds it by name
and says exactly what is missing when a connector declares the capability without
it. A connector turns its engine's figures (:class:`ColumnFigures`) into profiles with
:class:`PushdownProfileBuilder`, which labels them exactly as a scan would: the
same metric keys and flat fields, ``source=pushdown``, approximations with their
kind and bound, the inferred type decided by the scan's own rule, and a note naming
what the SQL could not give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from dataprof.connector import Capability
from dataprof.errors import CapabilityNotSupportedError
from dataprof.profiling.models import ColumnProfile, QueryStats
from dataprof.profiling.pushdown_builder import (
    APPROX_DISTINCT_BOUND,
    Approximation,
    ColumnFigures,
    PushdownProfileBuilder,
)

if TYPE_CHECKING:
    from dataprof.connector import DataConnector

__all__ = [
    "APPROX_DISTINCT_BOUND",
    "Approximation",
    "ColumnFigures",
    "PushdownProfileBuilder",
    "PushdownRequest",
    "PushdownResult",
    "QueryStats",
    "SupportsPushdown",
    "pushdown_method",
]

PUSHDOWN_METHOD = "profile_pushdown"


class PushdownRequest(BaseModel):
    """What the engine asks a pushdown-capable connector for."""

    model_config = ConfigDict(frozen=True)

    columns: list[str] | None = None
    """Top-level columns to profile; None for all."""
    metrics: list[str] | None = None
    """Metric names wanted (``ColumnProfile.metrics`` keys); None for every one the engine can do."""
    top_n: int = 10
    quantiles: list[float] = Field(
        default_factory=lambda: [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
    )


class PushdownResult(BaseModel):
    """The connector's answer: column profiles at one snapshot, and what the queries cost.

    ``columns`` holds one profile per column of the table's schema that was asked
    for, with struct fields as their own dotted columns (as a scan profiles them);
    a requested column missing or repeated is refused by the engine."""

    model_config = ConfigDict(frozen=True)

    row_count: int
    row_count_exact: bool = True
    snapshot_id: int | None = None
    columns: list[ColumnProfile] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    queries: list[QueryStats] = Field(default_factory=list)
    """Every query sent to the engine for this profile (id, bytes scanned, engine time)."""


@runtime_checkable
class SupportsPushdown(Protocol):
    """What a connector declaring ``sql_pushdown`` implements."""

    def profile_pushdown(self, request: PushdownRequest) -> PushdownResult:
        """Run the engine's profiling query (or queries) and return the profiles."""
        ...


def pushdown_method(connector: DataConnector) -> SupportsPushdown:
    """``connector`` as a pushdown provider, or the error saying why it is not one."""
    if not connector.supports(Capability.SQL_PUSHDOWN):
        raise connector.unsupported(
            Capability.SQL_PUSHDOWN,
            hint="use --mode full or sample, or auto to let dataprof choose",
        )
    if not isinstance(connector, SupportsPushdown):
        raise CapabilityNotSupportedError(
            f"{type(connector).__name__} declares {Capability.SQL_PUSHDOWN.value} but has no "
            f"{PUSHDOWN_METHOD}(request) method",
            **connector.error_context(),
            hint="implement dataprof.profiling.SupportsPushdown on the connector, or stop "
            "declaring the capability",
        )
    return connector
