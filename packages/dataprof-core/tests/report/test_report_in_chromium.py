"""The report in a real headless Chromium: every chart drawn, nothing fetched, no error,
search and sort work, and it reads without JavaScript. Hostile names never run.

Skipped with the reason where Chromium or Playwright is missing; under CI it must run
(`.ci/run` installs Debian's chromium). One screenshot is kept as an artifact in
``$DATAPROF_ARTIFACTS`` (default ``build/test-artifacts`` at the repository root).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_builders import T0, mixed_table, profile_of

from dataprof.profiling.models import Anomaly, Severity, TableProfile
from dataprof.report import render_comparison_html, render_html
from dataprof.testing.browser import chromium, require_chromium, visit

if False:  # typing only, without importing Playwright at collection
    from playwright.sync_api import Browser

ARTIFACTS = Path(
    os.environ.get("DATAPROF_ARTIFACTS", Path(__file__).parents[4] / "build" / "test-artifacts")
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium(require_chromium()) as running:
        yield running


@pytest.fixture(scope="module")
def report_with_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TableProfile]:
    runs = [
        profile_of(
            mixed_table(600 + 40 * i, seed=i),
            run_id=f"run{i}",
            started_at=T0 + timedelta(days=i),
            finished_at=T0 + timedelta(days=i, seconds=4),
        )
        for i in range(4)
    ]
    current = runs[-1].model_copy(
        update={
            "anomalies": [
                Anomaly(
                    column_name="amount",
                    anomaly_type="null_share_change",
                    severity=Severity.HIGH,
                    description="Null share rose",
                ),
                Anomaly(
                    column_name=None,
                    anomaly_type="row_count_change",
                    severity=Severity.MEDIUM,
                    description="Row count rose",
                ),
            ]
        }
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(current, runs[:-1]), encoding="utf-8")
    return path, current


def test_every_chart_is_drawn_offline_without_errors(
    browser: Browser, report_with_history: tuple[Path, TableProfile]
) -> None:
    """Fix: report/templates (an SVG per chart), page.py (CSP, inlined assets)."""
    path, profile = report_with_history
    html = path.read_text()
    expected = len(re.findall(r'<svg class="chart ', html))
    with visit(browser, path.as_uri()) as (page, seen):
        assert len(seen.charts) == expected
        assert expected >= 4 * len(profile.columns)  # distribution charts and trends
        assert [c for c in seen.charts if c[1] <= 0 or c[2] <= 0] == []
        kinds = {kind for kind, _, _ in seen.charts}
        assert {"histogram", "quantiles", "top-values", "lengths", "boolean", "trend"} <= kinds
        assert seen.console_errors == []
        assert seen.page_errors == []
        assert seen.requests == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_search_filters_the_column_table_and_the_cards(
    browser: Browser, report_with_history: tuple[Path, TableProfile]
) -> None:
    """Fix: report/static/report.js."""
    path, profile = report_with_history
    with visit(browser, path.as_uri()) as (page, _):
        search = page.locator("#column-search")
        assert search.is_visible()  # hidden until the script runs
        search.fill("AMO")
        visible = page.locator("#overview tbody tr:visible td.name")
        assert visible.all_inner_texts() == ["amount"]
        assert page.locator("section.column:visible h3").all_inner_texts() == ["amount"]
        assert page.locator("#column-count").inner_text() == f"1 of {len(profile.columns)}"
        search.fill("")
        assert page.locator("#overview tbody tr:visible").count() == len(profile.columns)


def test_sorting_orders_the_column_table(
    browser: Browser, report_with_history: tuple[Path, TableProfile]
) -> None:
    """A click sorts by null share ascending, a second click descending."""
    path, profile = report_with_history
    most_nulls = max(profile.columns, key=lambda c: c.null_count or 0).column_name
    with visit(browser, path.as_uri()) as (page, _):
        button = page.locator("#overview thead button", has_text="nulls")
        button.click()
        ascending = _null_shares(page)
        assert ascending == sorted(ascending)
        button.click()
        assert _null_shares(page) == sorted(ascending, reverse=True)
        assert page.locator("#overview tbody td.name").first.inner_text() == most_nulls


def _null_shares(page: object) -> list[float]:
    values = page.locator("#overview tbody td:nth-child(4)").evaluate_all(  # type: ignore[attr-defined]
        "cells => cells.map(c => c.getAttribute('data-value'))"
    )
    return [float(v) if v else -1.0 for v in values]


def test_the_page_reads_without_javascript(
    browser: Browser, report_with_history: tuple[Path, TableProfile]
) -> None:
    """Figures and tables are HTML, charts SVG: nothing needs the script."""
    path, profile = report_with_history
    with visit(browser, path.as_uri(), javascript=False) as (page, seen):
        assert page.locator("#overview tbody tr:visible").count() == len(profile.columns)
        assert [c for c in seen.charts if c[1] <= 0 or c[2] <= 0] == []
        assert not page.locator("#column-search").is_visible()  # useless without script
        assert "Null share rose" in page.locator("#anomalies").inner_text()


def test_the_comparison_page_draws_its_charts(browser: Browser, tmp_path: Path) -> None:
    before = profile_of(mixed_table(300, seed=1), run_id="a")
    after = profile_of(mixed_table(400, seed=2), run_id="b")
    path = tmp_path / "compare.html"
    path.write_text(render_comparison_html(before, after), encoding="utf-8")
    with visit(browser, path.as_uri()) as (_, seen):
        assert len(seen.charts) == 5  # id, amount, at, day, price: histograms overlaid
        assert [c for c in seen.charts if c[1] <= 0 or c[2] <= 0] == []
        assert seen.console_errors == []
        assert seen.page_errors == []


PAYLOADS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(2)>',
        "</title><svg onload=alert(3)>",
        "' onmouseover='alert(4)' x='",
        "</style><script>alert(5)</script>",
        "<iframe src=javascript:alert(6)>",
        "<a href=javascript:alert(7)>x</a>",
        "]]><!--<script>alert(8)</script>-->",
    ]
)
HOSTILE = st.one_of(PAYLOADS, st.text(min_size=1, max_size=30).filter(str.strip))


def _open_report(
    browser: Browser, path: Path, names: list[str], top: str
) -> tuple[int, list[str], object]:
    """Render a two-column table with these names and top value; open it; count elements."""
    table = pa.table({names[0]: pa.array([top, top, None, None]), names[1]: pa.array([1, 2, 2, 3])})
    path.write_text(render_html(profile_of(table)), encoding="utf-8")
    with visit(browser, path.as_uri()) as (page, seen):
        count = page.evaluate("() => document.getElementsByTagName('*').length")
        headings = page.locator("section.column h3").all_text_contents()
        return count, headings, seen


def as_html_reads(text: str) -> str:
    """The text a browser shows for ``text`` escaped: HTML reads a carriage return as a
    line feed and drops NUL characters in text; everything else reads back as is."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


@pytest.fixture(scope="module")
def plain_element_count(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> int:
    path = tmp_path_factory.mktemp("plain") / "plain.html"
    count, _, _ = _open_report(browser, path, ["a", "b"], "plain")
    return count


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(HOSTILE, min_size=2, max_size=2, unique=True),
    value=HOSTILE,
)
def test_hostile_names_and_values_stay_text_in_the_browser(
    browser: Browser, plain_element_count: int, tmp_path: Path, names: list[str], value: str
) -> None:
    """Column names and top values from the data never create an element, never run a
    script, never fetch. Fix: never mark data `safe` in report/templates."""
    count, headings, seen = _open_report(browser, tmp_path / "hostile.html", names, value)
    assert count == plain_element_count
    assert headings == [as_html_reads(n) for n in names]
    assert seen.dialogs == []  # type: ignore[attr-defined]
    assert seen.requests == []  # type: ignore[attr-defined]
    assert seen.page_errors == []  # type: ignore[attr-defined]
