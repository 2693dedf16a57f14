"""Which connector serves which ``source_type``, found without importing any of them.

Connectors are plugins: a distribution declares one under the entry-point group
``dataprof.connectors`` (name = source type, value = ``module:Class``). The index
reads only distribution metadata; a connector's module is imported the first time
its name is asked for, so one broken or heavy plugin never affects the others.

The registry also knows the first-party names and the distribution that provides
each, so asking for ``athena`` without ``dataprof-athena`` installed says exactly
what to ``pip install`` instead of "unknown source type".
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Literal

from dataprof.errors import (
    BackendNotInstalledError,
    DuplicatePluginError,
    PluginError,
    PluginImportError,
    UnknownSourceTypeError,
    install_hint,
)

if TYPE_CHECKING:
    from dataprof.config import DataSourceConfig
    from dataprof.connector import DataConnector

__all__ = [
    "ENTRY_POINT_GROUP",
    "FIRST_PARTY",
    "ConnectorInfo",
    "ConnectorRegistry",
    "default_registry",
    "get_connector",
    "list_connectors",
    "register",
]

ENTRY_POINT_GROUP = "dataprof.connectors"

FIRST_PARTY: dict[str, str] = {
    "iceberg": "dataprof-iceberg",
    "athena": "dataprof-athena",
    "redshift": "dataprof-redshift",
}
"""First-party source types and the distribution that provides each."""

_BUILTIN: dict[str, str] = {
    "file": "dataprof.connectors.file:FileConnector",
    "arrow": "dataprof.connectors.arrow:ArrowConnector",
}
_CORE_DISTRIBUTION = "dataprof-core"

Status = Literal["available", "loaded", "failed", "conflict", "not installed"]


@dataclass(frozen=True)
class ConnectorInfo:
    """One row of `dataprof connectors`: what is known about a name without importing it."""

    name: str
    target: str
    distribution: str | None
    version: str | None
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class _Claim:
    target: str
    distribution: str | None
    version: str | None
    entry_point: EntryPoint | None = None

    @property
    def who(self) -> str:
        return f"{self.distribution or 'register()'} ({self.target})"


class ConnectorRegistry:
    """Maps source types to connector classes, importing each only when asked."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self._group = group
        self._lock = threading.RLock()
        self._indexed: dict[str, list[_Claim]] | None = None
        self._registered: dict[str, _Claim | type[DataConnector]] = {}
        self._loaded: dict[str, type[DataConnector]] = {}
        self._failures: dict[str, str] = {}

    # -- the index -------------------------------------------------------------------
    def _index(self) -> dict[str, list[_Claim]]:
        with self._lock:
            if self._indexed is None:
                index: dict[str, list[_Claim]] = {
                    name: [_Claim(target, _CORE_DISTRIBUTION, _core_version())]
                    for name, target in _BUILTIN.items()
                }
                for ep in entry_points(group=self._group):
                    dist = ep.dist
                    claim = _Claim(
                        ep.value,
                        dist.name if dist else None,
                        dist.version if dist else None,
                        ep,
                    )
                    claims = index.setdefault(ep.name, [])
                    # The same distribution seen twice (two paths on sys.path) is one claim.
                    if not any(
                        c.distribution == claim.distribution and c.target == claim.target
                        for c in claims
                    ):
                        claims.append(claim)
                self._indexed = index
            return self._indexed

    def refresh(self) -> None:
        """Forget the index, e.g. after installing a distribution in this process."""
        with self._lock:
            self._indexed = None
            self._loaded.clear()
            self._failures.clear()

    def names(self) -> list[str]:
        """Every source type that can be built here (registered or installed)."""
        return sorted(set(self._index()) | set(self._registered))

    def check_name(self, name: str) -> None:
        """Raise the precise :class:`PluginError` if ``name`` cannot be built here."""
        if name in self._registered or name in self._index():
            return
        if name in FIRST_PARTY:
            raise BackendNotInstalledError(name, FIRST_PARTY[name])
        raise UnknownSourceTypeError(name, self.names())

    # -- registering -----------------------------------------------------------------
    def register(
        self, name: str, connector: type[DataConnector] | str, *, replace: bool = False
    ) -> None:
        """Make ``name`` build ``connector`` (a class or a ``"module:Class"`` path).

        For applications and tests. Shadowing an installed or registered name needs
        ``replace=True``, so a typo cannot silently replace a real backend.
        """
        with self._lock:
            claims = self._index().get(name)
            existing = self._registered.get(name) or (claims[0] if claims else None)
            if existing is not None and not replace:
                existing_who = existing.who if isinstance(existing, _Claim) else _qualname(existing)
                new_who = connector if isinstance(connector, str) else _qualname(connector)
                raise DuplicatePluginError(name, [existing_who, f"register() ({new_who})"])
            self._registered[name] = (
                _Claim(connector, None, None) if isinstance(connector, str) else connector
            )
            self._loaded.pop(name, None)
            self._failures.pop(name, None)

    def registrations(self) -> dict[str, object]:
        """A copy of the explicit registrations, for :meth:`restore_registrations`."""
        with self._lock:
            return dict(self._registered)

    def restore_registrations(self, saved: dict[str, object]) -> None:
        """Put back what :meth:`registrations` returned (tests undo their ``register()`` calls)."""
        with self._lock:
            self._registered = dict(saved)  # type: ignore[arg-type]
            self.refresh()

    def unregister(self, name: str) -> None:
        with self._lock:
            self._registered.pop(name, None)
            self._loaded.pop(name, None)
            self._failures.pop(name, None)

    # -- loading ---------------------------------------------------------------------
    def load(self, name: str) -> type[DataConnector]:
        """The connector class for ``name``, importing its module on first use."""
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            chosen = self._registered.get(name)
            if chosen is None:
                claims = self._index().get(name)
                if not claims:
                    self.check_name(name)
                    raise AssertionError("unreachable")  # pragma: no cover
                if len(claims) > 1:
                    raise DuplicatePluginError(name, [c.who for c in claims])
                chosen = claims[0]
            cls = chosen if isinstance(chosen, type) else self._import(name, chosen)
            self._loaded[name] = cls
            return cls

    def _import(self, name: str, claim: _Claim) -> type[DataConnector]:
        from dataprof.connector import DataConnector

        try:
            if claim.entry_point is not None:
                obj = claim.entry_point.load()
            else:
                module_name, _, attr = claim.target.partition(":")
                obj = importlib.import_module(module_name)
                for part in attr.split(".") if attr else ():
                    obj = getattr(obj, part)
        except Exception as exc:
            self._failures[name] = f"{type(exc).__name__}: {exc}"
            raise PluginImportError(name, claim.target, claim.distribution, exc) from exc
        if not (isinstance(obj, type) and issubclass(obj, DataConnector)):
            self._failures[name] = "not a DataConnector subclass"
            raise PluginError(
                f"The {name!r} entry point {claim.target!r} of {claim.distribution or 'register()'} "
                f"is {obj!r}, not a subclass of dataprof.DataConnector",
                source=name,
                hint="point the entry point at the connector class (module:Class)",
            )
        return obj

    def create(self, config: DataSourceConfig) -> DataConnector:
        """Build the connector for ``config`` (validates its connection_params)."""
        return self.load(config.source_type)(config)

    # -- listing ---------------------------------------------------------------------
    def describe(self) -> list[ConnectorInfo]:
        """Every known name with its provider and status, importing nothing."""
        rows: list[ConnectorInfo] = []
        index = self._index()
        for name in sorted(set(index) | set(self._registered) | set(FIRST_PARTY)):
            registered = self._registered.get(name)
            claims = index.get(name, [])
            if registered is not None:
                target = (
                    registered.target if isinstance(registered, _Claim) else _qualname(registered)
                )
                rows.append(
                    ConnectorInfo(name, target, None, None, self._status(name), "register()")
                )
            elif len(claims) > 1:
                who = ", ".join(c.who for c in claims)
                rows.append(ConnectorInfo(name, claims[0].target, None, None, "conflict", who))
            elif claims:
                c = claims[0]
                rows.append(
                    ConnectorInfo(
                        name,
                        c.target,
                        c.distribution,
                        c.version,
                        self._status(name),
                        self._failures.get(name, ""),
                    )
                )
            else:
                dist = FIRST_PARTY[name]
                rows.append(
                    ConnectorInfo(
                        name, "", dist, None, "not installed", install_hint(dist, explain=False)
                    )
                )
        return rows

    def _status(self, name: str) -> Status:
        if name in self._failures:
            return "failed"
        return "loaded" if name in self._loaded else "available"


def _qualname(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _core_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_CORE_DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree
        return None


default_registry = ConnectorRegistry()
"""The process-wide registry that `get_connector` and `DataSourceConfig` consult."""


def get_connector(config: DataSourceConfig) -> DataConnector:
    """Build the connector that ``config.source_type`` names, validated and ready."""
    return default_registry.create(config)


def register(name: str, connector: type[DataConnector] | str, *, replace: bool = False) -> None:
    """Register a connector by name in the default registry (see `ConnectorRegistry.register`)."""
    default_registry.register(name, connector, replace=replace)


def list_connectors() -> list[ConnectorInfo]:
    """What `dataprof connectors` prints: every known name, without importing backends."""
    return default_registry.describe()
