"""Readings the own corpus missed, each a general shape of the documents (issue 20: ≥ 95 % of its facts).

Every text here is our own (invented units and figures), written in the shapes the corpus and published
documents show: a saved page's hyphenated 发布日期, a count named by the noun after it, 科目 paragraphs
under the paragraph of their total, a paragraph of targets, a project's own paragraph, a 政府性基金
sentence's 年末结转, an indicator table with a progress column and no 完成值, and a funds row that leaves
its 分值 cell empty.
"""

from __future__ import annotations

from decimal import Decimal

from xteval import audit
from xteval.audit import read_document


def _doc(text: str):
    return read_document(audit.prepare(text))


def _facts(text: str) -> set[tuple[str, Decimal | str, int]]:
    return {(f.field, f.value, f.line) for f in _doc(text).facts}


FINAL = "松林县园林绿化中心2023年度部门决算情况说明\n一、收入支出决算总体情况\n"


def test_a_hyphenated_date_is_read_where_a_label_names_it():
    text = FINAL + "【发布时间：2024-05-12】【来源：县园林中心】\n页码 2024-13-40 与 2023-2025 年规划不是日期。\n"
    dates = {(f.value, f.line, f.label) for f in _doc(text).facts if f.field == "date"}
    assert dates == {("2024-05-12", 3, "valid")}
    bad = {(f.value, f.label) for f in _doc(FINAL + "发文日期: 2023-02-30\n").facts if f.field == "date"}
    assert bad == {("2023-02-30", "invalid")}  # a day that does not exist is kept, for the date check


def test_a_count_takes_the_field_of_the_noun_after_it():
    text = FINAL + (
        "本中心内设综合办、养护科等4个科室，下属2个二级单位。\n"
        "本中心对2023年度8个项目支出开展了绩效自评。\n"
        "年初批复预算3个项目120万元，年中增加1个项目。\n"
    )
    facts = {(f, v) for f, v, _ in _facts(text) if f.startswith("count.")}
    assert ("count.offices", 4) in facts and ("count.subunits", 2) in facts and ("count.projects", 8) in facts
    assert ("count.projects_initial", 3) in facts
    assert ("count.projects", 1) not in facts and ("count.projects", 3) not in facts  # 年中增加 is a change; 年初批复 names its own


def test_numbered_subject_paragraphs_under_their_total_are_its_parts():
    text = FINAL + (
        "（二）本单位2023年度总支出2,450.00万元，其中本年支\n"
        "出2,300.00万元。支出具体情况如下：\n"
        "1.城乡社区支出2,100.00万元：主要用于绿地养护。\n"
        "2.社会保障和就业支出200.00万元：主要用于养老保险缴费。\n"
    )
    functions = {(f.name, f.value) for f in _doc(text).facts if f.field == "expenditure.function"}
    assert functions == {("城乡社区支出", Decimal("2100.00")), ("社会保障和就业支出", Decimal("200.00"))}


def test_the_units_spending_is_named_like_its_income():
    text = FINAL + "2023年度，本单位收入为900.00万元。\n2023年度，本单位支出为880.00万元。\n"
    assert ("expenditure.total", Decimal("880.00"), 4) in _facts(text)


def test_a_funds_sentence_about_the_government_fund_has_its_own_carryover():
    text = FINAL + "（七）政府性基金预算财政拨款支出决算情况\n2023年度政府性基金预算财政拨款支出40.00万元，年末结转2.00万元。\n"
    assert ("carryover.government_fund", Decimal("2.00"), 4) in _facts(text)


PROJECT = "松林县园林绿化中心2023年度项目支出绩效自评报告\n一、项目概况\n"


def test_in_a_paragraph_of_targets_every_figure_is_a_target():
    text = PROJECT + (
        "（二）项目绩效目标\n"
        "全年完成行道树修剪不少于3000株，苗木成活率不低于95%，病虫害处置及时率达到100%。\n"
        "二、绩效目标完成情况\n"
        "1.数量指标：全年修剪行道树3120株。\n"
        "2.质量指标：苗木成活率96.5%。\n"
        "3.时效指标：病虫害处置及时率100%。\n"
    )
    goals = {(g["target"], g["actual"]) for g in _doc(text).goals}
    assert {(Decimal("3000"), Decimal("3120")), (Decimal("95"), Decimal("96.5")), (Decimal("100"), Decimal("100"))} <= goals
    assert (Decimal("95"), Decimal("100")) not in goals  # 达到100% is the next target, not this one's actual


