"""Shapes of published 决算说明 prose the own corpus lacked, each written here in our own words and figures: two figures
of one clause given to two subjects in turn (收、支总计各是 A、B 万元, as several provinces write them when the two
differ), and a 其中 list opened after a whole sentence of its own."""

from __future__ import annotations

from decimal import Decimal

from xteval import audit
from xteval.audit import read_document

TEXT = (
    "石门县图书馆2023年度单位决算情况说明\n一、收入支出决算总体情况说明\n"
    "2023年度收、支总计各是812.40，830.15万元。与2022年相比，收、支总计各减少40.60，19.85万元，各下降4.76%、2.34%。\n"
)


def _facts(text: str) -> dict[str, list[Decimal]]:
    out: dict[str, list[Decimal]] = {}
    for f in read_document(audit.prepare(text)).facts:
        out.setdefault(f.field, []).append(f.value)
    return out


def test_each_subject_takes_its_own_figure_in_the_order_the_label_names_them():
    facts = _facts(TEXT)
    assert facts["income.grand_total"] == [Decimal("812.40")] and facts["expenditure.grand_total"] == [Decimal("830.15")]
    assert facts["income.grand_total.change"] == [Decimal("-40.60")]
    assert facts["expenditure.grand_total.change"] == [Decimal("-19.85")]  # a decrease, as the first
    assert facts["expenditure.grand_total.change_rate"] == [Decimal("-2.34")]


def test_the_pairs_rates_check_against_their_own_changes():
    _, suite = audit.audit(audit.prepare(TEXT))
    statuses = {r["id"]: r["status"] for r in suite.to_dicts()}
    assert not [k for k, s in statuses.items() if s == "fail"], statuses
    wrong = TEXT.replace("2.34%", "3.34%")
    _, suite = audit.audit(audit.prepare(wrong))
    assert [r["id"] for r in suite.to_dicts() if r["status"] == "fail"] == ["change_rate.expenditure.grand_total"]


def test_one_figure_for_both_subjects_is_both_figures():
    facts = _facts(TEXT.replace("各是812.40，830.15万元", "均为812.40万元"))
    assert facts["income.grand_total"] == facts["expenditure.grand_total"] == [Decimal("812.40")]


def test_a_list_opened_after_a_whole_sentence_of_its_own_is_not_the_amount_befores():
    from xteval.audit.amounts import money_lists

    text = (
        "上年结转资金安排0元。按采购项目类型，分为货物、工程和服务三类。其中：货物类采购12000元，服务类采购3000元。"
        "本年支出合计90万元。其中：基本支出60万元，项目支出30万元。"
    )
    lists = money_lists(text)
    assert [(lst.total.value, [p.value for p in lst.parts]) for lst in lists] == [(Decimal("90"), [Decimal("60"), Decimal("30")])]


def test_a_change_whose_subject_stands_in_the_comparing_clause_before_it_is_that_subjects():
    text = (
        "石门县图书馆2023年度单位决算情况说明\n一、收入支出决算总体情况说明\n"
        "2023年度收入总计512.40万元。2023年度支出总计512.40万元，其中：年末结转和结余6.20万元。\n"
        "收入支出总体与上年相比，增加40.40万元，增长8.56%。\n"
    )
    facts = _facts(text)
    assert facts["income.grand_total.change"] == facts["expenditure.grand_total.change"] == [Decimal("40.40")]
    assert "carryover.year_end.change" not in facts  # not the figure before it


def test_a_label_holding_its_lists_owner_and_first_item_is_that_items_figure():
    text = (
        "某县档案馆2023年度部门整体支出绩效自评报告\n一、基本情况\n"
        "2、支出：420.00万元。其中：人员经费支出250.00万元，公用经费支出50.00万元，项目支出120.00万元。\n"
        "项目支出包括档案数字化经费60.00万元，库房维护经费40.00万元，展览经费20.00万元。\n"
    )
    doc = read_document(audit.prepare(text))
    assert [f.value for f in doc.facts if f.field == "expenditure.project"] == [Decimal("120.00")]  # not 60.00 too
    items = {f.name: f.value for f in doc.facts if f.field == "expenditure.project_item"}
    assert items == {"档案数字化经费": Decimal("60.00"), "库房维护经费": Decimal("40.00"), "展览经费": Decimal("20.00")}


