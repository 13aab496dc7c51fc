"""Saved web pages, workbooks and .docx tables as grids (issue 20, item 1): one small 部门决算 form, written in
each format by the test, reads as the same grid with its merged cells resolved; and every hostile shape of
the new formats is one line and exit 2.

The unit and its figures are invented: 青禾县农业技术推广站, a 收入支出决算总表 in 元.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from xteval import cli
from xteval.errors import InputError
from xteval.files import read_source
from xteval.files.workbooks import display, number_text

XTEVAL = str(Path(sys.executable).parent / "xteval")
UNIT = "青禾县农业技术推广站"
TITLE = "收入支出决算总表"

# The form as an evaluator reads it: 收入 and 支出 merged over two columns each, 农林水支出 and its amount
# merged down two rows.
GRID = (
    ("收入", "收入", "支出", "支出"),
    ("项目", "决算数", "项目", "决算数"),
    ("一般公共预算财政拨款收入", "3,456,789.10", "农林水支出", "3,512,000.00"),
    ("其他收入", "55,210.90", "农林水支出", "3,512,000.00"),
    ("本年收入合计", "3,512,000.00", "本年支出合计", "3,512,000.00"),
)
PROSE = f"{UNIT}2023年度本年收入合计3,512,000.00元，其中一般公共预算财政拨款收入3,456,789.10元。"


def html_page(charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"><title>公开</title>
<script>document.write("<p>9,999.00</p>")</script><style>td {{ border: 1px }}</style></head>
<body><div class="crumb">首页&nbsp;&gt;&nbsp;决算公开</div><!-- a comment 8,888.00 -->
<h2>{UNIT}2023年度部门决算</h2>
<p>{PROSE}</p>
<p>{TITLE}</p><p>单位：元</p>
<table border="1">
<tr><th colspan="2">收入</th><th colspan="2">支出</th></tr>
<tr><td>项目</td><td>决算数</td><td>项目</td><td>决算数</td></tr>
<tr><td>一般公共预算财政拨款收入</td><td>3,456,789.10</td><td rowspan="2">农林水支出</td><td rowspan="2"><p>3,512,000.00</p></td></tr>
<tr><td>其他收入</td><td>55,210.90</td></tr>
<tr><td>本年收入合计</td><td>3,512,000.00</td><td>本年支出合计</td><td>3,512,000.00</td></tr>
</table></body></html>"""


def make_html(path: Path, charset: str = "utf-8") -> Path:
    encoding = "gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else "utf-8"
    path.write_bytes(html_page(charset).encode(encoding))
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(PROSE)
    document.add_paragraph(TITLE)
    document.add_paragraph("单位：元")
    table = document.add_table(rows=5, cols=4)
    for r, row in enumerate(GRID):
        for c, text in enumerate(row):
            if (r, c) not in ((0, 1), (0, 3), (3, 2), (3, 3)):
                table.cell(r, c).text = text
    for (r0, c0), (r1, c1) in (((0, 0), (0, 1)), ((0, 2), (0, 3)), ((2, 2), (3, 2)), ((2, 3), (3, 3))):
        keep = table.cell(r0, c0).text
        merged = table.cell(r0, c0).merge(table.cell(r1, c1))
        merged.text = keep
    document.save(path)
    return path


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def make_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = TITLE
    ws.merge_cells("A1:D1")
    ws["D2"] = "单位：元"
    for r, row in enumerate(GRID, start=3):
        for c, text in enumerate(row, start=1):
            cell = ws.cell(r, c)
            if text[0].isdigit():
                cell.value, cell.number_format = _number(text), "#,##0.00"
            else:
                cell.value = text
    for rng in ("A3:B3", "C3:D3", "C5:C6", "D5:D6"):
        ws.merge_cells(rng)
    wb.create_sheet("Sheet2")  # empty: no table, no text
    wb.save(path)
    return path


