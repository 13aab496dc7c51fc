"""部门决算 forms whose cells a web page or a PDF-to-text dump runs together into one line (issue 20).

A form with a 行次 column, flattened: each row label followed by its row number, the amounts after the
labels (the blank cells dropped). The texts are our own (a water-works unit and an archive), in the
layout such dumps give the national 收入支出决算总表.
"""

from __future__ import annotations

from decimal import Decimal

from xteval import audit
from xteval.audit import read_document

INCOME = (
    "收入支出决算总表 单位:某县供水服务站 收入 项目 行次 金额 栏次 1 "
    "一、一般公共预算财政拨款收入 1 二、政府性基金预算财政拨款收入 2 三、事业收入 3 四、其他收入 4 "
    "5,200,000.00 180,500.50 5 6 7 "
    "本年收入合计 8 使用非财政拨款结余 9 年初结转和结余 10 总计 11 5,380,500.50 5,380,500.50 "
    "注：本表反映本站全部收支。 "
)
EXPENDITURE = (
    "收入支出决算总表 金额单位：元 支出 项目 行次 金额 栏次 2 "
    "一、一般公共服务支出 12 二、教育支出 13 三、卫生健康支出 14 4,100,000.00 四、农林水支出 15 1,280,500.50 "
    "五、住房保障支出 16"
)


def _doc(text: str):
    return read_document(audit.prepare("某县供水服务站2023年部门决算公开表\n\n" + text + "\n"))


def _facts(text: str) -> dict[str, Decimal]:
    return {f.field + (f"[{f.name}]" if f.name else ""): f.value for f in _doc(text).facts if f.unit != "date"}


def test_a_row_number_after_a_label_is_never_an_amount():
    facts = _facts(INCOME + EXPENDITURE)
    # 12 … 16 are the rows' numbers: read as money they were 0.0012 … 0.0016 万元 (the form is in 元)
    assert not [k for k, v in facts.items() if v < 1]
    assert "expenditure.function[一般公共服务支出]" not in facts
    assert "expenditure.function[教育支出]" not in facts


def test_an_amount_right_after_a_row_and_its_number_is_that_rows_in_the_forms_unit():
    facts = _facts(INCOME + EXPENDITURE)
    assert facts["expenditure.function[卫生健康支出]"] == Decimal("410")  # 元 → 万元, stated after the income block
    assert facts["expenditure.function[农林水支出]"] == Decimal("128.05005")


def test_amounts_fewer_than_their_labels_are_placed_only_by_the_forms_identities():
    doc = _doc(INCOME + EXPENDITURE)
    facts = {f.field: f.value for f in doc.facts}
    # 本年收入合计 and 总计 take the two equal amounts: 合计 is the sum of the rows above it (5,380,500.50) and
    # 总计 = 合计 + 结余 + 结转; no other placement of two amounts among the four rows fits both
    assert facts["income.total"] == Decimal("538.05005")
    assert facts["income.grand_total"] == Decimal("538.05005")
    # the rows above: four labels, two amounts, nothing tells which rows are blank: left unread, and said so
    for field in ("income.general_budget", "income.government_fund", "income.business", "income.other_income"):
        assert field not in facts
    unread = [u for t in doc.tables for u in t.unread]
    assert any("一般公共预算财政拨款收入" in label and "无法对应" in reason for _, label, reason in unread)


def test_with_no_identity_to_place_them_the_amounts_stay_unread():
    # two labels and one amount, in a block that lists its amounts after its labels: whose is it?
    text = (
        "收入支出决算总表 金额单位：元 支出 项目 行次 金额 栏次 2 一、教育支出 21 二、文化旅游体育与传媒支出 22 "
        "三、农林水支出 23 300.00 450.00 四、卫生健康支出 24 五、节能环保支出 25 80.00"
    )
    facts = _facts(text)
    assert not [k for k in facts if k.startswith("expenditure.function")]
    assert not [k for k, v in facts.items() if v < 1]


def test_a_hostile_text_of_row_number_headers_and_unplaceable_runs_is_read_to_its_bounds(monkeypatch):
    from xteval.audit import flatforms

    tried = []
    real = flatforms._fits
    monkeypatch.setattr(flatforms, "_fits", lambda *a: tried.append(1) or real(*a))
    runs = []
    for r in range(30):  # 30 runs of 12 labelled rows, each followed by 6 amounts: 924 placements each
        runs += [f"{'一二三四五六七八九十'[k % 10]}、第{r}类第{k}款支出 {r * 12 + k + 1}" for k in range(12)]
        runs += [f"{k + 1}.00" for k in range(6)]
    block = "收入支出决算总表 金额单位：元 支出 项目 行次 金额 栏次 1 " + " ".join(runs) + " 注：完。 "
    doc = _doc(block * 20)
    assert 1 <= len(doc.tables) <= flatforms.MAX_BLOCKS
    assert len(tried) <= flatforms.PLACING_BUDGET  # 20 × 30 × 924 would be 554,400
    assert not [f for f in doc.facts if f.field.startswith("expenditure.function")]