def test_a_projects_own_paragraph_states_its_spending():
    text = (
        "松林县园林绿化中心2023年度部门整体支出绩效自评报告\n一、部门基本情况\n"
        "（二）重点项目情况：\n\n1、古树名木保护项目\n\n全年支出 36.80 万元，完成古树体检和支护。\n\n"
        "2、重点项目\n\n全年支出 12.00 万元。\n"
    )
    facts = _doc(text).facts
    items = {(f.name, f.value) for f in facts if f.field == "expenditure.project_item"}
    assert items == {("古树名木保护项目", Decimal("36.80"))}
    assert not any(f.field == "expenditure.total" and f.value == Decimal("36.80") for f in facts)


def test_a_projects_paragraph_gives_its_project_one_figure_however_long_its_heading():
    title = "3、城区主干道行道树补植及养护管理项目"  # longer than the 16 characters a project's name keeps
    text = (
        "松林县园林绿化中心2023年度部门整体支出绩效自评报告\n一、部门基本情况\n（二）重点项目情况：\n\n"
        f"{title}\n\n全年支出 58.20 万元，补植行道树 310 株。\n\n下半年支出 20.10 万元，用于养护。\n"
    )
    items = [(f.name, f.value) for f in _doc(text).facts if f.field == "expenditure.project_item"]
    assert items == [(title[-16:], Decimal("58.20"))]


TABLE = (
    PROJECT
    + "2.绩效指标\n"
    + "        | 一级指标\n        | 二级指标\n        | 三级指标\n        | 指标值\n        | 实施进度\n        | \n"
    + "产出指标\n        | 数量指标\n        | 修剪行道树\n        | 全年不少于3000株\n        | 已完成100%\n        | |\n"
    + "成本指标\n        | 养护专项经费\n        | 30万元以内\n        | 已完成100%\n        | ||\n"
    + "效益指标\n        | 社会效益\n       指标\n        | 市民绿化满意程度\n        | 逐步提高\n        | 已完成100%\n        | |\n"
    + "\n3.项目申报内容与实际相符，年度目标可以实现。\n项目资金到位情况良好，支出进度均衡。\n"
)


def test_an_indicator_table_with_a_progress_column_states_no_actual():
    goals = [(g["name"], g["kind"], g["target"], g["actual"], g["level2"]) for g in _doc(TABLE).goals]
    assert goals == [
        ("修剪行道树", "positive", Decimal("3000"), None, "数量指标"),
        ("养护专项经费", "reverse", Decimal("30"), None, "数量指标"),
        ("市民绿化满意程度", "qualitative", "逐步提高", None, "社会效益指标"),
    ]


def test_a_funds_row_that_leaves_its_points_empty_keeps_its_rate():
    text = (
        "项目支出绩效自评表\n（2023年度）\n项目资金 （万元） |\n"
        "年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | ||||\n"
        "| 年度资金总额 | 5.20 | 5.20 | 5.20 | 10.00 | 100% | 10.00 | ||||\n"
        "| 其中：当年财政拨款 | 5.20 | 5.20 | 5.20 | 100% | ||||||\n"
    )
    facts = _facts(text)
    assert ("project.fiscal.execution_rate", Decimal("100"), 6) in facts
    assert ("project.execution_rate", Decimal("100"), 5) in facts


def test_a_total_whose_list_holds_this_years_total_is_the_grand_total():
    text = FINAL + (
        "（一）本单位2023年度总收入1,260.00万元，其中本年收入1,200.00万元，较上年增加40.00万元。\n"
        "（二）本单位2023年度总支出1,260.00万元，其中本年支出1,150.00万元。\n"
    )
    facts = _facts(text)
    assert ("income.grand_total", Decimal("1260.00"), 3) in facts and ("income.total", Decimal("1200.00"), 3) in facts
    assert ("expenditure.grand_total", Decimal("1260.00"), 4) in facts and ("expenditure.total", Decimal("1150.00"), 4) in facts
    assert ("income.total", Decimal("1260.00"), 3) not in facts  # one field, two values: it was read as ambiguous


def test_a_label_cut_by_a_count_is_read_whole_and_a_received_rate_is_its_own():
    text = PROJECT + (
        "2023年，本中心年初批复预算4个项目310万元，调整后项目预算330.00万元。\n"
        "1.项目资金到位情况。资金于2023年5月20日全部到位，资金到位率100%。\n"
    )
    facts = _facts(text)
    assert ("projects.initial_budget", Decimal("310"), 3) in facts and ("count.projects_initial", 4, 3) in facts
    assert ("project.received_rate", Decimal("100"), 4) in facts


def test_a_target_of_no_incidents_is_met_by_none():
    text = PROJECT + (
        "项目年度绩效目标为：修剪行道树不少于3000株，养护作业安全事故0起。\n"
        "二、绩效指标完成情况分析\n"
        "（1）数量指标：修剪行道树3120株。\n"
        "（2）质量指标：全年养护作业安全事故0起。\n"
    )
    goals = {(g["target"], g["actual"], g["line"]) for g in _doc(text).goals}
    assert (Decimal("0"), Decimal("0"), 6) in goals and (Decimal("3000"), Decimal("3120"), 5) in goals


