"""How a command is told which source to read: a name, a file, or flags.

``SOURCE`` is, in order: a named source in the config file (``--config``, else
``./dataprof.toml`` or ``./dataprof.yaml``), or a path to a data file or glob,
which becomes a ``file`` source. With ``--type`` the source is built from flags
alone (``--param key=value`` repeated, ``--database``, ``--table``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataprof.config import DataSourceConfig
from dataprof.errors import ConfigurationError
from dataprof.sources import NamedSource, find_config_file, load_source, source_names

__all__ = [
    "ConfigOption",
    "DatabaseOption",
    "ParamOption",
    "SourceArgument",
    "TableOption",
    "TypeOption",
    "resolve_named_source",
]

SourceArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="SOURCE",
        help="A source named in the config file, or a path to a data file or glob.",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", metavar="FILE", help="Config file (TOML or YAML) with [sources.NAME]."
    ),
]
TypeOption = Annotated[
    str | None,
    typer.Option(
        "--type", "-t", metavar="TYPE", help="Source type, to describe a source with flags."
    ),
]
ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", metavar="KEY=VALUE", help="A connection parameter; repeatable."),
]
DatabaseOption = Annotated[
    str | None, typer.Option("--database", "-d", metavar="NAME", help="Database / namespace.")
]
TableOption = Annotated[str | None, typer.Option("--table", metavar="NAME", help="Table name.")]


def _parse_params(pairs: list[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigurationError(
                f"--param expects key=value, got {pair.split('=')[0]!r}...",
                hint="e.g. --param region=eu-west-1",
            )
        params[key.strip()] = value
    return params


def resolve_named_source(
    source: str | None,
    config_file: Path | None = None,
    *,
    source_type: str | None = None,
    params: list[str] | None = None,
    database: str | None = None,
    table: str | None = None,
) -> NamedSource:
    """The source the options describe, with any extras its config section holds."""
    if source_type:
        if source:
            raise ConfigurationError(
                "Give either a SOURCE or --type with flags, not both",
                hint="drop SOURCE, or drop --type/--param",
            )
        config = DataSourceConfig(
            source_type=source_type,
            connection_params=_parse_params(params),
            database=database or "",
            table=table or "",
        )
        return NamedSource(name=source_type, config=config)
    if not source:
        raise ConfigurationError(
            "No source given",
            hint="name a source from dataprof.toml, give a data file path, or use --type with --param",
        )
    if config_file is not None and not config_file.is_file():
        raise ConfigurationError(f"Config file {config_file} does not exist", source=source)
    data_path = Path(source).expanduser()
    is_path = data_path.exists() or any(ch in source for ch in "*?[")
    # A path needs no config: a broken dataprof.toml must not block `dataprof schema f.csv`.
    path = config_file or (None if is_path and _looks_like_path(source) else find_config_file())
    if path is not None:
        named = load_source(path, source)
        if named is not None:
            return _override(named, params, database, table)
    if is_path:
        # The absolute path names the source, so two orders.parquet in different
        # folders keep separate histories.
        config = DataSourceConfig(
            source_type="file",
            connection_params={"path": source, **_parse_params(params)},
            database=database or "",
            table=table or data_path.name,
            name=str(data_path.resolve()) if data_path.exists() else source,
        )
        return NamedSource(name=source, config=config)
    known = ", ".join(source_names(path)) if path else ""
    raise ConfigurationError(
        f"{source!r} is neither a source in {path or 'a config file'} nor an existing file",
        source=source,
        hint=(
            f"known sources: {known};" if known else "define it in dataprof.toml as [sources.NAME],"
        )
        + " or pass a path to a Parquet/CSV/JSON/Arrow file",
    )


def _looks_like_path(source: str) -> bool:
    """A path written as one (a folder separator or a file suffix), never a source name."""
    return "/" in source or "\\" in source or Path(source).suffix != ""


def _override(
    named: NamedSource, params: list[str] | None, database: str | None, table: str | None
) -> NamedSource:
    if not (params or database or table):
        return named
    base = named.config
    config = DataSourceConfig(
        source_type=base.source_type,
        connection_params={**base.connection_params, **_parse_params(params)},
        database=database or base.database,
        table=table or base.table,
        name=base.name,
    )
    return NamedSource(name=named.name, config=config, extras=named.extras)
