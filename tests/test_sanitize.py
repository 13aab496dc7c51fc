"""Text from params files never reaches an appendix as markup.

Three layers are tested: the narrative renderer (<p>/<br> become paragraphs,
everything else is stripped or escaped), the output cleaner the exporter runs on
every HTML output, and whole runs of every notebook with a script, an ``on*=``
attribute and a ``javascript:`` URL put into every text field of its params file.
"""

from __future__ import annotations

import html.parser
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import PARAMS, ROOT

from xteval.errors import RunError
from xteval.params import load_yaml, validate
from xteval.render.appendix import to_html
from xteval.render.report import narrative
from xteval.render.sanitize import MAX_CHARS, MAX_INPUT, narrative_html, output_html
from xteval.runner.run import run_params
from xteval.scaffold import dump

MARK = "XT7"
PAYLOAD = (
    f'<script>window.{MARK}=1</script><img src=x onerror="window.{MARK}=2">'
    f'<a href="javascript:window.{MARK}=3">{MARK}链接</a><b onmouseover="window.{MARK}=4">{MARK}粗</b>'
)


class _Markup(html.parser.HTMLParser):
    """Collects what a browser would treat as active: script elements, on* attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self.paragraphs = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.paragraphs += tag == "p"
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if value and "".join(value.split()).lower().startswith(("javascript:", "vbscript:")):
                self.js_urls.append(f"<{tag} {name}={value[:40]}>")


def active_markup(page: str) -> _Markup:
    parser = _Markup()
    parser.feed(page)
    parser.close()
    return parser


# --------------------------------------------------------------------------- narrative text


@pytest.mark.parametrize(
    "text, paragraphs, shown, hidden",
    [
        ("<p>一、职能</p><p>二、任务</p>", ["一、职能", "二、任务"], [], []),
        ("第一段<br>第二段<br/>第三段", ["第一段", "第二段", "第三段"], [], []),
        ("<P CLASS='x'>大写标签</P >", ["大写标签"], [], []),
        ("<p>a</p><script>alert(1)</script><p>b</p>", ["a", "b"], [], ["script", "alert"]),
        ('<p onclick="alert(1)">点击</p>', ["点击"], [], ["onclick"]),
        ('<a href="javascript:alert(1)">链接</a>', ["链接"], [], ["javascript", "href"]),
        ("<img src=x onerror=alert(1)>图", ["图"], [], ["onerror", "img"]),
        ("<b>粗</b>与<i>斜</i>", ["粗与斜"], [], ["<b>", "<i>"]),
        ("完成率 5<6 且 a & b", ["完成率 5&lt;6 且 a &amp; b"], [], []),
        ("<!-- 注释 --><p>正文</p>", ["正文"], [], ["注释"]),
        ("<style>p{color:red}</style><p>正文</p>", ["正文"], [], ["color"]),
        ("<p>  </p><br><p></p>", [], [], []),
        (None, [], [], []),
    ],
)
def test_narrative_paragraphs(text, paragraphs, shown, hidden):
    out = narrative(text)
    body = out.removeprefix('<div class="xt-narrative">').removesuffix("</div>")
    assert body == "".join(f"<p>{p}</p>" for p in paragraphs)
    for word in hidden:
        assert word not in out
    found = active_markup(out)
    assert (found.scripts, found.handlers, found.js_urls) == (0, [], [])


@pytest.mark.parametrize(
    "text, note",
    [
        ("字" * 1_000_000, True),  # a megabyte of text: cut to MAX_CHARS with a note
        ("<div>" * 200_000 + "深", True),  # nested tags: html5ever alone takes minutes on these
        ("<b><i><u>" * 100_000, True),
        ("<p>段" * 300_000, True),
        ("<table><tr><td>" * 50_000, True),
        ("字" * MAX_CHARS, False),  # exactly the limit: shown whole, no note
        ("<p>" + "字" * (MAX_CHARS + 1) + "</p>", True),
    ],
)
def test_long_or_deeply_nested_text_is_cut_not_hung(text, note):
    out = narrative_html(text)
    visible = html.parser.HTMLParser()
    chunks: list[str] = []
    visible.handle_data = chunks.append
    visible.feed(out)
    shown = "".join(chunks).replace(f"（原文过长，仅显示前 {MAX_CHARS} 字）", "")
    assert len(shown) <= MAX_CHARS
    assert ("原文过长" in out) is note
    assert len(out) < 12 * MAX_INPUT  # bounded output, whatever came in


def test_truncation_keeps_whole_characters_and_escapes():
    out = narrative_html("<p>" + "&" * (MAX_CHARS + 5) + "</p>")
    assert out.count("&amp;") == MAX_CHARS and "&amp;&amp;</p>" in out


# --------------------------------------------------------------------------- notebook outputs


@pytest.mark.parametrize(
    "markup, kept, dropped",
    [
        (
            '<table class="xt-table"><caption>表</caption><tr><td style="text-align:right">1</td></tr></table>',
            ["<caption>", "text-align"],
            [],
        ),
        ('<style type="text/css">#T_a td{color:red}</style><table id="T_a"></table>', ["#T_a td{color:red}", 'id="T_a"'], []),
        ('<img src="data:image/png;base64,AAAA">', ["data:image/png;base64,AAAA"], []),
        ('<a href="#sec-1">目录</a>', ['href="#sec-1"'], []),
        ("<script>alert(1)</script>文字", ["文字"], ["<script", "alert"]),
        ('<div onclick="alert(1)" class="x">d</div>', ['class="x"'], ["onclick"]),
        ('<a href="javascript:alert(1)">x</a>', ["<a>x</a>"], ["javascript"]),
        ('<a href="https://example.org">x</a>', ["<a>x</a>"], ["example.org"]),
        ('<img src="https://example.org/t.png">', ["<img>"], ["example.org"]),
        ('<iframe src="x"></iframe><object data="x"></object><form action="/x"><input></form>', [], ["iframe", "object", "form", "input"]),
        ('<svg onload="alert(1)"><circle/></svg>', [], ["onload", "svg"]),
        ('<img src="data:text/html,<script>alert(1)</script>">', ["<img>"], ["data:text"]),
    ],
)
def test_output_cleaner(markup, kept, dropped):
    out = output_html(markup)
    for k in kept:
        assert k in out, out
    for d in dropped:
        assert d not in out, out


def test_exporter_drops_scripts_widgets_and_javascript_outputs():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"application/javascript": "window.JSOUT=1", "text/plain": "js"}),
        nbformat.v4.new_output(
            "display_data", {"application/vnd.jupyter.widget-view+json": {"model_id": "abc"}, "text/plain": "VBox(children=())"}
        ),
        nbformat.v4.new_output("display_data", {"text/html": PAYLOAD}),
        nbformat.v4.new_output("display_data", {"text/markdown": PAYLOAD}),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: something internal"),
    ]
    nb.cells = [cell]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    page = to_html(nb)
    found = active_markup(page)
    assert (found.scripts, found.handlers, found.js_urls) == (0, [], [])
    for gone in ("VBox", "widget-state", "window.JSOUT", "UserWarning"):
        assert gone not in page
    assert page.count(f"{MARK}粗") == 2  # the text survives, as text, from both outputs


# --------------------------------------------------------------------------- every notebook, every text field

FREE_TEXT = {"name", "title", "evidence", "functions", "problems", "improvements", "seed", "derived", "illustrative", "note", "supervisor"}


def _params_per_notebook() -> dict[str, Path]:
    """One params file per notebook (the seed year 2023 where it has one), so every notebook is run once."""
    chosen: dict[str, Path] = {}
    for path in sorted(PARAMS.glob("*/*.yaml"), key=lambda p: (p.parent.name != "2023", str(p))):
        data = load_yaml(path)
        if isinstance(data, dict) and "notebook" in data and "todo" not in str(data):
            chosen.setdefault(data["notebook"], path)
    return chosen


def _string_leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _string_leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _string_leaves(v, (*path, i))
    elif isinstance(node, str):
        yield path, node


def _set(node, path, value):
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def inject(data: dict, params_file: Path, only_free_text: bool) -> list[tuple]:
    """Append the payload to every string field that still validates; return the fields changed."""
    changed = []
    for path, text in list(_string_leaves(data)):
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        if key in ("notebook", "source_report", "seed") or (only_free_text and key not in FREE_TEXT):
            continue  # a seed is checked against its report on load: a payload there never loads (tests/test_params.py)
        if len(text) < 200 and (params_file.parent / text).is_file():
            continue  # a data file the notebook reads
        _set(data, path, text + PAYLOAD)
        try:
            validate(data, params_file)
        except Exception:
            _set(data, path, text)  # not free text (an enum, a date, a number written as text)
        else:
            changed.append(path)
    return changed


NOTEBOOK_PARAMS = _params_per_notebook()


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_PARAMS))
def test_payload_in_every_text_field_never_becomes_markup(notebook, tmp_path, forked_kernels):
    shutil.copytree(PARAMS, tmp_path / "params")
    (tmp_path / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    source = NOTEBOOK_PARAMS[notebook]
    target = tmp_path / "params" / source.parent.name / source.name
    pages = []
    for only_free_text in (False, True):
        data = load_yaml(source)
        changed = inject(data, target, only_free_text)
        assert changed, "no text field took the payload"
        target.write_text(dump(data), encoding="utf-8")
        try:
            result = run_params(target, tmp_path / "out")
            pages.append(result.html.read_text(encoding="utf-8"))
            break
        except RunError as exc:
            # A field the notebook uses as a key can fail the run; the page it leaves must be clean too.
            pages.append(Path(str(exc).rsplit("见 ", 1)[-1]).read_text(encoding="utf-8"))
    else:
        pytest.fail(f"{notebook}: the notebook failed even with the payload in free-text fields only")
    for page in pages:
        found = active_markup(page)
        assert found.scripts == 0, f"{notebook}: <script> in page"
        assert found.handlers == [], f"{notebook}: {found.handlers[:5]}"
        assert found.js_urls == [], f"{notebook}: {found.js_urls[:5]}"
    assert f"{MARK}粗" in pages[-1], "the payload's text is shown (escaped or stripped), proving the fields were rendered"
    if notebook == "department":
        assert "<p>1、贯彻落实国家" in pages[-1]  # <p> markup from the source system still makes paragraphs


def test_table_cells_are_clipped():
    from xteval.render.report import styled
    from xteval.render.sanitize import MAX_CELL

    html_ = styled(__import__("pandas").DataFrame({"名称": ["名" * (MAX_CELL * 10), "短"]})).to_html()
    assert html_.count("名") == MAX_CELL + 1 and "已截断" in html_ and ">短<" in html_


def test_megabyte_and_nested_fields_render_through_a_whole_run(tmp_path, forked_kernels):
    """A run, not just the renderer: megabyte narrative and evidence, 200,000 nested tags, a huge goal name."""
    shutil.copytree(PARAMS, tmp_path / "params")
    (tmp_path / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    target = tmp_path / "params" / "2023" / "department.yaml"
    data = load_yaml(target)
    data["narrative"]["functions"] = "<p>" + "职能" * 500_000 + "</p>"
    data["narrative"]["problems"] = "<div>" * 200_000 + "问题"
    data["narrative"]["improvements"] = "<b><i>" * 100_000
    data["goals"][0]["evidence"] = "证" * 1_000_000
    data["goals"][1]["name"] = "<div>" * 50_000 + "名"
    target.write_text(dump(data), encoding="utf-8")
    page = run_params(target, tmp_path / "out").html.read_text(encoding="utf-8")
    assert len(page) < 3_000_000  # every field was cut, none laid out in full
    assert page.count("原文过长") >= 1 and "已截断" in page
    found = active_markup(page)
    assert (found.scripts, found.handlers) == (0, [])
    assert "&lt;div&gt;" in page  # the nested name is escaped text