def test_a_points_table_set_with_spaces_inside_its_cells_gives_no_indicator_rows():
    # a scores table copied with its cells' own spaces (相关性(4 分)): cut at each space, its pieces are no indicators
    text = (
        "3.部门整体支出绩效自评开展情况。本部门对2022年整体支出开展绩效自评，自评得分\n92 分。\n"
        "2022 年部门整体支出绩效评价得分表 一级指 标 二级指标 三级指标 得分 部门决 策(20 分) 目标任务(10 分) 相关性(4 分)\n"
        "4 明确性(3 分)\n3 合理性(3 分)\n3 预算编制(10 分) 测算依据(5 分)\n4 目标管理(5 分)\n5 综合管 理(30 分) 资金分配时限(2 分)\n"
        "2 专款分配合规\n"
    )
    doc = read_document(audit.prepare(text))
    assert doc.goals == []
    assert [(f.field, f.value) for f in doc.facts] == [("dept.score", Decimal("92"))]


def test_personnel_and_operating_costs_under_the_general_budget_basic_spending_are_its_parts():
    # the section names 一般公共预算基本支出 without 财政拨款, and 公用经费 stands in a sentence of its own
    text = (
        "石门县图书馆2023年度单位决算情况说明\n六、一般公共预算基本支出情况说明\n"
        "2023年本年一般公共预算基本支出 520000.00 元，其中：\n人员经费 400000.00 元，主要包括：基本工资、津贴补贴。\n"
        "公用经费 90000.00 元，主要包括：办公费、水电费。\n"
    )
    facts = _facts(text)
    assert facts["expenditure.general_budget.personnel"] == [Decimal("40.000000")]
    assert facts["expenditure.general_budget.public_operation"] == [Decimal("9.000000")]
    assert "expenditure.personnel" not in facts  # not the unit's all-funds 人员经费
    _, suite = audit.audit(audit.prepare(text))
    failed = [r["id"] for r in suite.to_dicts() if r["status"] == "fail"]
    assert failed == ["identity.expenditure.general_budget.basic"]  # 40 + 9 is short of 52 by 3 万元


def test_a_part_named_with_its_actual_word_is_that_part_and_sums_to_the_total():
    """基本支出决算 X 万元 is the 基本支出 (决算 says only that the figure is the actual one), not a 支出决算, the total,
    which the same words would name without the part's name before them."""
    text = "石门县图书馆2023年度单位决算情况说明\n三、支出决算情况说明\n2023年度本年支出合计830.15万元，其中：基本支出决算612.40万元，项目支出决算数217.75万元。\n"
    facts = _facts(text)
    assert facts["expenditure.total"] == [Decimal("830.15")]
    assert facts["expenditure.basic"] == [Decimal("612.40")] and facts["expenditure.project"] == [Decimal("217.75")]
    _, suite = audit.audit(audit.prepare(text.replace("217.75", "227.75")))
    assert "identity.expenditure.total" in [r["id"] for r in suite.to_dicts() if r["status"] == "fail"]


def test_in_a_budget_explanation_a_budgets_share_and_change_are_the_budgets():
    """A 部门预算 explanation states budgets: “基本支出预算 300 万元，占 60%，比上年增加 20 万元” gives the budget its
    share and change (they had been left unread). In a 决算 section a budget beside the actual never takes them."""
    budget = (
        "青石镇2025年部门预算公开说明\n三、支出预算情况说明\n2025年支出预算500.00万元，其中：基本支出预算300.00万元，占60.00%，"
        "比上年增加20.00万元；项目支出预算200.00万元，占40.00%，比上年减少10.00万元。\n"
    )
    facts = _facts(budget)
    assert facts["expenditure.basic.budget.share"] == [Decimal("60.00")]
    assert facts["expenditure.basic.budget.change"] == [Decimal("20.00")]
    actual = (
        "青石镇2024年度部门决算情况说明\n三、支出决算情况说明\n2024年基本支出决算280.00万元，年初预算300.00万元，比上年增加20.00万元。\n"
    )
    facts = _facts(actual)
    assert facts["expenditure.basic.change"] == [Decimal("20.00")] and "expenditure.basic.budget.change" not in facts
