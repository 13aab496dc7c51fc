"""Counts and a project's funds as evaluators read them (issue 20): the units a 部门决算 gathers (its 单位构成
form and its prose), a staff form's cells, the indicators a 项目自评 sets, and a project's funds in prose.

Every text here is our own (a county's 农业农村局, a school's 课后服务 project), written in the shapes published
texts use: the 决算汇编基本情况 form flattened one cell per line or pasted with tabs, a 基本概况 form whose
values stand on the line under their label, and project reports that state their funds in sentences.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from xteval import audit
from xteval.audit import read_document
from xteval.checks import Status

CELLS = """某县农业农村局2023年部门决算编制说明
二、决算汇编基本情况
（一）部门机构情况说明。
本部门2023年决算汇编包括独立核算单位 6 个，较上年减少 1 个，构成见下表：
项目 |
数量 |
比上年增减 |
变动原因说明 |
合 计 |
6 |
-1 |
机构改革撤并 |
一、按单位基本性质 |
6 |
||
行政单位 |
2 |
||
事业单位 |
4 |
||
其他 |
|||
二、按执行会计制度 |
6 |
||
行政单位 |
2 |
||
事业单位(含行业) |
4 |
||
三、按单位预算级次 |
|||
一级预算单位 |
1 |
||
二级预算单位 |
5 |
||
"""


def tabbed(nature_total: int) -> str:
    rows = [
        ("项目", "数量", "比上年增减"),
        ("合计", "7", "0"),
        ("一、按单位基本性质", str(nature_total), ""),
        ("行政单位", "1", ""),
        ("参照公务员法管理事业单位", "2", ""),
        ("事业单位", "3", ""),
        ("其他", "1", ""),
    ]
    body = "\n".join("\t".join(r) for r in rows)
    return f"某区文化旅游局2022年部门决算说明\n二、决算汇编基本情况\n（一）部门机构情况\n{body}\n"


def _report(text: str):
    """The text read as a file is (its pasted tables found), as `xteval check` reads it."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "report.txt"
        path.write_text(text, encoding="utf-8")
        return audit.read_report(path)


def _facts(text: str) -> dict[str, Decimal]:
    doc = read_document(_report(text))
    return {f.field + (f"[{f.name}]" if f.name else ""): f.value for f in doc.facts if f.unit not in ("date", "claim")}


def _results(text: str) -> dict[str, object]:
    _, suite = audit.audit(_report(text))
    return {r.id: r for r in suite.results}


def test_the_unit_composition_form_gives_each_group_its_own_counts():
    facts = _facts(CELLS)
    assert facts["count.units"] == 6
    assert facts["count.units.change"] == -1
    assert facts["count.units.nature.total"] == 6
    assert facts["count.units.nature.administrative"] == 2
    assert facts["count.units.nature.institution"] == 4
    # 行政单位 under 按执行会计制度 is counted by accounting system, not by nature a second time
    assert facts["count.units.accounting.administrative"] == 2
    assert facts["count.units.accounting.institution"] == 4
    # 三、按单位预算级次 has no figure of its own: its rows still belong to it
    assert facts["count.units.level.first"] == 1
    assert facts["count.units.level.second"] == 5


def test_a_breakdown_that_adds_up_passes_and_a_wrong_one_is_a_finding():
    ok = _results(CELLS)
    assert ok["identity.count.units.nature.total"].status is Status.passed
    assert "6 个" in ok["identity.count.units.nature.total"].message  # a count, not 万元
    assert _results(tabbed(7))["identity.count.units.nature.total"].status is Status.passed
    wrong = _results(tabbed(8))["identity.count.units.nature.total"]
    assert wrong.status is Status.fail  # every part of the group is stated: 1 + 2 + 3 + 1 = 7, not 8
    assert wrong.difference == 1
    # the form prints every category: a blank one (民间非营利组织) has no unit, so 2 + 3 against 6 is a fail too
    blank = CELLS.replace("事业单位(含行业) |\n4 |", "事业单位(含行业) |\n3 |\n||\n民间非营利组织 |\n|")
    assert _results(blank)["identity.count.units.accounting.total"].status is Status.fail


