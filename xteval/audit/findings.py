"""The findings page of ``xteval check --html``: grouped by status, each quote highlighted in its line."""

from __future__ import annotations

import functools
import html
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import rules
from ..checks import Evidence, Status, Suite, amount
from ..money import half_up
from ..render.fonts import embed_font
from ..render.labels import in_words
from .reading import ReportText

TEMPLATE = Path(__file__).resolve().parents[1] / "render" / "templates" / "findings.html.j2"


def _highlight(report: ReportText | None, ev: Evidence, pad: int = 60) -> str:
    """The quote marked in its line, with up to ``pad`` characters either side; all else escaped."""
    mark = f"<mark>{html.escape(ev.quote)}</mark>"
    if report is None or ev.line is None or not 1 <= ev.line <= len(report.line_starts):
        return mark
    text, starts = report.text, report.line_starts
    s = starts[ev.line - 1]
    e = starts[ev.line] - 1 if ev.line < len(starts) else len(text)
    i = text.find(ev.quote, s, e)
    if i < 0:
        return mark
    lo, hi = max(s, i - pad), min(e, i + len(ev.quote) + pad)
    before, after = text[lo:i], text[i + len(ev.quote) : hi]
    return ("…" if lo > s else "") + html.escape(before) + mark + html.escape(after) + ("…" if hi < e else "")


@functools.cache
def _template():
    """The findings page's template, compiled once per process (compiling it cost 27 ms of a 70 ms document)."""
    import jinja2

    from ..render.sanitize import clip

    # every text the page shows is cut to MAX_CELL characters (a name from a params file may be megabytes)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        finalize=lambda v: clip(v) if type(v) is str else v,
    )
    return env.get_template(TEMPLATE.name)


def render_html(suite: Suite, report: ReportText | None = None, title: str = "报告勾稽检查", *, embed: bool = True) -> str:
    """A self-contained findings page: grouped by status, each quote highlighted in its line, no external request.

    ``embed=False`` leaves the font out, for pages that share one font file (see :func:`xteval.render.fonts.link_font`).
    """
    groups = [
        (s, [(r, [(e, _highlight(report, e)) for e in r.evidence]) for r in suite.by_status(s)])
        for s in (Status.fail, Status.warn, Status.passed)
    ]
    page = _template().render(
        title=title,
        source=str(report.path) if report and report.path else "",
        encoding=report.encoding if report else "",
        counts=suite.counts,
        groups=groups,
        rules_version=rules.version(),
        fmt=_fmt,
        words=in_words,  # a title or message that names a field id (a form's identity) reads in the report's words
    )
    return embed_font(page) if embed else page


def _fmt(v: Any) -> str:
    """A number for the findings page: an amount with its decimals, else as written."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return amount(v) if v == v.quantize(Decimal("0.000001")) else str(half_up(v))
    return str(v)
