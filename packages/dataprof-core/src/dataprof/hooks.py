"""One-to-many extension points, carried by pluggy.

Connectors are one-per-name and live in the registry; these hooks are the places
where any number of plugins add to a run: extra column metrics, anomaly
detectors, result sinks. Plugins are found through the entry-point group
``dataprof.plugins`` the first time the hooks are used, never at import.

A plugin module implements any of the specs below with ``@dataprof.hookimpl``::

    from dataprof import hookimpl

    @hookimpl
    def dataprof_anomaly_detectors():
        return [MyDetector()]

The facade (:class:`Hooks`) flattens the per-plugin lists and names the plugin in
any error, so callers never touch pluggy's untyped API.
"""

from __future__ import annotations

import threading
from importlib.metadata import entry_points
from typing import Any

import pluggy

from dataprof.errors import PluginError, PluginImportError

__all__ = [
    "PLUGIN_ENTRY_POINT_GROUP",
    "HookSpecs",
    "Hooks",
    "get_hooks",
    "hookimpl",
    "hookspec",
    "reset_hooks",
]

PROJECT = "dataprof"
PLUGIN_ENTRY_POINT_GROUP = "dataprof.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class HookSpecs:
    """The hook specifications. Each returns a list so one plugin can add several."""

    @hookspec
    def dataprof_column_metrics(self) -> list[Any]:  # type: ignore[empty-body]
        """Extra per-column metrics, each a :class:`dataprof.profiling.ColumnMetric`."""

    @hookspec
    def dataprof_anomaly_detectors(self) -> list[Any]:  # type: ignore[empty-body]
        """Extra anomaly detectors, each a :class:`dataprof.anomalies.AnomalyDetector`."""

    @hookspec
    def dataprof_result_sinks(self) -> list[Any]:  # type: ignore[empty-body]
        """Extra places to send a finished profile, each a :class:`dataprof.stores.ResultSink`."""


class Hooks:
    """A typed view of the plugin manager: lists in, lists out."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager

    def _collect(self, hook_name: str) -> list[Any]:
        caller = getattr(self.manager.hook, hook_name)
        out: list[Any] = []
        for impl in caller.get_hookimpls():
            try:
                result = impl.function()
            except Exception as exc:
                raise PluginError(
                    f"Plugin {impl.plugin_name!r} failed in hook {hook_name}: {type(exc).__name__}: {exc}",
                    source=impl.plugin_name,
                    hint="fix or uninstall that plugin; the original error is chained",
                ) from exc
            if not isinstance(result, list | tuple):
                raise PluginError(
                    f"Plugin {impl.plugin_name!r} returned {type(result).__name__} from {hook_name}; "
                    "expected a list",
                    source=impl.plugin_name,
                    hint=f"make {hook_name} return a list",
                )
            out.extend(result)
        return out

    def column_metrics(self) -> list[Any]:
        return self._collect("dataprof_column_metrics")

    def anomaly_detectors(self) -> list[Any]:
        return self._collect("dataprof_anomaly_detectors")

    def result_sinks(self) -> list[Any]:
        return self._collect("dataprof_result_sinks")


_hooks: Hooks | None = None
_lock = threading.Lock()


def get_hooks(*, load_entry_points: bool = True) -> Hooks:
    """The process-wide hooks, loading ``dataprof.plugins`` entry points on first use."""
    global _hooks
    with _lock:
        if _hooks is None:
            manager = pluggy.PluginManager(PROJECT)
            manager.add_hookspecs(HookSpecs)
            if load_entry_points:
                _load_plugins(manager)
            _hooks = Hooks(manager)
        return _hooks


def _load_plugins(manager: pluggy.PluginManager) -> None:
    # pluggy's load_setuptools_entrypoints would not say which plugin failed.
    for ep in entry_points(group=PLUGIN_ENTRY_POINT_GROUP):
        if manager.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
            manager.register(plugin, name=ep.name)
        except Exception as exc:
            raise PluginImportError(
                ep.name, ep.value, ep.dist.name if ep.dist else None, exc
            ) from exc


def reset_hooks() -> None:
    """Forget the loaded plugins (for tests that install one mid-session)."""
    global _hooks
    with _lock:
        _hooks = None
