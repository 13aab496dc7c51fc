"""Shapes met on published texts outside the corpus (issue 20, hidden real texts of the same population).

Every report here is written for an invented unit, in the structures those texts use:
- a 基本支出 broken down by its economic classification (工资福利支出, 商品和服务支出, 对个人和家庭的补助,
  资本性支出), which is not the 人员经费 / 公用经费 split;
- a 部门预算 explanation (收支预算总体情况 …), the budget twin of the 决算说明;
- a mirror site's copy that prints a pinyin gloss after some characters (預(yù)算).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from xteval.audit import audit_file
from xteval.cli import main
from xteval.money import fold
from xteval.params import load_yaml

# 基本支出 by economic classification: 工资福利 + 商品和服务 + 对个人和家庭的补助 = 基本支出 (96.30 + 21.10 + 7.60 = 125.00).
ECONOMIC = """示例气象服务站2024年度单位决算情况说明
一、支出决算情况说明
2024年度本年支出合计160.00万元，其中：基本支出125.00万元，项目支出35.00万元。
二、基本支出决算情况说明
2024年度基本支出125.00万元，其中：工资福利支出96.30万元，商品和服务支出21.10万元，对个人和家庭的补助7.60万元。
三、项目支出决算情况说明
项目支出35.00万元，其中：商品和服务支出30.20万元，占项目支出的86.29%，比上年增加2.10万元；资本性支出4.80万元，占项目支出的13.71%，比上年增加0.60万元。
"""

# A 部门预算 explanation: budgets for the coming year, in 元.
BUDGET = """示例文化馆2025年部门预算公开说明
一、收支预算总体情况说明
2025年收支总预算980000.00元，比上年减少20000.00元。
二、一般公共预算支出情况说明
2025年一般公共预算支出980000.00元。其中：基本支出900000.00元，项目支出80000.00元。
"""

# A 决算说明 as a mirror site copies it: traditional characters with a pinyin gloss after some of them.
GLOSSED = """示例幼兒園2023年度部門決算情況說明
一、收入決算情況
2023年度本單位收入為520.00萬元，其中：財政撥款收入480.00萬元；事業(yè)收入40.00萬元；經(jīng)營收入0萬元。
二、財政撥款收入決算情況
本單位財政撥款收入480.00萬元，其中：一般公共預(yù)算財政撥款收入450.00萬元，政府性基金預(yù)算財政撥款收入30.00萬元。
"""


def _write(tmp_path: Path, text: str, name: str = "report.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _fails(suite) -> list[str]:
    return [r.id for r in suite.results if r.status == "fail"]


def _ambiguous(suite) -> list[str]:
    return [r.id for r in suite.results if r.id.startswith("ambiguous.")]


def _values(doc, field: str) -> list[Decimal]:
    return [f.value for f in doc.get(field, subject=None)]


def test_economic_classification_is_not_read_as_personnel_or_public_operation(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, ECONOMIC))
    doc = ex.document
    assert not doc.get("expenditure.personnel", subject=None)
    assert not doc.get("expenditure.public_operation", subject=None)
    assert Decimal("96.30") in _values(doc, "expenditure.econ.wages")
    assert Decimal("7.60") in _values(doc, "expenditure.econ.household")
    assert _values(doc, "expenditure.econ.capital") == [Decimal("4.80")]
    # 资本性支出's change is its own, never the change of the 商品和服务支出 before it
    assert [f.value for f in doc.get("expenditure.econ.capital.change", subject=None)] == [Decimal("0.60")]
    assert not doc.get("procurement.services", subject=None)  # 商品和服务支出 is no 政府采购服务支出
    assert not _fails(suite)


def test_the_draft_never_seeds_personnel_from_wages(tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    assert main(["extract", str(_write(tmp_path, ECONOMIC)), "-o", str(out)]) == 0
    capsys.readouterr()
    spent = load_yaml(out)["expenditure"]
    assert spent["personnel"]["value"] is None and spent["public_operation"]["value"] is None
    assert Decimal(str(spent["basic"]["value"])) == Decimal("125.00")


def test_a_department_budget_explanation_is_read_as_the_final_accounts_kind(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, BUDGET))
    assert ex.document.kind is not None and ex.document.kind.id == "final_accounts"
    assert not [r for r in suite.results if r.id.startswith("extract.not_found")]


def test_a_pinyin_gloss_is_dropped_and_never_splits_a_label():
    assert fold("一般公共預(yù)算財政撥款收入") == "一般公共预算财政拨款收入"
    assert fold("經(jīng)營收入（yù）") == "经营收入"  # a full-width bracket after a character too
    assert fold("附表(a)与方案(b)") == "附表(a)与方案(b)"  # letters without a tone mark are no gloss
    assert fold("x(ā)") == "x(ā)"  # only after a Chinese character


def test_a_glossed_mirror_copy_reads_as_the_plain_text(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, GLOSSED))
    doc = ex.document
    assert _values(doc, "income.business") == [Decimal("40.00")]
    assert _values(doc, "income.general_budget") == [Decimal("450.00")]
    assert _values(doc, "income.government_fund") == [Decimal("30.00")]
    assert not _ambiguous(suite)
    assert not _fails(suite)


# A 决算汇编 说明 that counts its units three ways, in prose: by nature, by accounting system, by budget level.
COUNTS = """示例县2023年度部门决算汇编情况说明
一、决算汇编基本情况
纳入2023年度部门决算汇编范围的独立核算单位共计58个。按单位基本性质划分：行政单位21个，事业单位37个。
按单位执行会计制度划分：执行行政单位会计制度的单位20个；执行事业单位会计制度的单位38个。
按预算管理级次划分：一级预算单位40个，二级预算单位18个。
"""


def test_units_by_accounting_system_are_not_units_by_nature(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, COUNTS))
    doc = ex.document
    assert _values(doc, "count.units.nature.administrative") == [Decimal("21")]
    assert _values(doc, "count.units.nature.institution") == [Decimal("37")]
    assert _values(doc, "count.units.accounting.administrative") == [Decimal("20")]
    assert _values(doc, "count.units.accounting.institution") == [Decimal("38")]
    assert not _ambiguous(suite)
    assert not _fails(suite)


# A budget explanation's procurement paragraph: a figure the reader knows, then items it does not (集中采购预算,
# 分散采购预算), each with its own change; then a classification sentence before a “其中” list.
PROCUREMENT = """示例图书馆2025年部门预算公开说明
一、一般公共预算支出情况说明
2025年项目支出预算80000.00元，同比增加10000.00元，增长14.29%。
二、采购安排
2025年政府集中采购预算36000.00元，同比增加6000.00元，增长20.00%；分散采购预算14000.00元，同比增加4000.00元，增长40.00%。
按资金来源划分，一般公共预算拨款50000.00元，上年结转资金0元。按采购品目，分为货物类、工程类和服务类三种。其中：货物类采购30000.00元，工程类采购0元，服务类采购20000.00元。
"""

# A total, its parts, then the total's change written after the last part.
PARTS_THEN_CHANGE = """示例文化站2025年部门预算公开说明
一、所属事业单位经费安排情况
下属事业单位运行经费总预算安排500000.00元，其中：基本支出预算120000.00元，项目支出预算380000.00元，同比增加100000.00元，增长25.00%。
"""


def test_an_item_the_reader_does_not_know_keeps_its_own_change(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, PROCUREMENT))
    changes = [f.value for f in ex.document.get("income.initial_budget_project.change", subject=None)]
    changes += [f.value for f in ex.document.get("expenditure.project.change", subject=None)]
    assert changes == [Decimal("1.0000")]  # 10000 元: the 集中采购 and 分散采购 changes are not the project budget's
    assert not _ambiguous(suite)
    assert not _fails(suite)


def test_a_list_after_a_sentence_with_no_amount_has_no_total_before_it(tmp_path):
    _, _, suite = audit_file(_write(tmp_path, PROCUREMENT))
    assert not [r for r in suite.results if r.id.startswith("list.")]  # 上年结转资金 0 元 is not the 品目 list's total


def test_a_change_after_the_last_part_is_not_a_part(tmp_path):
    _, _, suite = audit_file(_write(tmp_path, PARTS_THEN_CHANGE))
    lists = [r for r in suite.results if r.id.startswith("list.")]
    assert lists and all(r.status == "pass" for r in lists)  # 120000 + 380000 = 500000; the 100000 change is no part


def test_the_procurement_part_of_a_budget_explanation_is_the_final_accounts_kind(tmp_path):
    text = "（二）政府采购预算安排情况说明。\n2025年政府采购预算50000.00元，其中：货物类采购30000.00元，服务类采购20000.00元。\n"
    _, ex, _ = audit_file(_write(tmp_path, text))
    assert ex.document.kind is not None and ex.document.kind.id == "final_accounts"


# The 四川 部门预算项目支出绩效自评表 pasted with pipes: 指标值 | 度量单位 | 完成值 | 权重 | 得分, a count unit among them.
SICHUAN_FORM = """部门预算项目支出绩效自评表(2024年度) | | | | | | | | | |
项目名称 | 示例县方志编纂项目 | | | | | | | | |
预算执行情况(10分) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因 | |
总额 | 20.00 | 24.00 | 21.60 | 90.00% | 10 | 9 | | | |
其中:财政资金 | 20.00 | 24.00 | 21.60 | 90.00% | / | / | | | |
绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析 |
产出指标 | 数量指标 | 校核志稿字数 | ≥ | 3000 | {UNIT} | 3150 | 40 | 40 | |
产出指标 | 质量指标 | 志稿审定通过率 | = | 100 | % | 100 | 30 | 30 | |
满意度指标 | 服务对象满意度指标 | 读者满意度 | ≥ | 90 | % | 92 | 20 | 20 | |
合计 | 100 | 99 | | | | | | | |
"""


def test_a_count_unit_column_is_not_read_as_the_actual_value(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, SICHUAN_FORM.replace("{UNIT}", "页")))
    goal = next(g for g in ex.document.goals if g["name"] == "校核志稿字数")
    assert (goal["target"], goal["actual"], goal["weight"], goal["score"]) == (
        Decimal("3000"),
        Decimal("3150"),
        Decimal("40"),
        Decimal("40"),
    )
    by_id = {r.id: r for r in suite.results}
    assert by_id["project.weights"].passed and by_id["project.score"].passed


def test_a_unit_word_the_reader_does_not_know_leaves_the_weights_unread_not_wrong(tmp_path):
    _, _, suite = audit_file(_write(tmp_path, SICHUAN_FORM.replace("{UNIT}", "千字")))
    assert not _fails(suite)  # 3150 is no 分值: the 总分 is not checked against it


def _one_cell_per_line(form: str) -> str:
    """A pasted form as a web page flattens it: each filled cell on its own line, ended by “ |”."""
    cells = [c.strip() for line in form.splitlines() for c in line.split("|")]
    return "".join(f"{c} |\n" for c in cells if c)


def test_a_unit_cell_of_a_row_left_unread_is_no_indicator(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, _one_cell_per_line(SICHUAN_FORM.replace("{UNIT}", "页"))))
    assert not [g for g in ex.document.goals if g["name"] in ("页", "%")]
    assert not _fails(suite)


# A 项目支出绩效自评报告's funds paragraphs: the 年初 budget “安排”, its sources, and the spending with its items.
PROJECT_REPORT = """示例县2024年度乡村文化广场维护项目支出绩效自评报告
一、项目基本情况
（一）项目概况
本项目年初预算安排资金60.00万元，年中追加15.00万元，全年预算75.00万元。其中：上级补助资金30.00万元，县级财政资金45.00万元。
（二）资金使用情况
项目资金实际到位75.00万元，实际支出72.00万元，预算执行率96.00%。其中：设施维修支出50.00万元，保洁服务支出22.00万元。
"""


def test_a_project_report_reads_its_yearly_budget_sources_and_spending_items(tmp_path):
    _, ex, suite = audit_file(_write(tmp_path, PROJECT_REPORT))
    doc = ex.document
    assert _values(doc, "project.initial_budget") == [Decimal("60.00")]  # 年初预算安排资金 is the 年初 budget
    assert _values(doc, "project.full_year_budget") == [Decimal("75.00")]
    assert _values(doc, "project.funds_local") == [Decimal("45.00")]
    assert _values(doc, "project.executed") == [Decimal("72.00")]  # 设施维修支出 is an item of it, not the spending
    assert sorted(f.value for f in doc.get("project.item", subject=None)) == [Decimal("22.00"), Decimal("50.00")]
    assert not _ambiguous(suite)
    assert not _fails(suite)


def test_the_procurement_budget_by_fund_source_is_not_the_units_income(tmp_path):
    text = PROCUREMENT + "按政府采购资金来源划分，一般公共预算拨款45000.00元，上年结转结余资金5000.00元。\n"
    _, ex, _ = audit_file(_write(tmp_path, text))
    doc = ex.document
    line = len(text.splitlines())  # the sentence that names 政府采购: none of its figures is the unit's
    fields = ("income.general_budget", "income.carried_in", "carryover.fiscal", "carryover.year_end")
    assert not [f for f in doc.facts if f.line == line and f.field in fields]


def test_a_lone_figure_on_the_total_row_of_a_form_that_scores_nothing_is_its_full_marks(tmp_path):
    """A form published with its 权重 filled and every 得分 blank: the 合计 row's one figure is the 权重 total (the
    blank 得分 cell dropped out of the dump), not a score of 100; where the rows are scored it is the score."""
    unscored = (
        SICHUAN_FORM.replace("{UNIT}", "页")
        .replace("| 10 | 9 |", "| 10 | |")
        .replace("| 40 | 40 |", "| 40 | |")
        .replace("| 30 | 30 |", "| 30 | |")
        .replace("| 20 | 20 |", "| 20 | |")
        .replace("合计 | 100 | 99 |", "合计 | 100 | |")
    )
    facts = {f.field: f.value for f in audit_file(_write(tmp_path, unscored))[1].document.facts}
    assert facts.get("project.score_max") == Decimal("100") and "project.score" not in facts
    scored = SICHUAN_FORM.replace("{UNIT}", "页").replace("合计 | 100 | 99 |", "合计 | | 99 |")
    facts = {f.field: f.value for f in audit_file(_write(tmp_path, scored))[1].document.facts}
    assert facts.get("project.score") == Decimal("99") and "project.score_max" not in facts


def test_indicator_cells_that_hold_their_own_target_give_the_target_and_leave_the_bare_numbers_unread(tmp_path):
    """A 自评表 dumped with each indicator's name run into its 指标值 (覆盖率=100%) and its blank cells dropped: the
    goal is the name (its level words stripped) with that target; the bare numbers after it could be the 完成值, the
    权重 or the 得分, so none is read as one (they had been read as the target, with the next row's name as its unit)."""
    text = (
        "部门预算项目支出绩效自评表(2024年度)\n"
        "绩效指标 一级指标 二级指标 三级指标 指标值 权重\n"
        "产出指标数量指标补贴发放覆盖率=100% 30 台账更新次数≥12次 30 效益指标社会效益指标群众投诉率≤2% 30 合计100\n"
    )
    goals = audit_file(_write(tmp_path, text))[1].document.goals
    assert [(g["name"], g["target"], g["actual"]) for g in goals] == [
        ("补贴发放覆盖率", Decimal("100"), None),
        ("台账更新次数", Decimal("12"), None),
        ("群众投诉率", Decimal("2"), None),
    ]
    assert goals[2]["kind"] != "positive"  # ≤ 2%: lower is better
