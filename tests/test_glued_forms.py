"""A 自评表 whose cells touch: read by the arithmetic the form states, or not at all (issue 20).

A form copied from a web page or a document site's dump often arrives as one run of text, its
numbers side by side with nothing between them. The texts here are our own (a street-lamp project
and a water-meter one), written in the layout of the 财预〔2020〕10号 项目支出绩效自评表 as such dumps give it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from xteval import audit
from xteval.audit import read_document
from xteval.checks import Reason, Status

HEAD = "项目支出绩效自评表(2024年度)项目名称社区路灯节能改造主管部门某区城市管理局实施单位某区路灯管理所"
FUNDS_HEADER = "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分"
INDICATORS = (
    "年度总体目标完成节能灯具更换绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分"
    "产出指标({out}分)数量指标更换节能灯具20≥600盏612盏20质量指标验收合格率30100%100%30"
    "效益指标(30分)社会效益指标夜间照明改善10明显改善明显改善10可持续影响指标节电率20≥30%31%20"
    "满意度指标(10分)服务对象满意度指标居民满意度10≥90%93%10"
)
NOTE = "填表说明：本表一级指标的分值统一设定为产出50分、效益30分、满意度10分，预算执行率另计10分。"


def collapsed(
    funds: str = "年度资金总额:4845.61095.00%9.5其中:本年财政拨款4845.6其他资金", out: int = 50, total: str = "总分10099.5"
) -> str:
    return HEAD + FUNDS_HEADER + funds + INDICATORS.format(out=out) + total + NOTE + "\n"


def _facts(text: str) -> dict[str, Decimal]:
    doc = read_document(audit.prepare(text))
    return {f.field + (f"[{f.name}]" if f.name else ""): f.value for f in doc.facts if f.unit != "date"}


def _results(text: str) -> dict[str, object]:
    _, suite = audit.audit(audit.prepare(text))
    return {r.id: r for r in suite.results}


def test_a_collapsed_funds_block_is_split_by_its_own_arithmetic():
    facts = _facts(collapsed())
    assert facts["project.full_year_budget"] == Decimal("48")
    assert facts["project.executed"] == Decimal("45.6")
    assert facts["project.execution_weight"] == Decimal("10")
    assert facts["project.execution_rate"] == Decimal("95.00")
    assert facts["project.execution_score"] == Decimal("9.5")
    assert facts["project.fiscal.full_year_budget"] == Decimal("48")  # a source row: no 分值, 执行率 or 得分
    assert facts["project.fiscal.executed"] == Decimal("45.6")
    assert facts["project.score_max"] == Decimal("100") and facts["project.score"] == Decimal("99.5")


def test_the_one_level_points_of_a_10_form_add_up_with_the_execution_points():
    results = _results(collapsed())
    assert results["project.weights"].status is Status.passed
    assert results["project.execution_rate"].status is Status.passed


def test_level_one_points_that_overrun_the_total_are_a_certain_fail_naming_both_sums():
    results = _results(collapsed(out=60))  # 10 + 60 + 30 + 10 = 110 against a 总分 of 100
    r = results["project.weights"]
    assert r.status is Status.fail and r.reason is Reason.score_mismatch
    assert (r.expected, r.observed) in ((Decimal("100"), Decimal("110")), (Decimal("110"), Decimal("100")))
    assert any("总分" in e.quote for e in r.evidence) and any("产出指标(60分)" in e.quote for e in r.evidence)


def test_the_points_a_note_prescribes_are_not_read_as_the_reports_scores():
    facts = _facts(collapsed())
    assert not any(k.startswith("score.part") for k in facts)  # 产出50分… in the 填表说明 sets the rule
    assert "project.score" not in {r for r, v in _results(collapsed()).items() if v.status is Status.fail}


def test_a_run_of_digits_the_prose_reader_took_whole_is_not_kept_beside_the_forms_reading():
    text = collapsed().replace("更换节能灯具20≥600盏612盏20", "项目计划总投资1048万元48万元10")
    facts = _facts(text)
    assert facts["project.full_year_budget"] == Decimal("48")  # not 1048: 分值 10 and 指标值 48 touching
    assert "ambiguous.project.full_year_budget" not in _results(text)


@pytest.mark.parametrize(
    "funds",
    [
        "年度资金总额:484561095.00%9.5",  # a decimal point lost: no reading gives 95.00%
        "年度资金总额:48481010其中:本年财政拨款4848",  # no 执行率 to tell the splits apart
    ],
)
def test_a_run_no_single_reading_fits_is_left_unread(funds):
    header = FUNDS_HEADER if "%" in funds else "资金情况(万元)全年预算数(A)全年执行数(B)分值得分"
    text = HEAD + header + funds + "其他资金" + INDICATORS.format(out=50) + "总分10099.5" + NOTE
    facts = _facts(text)
    assert not any(k.startswith(("project.full_year_budget", "project.executed", "project.execution_")) for k in facts), facts


def test_a_form_with_lettered_column_words_and_cells_apart_is_read_by_its_columns():
    text = (
        "项目支出绩效自评表\n项目名称 社区路灯节能改造\n"
        "资金情况(万元) 全年预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分\n"
        "年度资金总额: 36 36 10 100.00% 10\n其中:本年财政拨款 36 36\n"
    )
    facts = _facts(text)
    assert facts["project.full_year_budget"] == Decimal("36") and facts["project.executed"] == Decimal("36")
    assert facts["project.execution_weight"] == Decimal("10") and facts["project.execution_rate"] == Decimal("100.00")
    assert facts["project.execution_score"] == Decimal("10")


def test_an_incomplete_set_of_level_one_points_checks_nothing():
    """A 一级指标 whose points OCR lost (or a set with a 成本指标 of its own) is no sum to check."""
    text = collapsed().replace("效益指标(30分)", "效益指标")
    assert "project.weights" not in _results(text)
    text = collapsed().replace("满意度指标(10分)", "满意度指标(10分)成本指标(10分)")
    assert "project.weights" not in _results(text)


def test_many_long_runs_of_digits_cost_no_more_than_the_budget_of_splits(monkeypatch):
    """A hostile collapsed form: thousands of row words, each before a run of ones that splits every way."""
    from xteval.audit import glued

    tried = []
    real = glued._fits
    monkeypatch.setattr(glued, "_fits", lambda reading, totals: tried.append(1) or real(reading, totals))
    rows = "".join(f"年度资金总额:{'1' * 30}" for _ in range(500))
    facts = _facts(HEAD + FUNDS_HEADER + rows + NOTE)
    assert len(tried) <= glued.GLUED_SPLITS_MAX  # 500 rows of 23,751 readings each would be 11.9 million
    assert not any(k.startswith("project.") for k in facts)  # and none of them is read


def test_the_findings_page_of_a_form_names_its_figures_in_words(tmp_path):
    from xteval.cli import main

    report = tmp_path / "自评表.txt"
    report.write_text(collapsed(out=60), encoding="utf-8")
    assert main(["check", str(report), "--html", str(tmp_path / "page.html")]) == 1  # the 110-point form
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    visible = page.split("<body", 1)[1]
    shown = "".join(part.split(">", 1)[-1] for part in visible.split("<"))  # the text between the tags
    assert "总分 = 各一级指标分值之和" in shown and "项目资金·财政拨款·全年执行数" in shown
    assert "project." not in shown and "score." not in shown


def _goals(text: str) -> dict[str, dict]:
    return {g["name"]: g for g in read_document(audit.prepare(text)).goals}


def test_the_indicator_rows_of_a_collapsed_form_are_read_where_one_split_fits():
    goals = _goals(collapsed())
    lamps = goals["更换节能灯具"]  # 20≥600盏612盏20: the 分值 alone before the comparator
    assert (lamps["weight"], lamps["target"], lamps["actual"], lamps["score"]) == (20, 600, 612, 20)
    assert lamps["unit"] == "盏" and lamps["kind"] == "positive"
    passed = goals["验收合格率"]  # 30100%100%30: 分值 30 and 指标值 100% touching; 3 | 0100 has a leading zero
    assert (passed["weight"], passed["target"], passed["actual"], passed["score"], passed["unit"]) == (30, 100, 100, 30, "%")
    assert "夜间照明改善" not in goals  # 明显改善: words, no figures to split


def test_a_split_the_sections_points_do_not_decide_is_left_unread():
    row = "办公耗材成本415万元15万元4"
    bounded = collapsed().replace("满意度指标(10分)", f"成本指标(10分){row}满意度指标(10分)")
    goal = _goals(bounded)["办公耗材成本"]  # under 成本指标(10分) a 分值 of 41 cannot stand: 4 and 15 万元
    assert (goal["weight"], goal["target"], goal["actual"], goal["score"]) == (4, 15, 15, 4)
    loose = collapsed().replace("质量指标", f"{row}质量指标")  # under 产出指标(50分): 4 | 15 or 41 | 5
    assert "办公耗材成本" not in _goals(loose)


def test_a_rows_figures_must_share_their_unit_word_and_its_score_its_points():
    assert _goals(collapsed())["更换节能灯具"]["actual"] == 612
    text = collapsed().replace("更换节能灯具20≥600盏612盏20", "更换节能灯具20≥600盏612台20")
    assert "更换节能灯具" not in _goals(text)
    text = collapsed().replace("更换节能灯具20≥600盏612盏20", "更换节能灯具20≥600盏612盏25")
    assert "更换节能灯具" not in _goals(text)


def test_an_ocr_letter_o_between_digits_is_a_zero_and_nowhere_else():
    text = collapsed().replace("更换节能灯具20≥600盏612盏20", "更换节能灯具20≥6O0盏6o2盏20")
    lamps = _goals(text)["更换节能灯具"]
    assert (lamps["weight"], lamps["target"], lamps["actual"], lamps["score"]) == (20, 600, 602, 20)
    text = collapsed().replace("更换节能灯具20≥600盏612盏20", "更换节能灯具2O≥600盏612盏20")
    assert "更换节能灯具" not in _goals(text)  # an O after the digits is no digit: no row of that shape


def test_the_rows_read_from_a_collapsed_form_give_no_sum_of_points():
    # only some rows are read (夜间照明改善 has words): their 分值 and 得分 add to nothing the form states
    assert sum(g["weight"] for g in _goals(collapsed()).values()) == 80  # of the 90 the 一级指标 hold
    results = _results(collapsed())
    assert results["project.weights"].status is Status.passed  # the 一级指标 points, as before
    assert "各项分值之和" not in results["project.weights"].title
    assert "project.score" not in results or "各项得分之和" not in results["project.score"].title


def test_a_dash_between_two_runs_is_the_empty_target_of_the_forms_execution_row():
    # a form that scores 预算执行率 as an indicator row (项目决策/项目管理/项目产出/项目效益), its 指标值 cell a dash
    # that the OCR gave as 一: 分值 10, 执行率 95%, 得分 9
    rows = "项目管理(20分)资金管理预算执行率10一95%9制度执行有效性10一制度健全执行有力10"
    text = HEAD + "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分" + rows + "总分10096" + NOTE
    facts = _facts(text)
    assert facts["project.execution_weight"] == 10 and facts["project.execution_rate"] == 95
    assert facts["project.execution_score"] == 9
    assert "制度执行有效性" not in _goals(text)  # words after the dash: nothing to read
    # 一 elsewhere is the numeral one, never a dash: a rate stated as 九十五 is no figure
    assert "project.execution_rate" not in _facts(text.replace("10一95%9", "10一九十五%9"))


def test_the_headers_order_decides_where_the_points_stand_and_an_unnamed_order_reads_only_one_fit():
    rows = "产出指标(50分)数量指标更换节能灯具≥600盏612盏2020成本指标设备采购预算1030万元30万元10"
    last = HEAD + "绩效指标一级指标二级指标三级指标年度指标值实际完成值分值得分" + rows + "总分10096" + NOTE
    lamps = _goals(last)["更换节能灯具"]  # the 10号 form's order: 指标值, 完成值, then 分值 and 得分 touching (20 | 20)
    assert (lamps["target"], lamps["actual"], lamps["weight"], lamps["score"]) == (600, 612, 20, 20)
    assert lamps["kind"] == "positive"
    plan = _goals(last)["设备采购预算"]  # in that order the run reads 1030万元 | 30万元 | 1 | 0, the only split of 10
    assert (plan["target"], plan["actual"], plan["weight"], plan["score"]) == (1030, 30, 1, 0)
    # a header an OCR garbled names neither word: each row is read only when one reading fits in either order
    garbled = HEAD + "绩效指标一级指标二级指标三级指标考核分年度标值实际完成得分" + rows + "总分10096" + NOTE
    goals = _goals(garbled)
    assert goals["更换节能灯具"]["weight"] == 20  # ≥600盏612盏2020: 分值 first would need a run 600 of two numbers
    assert "设备采购预算" not in goals  # 10 | 30万元 | 30万元 | 10, or 1030万元 | 30万元 | 1 | 0: two readings


# --------------------------------------------------------------------------- a 部门整体绩效自评表 collapsed
# The 重庆 layout of the department form, as a document site's OCR dump gives it: its funds block has no row word
# (the header, then the one row of figures), and its 执行率 has its own points and score columns. The text is ours.

DEPT_HEAD = "部门整体绩效自评表主管部门某县图书馆自评总分(分)92.5部门联系人李某联系电话部门预算执行情况"
DEPT_FUNDS = "年初预算数全年(调整)预算数全年执行数执行率(%)执行率权重执行率得分(分)"
DEPT_REST = (
    "当年绩效目标年初绩效目标全年目标实际完成情况保障馆舍开放与借阅服务。"
    "指标名称计量单位指标性质年初指标值调整指标值全年完成值得分系数(%)指标权重(分)指标得分(分)是否核心指标"
    "政府采购执行率%100%96%100%22是借阅人次人次12000人次13500人次100%55否\n"
)


def _dept(funds: str) -> dict[str, list[Decimal]]:
    doc = read_document(audit.prepare(DEPT_HEAD + DEPT_FUNDS + funds + DEPT_REST))
    out: dict[str, list[Decimal]] = {}
    for f in doc.facts:
        out.setdefault(f.field, []).append(f.value)
    return out


def test_a_collapsed_department_row_whose_amounts_were_lost_reads_its_rate_points_and_score():
    facts = _dept("I85%108.5")  # an OCR's stray letter, then 执行率 85%, 权重 10, 得分 8.5: the amounts are gone
    assert facts["claims.execution_rate"] == [Decimal("85")]  # the form's alone: not the 政府采购执行率's 100 as well
    assert facts["claims.execution_weight"] == [Decimal("10")]
    assert facts["claims.execution_score"] == [Decimal("8.5")]
    assert "income.initial_budget" not in facts and "expenditure.total" not in facts


def test_a_collapsed_department_row_after_long_prose_and_a_mark_cell_of_its_own_is_read():
    # only the cells at a column word and the two after it are cut in a prose report: the run stands two cells on
    prose = "本馆全年开放三百一十天，接待读者若干，举办讲座与展览多场，馆藏整理有序推进。\n" * 200
    doc = read_document(audit.prepare(prose + DEPT_HEAD + DEPT_FUNDS + " I 85%108.5见说明 " + DEPT_REST))
    facts = {f.field: f.value for f in doc.facts}
    assert facts["claims.execution_rate"] == Decimal("85")
    assert facts["claims.execution_weight"] == Decimal("10") and facts["claims.execution_score"] == Decimal("8.5")


def test_a_collapsed_department_row_with_its_amounts_is_split_by_its_rate():
    facts = _dept("320.00350.00315.0090.00%109.0")
    assert facts["income.initial_budget"] == [Decimal("320.00")]
    assert facts["income.fiscal_appropriation"] == [Decimal("350.00")]
    assert facts["expenditure.total"] == [Decimal("315.00")]
    assert facts["claims.execution_rate"] == [Decimal("90.00")]
    assert facts["claims.execution_weight"] == [Decimal("10")] and facts["claims.execution_score"] == [Decimal("9.0")]


def test_the_same_department_row_pasted_with_its_cells_apart_reads_the_same_figures():
    header = " | ".join(["年初预算数", "全年(调整)预算数", "全年执行数", "执行率(%)", "执行率权重", "执行率得分(分)"])
    text = DEPT_HEAD + "\n" + header + "\n320.00 | 350.00 | 315.00 | 90.00% | 10 | 9.0\n" + DEPT_REST
    doc = read_document(audit.prepare(text))
    facts = {f.field: f.value for f in doc.facts if f.cell}
    assert facts["income.initial_budget"] == Decimal("320.00") and facts["expenditure.total"] == Decimal("315.00")
    assert facts["claims.execution_rate"] == Decimal("90.00")
    assert facts["claims.execution_weight"] == Decimal("10") and facts["claims.execution_score"] == Decimal("9.0")


@pytest.mark.parametrize("funds", ["85%107.0", "85%10"])
def test_a_rate_points_and_score_that_do_not_earn_each_other_are_left_unread(funds):
    facts = _dept(funds)  # 10 × 85% is 8.5, not 7.0; a lone 10 is not both the points and the score
    assert "claims.execution_weight" not in facts and "claims.execution_score" not in facts


def test_a_column_word_that_carries_its_unit_is_that_column_in_a_pasted_form():
    text = (
        "项目支出绩效自评表\n项目名称 | 乡村书屋图书更新\n"
        "项目资金(万元) | 年初预算数 | 全年预算数(A) | 全年执行数(B) | 分值 | 执行率(%) | 得分\n"
        "年度资金总额 | 30 | 36 | 34.2 | 10 | 95.00% | 9.5\n"
    )
    facts = {f.field: f.value for f in read_document(audit.prepare(text)).facts if f.field.startswith("project.")}
    assert facts["project.execution_rate"] == Decimal("95.00")  # 执行率(%) is the rate, so 95.00% is no score
    assert facts["project.execution_score"] == Decimal("9.5")