def test_past_a_cell_gap_a_word_is_the_next_cells_label_not_a_unit():
    text = FINAL + (
        "收入支出决算总表\n单位：万元\n"
        "项目                         金额       项目                         金额\n"
        "一、一般公共预算财政拨款收入  800.00       一、城乡社区支出           790.00\n"
        "本年收入合计                  800.00       本年支出合计               790.00\n"
        "数量指标\t古树巡查\t120\t次\t126\n"
    )
    doc = _doc(text)
    assert ("income.total", Decimal("800.00"), 7) in {(f.field, f.value, f.line) for f in doc.facts}
    assert not any(t.kind == "count" and t.unit == "本" for t in doc.tokens)
    assert any(t.kind == "count" and t.unit == "次" and t.line == 8 for t in doc.tokens)  # a unit cell of its own stays a unit


def test_a_fiscal_total_made_of_this_years_parts_is_this_years_appropriation():
    text = FINAL + (
        "（三）财政拨款收入决算情况\n"
        "2023年度，本单位财政拨款收入总计960.00万元，与上年相比增加30.00万元，增长3.23%。"
        "其中：一般公共预算财政拨款收入900.00万元，政府性基金预算财政拨款收入60.00万元。\n"
        "2023年度财政拨款收入总计1,000.00万元，其中：本年财政拨款收入960.00万元，年初财政拨款结转和结余40.00万元。\n"
    )
    facts = {(f, v) for f, v, _ in _facts(text)}
    assert {
        ("income.fiscal_appropriation", Decimal("960.00")),
        ("income.fiscal_appropriation.change", Decimal("30.00")),
        ("income.fiscal_appropriation.change_rate", Decimal("3.23")),
    } <= facts
    assert ("income.fiscal_grand_total", Decimal("1000.00")) in facts  # with the carryover brought in: the 总计


def test_a_sentence_opened_at_the_end_of_a_wrapped_line_runs_on_into_the_next():
    text = FINAL + (
        "1.上年结转和结余120.00万元，是上年未完成支付、按规定留\n到本年使用的资金。较\n2022年度决算数增加20.00万元，增长20.00%。\n"
    )
    facts = {(f, v) for f, v, _ in _facts(text)}
    assert ("income.carried_in.change", Decimal("20.00")) in facts and ("income.carried_in.change_rate", Decimal("20.00")) in facts


def test_a_count_of_the_indicators_themselves_is_no_goal_value():
    """“本项目设定 9 个绩效指标，其中一级指标 3 个…”: how many indicators a project sets is no 指标值 of one of them,
    to be paired with the first count the text states later (a goal “完成” at 14 ÷ 9 = 156 %)."""
    text = (
        "梨园镇2023年农村公路养护项目支出绩效自评报告\n"
        "一、项目基本情况\n"
        "2、项目绩效目标设定情况\n"
        "本项目设定9个绩效指标，其中一级指标3个，二级指标4个，三级指标9个。\n"
        "二、绩效目标完成情况\n"
        "项目实施后，方便了全镇14个行政村群众出行，维护公路28.5公里。\n"
    )
    doc = _doc(text)
    assert not [g for g in doc.goals if g.get("target") in (Decimal("9"), Decimal("3"), Decimal("4"))], doc.goals
    assert ("count.indicators", Decimal("9")) in {(f.field, f.value) for f in doc.facts}  # still read, as a count


def test_a_heading_line_above_a_figure_is_no_part_of_its_label():
    """A heading (六、…决算情况说明) ends without a 。 and is long, like a line a wrap cut: it is still a whole
    title, so the figure's label, and the message that names it, starts on the figure's own line. A paragraph
    that opens with a marker and runs on past a comma is a wrap, and its next line continues the label."""
    from xteval.audit.scanner import scan

    text = FINAL + "六、一般公共预算财政拨款基本支出决算情况说明\n2023年一般公共预算财政拨款基本支出640.00万元。\n"
    report = audit.prepare(text)
    labels = [t.raw_label for t in scan(report.text, report.line_starts).tokens]
    assert labels == ["2023年一般公共预算财政拨款基本支出"]
    wrapped = FINAL + "（三）本年支出合计900.00万元，其中基本支出600.00万元，项目支出\n经常性维护与专项整治300.00万元。\n"
    report = audit.prepare(wrapped)
    last = scan(report.text, report.line_starts).tokens[-1]
    assert last.raw_label == "项目支出\n经常性维护与专项整治"
