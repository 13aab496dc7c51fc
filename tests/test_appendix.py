"""The appendix exporter: Chinese section numbers, table of contents, images, offline pages."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from xteval.errors import InputError, RunError
from xteval.render import appendix
from xteval.render.appendix import chinese_number, number_headings, to_html

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.parametrize(
    "n, text",
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
    ],
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def _nb(*sources: str, cwd: Path | None = None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) for s in sources]
    nb.metadata["xteval"] = {"unit": "测试单位", "year": 2023, "title": "测试"}
    if cwd:
        nb.metadata["papermill"] = {"cwd": str(cwd), "input_path": str(cwd / "t.ipynb")}
    return nb


@pytest.mark.parametrize(
    "sources, labels",
    [
        (["## 概况", "## 收入"], ["一、概况", "二、收入"]),
        (["## 概况\n### 职能\n### 机构", "## 收入\n### 财政拨款"], ["一、概况", "（一）职能", "（二）机构", "二、收入", "（一）财政拨款"]),
        (["## 一、概况", "## 二、收入"], ["一、概况", "二、收入"]),  # hand-written numbers are not doubled
        (["### （三）细项", "## 3、总结"], ["（一）细项", "一、总结"]),
        (["```\n## 不是标题\n```\n## 是标题"], ["一、是标题"]),  # fenced code is left alone
        (["# 大标题\n#### 小标题"], []),  # only ## and ### are numbered
        (["##没有空格"], []),
    ],
)
def test_headings_numbered_and_listed(sources, labels):
    nb = _nb(*sources)
    assert [h.label for h in number_headings(nb)] == labels


def test_page_has_numbered_headings_and_a_table_of_contents():
    page = to_html(_nb("## 概况\n\n正文", "### 职能", "## 收入与支出"))
    assert re.findall(r'<h2 class="[^"]*" id="(sec-\d+)">([^<]+)</h2>', page) == [("sec-1", "一、概况"), ("sec-2", "二、收入与支出")]
    assert '<h3 class="xt-section" id="sec-1-1">（一）职能</h3>' in page
    toc = re.split(r'<nav[^>]*class="xt-toc"', page, maxsplit=1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="#([^"]+)">([^<]+)<', toc) == [("sec-1", "一、概况"), ("sec-1-1", "（一）职能"), ("sec-2", "二、收入与支出")]
    assert page.index("<nav") < page.index('id="sec-1"')
    # the subsections sit inside their section's item, so two columns read 一 （一） 二 in order
    assert re.search(r'<li class="xt-toc-2"><a href="#sec-1">[^<]+</a><ol class="xt-toc-sub"><li class="xt-toc-3">', toc)
    # the title breaks only between its parts (unit, year, title), never inside a word
    h1 = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert re.findall(r'<span class="xt-nobr">([^<]+)</span>', h1) == ["测试单位", "2023 年度", "测试"]
    assert 'lang="zh"' in page


def test_title_block_shows_the_evaluation_and_the_footer_the_credit_once(monkeypatch):
    from xteval.render import localtime

    monkeypatch.setenv("XTEVAL_TZ", "Asia/Shanghai")
    localtime.zone_name.cache_clear()
    nb = _nb("## 概况")
    nb.metadata["xteval"].update(
        evaluation={"evaluator": "李四"},  # from the params file: wins over the batch option
        inputs={"evaluation": {"evaluator": "张三", "organization": "某评价中心", "date": "2024-03-31"}},
        run_at="2026-11-25T08:27:16+00:00",
        rules_version="2026.11-2",
        params="/any/where/params/2023/department.yaml",
    )
    page = to_html(nb)
    localtime.zone_name.cache_clear()
    meta = page.split('<table class="xt-meta">', 1)[1].split("</table>", 1)[0]
    assert "<th>评价人</th><td>李四</td>" in meta and "<th>评价机构</th><td>某评价中心</td>" in meta
    assert "<th>评价日期</th><td>2024年3月31日</td>" in meta and "<th>生成日期</th><td>2026年11月25日</td>" in meta
    footer = page.split('<footer class="xt-provenance">', 1)[1]
    assert "检查规则版本 2026.11-2" in footer and "生成时间 2026年11月25日 16:27" in footer and "2023/department.yaml" in footer
    assert "/any/where" not in footer and "provenance" not in footer.split(">", 1)[1] and "sha256" not in footer
    assert "本附件由本评价工具（版本 " in footer and page.count("本评价工具") == 1  # the generator credit is in the footer only


def test_unset_evaluation_reads_not_filled():
    meta = to_html(_nb("## 概况")).split('<table class="xt-meta">', 1)[1].split("</table>", 1)[0]
    assert meta.count("未填写") == 3


def test_a_code_cell_that_shows_nothing_is_not_an_empty_box_between_a_heading_and_its_table():
    nb = _nb("## 概况")
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))  # records only: no output
    nb.cells.append(nbformat.v4.new_markdown_cell("正文"))
    page = to_html(nb)
    assert page.count('class="jp-Cell ') == 2


def test_no_headings_no_table_of_contents():
    assert not re.search(r'<nav[^>]*class="xt-toc"', to_html(_nb("只有正文")))


def test_local_image_is_embedded(tmp_path):
    (tmp_path / "chart.png").write_bytes(PNG)
    page = to_html(_nb("![图](chart.png)", '<img src="chart.png" alt="x">', cwd=tmp_path))
    body = page.split("<body", 1)[1]
    assert body.count('src="data:image/png;base64,') == 2 and "chart.png" not in page


@pytest.mark.parametrize(
    "source, message",
    [
        ("![图](missing.png)", "图片不存在: missing.png"),
        ('<img src="sub/none.png">', "图片不存在: sub/none.png"),
        ("![图](https://example.org/a.png)", "外部"),
        ('<img src="//cdn.example.org/a.png">', "外部"),
        ("![表](data.csv)", "不是图片"),
    ],
)
def test_broken_or_external_image_is_a_clear_error(tmp_path, source, message):
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        to_html(_nb("## 概况", source, cwd=tmp_path))
    assert message in str(err.value)
    assert err.value.field == "cell 2" and str(tmp_path / "t.ipynb") in str(err.value)


def test_image_in_an_output_is_checked_too(tmp_path):
    nb = _nb("x", cwd=tmp_path)
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/html": '<img src="gone.png">'})]
    nb.cells.append(cell)
    with pytest.raises(InputError, match="gone.png"):
        to_html(nb)


def test_a_page_that_would_fetch_from_another_host_is_refused(monkeypatch):
    monkeypatch.setattr(appendix, "embed_font", lambda page: page)
    nb = _nb("x")
    nb.metadata["xteval"]["title"] = "t"
    bad = appendix.exporter().from_notebook_node
    monkeypatch.setattr(
        appendix,
        "exporter",
        lambda: type(
            "E",
            (),
            {
                "from_notebook_node": lambda self, n, resources=None: (
                    bad(n, resources=resources)[0] + '<link href="https://x.org/a.css">',
                    {},
                )
            },
        )(),
    )
    with pytest.raises(RunError, match="another host"):
        to_html(nb)


def test_one_exporter_per_process():
    assert appendix.exporter() is appendix.exporter()


def test_the_input_notebook_is_not_modified():
    nb = _nb("## 概况")
    before = nbformat.writes(nb)
    to_html(nb)
    assert nbformat.writes(nb) == before


def test_a_missing_data_file_is_refused_before_anything_runs(project):
    """The report text a params file names is gone: one line names the field and the file; nothing is written."""
    from conftest import variant

    from xteval.errors import ParamsError
    from xteval.runner.run import run_params

    params = variant(
        project / "params" / "2023",
        "department.yaml",
        ("source_report: sources/xiangtan-bigdata-2023.txt", "source_report: sources/gone.txt"),
    )
    with pytest.raises(ParamsError) as err:
        run_params(params, project / "outputs")
    line = str(err.value)
    assert "\n" not in line and "source_report: sources/gone.txt: 文件不存在" in line
    assert not (project / "outputs").exists()


OFFLINE = [
    # (page body, refused): real references are refused; text that merely mentions one is data
    ('<link rel="stylesheet" href="https://x.org/a.css">', True),
    ('<img src="//x.org/a.png">', True),
    ("<img src='HTTP://x.org/a.png'>", True),
    ('<img srcset="a.png 1x, https://x.org/b.png 2x">', True),
    ('<form action="https://x.org/f"></form>', True),
    ('<video poster="http://x.org/p.jpg"></video>', True),
    ('<div style="background: url(//x.org/a.png)">x</div>', True),
    ("<style>@import 'a.css';</style>", True),
    ('<style>p { background: url("https://x.org/b.png") }</style>', True),
    ('<meta http-equiv="refresh" content="0; url=https://x.org/">', True),
    ('<script>fetch("https://x.org/")</script>', True),
    ('<p>参见 @import url(//x.org/a.css) 与 src="http://x.org/a.png"</p>', False),
    ("<p>&lt;img src=&quot;http://x.org/a.png&quot;&gt; 与 &lt;link href=https://x.org/&gt;</p>", False),
    ("<td>见 https://www.mof.gov.cn/ 与 url(https://x.org/)</td>", False),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', False),
    ('<a href="#sec-1">一、概况</a>', False),
    ("<style>p { color: #333 } .x { background: url(data:image/png;base64,AAAA) }</style>", False),
]


@pytest.mark.parametrize(("body", "refused"), OFFLINE, ids=[b[:40] for b, _ in OFFLINE])
def test_the_offline_guard_refuses_only_real_references(body, refused):
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    if refused:
        with pytest.raises(RunError, match="another host"):
            appendix._check_offline(page, _nb("x"))
    else:
        appendix._check_offline(page, _nb("x"))  # no error: the page is written
