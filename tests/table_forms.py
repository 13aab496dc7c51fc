"""A 部门决算 公开 document of our own unit (青禾县图书馆, 2025), its forms as tables: the fixture of
tests/test_table_kinds.py. Figures and words are ours; the layouts are those the national forms use."""

from __future__ import annotations

from pathlib import Path

from xteval.files.documents import SourceDocument, Table

PROSE = [
    "青禾县图书馆2025年度部门决算",
    "一、收入支出决算总体情况说明",
    "2025年度收入总计362.00万元，支出总计362.00万元。",
    "二、“三公”经费财政拨款支出决算情况说明",
    "2025年度“三公”经费财政拨款支出决算为10.50万元，其中：公务接待费支出决算2.30万元。",
]

SUMMARY = (
    "收入支出决算总表",
    "单位：元",
    [
        ("收入", "收入", "收入", "支出", "支出", "支出"),
        ("项目", "行次", "金额", "项目", "行次", "金额"),
        ("栏次", "", "1", "栏次", "", "2"),
        ("一、一般公共预算财政拨款收入", "1", "3,000,000.00", "一、文化旅游体育与传媒支出", "32", "3,100,000.00"),
        ("二、政府性基金预算财政拨款收入", "2", "", "二、社会保障和就业支出", "33", "250,000.00"),
        ("三、事业收入", "3", "450,000.00", "三、住房保障支出", "34", "100,000.00"),
        ("四、其他收入", "4", "50,000.00", "", "", ""),
        ("本年收入合计", "5", "3,500,000.00", "本年支出合计", "35", "3,450,000.00"),
        ("年初结转和结余", "6", "120,000.00", "年末结转和结余", "36", "170,000.00"),
        ("总计", "7", "3,620,000.00", "总计", "37", "3,620,000.00"),
    ],
)

EXPENDITURE = (
    "支出决算表",
    "单位：元",
    [
        ("科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"),
        ("207", "文化旅游体育与传媒支出", "3,100,000.00", "2,300,000.00", "800,000.00"),
        ("20701", "文化和旅游", "2,900,000.00", "2,300,000.00", "600,000.00"),
        ("20702", "文物", "200,000.00", "0.00", "200,000.00"),
        ("208", "社会保障和就业支出", "250,000.00", "250,000.00", ""),
        ("221", "住房保障支出", "100,000.00", "100,000.00", ""),
        ("", "合计", "3,450,000.00", "2,650,000.00", "800,000.00"),
    ],
)

GENERAL = (
    "一般公共预算财政拨款支出决算表",
    "单位：万元",
    [
        ("项目", "年初预算数", "决算数", "决算数", "决算数", "完成率"),
        ("项目", "", "合计", "基本支出", "项目支出", ""),
        ("文化旅游体育与传媒支出", "265.00", "260.00", "200.00", "60.00", "98.11%"),
        ("社会保障和就业支出", "25.00", "25.00", "25.00", "", "100.00%"),
        ("住房保障支出", "10.00", "10.00", "10.00", "", "100.00%"),
        ("合计", "300.00", "295.00", "235.00", "60.00", "98.33%"),
    ],
)

FISCAL = (
    "财政拨款收入支出决算总表",
    "单位：万元",
    [
        ("收入", "收入", "支出", "支出", "支出"),
        ("项目", "金额", "项目", "合计", "一般公共预算财政拨款"),
        ("一、一般公共预算财政拨款", "300.00", "一、文化旅游体育与传媒支出", "260.00", "260.00"),
        ("二、政府性基金预算财政拨款", "", "二、社会保障和就业支出", "25.00", "25.00"),
        ("", "", "三、住房保障支出", "10.00", "10.00"),
        ("本年收入合计", "300.00", "本年支出合计", "295.00", "295.00"),
        ("年初财政拨款结转和结余", "12.00", "年末财政拨款结转和结余", "17.00", "17.00"),
        ("总计", "312.00", "总计", "312.00", "312.00"),
    ],
)

THREE_PUBLIC = (
    "一般公共预算财政拨款“三公”经费支出决算表",
    "单位：万元",
    [
        ("预算数",) * 6 + ("决算数",) * 6,
        ("合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置及运行费", "公务用车购置及运行费", "公务接待费") * 2,
        ("", "", "小计", "公务用车购置费", "公务用车运行费", "") * 2,
        tuple(str(k) for k in range(1, 13)),
        ("12.00", "0.00", "9.00", "5.00", "4.00", "3.00", "10.50", "0.00", "8.20", "4.80", "3.40", "2.30"),
    ],
)

FORMS = [SUMMARY, EXPENDITURE, GENERAL, FISCAL, THREE_PUBLIC]


def planted(forms=FORMS):
    """The same forms with one planted error: 支出决算表, 合计 row, 基本支出 column 2,560,000.00 (not 2,650,000.00)."""
    out = []
    for title, unit, rows in forms:
        if title == "支出决算表":
            rows = [r if r[1] != "合计" else ("", "合计", "3,450,000.00", "2,560,000.00", "800,000.00") for r in rows]
        out.append((title, unit, rows))
    return out


