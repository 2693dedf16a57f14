"""Every error a connector, the registry or the engine raises on purpose.

The tree, so that callers can catch at the depth they care about::

    ConnectorError                      what went wrong, on which source and table, how to fix it
    ├── ConfigurationError              a config or connection parameter is wrong or missing
    ├── AccessDeniedError               the engine refused us
    │   ├── AuthenticationError         credentials missing, expired or wrong
    │   └── PermissionDeniedError       credentials fine, the call is not allowed
    ├── NotFoundError
    │   ├── DatabaseNotFoundError       database, namespace or schema
    │   ├── TableNotFoundError
    │   └── ColumnNotFoundError
    ├── QueryFailedError                the engine ran our query and failed it (reason, query id)
    ├── OperationTimeoutError           we gave up waiting and cancelled (says what was cancelled)
    ├── TransientError                  throttling or 5xx, retried until the retries ran out
    ├── CapabilityNotSupportedError     asked a connector for something it does not declare
    ├── StateFormatError                a profile state file damaged, of another version or run
    └── PluginError                     finding or loading a connector plugin
        ├── UnknownSourceTypeError      no plugin has that name (lists the installed ones)
        ├── BackendNotInstalledError    a first-party backend that is not installed (pip hint)
        ├── PluginImportError           the plugin is installed but failed to import (chained)
        └── DuplicatePluginError        two distributions claim the same name (names both)

Messages are built once, here, so every error reads the same way::

    Table 'sales.orders' not found in namespace 'sales'. [source: iceberg, table: sales.orders]
    Hint: check the name with `dataprof schema` or list the namespace in your catalog.

Backends wrap boto3, PyIceberg and driver exceptions into this tree (chaining the
original with ``raise ... from exc``) so that no caller ever sees a bare traceback
from inside a dependency. Every message passes through :func:`dataprof.redact`
so that a secret which reached an engine's error text never leaves this process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Self

from dataprof.redaction import redact

__all__ = [
    "AccessDeniedError",
    "AuthenticationError",
    "BackendNotInstalledError",
    "CapabilityNotSupportedError",
    "ColumnNotFoundError",
    "ConfigurationError",
    "ConnectorError",
    "DatabaseNotFoundError",
    "DuplicatePluginError",
    "NotFoundError",
    "OperationTimeoutError",
    "PermissionDeniedError",
    "PluginError",
    "PluginImportError",
    "QueryFailedError",
    "StateFormatError",
    "TableNotFoundError",
    "TransientError",
    "UnknownSourceTypeError",
    "install_hint",
]


class ConnectorError(Exception):
    """Root of every error dataprof raises on purpose.

    ``source`` is the source type (``iceberg``, ``file``, ...) or a named source;
    ``table`` the ``database.table`` it concerns; ``hint`` says how to fix it.
    Subclasses carry a default hint so that a backend only writes one when it
    knows better.
    """

    default_hint: str | None = None

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        table: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.reason = redact(message)
        self.source = source
        self.table = table
        self.hint = redact(hint) if hint else self.default_hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = ", ".join(
            f"{label}: {value}"
            for label, value in (("source", self.source), ("table", self.table))
            if value
        )
        text = f"{self.reason} [{where}]" if where else self.reason
        return f"{text}\nHint: {self.hint}" if self.hint else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.reason!r}, source={self.source!r}, table={self.table!r})"
        )

    def relabel(self, *, source: str | None = None, table: str | None = None) -> Self:
        """The same error said about ``source``/``table`` (the name the user gave, where
        the raiser only knew the source type)."""
        if source is not None:
            self.source = source
        if table is not None:
            self.table = table
        self.args = (self._render(),)
        return self


class ConfigurationError(ConnectorError):
    """A config value is missing, malformed or contradicts another."""

    default_hint = "fix the source's configuration; `dataprof test-connection` checks it"


class AccessDeniedError(ConnectorError):
    """The engine or cloud API refused the request."""


class AuthenticationError(AccessDeniedError):
    """No credentials, expired ones, or wrong ones."""

    default_hint = (
        "check the credentials the connector uses (AWS profile, environment variables or the "
        "secret named in connection_params)"
    )


class PermissionDeniedError(AccessDeniedError):
    """Authenticated, but this call is not allowed; say which call in the message."""

    default_hint = "grant the caller's role the permission named above, or use a role that has it"


class NotFoundError(ConnectorError):
    """A database, table or column that does not exist where we looked."""


class DatabaseNotFoundError(NotFoundError):
    default_hint = (
        "check the database (namespace, schema) name and the catalog or region it lives in"
    )


class TableNotFoundError(NotFoundError):
    default_hint = (
        "check the table name and the database it is in; `dataprof schema` lists what it can see"
    )


class ColumnNotFoundError(NotFoundError):
    default_hint = "check the column names against `dataprof schema`"


class QueryFailedError(ConnectorError):
    """The engine accepted the query and then failed it.

    ``engine_reason`` is the engine's own text and ``query_id`` its identifier, so
    the user can look the query up in the engine's console.
    """

    def __init__(
        self,
        message: str,
        *,
        engine_reason: str | None = None,
        query_id: str | None = None,
        source: str | None = None,
        table: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.engine_reason = redact(engine_reason) if engine_reason else None
        self.query_id = query_id
        if self.engine_reason:
            message = f"{message}: {self.engine_reason}"
        if query_id:
            message = f"{message} (query id {query_id})"
        super().__init__(message, source=source, table=table, hint=hint)


class OperationTimeoutError(ConnectorError):
    """We stopped waiting; ``cancelled`` says what was cancelled (a query id, a read)."""

    default_hint = "raise the connector's timeout, or profile fewer columns or a sample"

    def __init__(
        self,
        message: str,
        *,
        cancelled: str | None = None,
        source: str | None = None,
        table: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.cancelled = cancelled
        if cancelled:
            message = f"{message}; cancelled {cancelled}"
        super().__init__(message, source=source, table=table, hint=hint)


class TransientError(ConnectorError):
    """Throttling or a server error that persisted through every retry."""

    default_hint = "the service is throttling or failing; try again later or raise max_attempts"

    def __init__(
        self,
        message: str,
        *,
        attempts: int | None = None,
        source: str | None = None,
        table: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.attempts = attempts
        if attempts is not None:
            message = f"{message} (gave up after {attempts} attempts)"
        super().__init__(message, source=source, table=table, hint=hint)


class CapabilityNotSupportedError(ConnectorError):
    """A caller asked for a capability the connector does not declare."""

    default_hint = (
        "check `connector.capabilities` before calling, or use a mode that does not need it"
    )


class StateFormatError(ConnectorError):
    """A profile state file that cannot be used: damaged, truncated, of a format version
    this dataprof does not read, or not signed with this run's key (written by no task
    of this run)."""

    default_hint = (
        "re-run the scan of that work item (dataprof job scan --item N) with the same "
        "dataprof version and run secret; never copy state files between runs"
    )


class PluginError(ConnectorError):
    """Finding, loading or validating a connector plugin went wrong."""


class UnknownSourceTypeError(PluginError):
    def __init__(self, name: str, installed: Iterable[str], *, table: str | None = None) -> None:
        self.name = name
        self.installed = sorted(installed)
        listing = ", ".join(self.installed) or "none"
        super().__init__(
            f"No connector is registered for source type {name!r}; installed: {listing}",
            source=name,
            table=table,
            hint="check the spelling, or install the distribution that provides it "
            "(it registers under the entry-point group 'dataprof.connectors')",
        )


def install_hint(distribution: str, *, explain: bool = True) -> str:
    """How to install a first-party backend. None is on PyPI yet, so the command that
    works is the one run in a clone of the dataprof repository."""
    command = f"pip install ./packages/{distribution}"
    if not explain:
        return command
    return f"{command}   (in a clone of the dataprof repository: it is not on PyPI yet)"


class BackendNotInstalledError(PluginError):
    def __init__(self, name: str, distribution: str, *, table: str | None = None) -> None:
        self.name = name
        self.distribution = distribution
        super().__init__(
            f"The {name!r} connector is provided by {distribution}, which is not installed",
            source=name,
            table=table,
            hint=install_hint(distribution),
        )


class PluginImportError(PluginError):
    """The plugin's module raised while importing; the original is ``__cause__``."""

    def __init__(
        self, name: str, target: str, distribution: str | None, error: BaseException
    ) -> None:
        self.name = name
        self.target = target
        self.distribution = distribution
        by = f" (from {distribution})" if distribution else ""
        super().__init__(
            f"The {name!r} connector {target!r}{by} failed to load: {type(error).__name__}: {error}",
            source=name,
            hint=f"reinstall {distribution or 'the plugin'} or check its dependencies; "
            "the original error is chained below",
        )


class DuplicatePluginError(PluginError):
    def __init__(self, name: str, claimants: Sequence[str]) -> None:
        self.name = name
        self.claimants = list(claimants)
        super().__init__(
            f"Source type {name!r} is claimed by more than one plugin: {', '.join(self.claimants)}",
            source=name,
            hint="uninstall one of them, or pick one explicitly with "
            "dataprof.register(name, 'module:Class', replace=True)",
        )