def test_a_form_of_several_amount_columns_flattened_reads_no_amount_but_knows_its_row_numbers():
    # 合计 | 财政拨款收入 | 事业收入: a row's amounts with their blanks dropped cannot be told apart by column
    text = (
        "收入决算表 金额单位：元 项目 行次 合计 财政拨款收入 事业收入 栏次 1 2 3 "
        "一、教育支出 1 820,000.00 800,000.00 20,000.00 二、卫生健康支出 2 310,000.00 310,000.00 "
        "三、农林水支出 3 95,000.00 95,000.00 合计 4 1,225,000.00 1,205,000.00 20,000.00"
    )
    doc = _doc(text)
    assert not [f for f in doc.facts if f.table]
    assert not [f for f in doc.facts if f.unit == "万元" and f.value < 1]  # 1 … 4 are rows, never 0.0001 万元
    doc = _doc(INCOME + EXPENDITURE)  # one column of amounts (金额): read
    assert [f for f in doc.facts if f.table]


# A PDF-to-text dump of the 总表 gives each printed line whole: the 收入 row and the 支出 row beside it, so the two
# sides' rows take turns (1, 29, 2, 30 …) and a blank amount simply is not there. Our own figures, in 元.
SIDE_BY_SIDE = [
    ("一、一般公共预算财政拨款收入", "1", "2,460,000.00", "一、一般公共服务支出", "29", "310,000.00"),
    ("二、政府性基金预算财政拨款收入", "2", "", "二、农林水支出", "30", "2,150,400.00"),
    ("三、事业收入", "3", "95,400.00", "三、住房保障支出", "31", "88,000.00"),
    ("本年收入合计", "4", "2,555,400.00", "本年支出合计", "32", "2,548,400.00"),
    ("年初结转和结余", "5", "12,000.00", "年末结转和结余", "33", "19,000.00"),
    ("总计", "6", "2,567,400.00", "总计", "34", "2,567,400.00"),
]
SIDE_HEAD = "收入支出决算总表\n公开01表\n部门：某镇农业综合服务中心 金额单位：元\n"


def _side_by_side(cell: str) -> str:
    """The form as a dump gives it (``cell`` a space: blank cells gone), or pasted with ``|`` or tabs (blanks kept)."""
    rows = [("收入", "", "", "支出", "", ""), ("项目", "行次", "金额") * 2, *SIDE_BY_SIDE]
    if cell == " ":
        lines = [" ".join(c for c in row if c) for row in rows]
    elif cell == "|":
        lines = ["| " + " | ".join(row) + " |" for row in rows]
    else:
        lines = [cell.join(row) for row in rows]
    return SIDE_HEAD + "\n".join(lines)


def test_a_two_sided_form_dumped_line_by_line_reads_each_amount_in_its_own_row_and_side():
    facts = _facts(_side_by_side(" "))
    assert not [k for k, v in facts.items() if v < 1]  # 1 … 6 and 29 … 34 are the rows' numbers, never amounts
    assert facts["income.general_budget"] == Decimal("246")
    assert facts["income.business"] == Decimal("9.54")
    assert "income.government_fund" not in facts  # its cell is blank: the next amount is 事业收入's, on its own line
    assert facts["expenditure.function[农林水支出]"] == Decimal("215.04")
    assert facts["income.total"] == Decimal("255.54") and facts["expenditure.total"] == Decimal("254.84")
    assert facts["income.grand_total"] == Decimal("256.74")


def test_the_same_two_sided_form_pasted_as_a_table_reads_the_same_figures():
    dumped = _facts(_side_by_side(" "))
    for cell in ("|", "\t"):
        assert _facts(_side_by_side(cell)) == dumped, cell


def test_a_two_sided_dump_that_puts_a_lines_amounts_after_both_its_rows_places_none_of_them():
    # 一、…收入 1 一、…支出 29 2,460,000.00 310,000.00: which amount is whose is lost (a blank on either side looks alike)
    lines = ["收入 支出", "项目 行次 金额 项目 行次 金额"]
    lines += [" ".join(c for c in (a, n, b, m, x, y) if c) for a, n, x, b, m, y in SIDE_BY_SIDE]
    doc = _doc(SIDE_HEAD + "\n".join(lines))
    assert not [f for f in doc.facts if f.unit == "万元"]  # neither an amount nor a row number is read as money
    unread = [reason for t in doc.tables for _, _, reason in t.unread]
    assert unread and all("两侧" in reason for reason in unread)
