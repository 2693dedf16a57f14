"""Render views to one self-contained HTML page with Jinja2, autoescaping everything.

Every value from the data (column names, top values, anomaly texts) reaches the
page through the template engine with autoescape on, in text and attributes
alike; no template marks data ``safe``. The only unescaped inserts are this
package's own stylesheet and script, inlined so the page makes no request, and
the Content-Security-Policy allows exactly that script (by its hash) and no
network at all, so even a value that slipped through could not run or fetch.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

__all__ = ["content_security_policy", "render_template"]


@cache
def _static(name: str) -> str:
    return resources.files("dataprof.report").joinpath("static", name).read_text("utf-8")


def content_security_policy(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def _px(value: float) -> str:
    """SVG coordinates to one decimal: smaller pages, same picture."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dataprof.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["px"] = _px
    return env


def render_template(name: str, *, scripted: bool = True, **context: Any) -> str:
    """Render ``name`` with the stylesheet (and, when ``scripted``, the script) inlined."""
    script = _static("report.js") if scripted else ""
    return (
        _environment()
        .get_template(name)
        .render(
            css=_static("report.css"),
            script=script,
            csp=content_security_policy(script),
            **context,
        )
    )
