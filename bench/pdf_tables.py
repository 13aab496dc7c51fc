"""How long a 100-page text PDF with a ruled table on every page takes to read (tables included): prints seconds a page.

    .venv/bin/python bench/pdf_tables.py [PAGES]

The PDF is typeset with fpdf2 (the dev extra) and the Noto Sans SC font the tests use; each page has a
running header, a paragraph, a ruled table of twelve rows and a page number. Issue 20 asks for 100 pages
in 10 s or less.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pylopdf_fonts_zh_cn

from xteval.files import read_source

FONT = Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"
ITEMS = ["基本支出", "人员经费", "公用经费", "项目支出", "公务接待费", "公务用车运行费", "会议费", "培训费", "差旅费", "办公费", "水电费"]


def build(pages: int, out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=str(FONT))
    pdf.set_font("noto", size=10)
    pdf.set_auto_page_break(False)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_xy(10, 8)
        pdf.cell(0, 6, "某单位部门决算公开", align="C")
        pdf.set_xy(10, 20)
        pdf.multi_cell(0, 7, f"第{n}页说明：本表反映本单位各项支出的年初预算数、调整预算数和决算数，金额单位为万元。" * 3)
        pdf.cell(0, 8, f"表{n} 支出明细表", new_x="LMARGIN", new_y="NEXT")
        for row in [("项目", "年初预算数", "调整预算数", "决算数")] + [
            (i, f"{n + k}.00", f"{n + k}.50", f"{n + k + 1}.25") for k, i in enumerate(ITEMS)
        ]:
            for cell, w in zip(row, (70, 40, 40, 40), strict=True):
                pdf.cell(w, 8, cell, border=1)
            pdf.ln(8)
        pdf.set_xy(10, 285)
        pdf.cell(0, 6, f"- {n} -", align="C")
    pdf.output(str(out))


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tables.pdf"
        build(pages, path)
        t0 = time.perf_counter()
        doc = read_source(path)
        dt = time.perf_counter() - t0
    rows = sum(len(t.rows) for t in doc.tables)
    print(f"{pages} pages, {len(doc.tables)} tables, {rows} rows in {dt:.2f} s ({1000 * dt / pages:.0f} ms a page)")


if __name__ == "__main__":
    main()
