"""Result sinks: extra places a finished profile is sent (a queue, a catalog, a webhook).

Plugins provide sinks through the ``dataprof_result_sinks`` pluggy hook. The
store keeps the history; a sink only hears about each finished run. Every sink
is tried even when one fails, then the failures are raised together as one
:class:`PluginError` naming each sink, so one broken integration neither hides
the others' results nor passes silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from dataprof.errors import PluginError
from dataprof.profiling.models import TableProfile

__all__ = ["ResultSink", "publish", "result_sinks"]


@runtime_checkable
class ResultSink(Protocol):
    """Receives each finished profile (succeeded or failed)."""

    name: str

    def send(self, profile: TableProfile) -> None: ...


def result_sinks() -> list[ResultSink]:
    """The sinks installed plugins provide."""
    from dataprof.hooks import get_hooks

    sinks: list[ResultSink] = []
    for sink in get_hooks().result_sinks():
        if not isinstance(sink, ResultSink):
            raise PluginError(
                f"A plugin returned {type(sink).__module__}.{type(sink).__qualname__} from "
                "dataprof_result_sinks, which has no `name` and `send`",
                hint="return objects implementing dataprof.stores.ResultSink",
            )
        sinks.append(sink)
    return sinks


def publish(profile: TableProfile, sinks: Sequence[ResultSink] | None = None) -> int:
    """Send ``profile`` to every sink (the installed ones by default); returns how many."""
    chosen = result_sinks() if sinks is None else list(sinks)
    failures: list[tuple[str, BaseException]] = []
    for sink in chosen:
        try:
            sink.send(profile)
        except Exception as exc:
            failures.append((f"{getattr(sink, 'name', '?')} ({type(sink).__qualname__})", exc))
    if failures:
        detail = "; ".join(f"{who}: {type(exc).__name__}: {exc}" for who, exc in failures)
        raise PluginError(
            f"{len(failures)} of {len(chosen)} result sinks failed for run {profile.run_id}: "
            f"{detail}",
            source=profile.source_name or profile.source_type,
            table=f"{profile.database}.{profile.table}" if profile.database else profile.table,
            hint="the run itself is stored; fix or uninstall the plugin providing the sink",
        ) from failures[0][1]
    return len(chosen)
