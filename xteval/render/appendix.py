"""Executed notebook → self-contained HTML appendix, written atomically.

``to_html()`` reads top to bottom as the pipeline: copy the notebook, drop
what a reader must not see (run records, widgets, stderr, scripts), clean every
HTML output with :mod:`xteval.sanitize`, embed local images (a missing one is an
error), number the ``##``/``###`` headings the Chinese way (一、… / （一）…) and
build the table of contents from them, render with the ``xteval`` template,
check that nothing points at another host, and embed the font.

The page needs no network: the template drops every external script, images are
``data:`` URIs, and Chinese text renders on any reader's machine because the
page embeds a subset of Noto Sans SC holding exactly the characters it uses
(WOFF, base64): the reader needs no CJK font.
"""

from __future__ import annotations

import base64
import functools
import html
import mimetypes
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from ..errors import InputError, RunError
from .fonts import embed_font
from .report import RECORD_MIME
from .sanitize import markdown_text, output_html

TEMPLATE_DIR = Path(__file__).parent / "templates"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# What a page may show. Everything else (JavaScript, widget views, LaTeX that needs
# MathJax, Plotly JSON…) needs a script from somewhere and is dropped.
SHOWN_MIMES = ("text/html", "text/markdown", "image/png", "image/jpeg", "image/gif", "image/svg+xml", "text/plain")


