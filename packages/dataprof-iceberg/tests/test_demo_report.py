"""`dataprof profile demo --html report.html` on the demo warehouse, opened in a real
headless Chromium: every chart drawn, no request, no error, under the 2 MB budget.

Skipped with the reason where Chromium or Playwright is missing, failed under CI
(`.ci/run` installs Debian's chromium).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.testing.browser import chromium, require_chromium, visit

REPORT_BUDGET_BYTES = 2 * 1024 * 1024


def test_the_demo_report_renders_every_chart_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fix: dataprof.report (core) or the demo's types if a chart goes missing."""
    browser_path = require_chromium()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATAPROF_STORE", raising=False)
    runner = CliRunner()
    made = runner.invoke(build_app(), ["demo", "--path", "wh", "--rows", "3000"])
    assert made.exit_code == 0, made.output
    for _ in range(2):  # a second run gives the report its history
        run = runner.invoke(
            build_app(), ["profile", "demo", "--no-progress", "--html", "report.html"]
        )
        assert run.exit_code == 0, run.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < REPORT_BUDGET_BYTES
    assert "demo.trips" in html
    assert "History (2 runs)" in html
    expected = len(re.findall(r'<svg class="chart ', html))
    with (
        chromium(browser_path) as browser,
        visit(browser, (tmp_path / "report.html").as_uri()) as (
            _,
            seen,
        ),
    ):
        assert len(seen.charts) == expected
        assert expected > 30
        assert [c for c in seen.charts if c[1] <= 0 or c[2] <= 0] == []
        assert {kind for kind, _, _ in seen.charts} >= {
            "histogram",
            "quantiles",
            "top-values",
            "trend",
        }
        assert seen.console_errors == []
        assert seen.page_errors == []
        assert seen.requests == []
