"""Two runs side by side: schema changes, figures with their change, histograms overlaid."""

from __future__ import annotations

import re

import pyarrow as pa
from html_structure import by_class
from report_builders import mixed_table, profile_of

from dataprof.report import render_comparison_html


def test_compare_shows_schema_changes_figures_and_both_histograms() -> None:
    """Fix: report/comparison.py matches columns by field id, else by name."""
    before_table = mixed_table(300, seed=1)
    after_table = (
        mixed_table(360, seed=2)
        .drop_columns(["day"])
        .append_column("note", pa.array(["n"] * 360))
        .set_column(0, "id", pa.array([str(i) for i in range(360)]))
    )
    before = profile_of(before_table, run_id="a")
    after = profile_of(after_table, run_id="b")
    page = render_comparison_html(before, after)
    changes = [" ".join(e.text) for e in by_class(page, "schema-change")]
    assert changes == [
        "type changed: id int64 → string",
        "added: note (string)",
        "removed: day (date32[day])",
    ]
    amount = re.search(r'data-name="amount">(.*?)</section>', page, re.S)
    assert amount is not None
    assert (
        '<th>rows</th><td class="num">300</td><td class="num">360</td><td class="num">+60 (+20.0%)</td>'
        in amount.group(1)
    )
    histogram = amount.group(1)
    assert 'class="chart histogram"' in histogram
    assert histogram.count('class="bar"') == 10
    assert histogram.count('class="bar-other"') == 10