def document(forms=FORMS, prose=PROSE, path: Path | None = None) -> SourceDocument:
    """The document as a text with its tables: a caption line and a 单位 line above each, rows tab-separated."""
    lines = list(prose)
    tables = []
    for title, unit, rows in forms:
        lines += [title, unit]
        tables.append(Table(len(lines) + 1, tuple(tuple(r) for r in rows), how="tabs"))
        lines += ["\t".join(r) for r in rows]
    return SourceDocument(path or Path("qinghe.txt"), "\n".join(lines), "utf-8", "0" * 64, tables=tuple(tables))


def docx(path: Path, forms=FORMS, prose=PROSE) -> Path:
    """The same document as a .docx (python-docx): paragraphs, and each form as a Word table."""
    import docx as python_docx

    d = python_docx.Document()
    for line in prose:
        d.add_paragraph(line)
    for title, unit, rows in forms:
        d.add_paragraph(title)
        d.add_paragraph(unit)
        table = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
    d.save(path)
    return path


# The other forms, each on its own (元 and 万元): 基本支出 with its two blocks, 收入决算表, 政府性基金, 部门整体 自评表.
BASIC = (
    "一般公共预算财政拨款基本支出决算表",
    "单位：元",
    [
        ("人员经费", "人员经费", "人员经费", "公用经费", "公用经费", "公用经费"),
        ("科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"),
        ("301", "工资福利支出", "1,800,000.00", "302", "商品和服务支出", "400,000.00"),
        ("30101", "基本工资", "1,000,000.00", "30201", "办公费", "150,000.00"),
        ("30102", "津贴补贴", "800,000.00", "30205", "水费", "250,000.00"),
        ("303", "对个人和家庭的补助", "150,000.00", "310", "资本性支出", "0.00"),
        ("", "人员经费合计", "1,950,000.00", "", "公用经费合计", "400,000.00"),
    ],
)
INCOME = (
    "收入决算表",
    "单位：万元",
    [
        ("项目", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"),
        ("合计", "350.00", "300.00", "", "45.00", "", "", "5.00"),
        ("文化旅游体育与传媒支出", "315.00", "270.00", "", "45.00", "", "", ""),
        ("社会保障和就业支出", "25.00", "25.00", "", "", "", "", ""),
        ("住房保障支出", "10.00", "5.00", "", "", "", "", "5.00"),
    ],
)
FUND = (
    "政府性基金预算财政拨款收入支出决算表",
    "单位：万元",
    [
        ("项目", "年初结转和结余", "本年收入", "本年支出", "本年支出", "本年支出", "年末结转和结余"),
        ("项目", "", "", "合计", "基本支出", "项目支出", ""),
        ("合计", "0.00", "20.00", "18.00", "0.00", "18.00", "2.00"),
        ("文化旅游体育与传媒支出", "0.00", "20.00", "18.00", "0.00", "18.00", "2.00"),
    ],
)
DEPT = (
    "部门整体支出绩效自评表",
    "（2025年度）",
    [
        ("年度预算资金（万元）", "年度预算资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
        ("", "年度资金总额", "320.00", "362.00", "345.00", "10", "95.30%", "9.53"),
        ("按收入性质分", "其中：财政拨款", "300.00", "312.00", "295.00", "—", "—", "—"),
        ("按收入性质分", "其他资金", "20.00", "50.00", "50.00", "—", "—", "—"),
        ("按支出性质分", "基本支出", "260.00", "270.00", "265.00", "—", "—", "—"),
        ("按支出性质分", "项目支出", "60.00", "92.00", "80.00", "—", "—", "—"),
    ],
)


def html(path: Path, forms=FORMS, prose=PROSE) -> Path:
    """The same document as a saved web page: paragraphs, and each form as a <table> under its caption."""
    from html import escape

    body = [f"<p>{escape(line)}</p>" for line in prose]
    for title, unit, rows in forms:
        body += [f"<p>{escape(title)}</p>", f"<p>{escape(unit)}</p>", "<table border='1'>"]
        body += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows]
        body.append("</table>")
    page = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>部门决算</title></head><body>"
    path.write_text(page + "\n".join(body) + "</body></html>", encoding="utf-8")
    return path


def xlsx(path: Path, forms=FORMS, prose=PROSE) -> Path:
    """The same forms as a workbook, one sheet a form with its title and 单位 rows above it, as offices publish
    them; the prose stands in a first sheet of its own."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "说明"
    for line in prose:
        sheet.append([line])
    for n, (title, unit, rows) in enumerate(forms, 1):
        sheet = book.create_sheet(f"表{n}")
        sheet.append([title])
        sheet.append([unit])
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def pdf(path: Path, forms=FORMS, prose=PROSE) -> Path:
    """The same document as a word-processor PDF: paragraphs, and each form as a ruled table (fpdf2's table)."""
    from document_forms import FONT
    from fpdf import FPDF

    doc = FPDF(format="A4", orientation="landscape")
    doc.add_font("noto", fname=str(FONT))
    doc.fonts["noto"].ttfont.recalcBBoxes = False  # as document_forms.make_pdf: the full font's boxes hold
    doc.set_font("noto", size=9)
    doc.add_page()
    for line in prose:
        doc.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    for title, unit, rows in forms:
        doc.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        doc.cell(0, 6, unit, new_x="LMARGIN", new_y="NEXT")
        with doc.table(first_row_as_headings=False, line_height=6) as table:
            for row in rows:
                cells = table.row()
                for text in row:
                    cells.cell(text)
        doc.ln(4)
    doc.output(str(path))
    return path
