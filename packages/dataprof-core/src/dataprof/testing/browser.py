"""A real headless Chromium for tests of the HTML report (Debian's ``chromium``).

Playwright for Python drives the system browser (``executable_path``); it never
downloads one. :func:`require_chromium` skips a test with the reason when the
browser or Playwright is missing, except under CI (``CI`` set), where a missing
browser is a failure: ``.ci/run`` installs it, and a skipped test proves nothing.

:func:`visit` loads a page and reports what a reader's browser saw: each chart's
drawn size, console errors, script errors, dialogs (an ``alert`` from injected
script) and every request beyond the page itself, which is refused.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["CHROMIUM_ARGS", "Visit", "chromium", "require_chromium", "visit"]

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def require_chromium() -> str:
    """The browser's path; skips (or, under CI, fails) the test when it cannot run."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright for Python is not installed (pip install playwright)"
    path = os.environ.get("DATAPROF_CHROMIUM") or shutil.which("chromium")
    if reason is None and (path is None or not Path(path).is_file()):
        reason = "Chromium is not installed (apt-get install chromium, or set DATAPROF_CHROMIUM)"
    if reason is None and path is not None:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason or "no browser")


@contextmanager
def chromium(path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """What loading one page did."""

    charts: list[tuple[str, float, float]] = field(default_factory=list)
    """Each ``svg.chart``: its kind (second class) and drawn width and height in pixels."""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Requests other than the page itself (each one was refused)."""


_CHART_SIZES = """() => Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const box = svg.getBoundingClientRect();
  return [svg.classList[1] || '', box.width, box.height];
})"""


@contextmanager
def visit(browser: Browser, url: str, *, javascript: bool = True) -> Iterator[tuple[Page, Visit]]:
    """Open ``url`` (a ``file://`` page) in a fresh context and yield it with its record."""
    context = browser.new_context(java_script_enabled=javascript, service_workers="block")
    page = context.new_page()
    seen = Visit()
    page.on(
        "console",
        lambda message: (
            seen.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))

    def dialog(d: object) -> None:
        seen.dialogs.append(getattr(d, "message", ""))
        d.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dialog)

    def route(request_route: object) -> None:
        request = request_route.request  # type: ignore[attr-defined]
        if request.url == url:
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            seen.requests.append(request.url)
            request_route.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    try:
        page.goto(url, wait_until="load")
        seen.charts = [(kind, w, h) for kind, w, h in page.evaluate(_CHART_SIZES)]
        yield page, seen
    finally:
        context.close()