def test_counts_and_their_change_in_prose():
    text = "某局2023年部门决算说明\n一、部门机构情况\n本部门决算汇编范围内有独立核算单位 4 个，较上年增加 0 个。其中行政单位 1 个，事业单位 3 个。\n"
    facts = _facts(text)
    assert facts["count.units"] == 4
    assert facts["count.units.change"] == 0  # a change of nought is stated, and is no count of 0 units
    assert facts["count.units.nature.administrative"] == 1
    assert facts["count.units.nature.institution"] == 3
    assert _results(text)["identity.count.units"].status is Status.passed
    wrong = _results(text.replace("事业单位 3 个", "事业单位 4 个"))["identity.count.units"]
    assert wrong.status is Status.fail  # the text's own list after its total: 1 + 4 is not 4
    vehicles = _facts("某局2023年三公经费决算说明\n公务用车保有量 9 辆，因车改公务用车保有量减少 3 辆。\n")
    assert vehicles["count.vehicles"] == 9
    assert vehicles["count.vehicles.change"] == -3
    pair = _facts("某局2023年三公经费决算说明\n2023年新购公务用车和年末保有量分别为2辆和15辆。\n")
    assert pair["count.vehicles_purchased"] == 2  # each count of a “分别为” list takes its own name, in order
    assert pair["count.vehicles"] == 15


STAFF_FORM = """某区2023年度部门整体支出绩效自评报告
一、部门（单位）基本概况
联系人

张明

人员编制

18

实有人数

16

职能职责概述

负责全区的公共服务工作。
"""


def test_a_staff_forms_cells_are_counts_of_people():
    facts = _facts(STAFF_FORM)
    assert facts["count.staff_authorized"] == 18
    assert facts["count.staff_actual"] == 16
    row = _facts(
        "某区2023年度部门整体支出绩效自评报告\n一、基本概况\n| 联系人 | 李华 | 联系电话 | 1234567 |\n| 人员编制 | 25 | 实有人数 | 23 |\n"
    )
    assert row["count.staff_authorized"] == 25  # the cell after its label in a pasted row
    assert row["count.staff_actual"] == 23
    header = _facts("某区2023年度部门整体支出绩效自评报告\n一、基本概况\n| 人员编制 | 实有人数 |\n| 25 | 23 |\n")
    assert "count.staff_actual" not in header  # under a header row, no cell is the label's neighbour
    # a bare number in prose, or a page number, never is
    text = "某区2023年度部门整体支出绩效自评报告\n一、基本情况\n本单位人员编制情况见附表，全年工作正常。\n\n18\n\n二、绩效情况\n全年完成各项任务。\n"
    facts = _facts(text)
    assert not any(k.startswith("count.staff") for k in facts)


def test_indicator_counts_are_not_project_counts():
    text = (
        "某县教育局2023年课后服务项目绩效自评报告\n一、绩效目标设定情况\n"
        "该项目共设置10个绩效指标，其中一级指标3个，二级指标6个，三级指标10个。\n"
    )
    facts = _facts(text)
    assert facts["count.indicators"] == 10  # named after its number: the project's indicators
    assert "count.projects" not in facts
    assert facts["count.indicators.level1"] == 3
    assert facts["count.indicators.level2"] == 6
    assert facts["count.indicators.level3"] == 10


PROJECT = """某县第二小学2023年课后服务专项资金绩效自评报告
一、项目基本情况
我校2023年课后服务项目按每生800元标准安排，共计{total}万元，其中上级资金90万元，本级30万元。
二、资金到位及使用情况
1.资金到位情况。课后服务专项资金120万元已全部到位。
2.资金执行情况。截至年底实际支出110万元。
三、项目实施情况
课后服务项目已全部完工并通过验收，完成率100%。
"""


def test_a_projects_funds_in_prose():
    facts = _facts(PROJECT.format(total="120"))
    assert facts["project.full_year_budget"] == 120
    assert facts["project.funds_upper"] == 90
    assert facts["project.funds_local"] == 30
    assert facts["project.received"] == 120
    assert facts["project.completion_rate"] == 100
    assert facts["project.unit_standard"] == Decimal("0.08")  # 按每生 800 元: a per-head standard, in 万元
    assert _results(PROJECT.format(total="120"))["identity.project.full_year_budget"].status is Status.passed
    assert _results(PROJECT.format(total="125"))["identity.project.full_year_budget"].status is Status.fail
    # one source's funds in place are not the project's whole
    sources = PROJECT.format(total="120").replace("1.资金到位情况。", "1.资金到位情况。上级资金90万元已全部到位。")
    doc = read_document(_report(sources))
    assert [f.value for f in doc.facts if f.field == "project.received"] == [120]
    # funds in place are a project's only in a project text
    text = "某局2023年部门决算说明\n一、收入支出决算总体情况\n本年收入合计500万元。上级补助资金50万元已全部到位。\n"
    facts = _facts(text)
    assert "project.received" not in facts
