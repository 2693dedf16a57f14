"""Named sources from a config file, so a team writes a connection down once.

A config file (TOML or YAML) holds several sources under ``sources``::

    [sources.orders]
    source_type = "athena"
    database = "sales"
    table = "orders"
    [sources.orders.connection_params]
    region = "eu-west-1"
    work_group = "analytics"
    password = "${ORDERS_DB_PASSWORD}"     # secrets come from the environment

``${NAME}`` is replaced by the environment variable NAME (``${NAME:-default}``
gives a default), so secrets never have to be written into the file. Anything
else a source carries (``thresholds`` for the anomaly detectors) is kept in
:attr:`NamedSource.extras` for the layer that understands it.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dataprof.config import DataSourceConfig
from dataprof.errors import ConfigurationError, PluginError

__all__ = [
    "CONFIG_FILENAMES",
    "NamedSource",
    "find_config_file",
    "load_source",
    "load_sources",
    "substitute_env",
    "source_from_section",
]

CONFIG_FILENAMES = ("dataprof.toml", "dataprof.yaml", "dataprof.yml")

_ENV_REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
_CONFIG_KEYS = {"source_type", "connection_params", "database", "table"}


@dataclass(frozen=True)
class NamedSource:
    """A source from a config file: its config and whatever else its section held."""

    name: str
    config: DataSourceConfig
    extras: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    """The section as written, ``${NAME}`` references unresolved: what a store registers,
    so secrets stay references (see ``ProfileStore.register_source``)."""


def find_config_file(start: Path | None = None) -> Path | None:
    """The first ``dataprof.toml``/``.yaml`` in ``start`` (the working directory)."""
    folder = start or Path.cwd()
    for name in CONFIG_FILENAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_sources(path: Path) -> dict[str, NamedSource]:
    """Every source in the file at ``path``, validated, environment references resolved."""
    return {name: _build(path, name, body) for name, body in _sections(path).items()}


def load_source(path: Path, name: str) -> NamedSource | None:
    """The one source ``name`` (None when the file does not define it). Only that
    section is validated and only its environment references resolved, so a mistake
    in another source, or a variable only it needs, does not stop this one."""
    sections = _sections(path)
    return _build(path, name, sections[name]) if name in sections else None


def source_names(path: Path) -> list[str]:
    """The names of the sources the file defines, without validating them."""
    return sorted(_sections(path))


def _sections(path: Path) -> dict[str, Any]:
    sources = _read(path).get("sources")
    if not isinstance(sources, dict):
        raise ConfigurationError(
            f"{path} has no [sources] table",
            source=str(path),
            hint="define sources as [sources.NAME] with source_type, database, table and connection_params",
        )
    return sources


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read config file {path}: {exc.strerror}", source=str(path)
        ) from None
    try:
        if path.suffix in {".yaml", ".yml"}:
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except Exception as exc:  # tomllib and yaml each raise their own error types
        # Both name the line and column in their message ("(at line 3, column 9)").
        raise ConfigurationError(
            f"Config file {path} is not valid {path.suffix.lstrip('.').upper()}: {exc}",
            source=str(path),
            hint=f"fix the line named above in {path}; commands given a file path need no "
            "config, so they still work",
        ) from None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"Config file {path} must hold a mapping at the top", source=str(path)
        )
    return data


def _build(path: Path | str, name: str, body: Any) -> NamedSource:
    where = f"{path} [sources.{name}]"
    if not isinstance(body, dict):
        raise ConfigurationError(f"{where} must be a table", source=name)
    _check_keys(body, where, name)
    resolved = substitute_env(body, where)
    config_part = {k: v for k, v in resolved.items() if k in _CONFIG_KEYS}
    if config_part.get("source_type") == "file":
        config_part = _file_labels(config_part)
    try:
        config = DataSourceConfig(name=name, **config_part)
    except PluginError as exc:
        raise exc.relabel(source=name) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)
        )
        raise ConfigurationError(f"{where} is invalid: {problems}", source=name) from None
    extras = {k: v for k, v in resolved.items() if k not in _CONFIG_KEYS}
    return NamedSource(name=name, config=config, extras=extras, raw=copy.deepcopy(body))


def source_from_section(name: str, body: dict[str, Any], origin: str) -> NamedSource:
    """A named source from a config section held elsewhere (a store's ``data_sources`` row):
    validated and resolved exactly as one read from a file; ``origin`` names it in errors."""
    return _build(origin, name, body)


_EXTRA_KEYS = {"thresholds", "description", "tags", "owner"}


def _check_keys(body: dict[str, Any], where: str, name: str) -> None:
    """A misspelt key (``tabel``) is named, with the key it was probably meant to be,
    instead of surfacing as "table: Field required"."""
    known = _CONFIG_KEYS | _EXTRA_KEYS
    for key in body:
        if key in known:
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1)
        raise ConfigurationError(
            f"{where} has an unknown key {key!r}"
            + (f"; did you mean {close[0]!r}?" if close else ""),
            source=name,
            hint="a source takes " + ", ".join(sorted(known)),
        )


def _file_labels(part: dict[str, Any]) -> dict[str, Any]:
    """For a ``file`` source ``database`` and ``table`` are only labels: default them
    from the path (its folder and its name without the suffix)."""
    params = part.get("connection_params") or {}
    raw = str(params.get("path", "")) if isinstance(params, dict) else ""
    path = Path(raw.split("*", 1)[0].rstrip("/")) if raw else None
    defaults = {
        "database": path.parent.name if path is not None else "",
        "table": (path.stem or path.name) if path is not None else "",
    }
    return {**defaults, **part}


def substitute_env(value: Any, where: str) -> Any:
    """``value`` with every ``${NAME}`` (``${NAME:-default}``) replaced by that environment
    variable, through nested mappings and lists; an unset one without a default is a
    :class:`ConfigurationError` naming ``where``."""
    if isinstance(value, dict):
        return {k: substitute_env(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, where) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name, default = match.group("name"), match.group("default")
        found = os.environ.get(name, default)
        if found is None:
            raise ConfigurationError(
                f"{where} refers to environment variable {name}, which is not set",
                source=where,
                hint=f"export {name}=... before running dataprof",
            )
        return found

    return _ENV_REF.sub(replace, value)
