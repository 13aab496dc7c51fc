"""The indicator rows of a 部门整体绩效自评表 with a 得分系数 column (issue 20).

The 重庆 form gives each indicator row its 计量单位, 指标性质, 年初指标值, 调整指标值, 全年完成值, 得分系数, 指标权重,
指标得分 and 是否核心指标. A document site's dump runs its cells together with the blank ones dropped; a pasted copy
keeps them apart with pipes, tabs or one cell per line. The texts here are our own (a county archive's form), in
those layouts. A row is read only in the form's shape, its 权重 and 得分 only where 得分 = 权重 × 得分系数.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from xteval import audit
from xteval.audit import read_document
from xteval.audit.coefrows import _weight_score
from xteval.audit.reconcile import figure_records
from xteval.checks import Status

HEAD = "部门整体绩效自评表单位名称某县档案馆主管部门某县文化和旅游局自评总分(分)93.6"
HEADER = "指标名称计量单位指标性质年初指标值调整指标值全年完成值得分系数(%)指标权重(分)指标得分(分)是否核心指标"
TOUCHING = (
    "档案数字化率%定量指标85%88%100%88是"  # two values: 年初 85 and 全年 88 (调整 blank); 8 × 100% = 8
    "馆藏档案接收数量件1200件1150件90%43.6否"  # 43.6 is 4 and 3.6 (4 × 90%); 43 and .6 is no reading
    "查档服务人次人次3000人次3200人次3400人次100%55否"  # three values: 年初, 调整, 全年
    "预算调整率%定量指标5%3%100%33否"  # lower is better (its name, by the vocabulary)
    "档案安全事故次数次0次100%22否"  # one value: left unread
    "展览举办场次场4场5场100%23否"  # 23 splits into no 权重/得分 that 100% gives: left unread
    "制度建设完善性定性指标完善完善100%44否"  # no figures
    "培训人数人到50人60人100%22否"  # an OCR's mark between the unit and the values: left unread
    "信息公开及时率x率95%96%100%22否"  # a unit word that is none: left unread
)
COLUMNS = [
    "指标名称",
    "计量单位",
    "指标性质",
    "年初指标值",
    "调整指标值",
    "全年完成值",
    "得分系数(%)",
    "指标权重(分)",
    "指标得分(分)",
    "是否核心指标",
]
ROWS = [
    ["档案数字化率", "%", "定量指标", "85%", "", "88%", "100%", "8", "8", "是"],
    ["馆藏档案接收数量", "件", "定量指标", "1200", "", "1150", "90", "4", "3.6", "否"],
    ["查档服务人次", "人次", "定量指标", "3000", "3200", "3400", "100%", "5", "5", "否"],
    ["预算调整率", "%", "定量指标", "5", "", "3", "100", "3", "3", "否"],
    ["档案安全事故次数", "次", "定量指标", "0", "", "", "100%", "2", "2", "否"],
    ["展览举办场次", "场", "定量指标", "4", "", "5", "100%", "2", "3", "否"],  # 2 × 100% is not 3
    ["制度建设完善性", "", "定性指标", "完善", "", "完善", "100%", "4", "4", "否"],
]
READ = [  # name, kind, unit, 年初, 调整, 全年, 权重, 得分
    ("档案数字化率", "positive", "%", "85", None, "88", "8", "8"),
    ("馆藏档案接收数量", "positive", "件", "1200", None, "1150", "4", "3.6"),
    ("查档服务人次", "positive", "人次", "3000", "3200", "3400", "5", "5"),
    ("预算调整率", "reverse", "%", "5", None, "3", "3", "3"),
]
TAIL = "\n二、自评结论：本馆全年完成了主要绩效目标。\n"


def touching() -> str:
    return HEAD + HEADER + TOUCHING + TAIL


def apart(layout: str) -> str:
    rows = [COLUMNS, *ROWS]
    if layout == "pipes":
        body = "\n".join("| " + " | ".join(r) + " |" for r in rows)
    elif layout == "tabs":
        body = "\n".join("\t".join(r) for r in rows)
    else:  # one cell per line, the blank ones dropped (as a web page's copy gives them)
        body = "\n".join(c for r in rows for c in r if c)
    return "某县档案馆2024年度部门整体绩效自评表\n" + body + TAIL


def _goals(text: str) -> list[tuple]:
    doc = read_document(audit.prepare(text))
    assert doc.kind is not None and doc.kind.id == "dept_selfeval"
    return [
        (
            g["name"],
            g["kind"],
            g["unit"],
            str(g["target"]),
            _s(g.get("adjusted_target")),
            str(g["actual"]),
            str(g["weight"]),
            str(g["score"]),
        )
        for g in doc.goals
    ]


def _s(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def test_touching_rows_are_read_by_the_forms_shape_and_arithmetic():
    assert _goals(touching()) == READ


@pytest.mark.parametrize("layout", ["pipes", "tabs", "lines"])
def test_rows_whose_cells_stand_apart_are_read_alike(layout):
    assert _goals(apart(layout)) == READ


def test_a_row_of_one_value_or_with_no_fitting_split_is_left_unread():
    names = {g[0] for g in _goals(touching())} | {g[0] for g in _goals(apart("pipes"))}
    assert not names & {"档案安全事故次数", "展览举办场次", "制度建设完善性", "培训人数", "信息公开及时率"}


def test_a_split_is_taken_only_where_one_alone_fits():
    assert _weight_score(["43.6"], Decimal(90)) == (Decimal(4), Decimal("3.6"))
    assert _weight_score(["1010"], Decimal(100)) == (Decimal(10), Decimal(10))  # not 1 and 010, nor 101 and 0
    assert _weight_score(["23"], Decimal(100)) is None  # 2 × 100% is not 3
    assert _weight_score(["1500"], Decimal(0)) is None  # 150 and 0: a 权重 above 100
    assert _weight_score(["2", "3"], Decimal(100)) is None  # cells apart must fit as well


def test_a_header_without_its_required_words_is_not_the_form():
    text = HEAD + HEADER.replace("得分系数", "分项系数") + TOUCHING + TAIL
    assert _goals(text) == []


def test_the_goals_are_figures_of_the_check_and_raise_no_fail():
    doc = read_document(audit.prepare(touching()))
    figures = {r.id: r.observed for r in figure_records(doc)}
    assert figures["figure.goals[0].target"] == Decimal(85)
    assert figures["figure.goals[2].actual"] == Decimal(3400)
    assert figures["figure.goals[3].actual"] == Decimal(3)
    _, suite = audit.audit(audit.prepare(touching()))
    assert not [r for r in suite.results if r.status is Status.fail]


def test_a_form_without_the_core_column_ends_each_row_at_its_points():
    rows = TOUCHING.replace("是", "").replace("否", "")
    text = HEAD + HEADER.removesuffix("是否核心指标") + rows + TAIL
    assert _goals(text) == READ


def test_three_values_need_the_adjusted_column():
    text = HEAD + HEADER.replace("调整指标值", "") + TOUCHING + TAIL
    assert [g[0] for g in _goals(text)] == ["档案数字化率", "馆藏档案接收数量", "预算调整率"]
