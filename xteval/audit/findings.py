"""The findings page of ``xteval check --html``: grouped by status, each quote highlighted in its line."""

from __future__ import annotations

import functools
import html
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from .. import rules
from ..checks import CheckResult, Evidence, Status, Suite, amount
from ..money import half_up
from ..render.fonts import embed_font
from ..render.labels import in_words
from ..render.sanitize import clip
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
    sections = "".join(_section(s, suite.by_status(s), report) for s in (Status.fail, Status.warn, Status.passed))
    page = _template().render(
        title=title,
        source=str(report.path) if report and report.path else "",
        encoding=report.encoding if report else "",
        counts=suite.counts,
        sections=Markup(sections),
        rules_version=rules.version(),
    )
    return embed_font(page) if embed else page


# The sections are written here, not in the template: a page holds a few hundred records, and the template's
# per-value machinery cost 2 ms of a 25 ms document. Every text is escaped as the template escapes it (and cut
# to MAX_CELL characters first, as its finalize does).


def _text(value: Any) -> str:
    return escape(clip(value) if type(value) is str else value)


def _section(status: Status, records: list[CheckResult], report: ReportText | None) -> str:
    """One status's records: a heading with their count, then an article each (the template's loop, unrolled)."""
    articles = "".join(_article(status, r, report) for r in records)
    value = _text(status.value)
    return f'\n<section id="{value}">\n<h2 class="{value}">{_text(status.label)}（{len(records)}）</h2>\n{articles}\n</section>\n'


def _article(status: Status, r: CheckResult, report: ReportText | None) -> str:
    # The stable English id and reason code are for machines: kept as attributes, not shown to the reader. A title
    # or message that names a field id (a form's identity) reads in the report's words.
    nums = ""
    if r.expected is not None or r.observed is not None:
        cells = "".join(f"<td>{_text(_fmt(v))}</td>" for v in (r.expected, r.observed, r.difference, r.tolerance))
        nums = f"\n{_NUMS_HEAD}\n<tr>{cells}<td>{_text(r.unit)}</td></tr></table>\n"
    quotes = "".join(
        f'\n<blockquote>{f"""<span class="line">第 {_text(e.line)} 行</span>""" if e.line else ""}{_highlight(report, e)}</blockquote>\n'
        for e in r.evidence
    )
    return (
        f'<article class="{_text(status.value)}-item" data-id="{_text(r.id)}" data-reason="{_text(r.reason.value)}">\n'
        f"<h3>{_text(in_words(r.title))}</h3>\n<p>{_text(in_words(r.message))}</p>\n{nums}\n{quotes}\n</article>\n"
    )


_NUMS_HEAD = '<table class="nums"><tr><th>应为</th><th>实为</th><th>差额</th><th>容差</th><th>单位</th></tr>'


def _fmt(v: Any) -> str:
    """A number for the findings page: an amount with its decimals, else as written."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return amount(v) if v == v.quantize(Decimal("0.000001")) else str(half_up(v))
    return str(v)
