"""The 科目 of a 决算说明's 具体情况 section (issue 20: sections with a subject).

A 部门决算说明 states each 项级科目 of its 一般公共预算财政拨款支出 in turn, by its path of 类, 款 and 项, with its 年初预算,
its 支出决算 and how much of its budget it spent. Each such figure is the 科目's, never the section's total; its rate,
its difference from the budget and its change are the 科目's and are checked as such. The texts are our own.
"""

from __future__ import annotations

from decimal import Decimal

from xteval import audit
from xteval.audit import read_document

HEAD = (
    "白沙县文化馆2023年度部门决算情况说明\n"
    "五、一般公共预算财政拨款支出决算情况说明\n"
    "（二）一般公共预算财政拨款支出决算结构情况\n"
    "2023年一般公共预算财政拨款支出410.50万元，主要用于：文化旅游体育与传媒支出360.50万元，占87.82%；社会保障和就业支出50.00万元，占12.18%。\n"
    "（三）一般公共预算财政拨款支出决算具体情况\n"
    "2023年一般公共预算财政拨款支出决算数为410.50万元，完成预算96.40%。其中：\n"
)
ITEMS = (
    "1.文化旅游体育与传媒支出(类)文化和旅游(款)群众文化(项)：年初预算为300.00万元，支出决算为310.50万元，完成预算103.50%。\n"
    "2.文化旅游体育与传媒支出(类)文化和旅游(款)行政运行(项)：支出决算为50.00万元，比上年增加5.00万元，增长11.11%。\n"
    "3.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)：年初预算为52.00万元，支出决算为50.00万元，"
    "比上年减少2.00万元，完成预算98.15%。\n"
)
PENSION = "社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)"
CULTURE = "文化旅游体育与传媒支出(类)文化和旅游(款)群众文化(项)"


def _results(text: str) -> dict[str, tuple[str, str]]:
    _, suite = audit.audit(audit.prepare(text))
    return {r["id"]: (r["status"], r["message"]) for r in suite.to_dicts()}


def test_each_class_items_figures_are_its_own_and_the_sections_total_stays_one():
    facts = read_document(audit.prepare(HEAD + ITEMS)).facts
    named = {(f.field, f.name): f.value for f in facts if f.field.startswith("expenditure.function_item")}
    assert named[("expenditure.function_item", CULTURE)] == Decimal("310.50")
    assert named[("expenditure.function_item.budget", CULTURE)] == Decimal("300.00")
    assert named[("expenditure.function_item.budget_rate", PENSION)] == Decimal("98.15")
    assert named[("expenditure.function_item.change", PENSION)] == Decimal("-2.00")
    assert {f.value for f in facts if f.field == "expenditure.general_budget"} == {Decimal("410.50")}  # never 50.00 or 310.50
    results = _results(HEAD + ITEMS)
    assert not [k for k in results if k.startswith("ambiguous")], results


def test_a_class_items_rate_difference_and_change_are_checked_against_its_own_figures():
    results = _results(HEAD + ITEMS)
    assert results[f"budget_rate.expenditure.function_item[{CULTURE}]"][0] == "pass"
    status, message = results[f"budget_rate.expenditure.function_item[{PENSION}]"]
    assert status == "fail" and "96.15%" in message  # 50.00 ÷ 52.00, not the 98.15 % stated
    assert results["change_rate.expenditure.function_item[文化旅游体育与传媒支出(类)文化和旅游(款)行政运行(项)]"][0] == "pass"


def test_a_path_in_the_heading_above_names_the_figures_below_it_and_a_name_may_hold_a_bracket():
    text = HEAD + (
        "1.一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)行政运行(项)\n年初预算为80.00万元，支出决算为76.00万元，完成预算95.00%。\n"
    )
    facts = {(f.field, f.name): f.value for f in read_document(audit.prepare(text)).facts}
    path = "一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)行政运行(项)"
    assert facts[("expenditure.function_item", path)] == Decimal("76.00")
    assert facts[("expenditure.function_item.budget", path)] == Decimal("80.00")
    assert _results(text)[f"budget_rate.expenditure.function_item[{path}]"][0] == "pass"


def test_a_figure_whose_words_name_something_of_their_own_is_no_class_items():
    text = HEAD + "1.文化旅游体育与传媒支出(类)文化和旅游(款)群众文化(项)：其中免费开放补助资金120.00万元。\n"
    assert not [f for f in read_document(audit.prepare(text)).facts if f.field.startswith("expenditure.function_item")]
