"""Tables in text PDFs (xteval.files.pdftables): ruled, unruled, and running across pages, give the grid the text gives.

The PDFs are typeset here with fpdf2, the way offices lay such documents out: a ruled 三公 table, the
same table with no rules (columns kept by alignment), and a 收入支出决算总表 that breaks across two pages
with its header repeated, under a running header and above a page number.
"""

from __future__ import annotations

from pathlib import Path

from document_forms import FONT
from test_text_tables import SANGONG, TOTALS

from xteval.files import read_source

WIDTHS = (70, 35, 35)  # mm, the 三公 table's columns
ROW_H = 8


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=str(FONT))
    pdf.fonts["noto"].ttfont.recalcBBoxes = False  # as document_forms.make_pdf: the full font's boxes hold
    pdf.set_font("noto", size=10.5)
    pdf.set_auto_page_break(False)
    return pdf


def _rows(pdf, grid, widths, border: int) -> None:
    for row in grid:
        for cell, w in zip(row, widths, strict=True):
            pdf.cell(w, ROW_H, cell, border=border, align="L" if not cell[:1].isdigit() else "R")
        pdf.ln(ROW_H)


def _prose(pdf, text: str) -> None:
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")


def test_a_ruled_table_reads_as_its_grid(tmp_path: Path):
    pdf = _pdf()
    pdf.add_page()
    _prose(pdf, "一、三公经费支出情况\n本单位三公经费支出情况见下表。")
    pdf.cell(0, 8, "表1 三公经费支出表", new_x="LMARGIN", new_y="NEXT")
    _rows(pdf, SANGONG, WIDTHS, border=1)
    _prose(pdf, "以上为本年度三公经费决算数。")
    path = tmp_path / "ruled.pdf"
    pdf.output(str(path))
    doc = read_source(path)
    assert [t.rows for t in doc.tables] == [SANGONG]
    table = doc.tables[0]
    lines = doc.lines
    for row, line in zip(table.rows, table.row_lines, strict=True):
        assert lines[line - 1] == "\t".join(row)  # each row is one line of the text, its cells apart by tabs
    assert table.page == 1 and table.how == "pdf"
    assert "以上为本年度三公经费决算数。" in doc.text


def test_an_unruled_table_reads_by_its_columns(tmp_path: Path):
    pdf = _pdf()
    pdf.add_page()
    _prose(pdf, "三公经费支出表（单位：万元）")
    _rows(pdf, SANGONG, WIDTHS, border=0)
    _prose(pdf, "说明：公务用车运行费较上年有所增加。")
    path = tmp_path / "unruled.pdf"
    pdf.output(str(path))
    doc = read_source(path)
    assert [t.rows for t in doc.tables] == [SANGONG]


def _header_footer(pdf, number: int) -> None:
    pdf.set_xy(10, 8)
    pdf.cell(0, 6, "某某单位2025年度部门决算公开", align="C")
    pdf.set_xy(10, 285)
    pdf.cell(0, 6, f"- {number} -", align="C")
    pdf.set_xy(10, 20)


def test_a_table_across_two_pages_is_one_table(tmp_path: Path):
    widths = (60, 15, 25, 50, 15, 25)
    pdf = _pdf()
    pdf.set_font_size(9)
    pdf.add_page()
    _header_footer(pdf, 1)
    _prose(pdf, "第一部分 部门决算表\n一、收入支出决算总表")
    pdf.set_y(240)  # the table starts low on the page: its rows run on to the next
    _rows(pdf, TOTALS[:4], widths, border=1)
    pdf.add_page()
    _header_footer(pdf, 2)
    _rows(pdf, TOTALS[:1] + TOTALS[4:], widths, border=1)  # the header, repeated
    _prose(pdf, "二、收入决算表说明")
    path = tmp_path / "across.pdf"
    pdf.output(str(path))
    doc = read_source(path)
    assert [t.rows for t in doc.tables] == [TOTALS]
    table = doc.tables[0]
    assert table.page == 1 and doc.page_of(table.row_lines[-1]) == 2
    assert doc.text.count("收入项目\t行次") == 1  # the repeated header is read once
    assert "- 2 -" in doc.text and not any("某某单位" in c or "- 1 -" in c for r in table.rows for c in r)


def test_prose_pages_have_no_tables(tmp_path: Path):
    pdf = _pdf()
    pdf.add_page()
    _prose(pdf, "本单位2025年度收入合计2,716.93万元，支出合计2,716.93万元。" * 6)
    path = tmp_path / "prose.pdf"
    pdf.output(str(path))
    assert read_source(path).tables == ()


def test_merged_cells_of_a_ruled_table_stand_in_every_position_they_cover(tmp_path: Path):
    pdf = _pdf()
    pdf.add_page()
    pdf.cell(40, ROW_H, "项目", border="LTR")  # spans two rows: no rule under it
    pdf.cell(60, ROW_H, "预算数", border=1, align="C")  # spans two columns: no rule inside it
    pdf.ln(ROW_H)
    pdf.cell(40, ROW_H, "", border="LBR")
    pdf.cell(30, ROW_H, "基本支出", border=1)
    pdf.cell(30, ROW_H, "项目支出", border=1)
    pdf.ln(ROW_H)
    _rows(pdf, [("本年", "120.50", "36.00"), ("上年", "118.20", "40.10")], (40, 30, 30), border=1)
    path = tmp_path / "merged.pdf"
    pdf.output(str(path))
    assert [t.rows for t in read_source(path).tables] == [
        (
            ("项目", "预算数", "预算数"),
            ("项目", "基本支出", "项目支出"),
            ("本年", "120.50", "36.00"),
            ("上年", "118.20", "40.10"),
        )
    ]


def test_two_ruled_tables_with_prose_between_are_two_tables(tmp_path: Path):
    pdf = _pdf()
    pdf.add_page()
    _rows(pdf, SANGONG[:4], WIDTHS, border=1)
    _prose(pdf, "上表为三公经费的前三项。")
    _rows(pdf, SANGONG[:1] + SANGONG[4:], WIDTHS, border=1)
    path = tmp_path / "two.pdf"
    pdf.output(str(path))
    assert [t.rows for t in read_source(path).tables] == [SANGONG[:4], SANGONG[:1] + SANGONG[4:]]


def test_a_table_typed_into_a_pdf_text_is_read_as_from_the_text(tmp_path: Path):
    """A PDF printed from a text whose table is pipe rows or one cell per line gives that text's tables."""
    from document_forms import make_pdf
    from test_text_tables import _in_prose, cells, pipes

    for shape in (pipes, cells):
        text = _in_prose(shape(SANGONG), "三公经费支出表")
        (tmp_path / "typed.txt").write_text(text, encoding="utf-8")
        pdf = read_source(make_pdf(text, tmp_path / "typed.pdf"))
        txt = read_source(tmp_path / "typed.txt")
        assert [t.rows for t in pdf.tables] == [t.rows for t in txt.tables] == [SANGONG]
        assert pdf.tables[0].page == 1
