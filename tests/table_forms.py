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
