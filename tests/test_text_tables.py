"""Tables pasted into a text (xteval.files.tables): pipes, tabs, aligned spaces and one cell per line give one grid.

The fixtures are written here, in figures of our own, in the shapes published texts use: a 三公 table
(预算数 and 决算数 of each of its items, 公务用车 split into 购置费 and 运行费) and a 收入支出决算总表 whose
two halves (收入, 支出) stand side by side, the 支出 half running longer.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from xteval.files import read_source
from xteval.files.tables import find_tables

SANGONG = (
    ("项目", "预算数", "决算数"),
    ("合计", "48.60", "41.25"),
    ("因公出国(境)费", "6.00", "0.00"),
    ("公务接待费", "12.60", "9.35"),
    ("公务用车购置及运行费", "30.00", "31.90"),
    ("其中：公务用车购置费", "18.00", "18.00"),
    ("公务用车运行费", "12.00", "13.90"),
)

TOTALS = (
    ("收入项目", "行次", "金额", "支出项目", "行次", "金额"),
    ("一般公共预算财政拨款收入", "1", "2,406.18", "一般公共服务支出", "31", "1,105.40"),
    ("政府性基金预算财政拨款收入", "2", "0.00", "教育支出", "32", "86.12"),
    ("事业收入", "3", "310.75", "社会保障和就业支出", "33", "402.39"),
    ("", "", "", "卫生健康支出", "34", "1,123.02"),
    ("本年收入合计", "5", "2,716.93", "本年支出合计", "35", "2,716.93"),
)


def pipes(grid) -> str:
    return "\n".join(" | ".join(row) + " |" for row in grid)


def tabs(grid) -> str:
    return "\n".join("\t".join(row) for row in grid)


def _w(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def aligned(grid) -> str:
    widths = [max(_w(row[c]) for row in grid) for c in range(len(grid[0]))]
    return "\n".join("".join(cell + " " * (widths[c] - _w(cell) + 3) for c, cell in enumerate(row)).rstrip() for row in grid)


def cells(grid) -> str:
    """A web page flattened: each cell on its line ending with `` |``; an empty cell a line ``|``."""
    return "\n".join(f"{cell} |" if cell else "|" for row in grid for cell in row)


def cells_with_bars(grid) -> str:
    """The other flattening: each cell on its line, followed by a line holding only ``|``."""
    return "\n".join(f"{cell}\n|" if cell else "|" for row in grid for cell in row)


SHAPES = {"pipes": pipes, "tabs": tabs, "spaces": aligned, "cells": cells, "bars": cells_with_bars}


def _in_prose(table: str, title: str) -> str:
    return f"一、基本情况\n本单位年度预算按规定公开，说明如下。\n{title}\n单位：万元\n{table}\n二、其他说明\n以上数据均为决算数。\n"


def _one(text: str):
    found = find_tables(text)
    assert len(found) == 1, found
    return found[0]


def test_each_shape_of_the_sangong_table_gives_the_same_grid():
    for name, shape in SHAPES.items():
        table = _one(_in_prose(shape(SANGONG), "表3 一般公共预算财政拨款“三公”经费支出表"))
        assert table.rows == SANGONG, name
        assert table.unit == "万元", name
        assert table.title == "表3 一般公共预算财政拨款“三公”经费支出表", name
        assert table.how == {"bars": "cells"}.get(name, name)


def test_each_shape_of_the_totals_table_gives_the_same_grid():
    for name, shape in SHAPES.items():
        table = _one(_in_prose(shape(TOTALS), "收入支出决算总表"))
        assert table.rows == TOTALS, name
        assert table.title == "收入支出决算总表", name


def test_row_lines_point_at_each_row_in_the_text():
    for name, shape in SHAPES.items():
        text = _in_prose(shape(SANGONG), "三公经费表")
        lines = text.split("\n")
        table = _one(text)
        for row, line in zip(table.rows, table.row_lines, strict=True):
            assert row[0] in lines[line - 1], (name, row, lines[line - 1])
        assert table.line == table.row_lines[0]


def test_merged_cells_in_pipe_rows_are_empty_and_the_grid_is_padded():
    text = "部门支出表 | ||\n? | 单位：元 | |\n项目 | 本年数 | 上年数 |\n基本支出 | 1,200.00 ||\n项目支出 | 300.00 | 280.00 |\n注：本表按功能分类列示 |\n"
    table = _one(text)
    assert table.rows == (("项目", "本年数", "上年数"), ("基本支出", "1,200.00", ""), ("项目支出", "300.00", "280.00"))
    assert (table.title, table.unit, table.row_lines) == ("部门支出表", "元", (3, 4, 5))


def test_a_two_level_header_flattened_one_cell_per_line():
    grid = ["年份", "合计", "公务接待费", "公务用车费", "合计", "购置", "运行"]
    grid += ["上年", "50", "10", "40", "15", "25", "本年", "45", "9", "36", "12", "24"]
    table = _one("\n".join(f"{c} |" for c in grid))
    assert table.rows == (
        ("年份", "合计", "公务接待费", "公务用车费", "公务用车费", "公务用车费"),
        ("年份", "合计", "公务接待费", "合计", "购置", "运行"),
        ("上年", "50", "10", "40", "15", "25"),
        ("本年", "45", "9", "36", "12", "24"),
    )


def test_a_label_spaced_out_inside_an_aligned_column_stays_one_cell():
    text = "项目                预算数     决算数\n合  计              20.00      18.50\n公务接待费          20.00      18.50\n"
    assert _one(text).rows == (("项目", "预算数", "决算数"), ("合 计", "20.00", "18.50"), ("公务接待费", "20.00", "18.50"))


def test_cells_whose_rows_do_not_keep_one_shape_are_not_a_table():
    # labels and figures with no period: a list of items with their figures, one item a figure short
    text = "\n".join(f"{c} |" for c in ["项目", "金额", "甲", "1", "乙", "2", "3", "丙", "丁", "4", "5", "6"])
    assert find_tables(text) == ()


def test_one_row_is_not_a_table():
    assert find_tables("项目 | 金额 |\n") == ()
    assert find_tables("项目\t金额\n") == ()


def test_a_plain_text_document_carries_its_tables(tmp_path):
    path = tmp_path / "sangong.txt"
    path.write_text(_in_prose(pipes(SANGONG), "三公经费支出表"), encoding="utf-8")
    doc = read_source(path)
    assert [t.rows for t in doc.tables] == [SANGONG]


WORDS = ["本单位", "年度", "预算", "支出", "公务接待", "完成", "项目", "资金", "执行率", "较上年", "增加", "减少", "其中", "主要用于"]


@st.composite
def prose(draw) -> str:
    sentences = []
    for _ in range(draw(st.integers(1, 30))):
        parts = []
        for _ in range(draw(st.integers(2, 8))):
            parts.append(draw(st.sampled_from(WORDS)))
            if draw(st.booleans()):
                number = draw(st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False))
                parts.append(f"{number}{draw(st.sampled_from(['万元', '元', '%', '个', '']))}")
            parts.append(draw(st.sampled_from(["", " ", "，", "、"])))
        sentences.append("".join(parts).strip() + "。" + draw(st.sampled_from(["", " ", "  "])))
    body = "".join(sentences)
    width = draw(st.integers(8, 60))  # a text wrapped by hand, or by a page
    return "\n".join(body[i : i + width] for i in range(0, len(body), width))


@given(prose())
def test_prose_with_figures_is_not_a_table(text):
    assert find_tables(text) == ()


def test_a_ten_megabyte_text_is_read():
    block = _in_prose(cells(SANGONG), "三公经费表") + _in_prose(aligned(TOTALS), "总表") + "正文 " * 400 + "\n"
    text = block * (10 * 2**20 // len(block.encode("utf-8")) + 1)
    found = find_tables(text)
    assert len(found) == 2 * (10 * 2**20 // len(block.encode("utf-8")) + 1)
    assert found[-1].rows == TOTALS


def test_a_bare_bar_before_each_row_marks_the_row():
    """Another page flattening: a line ``|`` opens each row, and each cell ends with its own ``|``."""
    text = "\n".join("|\n" + "\n".join(f"{c} |" for c in row) for row in SANGONG)
    assert _one(text).rows == SANGONG


def test_sections_are_the_heading_tree(tmp_path):
    text = "第一部分 单位概况\n一、主要职能\n负责本地区相关工作。\n（一）内设机构\n1.机关\n（1）办公室\n正文。\n（二）人员\n二、收支情况\n正文。\n"
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    found = read_source(path).sections
    assert [(s.level, s.marker, s.title, s.first_line, s.last_line, s.parent) for s in found] == [
        (0, "第一部分", "单位概况", 1, 11, None),
        (1, "一、", "主要职能", 2, 8, 0),
        (2, "（一）", "内设机构", 4, 7, 1),
        (3, "1.", "机关", 5, 7, 2),
        (4, "（1）", "办公室", 6, 7, 3),
        (2, "（二）", "人员", 8, 8, 1),
        (1, "二、", "收支情况", 9, 11, 0),
    ]


def test_a_tables_row_that_opens_with_a_headings_marker_is_no_heading():
    from xteval.files.sections import headings

    text = (
        "二、“三公”经费预算情况\n金额单位：万元\n项目 预算数 其中：一般公共预算\n"
        "一、“三公”经费合计 18.40 18.40\n（一）公务接待费 6.20 6.20\n三、收入 1 440.55\n（二）基本支出 3 万元\n"
    )
    # rows ending in two or more bare figures are the table's; a heading with one figure and its unit stays one
    assert [title for _, _, title in headings(text)] == ["“三公”经费预算情况", "基本支出 3 万元"]
