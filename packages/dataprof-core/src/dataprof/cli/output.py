"""Where the CLI writes, and how it fails: one clear message and an exit code, never a traceback.

Exit codes: 0 success; 1 the command ran and found something to fail on (an
anomaly at ``--fail-on``, a failed connection test); 2 it could not run (bad
configuration, unreachable source, plugin trouble).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from dataprof.errors import ConnectorError
from dataprof.redaction import redact

__all__ = [
    "EXIT_FAILED_CHECK",
    "EXIT_USAGE",
    "console",
    "err_console",
    "fail",
    "handle_errors",
    "read_progress",
    "step",
]

PLAIN_PROGRESS_EVERY_S = 5.0
"""Seconds between progress lines where no live bar can be drawn (CI logs, pipes)."""

EXIT_FAILED_CHECK = 1
EXIT_USAGE = 2

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def fail(error: ConnectorError | str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``error`` on stderr and return the ``typer.Exit`` to raise."""
    text = str(error)
    title, _, rest = text.partition("\n")
    err_console.print(f"[bold red]Error:[/] {escape(redact(title))}", highlight=False)
    if rest:
        err_console.print(redact(rest), highlight=False, markup=False)
    return typer.Exit(code)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`ConnectorError` (or an invalid config) raised by a command into :func:`fail`."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ConnectorError as exc:
            raise fail(exc) from None
        except ValidationError as exc:  # a config built from flags
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
                for e in exc.errors(include_url=False, include_input=False)
            )
            raise fail(f"Invalid source: {problems}") from None

    return wrapper


@contextmanager
def step(message: str) -> Iterator[None]:
    """Say that a long step is under way: a spinner on a terminal; elsewhere (CI, nox,
    a pipe), where rich draws nothing, a plain line before and one after with the time."""
    if err_console.is_terminal:
        with err_console.status(message):
            yield
        return
    err_console.print(f"{message} ...", highlight=False, markup=False)
    started = time.perf_counter()
    yield
    err_console.print(
        f"{message}: done in {time.perf_counter() - started:.1f} s", highlight=False, markup=False
    )


@contextmanager
def read_progress(
    *, enabled: bool = True, output: Console | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """The engine's ``progress(rows, bytes)`` callback: a live bar on a terminal; elsewhere
    a plain line every few seconds and one at the end, so a CI log shows the run moving."""
    from rich.filesize import decimal

    out = output or err_console
    if not enabled:
        yield None
        return
    if not out.is_terminal:
        started = last = time.perf_counter()
        seen = [0, 0]

        def line(rows: int, read_bytes: int) -> None:
            elapsed = time.perf_counter() - started
            out.print(
                f"read {rows:,} rows, {decimal(read_bytes)} in {elapsed:.1f} s",
                highlight=False,
                markup=False,
            )

        def report(rows: int, read_bytes: int) -> None:
            nonlocal last
            seen[:] = [rows, read_bytes]
            if time.perf_counter() - last >= PLAIN_PROGRESS_EVERY_S:
                last = time.perf_counter()
                line(rows, read_bytes)

        yield report
        if seen[0]:
            line(*seen)
        return
    yield from _live_bar(out, decimal)


def _live_bar(out: Console, decimal: Callable[[int], str]) -> Iterator[Callable[[int, int], None]]:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("Reading"),
        BarColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TextColumn("{task.fields[bytes]}"),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    )
    task = progress.add_task("read", total=None, rows="0", bytes="0 bytes")

    def update(rows: int, read_bytes: int) -> None:
        progress.update(task, rows=f"{rows:,}", bytes=decimal(read_bytes))

    with progress:
        yield update