@functools.cache
def exporter():
    """One HTML exporter per process, with code and prompts hidden; reused across runs."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="xteval",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="zh",  # ISO 639-1; nbconvert rejects zh-CN
    )


def to_html(nb, font_cache: Path | None = None, framework_titles: Mapping[str, str] | None = None) -> str:
    """Render an executed notebook as an offline HTML appendix with no code.

    Args:
        nb: an executed notebook (``nbformat`` node or dict); it is not modified.
        font_cache: a folder where font subsets are kept between runs (see ``fonts.embed_font``).
        framework_titles: the Chinese title of each scoring framework the notebook recorded, by name,
            for the footer; a framework without one is shown by its name. The caller looks them up:
            rendering knows no scoring.

    Returns:
        The page: title block, table of contents, numbered sections, provenance
        footer, embedded font; no request to any other host.

    Raises:
        InputError: a markdown cell or an output refers to an image that does not
            exist, or to one on another host; the message names the notebook and cell.
    """
    nb = nbformat.from_dict(nb)  # a copy: the .ipynb keeps its records and outputs
    base = _base_dir(nb)
    nb.metadata.pop("widgets", None)  # widget state would pull in a widget manager script
    for index, cell in enumerate(nb.cells):
        where = {"file": _notebook_name(nb), "field": f"cell {index + 1}"}
        if cell.cell_type == "markdown":
            cell.source = _embed_images(cell.source, base, where)
        if "outputs" in cell:
            cell.outputs = [o for o in (_clean_output(o, base, where) for o in cell.outputs) if o is not None]
    # A code cell that shows nothing (it only records values) would still be an empty box
    # between a heading and what the heading introduces; without it they stay together on paper.
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
    toc = number_headings(nb)
    nb.metadata["title"] = _page_title(nb)
    body, _ = exporter().from_notebook_node(nb, resources={"xteval_toc": toc_html(toc), "xteval_page": page_context(nb, framework_titles)})
    _check_offline(body, nb)
    return embed_font(body, font_cache)


# --------------------------------------------------------------------------- outputs


def _clean_output(out, base: Path, where: dict):
    """An output as the page may show it, or None when nothing of it is for the reader."""
    if out.output_type == "stream":
        return out if out.get("name") == "stdout" else None  # warnings are for the run log, not the appendix
    if out.output_type not in ("display_data", "execute_result"):
        return out  # errors: a failed run shows papermill's banner and the traceback
    data = out.get("data", {})
    if RECORD_MIME in data or WIDGET_MIME in data:
        return None  # run records go to metadata; a widget's text/plain is only its repr
    kept = {k: v for k, v in data.items() if k in SHOWN_MIMES}
    if "image/svg+xml" in kept:
        # An SVG inline can carry script; as an <img> it cannot.
        svg = kept.pop("image/svg+xml")
        svg = svg if isinstance(svg, str) else "".join(svg)
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        kept.setdefault("text/html", f'<img src="{uri}" alt="">')
    if "text/html" in kept:
        markup = kept["text/html"] if isinstance(kept["text/html"], str) else "".join(kept["text/html"])
        kept["text/html"] = output_html(_embed_images(markup, base, where))
    if "text/markdown" in kept:
        text = kept["text/markdown"] if isinstance(kept["text/markdown"], str) else "".join(kept["text/markdown"])
        kept["text/markdown"] = markdown_text(text)
    if not kept:
        return None
    out.data = kept
    return out


# --------------------------------------------------------------------------- images

_MD_IMAGE = re.compile(r"""!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?P<title>\s+["'][^)]*["'])?\s*\)""")
_HTML_IMAGE = re.compile(r"""(?P<pre><img\b[^>]*?\bsrc\s*=\s*)(?P<q>["'])(?P<src>[^"']*)(?P=q)""", re.I)


def _base_dir(nb) -> Path:
    """Where relative image paths start: the folder papermill ran the notebook in."""
    pm = nb.metadata.get("papermill", {})
    if pm.get("cwd"):
        return Path(pm["cwd"])
    if pm.get("input_path"):
        return Path(pm["input_path"]).parent
    return Path.cwd()


def _notebook_name(nb) -> str:
    return nb.metadata.get("papermill", {}).get("input_path") or nb.metadata.get("xteval", {}).get("notebook") or "notebook"


def image_uri(src: str, base: Path, where: dict) -> str:
    """A local image as a ``data:`` URI; an image on another host or a missing file is an error."""
    if src.startswith(("data:", "attachment:")):
        return src
    parsed = urllib.parse.urlparse(src)
    if parsed.scheme in ("http", "https", "ftp") or src.startswith("//"):
        raise InputError(f"图片引用外部地址: {src} (external image; appendices are read offline — save it beside the notebook)", **where)
    path = Path(urllib.parse.unquote(parsed.path))
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise InputError(f"图片不存在: {src} → {path} (image not found)", **where)
    mime = mimetypes.guess_type(path.name)[0] or ""
    if not mime.startswith("image/"):
        raise InputError(f"不是图片文件: {src} (not an image)", **where)
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _embed_images(text: str, base: Path, where: dict) -> str:
    """Replace every local image reference in markdown or HTML with its ``data:`` URI."""

    def md(m: re.Match) -> str:
        return f"![{m['alt']}]({image_uri(m['src'], base, where)}{m['title'] or ''})"

    def tag(m: re.Match) -> str:
        return f"{m['pre']}{m['q']}{image_uri(html.unescape(m['src']), base, where)}{m['q']}"

    return _HTML_IMAGE.sub(tag, _MD_IMAGE.sub(md, text))


# --------------------------------------------------------------------------- headings

_DIGITS = "〇一二三四五六七八九"
_HEADING = re.compile(r"^(?P<hashes>#{2,3})[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Hand-written numbers are removed, so a heading is numbered once: 一、 一. （一） (一) 1、
_OLD_NUMBER = re.compile(r"^(?:[〇一二三四五六七八九十百]+\s*[、.．]|[（(][〇一二三四五六七八九十百]+[）)]|\d+\s*、)\s*")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (section numbers)."""
    if not 0 < n < 1000:
        raise ValueError(f"section number out of range: {n}")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Heading:
    """One numbered section heading: level 2 (一、) or 3 (（一）)."""

    level: int
    number: str
    title: str
    anchor: str

    @property
    def label(self) -> str:
        return f"{self.number}{self.title}"


def number_headings(nb) -> list[Heading]:
    """Number the markdown ``##`` (一、二、…) and ``###`` (（一）（二）…) headings in place.

    Args:
        nb: a notebook; its markdown cells' heading lines are rewritten as HTML
            headings with the number and a stable ``id`` (``sec-2``, ``sec-2-1``).

    Returns:
        The headings in order, for the table of contents.
    """
    out: list[Heading] = []
    major = minor = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines, fenced = [], False
        for line in cell.source.splitlines():
            if _FENCE.match(line):
                fenced = not fenced
            m = None if fenced else _HEADING.match(line)
            if not m:
                lines.append(line)
                continue
            title = _OLD_NUMBER.sub("", m["title"]).strip()
            if len(m["hashes"]) == 2:
                major, minor = major + 1, 0
                h = Heading(2, f"{chinese_number(major)}、", title, f"sec-{major}")
            else:
                minor += 1
                h = Heading(3, f"（{chinese_number(minor)}）", title, f"sec-{major}-{minor}")
            first = " xt-first" if h.level == 2 and major == 1 else ""
            lines.append(f'<h{h.level} id="{h.anchor}" class="xt-section{first}">{html.escape(h.label)}</h{h.level}>')
            out.append(h)
        cell.source = "\n".join(lines)
    return out


def toc_html(headings: list[Heading]) -> str:
    """The table of contents as nested in-page links (empty without headings).

    Each major section (一、…) is one list item holding its subsections, laid out in
    two CSS columns filled top to bottom, and an item is never split between
    columns: the contents read 一 二 三 … in order on screen and on paper.
    """
    if not headings:
        return ""
    items: list[str] = []
    subs: list[str] = []

    def close() -> None:
        if subs:
            items[-1] += '<ol class="xt-toc-sub">' + "".join(subs) + "</ol>"
            subs.clear()
        if items:
            items[-1] += "</li>"

    for h in headings:
        link = f'<a href="#{h.anchor}">{html.escape(h.label)}</a>'
        if h.level == 2 or not items:
            close()
            items.append(f'<li class="xt-toc-2">{link}')
        else:
            subs.append(f'<li class="xt-toc-3">{link}</li>')
    close()
    return '<nav class="xt-toc" aria-label="目录"><div class="xt-toc-title">目　录</div><ol>' + "".join(items) + "</ol></nav>"


def _page_title(nb) -> str:
    x = nb.metadata.get("xteval", {})
    parts = [str(x.get("unit", "")), f"{x['year']} 年度" if x.get("year") else "", str(x.get("title", ""))]
    return " ".join(p for p in parts if p) or "预算绩效评价附件"


def page_context(nb, framework_titles: Mapping[str, str] | None = None) -> dict:
    """What the title block and the footer show, from ``metadata.xteval``, in Chinese.

    评价机构, 评价人 and 评价日期 come from the params file (recorded by the notebook
    as ``evaluation``) or else from the batch (``inputs.evaluation``, the options of
    ``xteval batch``); a field set nowhere reads 未填写. Times are shown in the
    evaluator's time zone (:mod:`xteval.render.localtime`); file names without
    their folders; frameworks by their Chinese titles.
    """
    from .localtime import show_date, show_time

    x = nb.metadata.get("xteval", {})
    own = x.get("evaluation") or {}
    batch = (x.get("inputs") or {}).get("evaluation") or {}
    ev = {k: own.get(k) or batch.get(k) for k in ("organization", "evaluator", "date")}
    title = [str(x.get("unit", "")), f"{x['year']} 年度" if x.get("year") else "", str(x.get("title", ""))]
    return {
        "title_parts": [t for t in title if t] or ["预算绩效评价附件"],
        "unit": x.get("unit", ""),
        "supervisor": x.get("supervisor", ""),
        "year": f"{x['year']} 年" if x.get("year") else "",
        "title": x.get("title", ""),
        "illustrative": bool(x.get("illustrative")),
        "organization": ev["organization"] or "未填写",
        "evaluator": ev["evaluator"] or "未填写",
        "date": show_date(ev["date"]) or "未填写",
        "run_date": show_time(x.get("run_at"), clock=False),
        "run_at": show_time(x.get("run_at")),
        "version": x.get("xteval_version", ""),
        "params": _short_path(x.get("params", "")),
        "params_hash": (x.get("params_hash") or "")[:12],
        "notebook": x.get("notebook", ""),
        "notebook_hash": (x.get("notebook_hash") or "")[:12],
        "frameworks": [(framework_titles or {}).get(k) or f"{k}（版本 {v}）" for k, v in (x.get("frameworks") or {}).items()],
        "rules_version": x.get("rules_version") or _rules_version(),
    }


def _short_path(path: str) -> str:
    """``/any/where/params/2023/department.yaml`` → ``2023/department.yaml``: the year folder and the file."""
    parts = Path(path).parts
    return "/".join(parts[-2:]) if parts else ""


def _rules_version() -> str:
    from .. import rules

    try:
        return rules.version()
    except Exception:
        return ""


# --------------------------------------------------------------------------- offline

# Attributes a browser fetches from (srcset and ping hold several URLs).
_URL_ATTRS = frozenset(
    {"src", "href", "action", "formaction", "poster", "data", "background", "cite", "longdesc", "manifest", "icon", "srcset", "ping"}
    | {"xlink:href", "codebase", "archive", "lowsrc", "dynsrc", "profile", "usemap"}
)
_REMOTE_URL = re.compile(r"^\s*(?:(?:https?|ftp|wss?):|//|\\\\)", re.I)  # another host: a scheme, or scheme-relative
_CSS_REMOTE = re.compile(r"""@import|url\(\s*["']?\s*(?:(?:https?|ftp):|//|\\\\)|image-set\(\s*["']\s*(?:https?:|//)""", re.I)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?\s*(?:https?:|//)", re.I)


class _References(HTMLParser):
    """The first reference in a page that a browser would fetch from another host.

    Only markup counts: URL attributes, inline ``style`` attributes, ``<style>`` sheets,
    a meta refresh and script text. Escaped text (a narrative sentence that mentions
    ``@import`` or ``src="http://…"``) is data, and data never makes a request.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: str | None = None
        self._in: str | None = None  # "style" or "script" while inside one

    def _flag(self, what: str) -> None:
        self.found = self.found or what[:160]

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            urls = value.split(",") if name in ("srcset", "ping") else [value]
            if name in _URL_ATTRS and any(_REMOTE_URL.match(u.strip().split(" ")[0]) for u in urls):
                self._flag(f'<{tag} {name}="{value}">')
            elif name == "style" and _CSS_REMOTE.search(value):
                self._flag(f'<{tag} style="{value}">')
            elif tag == "meta" and name == "content" and _REFRESH_URL.search(value):
                self._flag(f'<meta content="{value}">')
        if tag in ("style", "script"):
            self._in = tag

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style" and _CSS_REMOTE.search(data):
            self._flag(f"<style>…{_CSS_REMOTE.search(data).group(0)}…")
        elif self._in == "script" and re.search(r"https?://", data):
            self._flag("<script>…//…")


def _check_offline(page: str, nb) -> None:
    """A page that would fetch from another host is a fault of the template, never shipped."""
    refs = _References()
    refs.feed(page)
    refs.close()
    if refs.found:
        context = refs.found.replace("\n", " ")
        raise RunError(f"HTML 引用外部资源 (page refers to another host): {context}", file=_notebook_name(nb))


# --------------------------------------------------------------------------- font
