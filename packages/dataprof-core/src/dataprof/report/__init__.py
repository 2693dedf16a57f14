"""HTML reports of profiles: one self-contained page, readable without JavaScript.

``render_html(profile, history)`` renders a :class:`~dataprof.profiling.TableProfile`
(and the stored runs before it, for the trends) as one HTML file: anomalies first,
a sortable and searchable column overview, then a card per column with its figures
(exact or approximate, and where each came from) and charts drawn on the server
as inline SVG from the stored metrics. ``render_comparison_html`` puts two runs
side by side; ``render_overview_html`` is the notebook's short display.

Nothing is recomputed and nothing is fetched: no CDN, no font, no request; the
page's Content-Security-Policy forbids them. Everything from the data is escaped
by the template engine (Jinja2 with autoescape).
"""

from __future__ import annotations

from collections.abc import Sequence

from dataprof.profiling.models import TableProfile

__all__ = ["render_comparison_html", "render_html", "render_overview_html"]


def render_html(profile: TableProfile, history: Sequence[TableProfile] = ()) -> str:
    """The full report of ``profile``; ``history`` (past runs of the same table, in any
    order, as ``ProfileStore.history`` gives them) adds the trend charts."""
    from dataprof.report.page import render_template
    from dataprof.report.page_view import page_view

    return render_template("report.html.j2", page=page_view(profile, history))


def render_overview_html(profile: TableProfile) -> str:
    """A fragment for notebooks: the header figures, anomalies and the column table."""
    from dataprof.report.page import render_template
    from dataprof.report.page_view import page_view

    return render_template("notebook.html.j2", scripted=False, page=page_view(profile))


def render_comparison_html(before: TableProfile, after: TableProfile) -> str:
    """Two runs of a table side by side: figures, histograms overlaid, schema changes."""
    from dataprof.report.comparison import comparison_view
    from dataprof.report.page import render_template

    return render_template("compare.html.j2", page=comparison_view(before, after))
