"""The HTML report: what it shows, where each figure's honesty goes, what it never does."""

from __future__ import annotations

import re
from datetime import timedelta

import pyarrow as pa
from html_structure import by_class, elements, tags
from hypothesis import given
from hypothesis import strategies as st
from report_builders import T0, mixed_table, profile_of

from dataprof.profiling.models import Anomaly, Severity, TableProfile
from dataprof.report import render_html, render_overview_html


def _cards(page: str) -> dict[str, str]:
    """Column name to the HTML of its card."""
    found = re.findall(
        r'<section class="column[^"]*" id="col-\d+" data-name="([^"]*)">(.*?)</section>', page, re.S
    )
    return dict(found)


def test_each_column_gets_a_card_with_the_charts_its_type_has(mixed_profile: TableProfile) -> None:
    """Numbers and times get a histogram and a quantile box, text its top values and lengths,
    booleans their split. Fix: report/column_view.py picks charts per metric present."""
    page = render_html(mixed_profile)
    cards = _cards(page)
    assert list(cards) == [c.column_name for c in mixed_profile.columns]
    for name in ("amount", "at", "day", "price"):
        assert 'class="chart histogram"' in cards[name], name
        assert 'class="chart quantiles"' in cards[name], name
    assert 'class="chart top-values"' in cards["city"]
    assert 'class="chart lengths"' in cards["city"]
    assert 'class="chart boolean"' in cards["paid"]
    assert "histogram" not in cards["city"]
    # the histogram draws the stored counts, not a recomputation
    stored = mixed_profile.column("amount").metrics["histogram"].value["counts"]  # type: ignore[union-attr]
    bars = re.findall(r'<rect class="bar"[^>]*><title>[^<]*: ([\d,]+) \(', cards["amount"])
    assert [int(b.replace(",", "")) for b in bars] == stored


def test_figures_say_whether_they_are_exact_and_where_they_came_from(
    mixed_profile: TableProfile,
) -> None:
    """The median comes from KLL: an approximate badge whose hover gives the rank error.
    Fix: report/formatting.py exactness_text and the badge macro."""
    card = _cards(render_html(mixed_profile))["amount"]
    median = re.search(r"<th[^>]*>median</th>.*?</tr>", card, re.S)
    assert median is not None
    metric = mixed_profile.column("amount").metrics["median"]  # type: ignore[union-attr]
    if metric.exact:
        assert 'class="badge exact"' in median.group(0)
    else:
        assert "rank error at most ±" in median.group(0)
    null_row = re.search(r"<th[^>]*>null count</th>.*?</tr>", card, re.S)
    assert null_row is not None
    assert 'class="badge exact"' in null_row.group(0)
    assert "full scan" in null_row.group(0)


def test_anomalies_come_first_by_severity_and_link_to_their_column(
    mixed_profile: TableProfile,
) -> None:
    """Fix: report/page_view.py sorts by severity; anchors are col-N, never the name."""
    profile = mixed_profile.model_copy(
        update={
            "anomalies": [
                Anomaly(
                    column_name="city",
                    anomaly_type="mostly_null",
                    severity=Severity.LOW,
                    description="city is 20% null",
                ),
                Anomaly(
                    column_name=None,
                    anomaly_type="row_count_change",
                    severity=Severity.CRITICAL,
                    description="rows fell",
                ),
                Anomaly(
                    column_name="amount",
                    anomaly_type="outliers",
                    severity=Severity.HIGH,
                    description="far values",
                ),
            ]
        }
    )
    page = render_html(profile)
    assert page.index('id="anomalies"') < page.index('id="columns-overview"')
    section = page[page.index('id="anomalies"') : page.index('id="columns-overview"')]
    assert list(re.findall(r"severity-(\w+)", section)) == ["critical", "high", "low"]
    amount = next(i for i, c in enumerate(profile.columns) if c.column_name == "amount")
    assert f'<a href="#col-{amount}">amount</a>' in section
    assert "(table)" in section
    assert "far values" in _cards(page)["amount"]


