"""The ``dataprof`` command: a thin layer that parses, calls the library and renders.

Commands come from three places: the connector commands here, the internal
command modules listed in ``_COMMAND_MODULES``, and installed backends through the
entry-point group ``dataprof.commands`` (each value a ``register(app)`` function,
e.g. dataprof-iceberg's ``demo``). A backend's command module must import its
heavy dependencies lazily: it is imported on every ``dataprof`` start.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Annotated

import typer

from dataprof.cli.output import err_console

__all__ = ["COMMANDS_ENTRY_POINT_GROUP", "build_app", "main"]

COMMANDS_ENTRY_POINT_GROUP = "dataprof.commands"

_COMMAND_MODULES: tuple[str, ...] = (
    "dataprof.cli.connector_commands",
    "dataprof.cli.profile_commands",
    "dataprof.cli.job_commands",
    "dataprof.cli.report_commands",
    "dataprof.cli.db_commands",
)


def build_app() -> typer.Typer:
    """A fresh app with every built-in and installed command registered."""
    app = typer.Typer(
        name="dataprof",
        help="Profile tables in Iceberg, Redshift, Athena and local files; flag what went wrong.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        # click's plain help: it never breaks a choice mid-word at 80 columns and
        # shows a flag without a value placeholder.
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(_main_options)
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(app)
    for ep in entry_points(group=COMMANDS_ENTRY_POINT_GROUP):
        try:
            ep.load()(app)
        except Exception as exc:  # a broken plugin must not take the whole CLI down
            dist = ep.dist.name if ep.dist else "an unknown distribution"
            err_console.print(
                f"[yellow]Warning:[/] commands from {dist} ({ep.value}) failed to load: "
                f"{type(exc).__name__}: {exc}",
                highlight=False,
            )
    return app


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"dataprof {version('dataprof-core')}")
        raise typer.Exit()


def _main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_show_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            envvar="DATAPROF_LOG_LEVEL",
            help="Log records at or above this level to stderr (DEBUG, INFO, WARNING, ERROR); "
            "secrets are redacted from every record.",
        ),
    ] = None,
) -> None:
    """Profile tables in Iceberg, Redshift, Athena and local files; flag what went wrong."""
    from dataprof.logging_config import configure_logging

    try:
        configure_logging(log_level)
    except ValueError:
        raise typer.BadParameter(
            f"unknown level {log_level!r}; use DEBUG, INFO, WARNING or ERROR",
            param_hint="--log-level",
        ) from None


def main() -> None:
    """Console-script entry point."""
    build_app()(prog_name="dataprof")
