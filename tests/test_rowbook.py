"""The export workbook of plain rows: what a spreadsheet program reads back is what was written, as text."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from xteval.files.rowbook import CELL_MAX, Sheet, column_letters, write_rows


def test_rows_read_back_as_written_and_no_text_becomes_a_formula(tmp_path):
    hostile = ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2", " 前后空格 ", "a\x00b\x07c\ud800d", "<b>&amp;</b>"]
    long_text = "长" * (CELL_MAX + 50)
    rows = [["文件", "行号", *[f"列{i}" for i in range(30)]], ["甲.txt", 12, *hostile, long_text, None, 0]]
    path = tmp_path / "x.xlsx"
    write_rows(path, [Sheet("全部问题<&>", (20, 8), rows), Sheet("空表", (), [["只有表头"]])])
    book = load_workbook(path)
    assert book.sheetnames == ["全部问题<&>", "空表"]
    sheet = book["全部问题<&>"]
    got = [c.value for c in sheet[2]]
    assert got[:2] == ["甲.txt", 12] and isinstance(got[1], int)
    assert got[2:9] == ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2", " 前后空格 ", "abcd", "<b>&amp;</b>"]
    assert got[9] == "长" * CELL_MAX and got[10] is None and got[11] == 0
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["A"].width == 20
    assert [c.value for c in sheet[1]][-1] == "列29" and sheet.max_column == 32  # columns past Z: AA, AB…
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_column_letters_run_as_a_spreadsheet_names_them():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