def test_history_draws_tracked_figures_and_marks_the_runs_with_anomalies() -> None:
    """Row count and each column's null share, distinct share and mean over past runs,
    the anomalous run marked. Fix: report/trend_charts.py."""
    runs = []
    for i, rows in enumerate((300, 320, 310, 150)):
        runs.append(
            profile_of(
                mixed_table(rows, seed=i),
                run_id=f"run{i}",
                started_at=T0 + timedelta(days=i),
                finished_at=T0 + timedelta(days=i, seconds=3),
            )
        )
    drop = Anomaly(
        column_name=None,
        anomaly_type="row_count_change",
        severity=Severity.HIGH,
        description="Row count fell by half",
    )
    current = runs[-1].model_copy(update={"anomalies": [drop]})
    sampled = runs[1].model_copy(
        update={"run_id": "sampled", "sampled": True, "sample_size": 100, "row_count": 9}
    )
    page = render_html(current, history=[*reversed(runs[:-1]), sampled])
    history = page[page.index('id="history"') : page.index('id="columns-overview"')]
    assert "History (4 runs)" in history
    assert history.count("<circle") == 4
    marked = re.findall(r'<circle class="point-anomaly"[^>]*><title>([^<]*)</title>', history)
    assert len(marked) == 1
    assert "Row count fell by half" in marked[0]
    assert "run 4: 150" in marked[0]
    card = _cards(page)["amount"]
    assert card.count('class="chart trend"') == 3  # null share, distinct share, mean
    # a profile without history draws no trend at all
    assert 'class="chart trend"' not in render_html(runs[0])


def test_a_stored_profile_renders_like_the_one_just_made(mixed_profile: TableProfile) -> None:
    """Profiles read from a store hold JSON values (ISO strings, decimal strings).
    Fix: report/svg.py as_number and formatting.value_text read both."""
    stored = TableProfile.model_validate_json(mixed_profile.model_dump_json())
    assert tags(render_html(stored)) == tags(render_html(mixed_profile))


def test_the_page_asks_for_nothing_from_the_network(mixed_profile: TableProfile) -> None:
    """No src, no link, no url(), no import; the CSP forbids any fetch and allows only our
    script, by its hash. Fix: report/page.py inlines static/ and sets the policy."""
    page = render_html(mixed_profile)
    found = elements(page)
    assert not [e for e in found if e.tag in {"link", "img", "iframe", "object", "embed"}]
    assert not [e for e in found if "src" in e.attrs or "srcset" in e.attrs]
    assert "url(" not in page
    assert "@import" not in page
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    policy = next(e.attrs["content"] for e in found if e.attrs.get("http-equiv"))
    assert "default-src 'none'" in policy
    assert "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1]
    assert sum(1 for e in found if e.tag == "script") == 1


_NAMES = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")
HOSTILE = st.one_of(
    _NAMES,
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "</title><svg onload=alert(1)>",
            "' onmouseover='alert(1)",
            "]]><!--",
            "&lt;b&gt;",
            "</style><script>alert(1)</script>",
            "{{ 7*7 }}",
        ]
    ),
)


@given(names=st.lists(HOSTILE, min_size=2, max_size=2, unique=True), value=HOSTILE)
def test_hostile_names_and_values_never_make_an_element(names: list[str], value: str) -> None:
    """Whatever the column names and top values hold, the page's elements are the same as
    with plain names, and the text reads back exactly. Fix: never mark data `safe`."""

    def page_for(first: str, second: str, top: str) -> str:
        table = pa.table({first: pa.array([top, top, None, None]), second: pa.array([1, 2, 2, 3])})
        return render_html(profile_of(table))

    hostile = page_for(names[0], names[1], value)
    plain = page_for("a", "b", "plain")
    assert tags(hostile) == tags(plain)
    headings = [e.text for e in elements(hostile) if e.tag == "h3"]
    assert ["".join(t) for t in headings] == names
    for element in elements(hostile):
        assert not any(attr.startswith("on") for attr in element.attrs)


def test_the_notebook_display_is_the_column_overview_without_script(
    mixed_profile: TableProfile,
) -> None:
    """Fix: report templates/notebook.html.j2."""
    fragment = render_overview_html(mixed_profile)
    assert "<script" not in fragment
    assert "<html" not in fragment
    rows = by_class(fragment, "overview")
    assert rows
    assert fragment.count('<tr data-name="') == len(mixed_profile.columns)
    assert mixed_profile._repr_html_() == fragment
