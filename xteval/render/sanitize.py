"""Text from source systems made safe for the appendix, with a maintained sanitiser (nh3).

Budget systems export narrative fields with ``<p>`` and ``<br>`` markup, and a
params file may carry anything a clerk pasted. Two layers keep that text from
reaching the page as markup:

- :func:`narrative_html` renders one narrative field: ``<p>``/``<br>`` become
  paragraphs, every other tag is stripped (its text kept), every ``<``, ``>`` and
  ``&`` left over is escaped. Input is cut before parsing, so a megabyte of
  text or ten thousand nested tags cost milliseconds, not minutes (html5ever is
  quadratic on deeply nested ``<div>``: 200,000 of them take over two minutes).
- :func:`output_html` cleans every HTML output of a notebook in the exporter,
  whoever wrote the cell: tables, styles and inline images stay; scripts,
  ``on*=`` attributes, ``javascript:`` URLs, iframes and forms go.

Plain text fields (names, titles, evidence) are escaped by pandas Stylers
(``report.styled``) and by the template (Jinja ``|escape``); they never need
this module.
"""

from __future__ import annotations

import html
import re

import nh3

MAX_INPUT = 40_000  # characters parsed; beyond this the text is cut before the sanitiser sees it
MAX_CHARS = 20_000  # characters of visible text shown for one narrative field
TRUNCATED = "（原文过长，仅显示前 {n} 字）"

_BREAK = re.compile(r"</?p>|<br>")  # nh3 writes these tags in exactly this form, attributes removed


def paragraphs(text: str | None, limit: int = MAX_CHARS) -> tuple[list[str], bool]:
    """Split source text into escaped paragraphs.

    Args:
        text: text that may carry ``<p>``/``<br>`` (or any other) markup.
        limit: the most characters of visible text to keep.

    Returns:
        ``(paragraphs, cut)``: each paragraph is HTML-safe text (no tags, entities
        escaped); ``cut`` is True when the text was longer than shown.
    """
    text = text or ""
    cut = len(text) > MAX_INPUT
    clean = nh3.clean(text[:MAX_INPUT], tags={"p", "br"}, attributes={}, strip_comments=True)
    out: list[str] = []
    left = limit
    parts = [html.unescape(part).strip() for part in _BREAK.split(clean)]
    parts = [part for part in parts if part]
    for i, visible in enumerate(parts):
        if len(visible) > left:
            visible, cut = visible[:left], True
        out.append(html.escape(visible, quote=False))
        left -= len(visible)
        if left <= 0:
            cut = cut or i < len(parts) - 1
            break
    return out, cut


def narrative_html(text: str | None, limit: int = MAX_CHARS) -> str:
    """One narrative field as ``<div class="xt-narrative"><p>…</p>…</div>``, safe to embed."""
    paras, cut = paragraphs(text, limit)
    body = "".join(f"<p>{p}</p>" for p in paras)
    if cut:
        body += f'<p class="xt-note">{TRUNCATED.format(n=limit)}</p>'
    return f'<div class="xt-narrative">{body}</div>'


MAX_CELL = 2_000  # characters of one table cell (a name, a quote, an evidence note)


def clip(value):
    """A table cell's text cut to :data:`MAX_CELL` characters with a note; other values unchanged."""
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[:MAX_CELL] + f"…（原文 {len(value)} 字，已截断）"
    return value


# --------------------------------------------------------------------------- notebook outputs

_OUTPUT_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark",
    "ol", "p", "pre", "s", "small", "span", "strong", "style", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_OUTPUT_ATTRS = {
    "*": {"class", "id", "style", "title", "role", "lang", "dir", "align", "valign", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "img": {"src", "alt"},
    "a": {"href", "name"},
    "style": {"type"},
}


def _attribute(tag: str, attr: str, value: str) -> str | None:
    """Links may only point inside the page; images only at embedded data."""
    if tag == "a" and attr == "href":
        return value if value.startswith("#") else None
    if tag == "img" and attr == "src":
        return value if value.startswith("data:image/") else None
    return value


def output_html(markup: str) -> str:
    """Clean one HTML output of a notebook: keep tables, styles and data images; drop anything active."""
    return nh3.clean(
        markup,
        tags=_OUTPUT_TAGS,
        clean_content_tags={"script", "template", "iframe", "object", "embed", "noscript"},
        attributes=_OUTPUT_ATTRS,
        attribute_filter=_attribute,
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
    )


def markdown_text(text: str) -> str:
    """Markdown produced at run time (``display(Markdown(...))``) with any raw HTML in it escaped."""
    return html.escape(text, quote=False)