def xls_bytes(filepass: bool = False) -> bytes:
    """The form as an .xls written by xlwt; ``filepass`` plants the record an encrypted workbook opens with."""
    import xlwt
    from xlwt.CompoundDoc import XlsDoc

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(TITLE)
    money = xlwt.easyxf(num_format_str="#,##0.00")
    ws.write_merge(0, 0, 0, 3, TITLE)
    ws.write(1, 3, "单位：元")
    merged = {(0, 0): (0, 1), (0, 2): (0, 3), (2, 2): (3, 2), (2, 3): (3, 3)}
    covered = {(r, c) for (r0, c0), (r1, c1) in merged.items() for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(merged)
    for r, row in enumerate(GRID):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            value, style = (_number(text), money) if text[0].isdigit() else (text, xlwt.Style.default_style)
            if (r, c) in merged:
                (r1, c1) = merged[(r, c)]
                ws.write_merge(r + 2, r1 + 2, c, c1, value, style)
            else:
                ws.write(r + 2, c, value, style)
    stream = wb.get_biff_data()
    if filepass:
        bof_end = 4 + struct.unpack_from("<H", stream, 2)[0]
        stream = stream[:bof_end] + struct.pack("<HHHHH", 0x002F, 6, 1, 1, 1) + stream[bof_end:]
    out = io.BytesIO()
    XlsDoc().save(out, stream)
    return out.getvalue()


def make_xls(path: Path) -> Path:
    path.write_bytes(xls_bytes())
    return path


MAKERS = {"html": make_html, "htm": lambda p: make_html(p, "gbk"), "docx": make_docx, "xlsx": make_xlsx, "xls": make_xls}


def form_of(doc):
    return next(t for t in doc.tables if t.title == TITLE)


@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_one_form_reads_as_the_same_grid_from_every_format(tmp_path, fmt):
    doc = read_source(MAKERS[fmt](tmp_path / f"form.{fmt}"))
    table = form_of(doc)
    assert table.rows == GRID
    assert table.unit == "元"
    assert table.how == ("html" if fmt == "htm" else fmt)
    lines = doc.lines
    assert [lines[n - 1] for n in table.row_lines] == [
        "收入\t支出",
        "项目\t决算数\t项目\t决算数",
        "一般公共预算财政拨款收入\t3,456,789.10\t农林水支出\t3,512,000.00",
        "其他收入\t55,210.90\t农林水支出\t3,512,000.00",
        "本年收入合计\t3,512,000.00\t本年支出合计\t3,512,000.00",
    ]
    assert table.line == table.row_lines[0]


@pytest.mark.parametrize("fmt", ["html", "htm"])
def test_a_page_gives_its_text_without_scripts_styles_or_comments(tmp_path, fmt):
    doc = read_source(MAKERS[fmt](tmp_path / f"form.{fmt}"))
    assert PROSE in doc.lines
    assert "首页 > 决算公开" in doc.lines  # entities decoded, &nbsp; a space
    assert "9,999.00" not in doc.text and "8,888.00" not in doc.text and "border" not in doc.text


@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_check_reads_every_format_and_never_fails_inside(tmp_path, capsys, fmt):
    path = MAKERS[fmt](tmp_path / f"form.{fmt}")
    code = cli.main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "Traceback" not in err


def test_extract_reads_a_page(tmp_path, capsys):
    path = make_html(tmp_path / "form.html")
    code = cli.main(["extract", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "351.2" in out  # 本年收入合计 3,512,000.00 元 seeded in 万元


def test_check_against_a_workbook(tmp_path, capsys):
    page, book = make_html(tmp_path / "form.html"), make_xlsx(tmp_path / "form.xlsx")
    code = cli.main(["check", str(page), "--against", str(book)])
    _, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in err, err


def test_a_workbook_gives_the_sheet_title_and_rows_as_text(tmp_path):
    doc = read_source(make_xlsx(tmp_path / "form.xlsx"))
    assert doc.lines[:2] == [TITLE, "单位：元"]
    assert len(doc.tables) == 1  # the empty sheet gives nothing


def test_an_xls_sheet_without_a_title_row_takes_its_name(tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("支出决算表")
    for r, row in enumerate([("项目", "决算数"), ("基本支出", 1200.5), ("项目支出", 300)]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    path = tmp_path / "named.xls"
    wb.save(str(path))
    doc = read_source(path)
    assert doc.tables[0].title == "支出决算表" and doc.lines[0] == "支出决算表"
    assert doc.tables[0].rows == (("项目", "决算数"), ("基本支出", "1200.5"), ("项目支出", "300"))


def test_a_formula_gives_its_saved_value_never_an_evaluation(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["项目", "决算数"])
    wb.active.append(["本年收入合计", "=1+1"])  # openpyxl saves no value for it: nothing to show, nothing evaluated
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    assert read_source(path).tables[0].rows == (("项目", "决算数"), ("本年收入合计", ""))


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.1, "General", "0.1"),
        (1234.0, "General", "1234"),
        (1234.5, "#,##0.00", "1,234.50"),
        (0.955, "0.0%", "95.5%"),
        (2.675, "0.00", "2.68"),  # the decimal 2.675, rounded half up: a float would give 2.67
        (-5.5, '#,##0.00;[Red]"-"#,##0.00', "-5.50"),
        (1e16, "General", "10000000000000000"),
    ],
)
def test_numbers_read_as_displayed_and_exact(value, fmt, shown):
    assert display(value, fmt) == shown
    assert number_text(Decimal("12345.6"), "#,##0.00") == "12,345.60"


def test_docx_text_is_unchanged_merged_cells_once(tmp_path):
    doc = read_source(make_docx(tmp_path / "form.docx"))
    assert doc.lines[:3] == [PROSE, TITLE, "单位：元"]
    assert doc.lines[3] == "收入\t支出"  # a cell merged across columns once, as before


# --------------------------------------------------------------------------- hostile inputs


def refused(path: Path, capsys, *words: str) -> str:
    code = cli.main(["check", str(path)])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert all(w in err for w in words), err
    return err


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><body><p>{PROSE}</p>{body}</body></html>"


HOSTILE_PAGES = {
    "colspan-bomb": (_page('<table><tr><td colspan="100000">x</td></tr></table>'), "colspan"),
    "rowspan-bomb": (_page('<table><tr><td rowspan="100000000">x</td><td>1</td></tr></table>'), "rowspan"),
    "wide-table": (_page("<table><tr>" + '<td colspan="999">x</td>' * 3 + "</tr></table>"), "列"),
    "many-tables": (_page("<table><tr><td>1</td></tr></table>" * 100_000), "表格"),
    "nested-tables": (_page("<table><tr><td>" * 30 + "x" + "</td></tr></table>" * 30), "嵌套"),
    "deep-elements": (_page("<div>" * 5_000 + "x" + "</div>" * 5_000), "嵌套"),
    "external-entity": (
        '<!DOCTYPE html [<!ENTITY leak SYSTEM "file:///etc/passwd">]><html><body><p>&leak;</p></body></html>',
        "实体",
    ),
    "entity-declared": ('<?xml version="1.0"?><!DOCTYPE html SYSTEM "http://example.invalid/x.dtd" [<!ENTITY a "b">]><html/>', "实体"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES))
def test_a_hostile_page_is_one_line_exit_2(tmp_path, capsys, name):
    body, word = HOSTILE_PAGES[name]
    path = tmp_path / f"{name}.html"
    path.write_text(body, encoding="utf-8")
    refused(path, capsys, word)


def test_a_layout_table_is_read_as_blocks_and_its_inner_table_once(tmp_path):
    inner = "<table><tr><td>项目</td><td>决算数</td></tr><tr><td>基本支出</td><td>1,200.50</td></tr></table>"
    path = tmp_path / "layout.html"
    path.write_text(_page(f"<table><tr><td><p>支出决算表</p>{inner}</td><td>侧栏</td></tr></table>"), encoding="utf-8")
    doc = read_source(path)
    assert [t.rows for t in doc.tables] == [(("项目", "决算数"), ("基本支出", "1,200.50"))]
    assert doc.tables[0].title == "支出决算表"
    assert doc.text.count("1,200.50") == 1


def _sheet_zip(path: Path, sheet: bytes) -> Path:
    parts = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + sheet
        + b"</worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_an_xlsx_with_a_cell_at_the_last_address_is_refused(tmp_path, capsys):
    path = _sheet_zip(tmp_path / "far.xlsx", b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    refused(path, capsys, "XFD1048576")


@pytest.mark.parametrize("ref", [b"A1:XFD1048576", b"a1:c200000", b"$A$1:$ALL$1001"])
def test_an_xlsx_merging_past_the_cap_is_refused_before_openpyxl_fills_it(tmp_path, capsys, ref):
    sheet = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData><mergeCells count="1"><mergeCell ref="'
        + ref
        + b'"/></mergeCells>'
    )
    refused(_sheet_zip(tmp_path / "merged.xlsx", sheet), capsys, "合并单元格")


@pytest.mark.parametrize(
    ("padding", "declared", "words"),
    [
        (40 << 20, 10, ("大于其声明的大小", "已损坏")),  # a stream that inflates past what its header declares
        (1 << 10, 300 << 20, ("解压后过大",)),  # a member that declares more than the package cap
    ],
)
def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_unpacks_it(tmp_path, padding, declared, words):
    sheet = b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>' + b" " * padding
    path = _sheet_zip(tmp_path / "bomb.xlsx", sheet)
    raw = bytearray(path.read_bytes())  # the central directory declares ``declared`` bytes for the sheet
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", raw, at + 24, declared)
        at = raw.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(raw))
    assert path.stat().st_size < 1_000_000
    proc = subprocess.run([XTEVAL, "check", str(path)], capture_output=True, timeout=600, check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err and any(w in err for w in words), err


def _renamed_stream(data: bytes, old: str, new: str) -> bytes:
    """An OLE file with one directory entry renamed (the name field and its length)."""
    raw = bytearray(data)
    at = raw.find((old + "\0").encode("utf-16-le"))
    assert at >= 0
    name = (new + "\0").encode("utf-16-le")
    raw[at : at + 64] = name.ljust(64, b"\0")
    struct.pack_into("<H", raw, at + 64, len(name))
    return bytes(raw)


HOSTILE_BOOKS = {
    "truncated.xls": (lambda: xls_bytes()[:3000], "已损坏"),
    "encrypted.xls": (lambda: xls_bytes(filepass=True), "加密"),
    "word.xls": (lambda: _renamed_stream(xls_bytes(), "Workbook", "WordDocument"), "另存为 .docx"),
    "encrypted.xlsx": (lambda: _renamed_stream(xls_bytes(), "Workbook", "EncryptedPackage"), "加密的 .xlsx"),
    "junk.xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "已损坏"),
    "text.xlsx": (lambda: "项目\t决算数\n".encode(), "已损坏"),
    "word.xlsx": (lambda: b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BOOKS))
def test_a_damaged_or_locked_workbook_is_one_line_exit_2(tmp_path, capsys, name):
    make, word = HOSTILE_BOOKS[name]
    path = tmp_path / name
    path.write_bytes(make())
    refused(path, capsys, word)


def test_a_docx_table_wider_than_the_cap_is_refused(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0]._tc.grid_span = 100_000
    path = tmp_path / "wide.docx"
    document.save(path)
    with pytest.raises(InputError, match="列"):
        read_source(path)


def test_docx_row_lines_count_the_line_breaks_inside_paragraphs_and_cells(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("第一行").add_run().add_break()  # a paragraph that is two lines of text
    document.add_paragraph(TITLE)
    table = document.add_table(rows=3, cols=2)
    for r, (label, amount) in enumerate([("项目", "决算数"), ("基本支出", "1,200.50"), ("项目支出", "300.00")]):
        table.cell(r, 0).text, table.cell(r, 1).text = label, amount
    cell = table.cell(1, 0).paragraphs[0]
    cell.add_run().add_break()  # a cell with a line break inside: its row spans two lines
    cell.add_run("（含离退休）")
    document.add_paragraph("表后一段")
    document.save(tmp_path / "breaks.docx")
    doc = read_source(tmp_path / "breaks.docx")
    lines = doc.lines
    t = doc.tables[0]
    assert [lines[n - 1] for n in t.row_lines] == ["项目\t决算数", "基本支出", "项目支出\t300.00"]
    assert t.title == TITLE
    assert lines[-1] == "表后一段"


def test_cells_with_only_a_border_do_not_stretch_a_sheet(tmp_path):
    import xlwt
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    wb = Workbook()
    wb.active.append(["项目", "决算数"])
    wb.active.append(["基本支出", 1200.5])
    wb.active["ALL99999"].border = Border(bottom=Side(style="thin"))  # formatted, empty: far out but holding nothing
    wb.save(tmp_path / "bordered.xlsx")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("支出决算表")
    sheet.write(0, 0, "项目")
    sheet.write(0, 1, "决算数")
    sheet.write(1, 0, "基本支出")
    sheet.write(1, 1, 1200.5)
    sheet.write(65000, 250, "", xlwt.easyxf("borders: bottom thin"))
    book.save(str(tmp_path / "bordered.xls"))
    for name in ("bordered.xlsx", "bordered.xls"):
        assert read_source(tmp_path / name).tables[0].rows == (("项目", "决算数"), ("基本支出", "1200.5")), name


def test_an_xhtml_page_with_its_xml_declaration_and_a_utf16_page_are_read(tmp_path):
    xhtml = tmp_path / "x.html"
    declared = '<?xml version="1.0" encoding="gb2312"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "x.dtd">\n'
    xhtml.write_bytes((declared + html_page("gb2312").split("\n", 1)[1]).encode("gb18030"))
    wide = tmp_path / "u.htm"
    wide.write_bytes(b"\xff\xfe" + html_page("utf-16").encode("utf-16-le"))
    for path in (xhtml, wide):
        doc = read_source(path)
        assert form_of(doc).rows == GRID and PROSE in doc.lines, path.name


def test_a_page_saved_as_xls_is_read_as_the_page_it_is(tmp_path):
    path = tmp_path / "form.xls"
    path.write_text(html_page(), encoding="utf-8")
    assert form_of(read_source(path)).rows == GRID


@pytest.mark.parametrize("fmt", ["html", "xls"])
def test_the_library_check_reads_the_document_once_with_its_tables(tmp_path, fmt):
    import xteval

    found = xteval.check(MAKERS[fmt](tmp_path / f"form.{fmt}"))
    assert found.report.source is not None and form_of(found.report.source).rows == GRID
    figures = {r.id: r.observed for r in found.figures}
    assert figures["figure.income.general_budget"] == Decimal("345.67891")  # 3,456,789.10 元 read from the table's row, in 万元
    assert figures["figure.income.other_income"] == Decimal("5.52109")


def _parts_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_sheet_at_an_unusual_part_name_is_capped_as_well(tmp_path, capsys):
    rels = b'<Relationships><Relationship Id="rId1" Type="worksheet" Target="elsewhere.xml"/></Relationships>'
    parts = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b'<workbook><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": rels,
        "xl/elsewhere.xml": b'<worksheet><sheetData><row r="1"><x:c r="xfd1048576"><v>1</v></x:c></row></sheetData></worksheet>',
    }
    refused(_parts_zip(tmp_path / "elsewhere.xlsx", parts), capsys, "xfd1048576")


def test_a_workbook_with_too_many_cells_in_all_its_sheets_is_refused(tmp_path, capsys):
    parts = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    for i in range(3):  # each sheet under the per-sheet cap, all three over the workbook's
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = b"<worksheet><sheetData><row>" + b"<c/>" * 700_000 + b"</row></sheetData></worksheet>"
    refused(_parts_zip(tmp_path / "many.xlsx", parts), capsys, "单元格")


def test_a_table_right_after_another_takes_no_row_of_it_for_its_title(tmp_path):
    rows = "<tr><td>项目</td><td>决算数</td></tr><tr><td>基本支出</td><td>1,200.50</td></tr>"
    path = tmp_path / "two.html"
    path.write_text(_page(f"<p>支出决算表</p><table>{rows}</table><table>{rows}</table>"), encoding="utf-8")
    assert [t.title for t in read_source(path).tables] == ["支出决算表", ""]


def test_a_pages_lines_follow_its_blocks_not_its_source_lines(tmp_path):
    path = tmp_path / "lines.html"
    path.write_text(
        _page("<p>基本支出\n  1,200.50元，<b>项目支出</b>300.00元<br>第二行</p><div>甲<div>乙</div>丙</div><pre>代码</pre>"),
        encoding="utf-8",
    )
    lines = read_source(path).lines
    assert lines[1:] == ["基本支出 1,200.50元，项目支出300.00元", "第二行", "甲", "乙", "丙", "代码"]
    assert read_source(path).tables == ()


def test_a_header_cell_naming_the_unit_stays_in_the_grid_and_gives_the_unit(tmp_path):
    rows = "<tr><td>编制单位：" + UNIT + "</td><td></td><td>单位：元</td></tr>"
    rows += "<tr><td>项目</td><td>行次</td><td>决算数（单位：万元）</td></tr><tr><td>基本支出</td><td>1</td><td>120.05</td></tr>"
    path = tmp_path / "unit.html"
    path.write_text(_page(f"<table>{rows}</table>"), encoding="utf-8")
    table = read_source(path).tables[0]
    assert table.rows == (("项目", "行次", "决算数（单位：万元）"), ("基本支出", "1", "120.05"))
    assert table.unit == "元"  # the 单位 row above the header says it first
