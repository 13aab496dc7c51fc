"""财预〔2013〕53号 common indicators: each published table's points, by hand, band edges included.

Each table of this file follows one published municipal table, named in its
docstring; the expected points are computed by hand from that table's
评分标准 (quoted in the framework YAML as ``wording``). The values of the
measures are computed by hand from the department figures.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SEED_PARAMS

from xteval.department import common_indicators as common
from xteval.department import scoring as department
from xteval.errors import ConfigError
from xteval.params import load_params
from xteval.scoring import engine, frameworks

PARAMS = ROOT / "params"


def D(x) -> Decimal:
    return Decimal(str(x))


def score(framework: str, indicator: str, actual) -> tuple[Decimal | None, list[str]]:
    """One indicator's points and flags under a framework, the others left 无数据."""
    df = pd.DataFrame([{"indicator": indicator, "actual": str(actual)}])
    r = engine.score_table(df, framework)
    name = {leaf.id: leaf.name for leaf in frameworks.get(framework).leaves}[indicator]
    row = r.rows.set_index("indicator").loc[name]
    return row["points"], row["flags"]


def check(framework: str, indicator: str, actual, points: str, ambiguous: bool = False) -> None:
    got, flags = score(framework, indicator, actual)
    assert got == D(points), (framework, indicator, actual, got)
    assert any("未写明不足一步" in f for f in flags) is ambiguous, flags


# --------------------------------------------------------------------------- 岳阳


YUEYANG = "dept-common-2013@yueyang"


@pytest.mark.parametrize(
    "rate, points, ambiguous",
    [
        (88, "5.00", False),
        (100, "5.00", False),  # 以100%为标准
        (100.5, "5.00", True),  # half a point over: 5 per full point, 4.5 per started point, 4.75 in proportion
        (101, "4.50", False),  # −0.5 per point over
        (104, "3.00", False),
        (109, "0.50", False),
        (110, "0.00", False),  # 扣完为止
        (130, "0.00", False),
    ],
)
def test_yueyang_staff_control_rate(rate, points, ambiguous):
    """岳阳样表 财政供养人员控制率 5 分: ≤100% 满分，每超过一个百分点扣0.5分，扣完为止."""
    check(YUEYANG, "staff_control_rate", rate, points, ambiguous)


@pytest.mark.parametrize(
    "rate, points, ambiguous",
    [(-20, "5.00", False), (0, "5.00", False), (1, "4.50", False), (2.4, "4.00", True), (9, "0.50", False), (10, "0.00", False)],
)
def test_yueyang_three_public_change_rate(rate, points, ambiguous):
    """岳阳样表 “三公经费”变动率 5 分: ≤0 满分，>0 每超过一个百分点扣0.5分."""
    check(YUEYANG, "three_public_change_rate", rate, points, ambiguous)


@pytest.mark.parametrize(
    "rate, points",
    [
        (100, "5.00"),
        (90, "5.00"),  # 90% 及以上
        (89.99, "4.00"),
        (80, "4.00"),  # 80%（含）
        (79.99, "3.00"),
        (70, "3.00"),
        (69.99, "2.00"),
        (60, "2.00"),
        (59.99, "0.00"),
    ],
)
def test_yueyang_key_spending_rate(rate, points):
    """岳阳样表 重点支出安排率 5 分: ≥90 → 5, [80, 90) → 4, [70, 80) → 3, [60, 70) → 2, <60 → 0."""
    check(YUEYANG, "key_spending_rate", rate, points)


@pytest.mark.parametrize(
    "rate, points",
    [
        (0, "3.00"),
        (0.01, "2.00"),
        (10, "2.00"),
        (10.01, "1.00"),
        (20, "1.00"),
        (20.01, "0.50"),
        (30, "0.50"),
        (30.01, "0.00"),
        (740.35, "0.00"),
    ],
)
def test_yueyang_budget_adjustment_rate(rate, points):
    """岳阳样表 预算调整率 3 分: =0 → 3, (0, 10%] → 2, (10, 20%] → 1, (20, 30%] → 0.5, >30% → 0."""
    check(YUEYANG, "budget_adjustment_rate", rate, points)


@pytest.mark.parametrize("late, points", [(0, "3.00"), (1, "2.50"), (5, "0.50"), (6, "0.00"), (9, "0.00")])
def test_yueyang_payment_progress(late, points):
    """岳阳样表 支付进度 3 分: 每有一个专项资金未按时下达扣0.5分 (a count: no part step)."""
    check(YUEYANG, "payment_progress", late, points)


@pytest.mark.parametrize("ratio, points", [(0, "3.00"), (0.01, "2.00"), (100, "2.00"), (100.01, "0.00")])
def test_yueyang_year_end_balance(ratio, points):
    """岳阳样表 资金结余 3 分: 无结余 → 3，结余不超过上年结转 → 2，超过 → 0 (on 年末结余 ÷ 上年结转)."""
    check(YUEYANG, "year_end_balance", ratio, points)


@pytest.mark.parametrize(
    "rate, points, ambiguous",
    [(70.59, "6.00", False), (100, "6.00", False), (100.2, "6.00", True), (101, "5.00", False), (102, "4.00", False), (106, "0.00", False)],
)
def test_yueyang_three_public_control_rate(rate, points, ambiguous):
    """岳阳样表 “三公经费”控制率 6 分: ≤100% 满分，每超过一个百分点扣1分，扣完为止."""
    check(YUEYANG, "three_public_control_rate", rate, points, ambiguous)


@pytest.mark.parametrize("met, points", [(3, "3.00"), (2, "2.00"), (1, "1.00"), (0, "0.00")])
def test_yueyang_budget_rules(met, points):
    """岳阳样表 管理制度健全性 3 分: 三个要点，每符合一项得1分."""
    check(YUEYANG, "budget_rules", met, points)


@pytest.mark.parametrize("cases, points", [(0, "3.00"), (1, "2.00"), (3, "0.00"), (4, "0.00")])
def test_yueyang_funds_compliance(cases, points):
    """岳阳样表 资金使用合规性 3 分: 每发现一项不合规扣1分."""
    check(YUEYANG, "funds_compliance", cases, points)


# --------------------------------------------------------------------------- 长沙市雨花区 2017


YUHUA = "dept-common-2013@yuhua-2017"


@pytest.mark.parametrize("rate, points", [(100, "5.00"), (101, "4.50"), (110, "0.00")])
def test_yuhua_staff_control_rate(rate, points):
    """雨花区 2017 指标表 在职人员控制率 5 分: 每超过一个百分点扣0.5分."""
    check(YUHUA, "staff_control_rate", rate, points)


@pytest.mark.parametrize(
    "rate, points, ambiguous", [(0, "8.00", False), (1, "7.20", False), (9, "0.80", False), (10, "0.00", False), (0.5, "8.00", True)]
)
def test_yuhua_three_public_change_rate(rate, points, ambiguous):
    """雨花区 2017 指标表 “三公经费”变动率 8 分: ≤0 满分，每超过一个百分点扣0.8分 (on 预算数)."""
    check(YUHUA, "three_public_change_rate", rate, points, ambiguous)


@pytest.mark.parametrize(
    "rate, points",
    [
        (100, "5.00"),
        (95.01, "5.00"),  # 4.99 below: not a full 5%
        (95, "3.00"),  # one step: −2
        (92.8, "3.00"),  # the 湖南经信委 worked example
        (90, "1.00"),
        (89.99, "1.00"),  # 10.01 below: two full steps
        (85, "0.00"),  # three steps: −6, 扣完为止
    ],
)
def test_yuhua_budget_completion_rate(rate, points):
    """雨花区 2017 指标表 预算完成率 5 分: 100%计满分，每低于5%扣2分 (per full step: the Hunan worked examples)."""
    check(YUHUA, "budget_completion_rate", rate, points)


@pytest.mark.parametrize(
    "rate, points",
    [(0, "5.00"), (0.01, "4.00"), (10, "4.00"), (10.01, "3.00"), (20, "3.00"), (20.01, "2.00"), (30, "2.00"), (30.01, "0.00")],
)
def test_yuhua_budget_control_rate(rate, points):
    """雨花区 2017 指标表 预算控制率 5 分: =0 → 5, (0, 10%] → 4, (10, 20%] → 3, (20, 30%] → 2, >30% → 0."""
    check(YUHUA, "budget_control_rate", rate, points)


@pytest.mark.parametrize(
    "rate, points, ambiguous", [(100, "5.00", False), (104.99, "5.00", True), (105, "3.00", False), (115, "0.00", False)]
)
def test_yuhua_building_area_control_rate(rate, points, ambiguous):
    """雨花区 2017 指标表 新建楼堂馆所面积控制率 5 分: ≤100% 满分，每超出5%扣2分."""
    check(YUHUA, "building_area_control_rate", rate, points, ambiguous)


@pytest.mark.parametrize(
    "rate, points, ambiguous", [(100, "5.00", False), (105, "3.00", False), (107.5, "3.00", True), (115, "0.00", False)]
)
def test_yuhua_building_investment_control_rate(rate, points, ambiguous):
    """雨花区 2017 指标表 新建楼堂馆所投资概算控制率 5 分: ≤100% 满分，每超出5%扣2分."""
    check(YUHUA, "building_investment_control_rate", rate, points, ambiguous)


HUNAN_2018 = "dept-common-2013@hunan-2018"
JXW_2015 = "dept-common-2013@hunan-jxw-2015"


@pytest.mark.parametrize(
    "rate, points, ambiguous", [(100, "8.00", False), (101, "7.50", False), (116, "0.00", False), (100.5, "8.00", True)]
)
def test_hunan_2018_staff_control_rate(rate, points, ambiguous):
    """湖南 2018 指标表 在职人员控制率 8 分: 每超过一个百分点扣0.5分 (16 points over: 8 − 8 = 0)."""
    check(HUNAN_2018, "staff_control_rate", rate, points, ambiguous)


@pytest.mark.parametrize("rate, points", [(-3, "8.00"), (0, "8.00"), (1, "7.20"), (9, "0.80"), (10, "0.00")])
def test_hunan_2018_three_public_change_rate(rate, points):
    """湖南 2018 指标表 “三公经费”变动率 8 分: ≤0 满分，每超过一个百分点扣0.8分."""
    check(HUNAN_2018, "three_public_change_rate", rate, points)


@pytest.mark.parametrize("rate, points", [(100, "8.00"), (95.01, "8.00"), (95, "6.00"), (90, "4.00"), (85, "2.00"), (80, "0.00")])
def test_hunan_2018_budget_completion_rate(rate, points):
    """湖南 2018 指标表 预算完成率 8 分: 100%计满分，每低于5%扣2分 (per full step)."""
    check(HUNAN_2018, "budget_completion_rate", rate, points)


@pytest.mark.parametrize(
    "indicator, rate, points",
    [
        ("staff_control_rate", 100, "5.00"),
        ("staff_control_rate", 102, "4.00"),
        ("three_public_change_rate", 0, "8.00"),
        ("three_public_change_rate", 5, "4.00"),
        ("budget_completion_rate", 95, "3.00"),
        ("budget_completion_rate", 89.99, "1.00"),
    ],
)
def test_hunan_jxw_2015_rows(indicator, rate, points):
    """湖南省经信委 2015 评分表: 在职人员控制率 5 (0.5/点)、“三公经费”变动率 8 (0.8/点)、预算完成率 5 (每低于5%扣2分)."""
    check(JXW_2015, indicator, rate, points)


# --------------------------------------------------------------------------- the tables' own worked examples


@pytest.mark.parametrize(
    "framework, indicator, actual, points",
    [
        ("dept-common-2013@hunan-jxw-2015", "staff_control_rate", "88.66", "5.00"),  # 湖南经信委 2015: 88.66% → 5
        ("dept-common-2013@hunan-jxw-2015", "budget_completion_rate", "92.8", "3.00"),  # 92.8% → 3 (one full 5% step)
        ("dept-common-2013@hunan-2018", "staff_control_rate", "95.10", "8.00"),  # 湖南 2018: 95.10% → 8
        ("dept-common-2013@hunan-2018", "three_public_change_rate", "98.31", "0.00"),  # +98.31% → 0
        ("dept-common-2013@hunan-2018", "budget_completion_rate", "99.27", "8.00"),  # 99.27% → 8
    ],
)
def test_worked_examples_printed_in_the_tables(framework, indicator, actual, points):
    """The scores the published tables print next to their figures come out the same."""
    check(framework, indicator, actual, points)


@pytest.mark.parametrize(
    "rate, points", [(0, "8.00"), (10, "6.00"), (10.01, "4.00"), (20, "4.00"), (30, "2.00"), (30.01, "0.00"), ("39.94", "0.00")]
)
def test_hunan_2018_budget_control_rate(rate, points):
    """湖南 2018 指标表 预算控制率 8 分: =0 → 8, (0, 10%] → 6, (10, 20%] → 4, (20, 30%] → 2, >30% → 0 (767.86 ÷ 1922.76 = 39.94%)."""
    check("dept-common-2013@hunan-2018", "budget_control_rate", rate, points)


def test_tables_that_differ_are_separate_versions():
    """The same indicator, three tables, three rules: nothing is averaged."""
    by = {n: {leaf.id: leaf for leaf in frameworks.get(n).leaves} for n in department.common_frameworks()}
    assert sorted(by) == [
        "dept-common-2013@hunan-2018",
        "dept-common-2013@hunan-jxw-2015",
        "dept-common-2013@yueyang",
        "dept-common-2013@yuhua-2017",
    ]
    assert by["dept-common-2013@yueyang"]["three_public_change_rate"].weight == 5
    assert by["dept-common-2013@yuhua-2017"]["three_public_change_rate"].weight == 8
    assert by["dept-common-2013@hunan-2018"]["staff_control_rate"].weight == 8
    # the same 预算完成率 rule on two different formulas
    assert by["dept-common-2013@yuhua-2017"]["budget_completion_rate"].measure == "budget_completion_rate_carryover"
    assert by["dept-common-2013@hunan-jxw-2015"]["budget_completion_rate"].measure == "budget_completion_rate"


UNVERIFIED = {"dept-common-2013@yuhua-2017"}  # its cited page can no longer be found: every row says 未经核实


def test_every_leaf_cites_its_table_and_quotes_its_rule():
    for name in department.common_frameworks():
        fw = frameworks.get(name)
        basis = "unverified" if name in UNVERIFIED else "practice"
        assert fw.url.startswith("http") and fw.basis == basis and fw.gaps, name
        for leaf in fw.leaves:
            assert leaf.basis == basis and leaf.wording, (name, leaf.id)
            if leaf.method == "step":
                assert leaf.params["partial"] in ("per_full_step", "per_started_step", "proportional"), (name, leaf.id)
                assert leaf.partial_basis in ("worked-example", "unverified", "whole-units", "stated"), (name, leaf.id)


# --------------------------------------------------------------------------- a total only when everything is sourced


COMPLETE = """name: t
extends: dept-common-2013
version: "1"
title: t
source: test table
total: 10
level1:
  - name: 投入
    weight: 10
    children:
      - name: 预算配置
        weight: 10
        children:
          - {id: staff_control_rate, name: 在职人员控制率, weight: 5, basis: practice, wording: x,
             method: step, params: {full_at: 100, step: 1, points: 0.5, direction: above, partial: per_full_step}, partial_basis: stated}
          - {id: three_public_change_rate, name: 三公经费变动率, weight: 5, basis: practice, wording: y,
             method: step, params: {full_at: 0, step: 1, points: 0.5, direction: above, partial: per_full_step}, partial_basis: unverified}
grades: [{min: 9, grade: 优}, {min: 0, grade: 差}]
"""


def _fw(tmp_path: Path, text: str):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return frameworks.load(path)


def _score(fw, staff, change):
    return engine.score_table(
        pd.DataFrame([{"indicator": "staff_control_rate", "actual": staff}, {"indicator": "三公经费变动率", "actual": change}]), fw
    )


def test_a_sourced_whole_table_with_data_gives_a_total_and_a_grade(tmp_path: Path):
    r = _score(_fw(tmp_path, COMPLETE), "101", "-3")  # 4.5 + 5
    assert r.complete and (r.total, r.grade, r.reasons) == (D("9.50"), "优", ())
    assert r.status() == "总分 9.50，等级 优"


@pytest.mark.parametrize(
    "change, text, reason",
    [
        (None, "", "1 项无数据"),  # data missing
        ("-3", "basis: practice, wording: y", "1 项分值未取自公开评分表（三公经费变动率）"),  # points not sourced
        ("0.5", "", "三公经费变动率 不足一步的部分如何扣分原表未写明，且影响得分"),  # 0.5 point over: the reading matters
        ("-3", "total: 10\n", "原表：the rest was not read"),  # part of the table not read
    ],
)
def test_no_total_and_no_grade_unless_everything_is_sourced(tmp_path: Path, change, text, reason):
    new = {"basis: practice, wording: y": "basis: illustrative, wording: y", "total: 10\n": "unseen: the rest was not read\n"}.get(
        text, text
    )
    fw = _fw(tmp_path, COMPLETE.replace(text, new, 1) if text else COMPLETE)
    r = _score(fw, "101", change)
    assert not r.complete and r.grade is None and reason in r.reasons, r.reasons
    assert r.status().startswith(f"可评分值 {r.assessed.normalize():f} 中得 {r.total}，不给总分与等级：")
    frame = engine.frame(r).set_index("一级指标")
    assert frame.at["可评分值", "提示"].startswith("不是总分：") and frame.at["等级", "得分"] == "不定级"


def test_a_partial_step_that_does_not_change_the_score_is_not_flagged(tmp_path: Path):
    r = _score(_fw(tmp_path, COMPLETE), "100", "20.5")  # 20.5 points over: deducted to 0 either way
    assert r.complete and r.total == D("5.00")


# --------------------------------------------------------------------------- the catalogue and the measures


def test_the_catalogue_sets_no_points_and_names_the_tables():
    cat = frameworks.get("dept-common-2013")
    assert cat.kind == "catalogue" and cat.total is None and not cat.leaves
    assert "财预〔2013〕53号" in cat.source and cat.url.startswith("https://")
    names = [m.name for m in cat.measures if m.basis == "official" and m.quantitative]
    assert {"重点支出安排率", "固定资产利用率", "在职人员控制率", "预算完成率"} <= set(names)
    assert "dept-common-2013" not in engine.framework_names()
    with pytest.raises(ConfigError, match="不设分值.*dept-common-2013@yueyang"):
        engine.score_table(pd.DataFrame([{"indicator": "staff_control_rate", "actual": "1"}]), "dept-common-2013")


def _with_common(tmp_path: Path, block: str, year: int = 2023) -> Path:
    text = SEED_PARAMS.read_text(encoding="utf-8")
    text = text.replace("\nclaims:\n", f"\n{block}\nclaims:\n", 1)
    path = tmp_path / "department.yaml"
    path.write_text(text, encoding="utf-8")
    if not (tmp_path / "sources").exists():  # the seeds quote their report: it travels with the file
        shutil.copytree(SEED_PARAMS.parent / "sources", tmp_path / "sources")
    return path


COMMON = """common:
  carry_in: {value: 200, illustrative: 示例}
  year_end_balance: {value: 150, illustrative: 示例}
  staff_in_service: {value: 23, illustrative: 示例}
  staff_authorized: {value: 25, illustrative: 示例}
  three_public_budget_previous: {value: 6.4, illustrative: 示例}
  budget_adjustment: {value: 1116.88, illustrative: 示例}
  key_project_spending: {value: 8000, illustrative: 示例}
  public_funds_budget: {value: 130, illustrative: 示例}
  procurement_budget: {value: 400, illustrative: 示例}
  procurement_actual: {value: 388, illustrative: 示例}
  fixed_assets_in_use: {value: 950, illustrative: 示例}
  fixed_assets_total: {value: 1000, illustrative: 示例}
  work_planned: {value: 12, illustrative: 示例}
  work_done: {value: 11, illustrative: 示例}
  key_work_assigned: {value: 4, illustrative: 示例}
  key_work_done: {value: 4, illustrative: 示例}
"""


def test_measures_computed_by_hand(tmp_path: Path):
    p = load_params(_with_common(tmp_path, COMMON))
    got = {k: v.value for k, v in common.values(p).items()}
    expect = {
        "staff_control_rate": "92.00",  # 23 ÷ 25
        "three_public_change_rate": "-15.00",  # (5.44 − 6.40) ÷ 6.40
        "key_spending_rate": "77.77",  # 8000 ÷ 10286.5 = 77.772…
        "budget_completion_rate": "100.18",  # 11188.83 ÷ 11168.82 (53号: 支出总额 ÷ 年度预算金额)
        "budget_adjustment_rate": "10.00",  # 1116.88 ÷ 11168.82 = 9.99998… → 10.00
        "carryover_rate": "1.34",  # 150 ÷ 11168.82 = 1.343…
        "carryover_change_rate": "-25.00",  # (150 − 200) ÷ 200
        "public_funds_control_rate": "97.93",  # 127.31 ÷ 130 = 97.930…
        "three_public_control_rate": "70.59",  # 3.84 ÷ 5.44
        "procurement_rate": "97.00",  # 388 ÷ 400
        "fixed_asset_use_rate": "95.00",  # 950 ÷ 1000
        "completion_rate": "91.67",  # 11 ÷ 12
        "key_work_rate": "100.00",
        "budget_completion_rate_carryover": "98.68",  # (200 + 1329.07 + 9839.75 − 150) ÷ (200 + 1329.07 + 9839.75) = 11218.82 ÷ 11368.82
        "budget_control_rate": "740.35",  # 9839.75 ÷ 1329.07
        "balance_to_carry_in": "75.00",  # 150 ÷ 200
    }
    for k, v in expect.items():
        assert got[k] == D(v), (k, got[k])
    assert got["payment_progress_rate"] is None and got["timeliness_rate"] is None


def test_seed_measures_say_why_they_are_missing():
    vals = common.values(load_params(SEED_PARAMS))
    assert vals["staff_control_rate"].value is None and "在职人员数" in vals["staff_control_rate"].why
    adj = vals["budget_adjustment_rate"]
    assert adj.value is None and "9839.75" in adj.why and "报告称追加未记入预算调整数" in adj.why  # 追加 is not 53号's 调整数
    assert vals["budget_control_rate"].value == D("740.35")  # the Hunan 预算控制率 is 追加 ÷ 年初
    assert vals["three_public_change_rate"].value is None  # no previous year given
    assert vals["goal_rationality"].why == "定性指标，由评价人评分"
    assert vals["completion_rate"].value == D("100.00") and "本工具的口径" in vals["completion_rate"].notes[0]


def test_the_previous_year_gives_carry_in_and_last_years_three_public_budget():
    p, q = load_params(PARAMS / "2023" / "department.yaml"), load_params(PARAMS / "2022" / "department.yaml")
    assert q.three_public.control.total.value == D("5.80")  # the illustrative 2022 params
    vals = common.values(p, q)
    change = vals["three_public_change_rate"]
    assert change.value == D("-6.21")  # (5.44 − 5.80) ÷ 5.80 = −6.206…
    assert any("2022 年参数" in n for n in change.notes)
    completion = vals["budget_completion_rate_carryover"]
    assert completion.value == D("100.00")  # 年末结余 0: everything available was spent
    assert any("上年结转取 2022 年参数" in n for n in completion.notes)


def test_seed_department_under_each_table_is_only_a_partial_score():
    p = load_params(SEED_PARAMS)
    for name in department.common_frameworks():
        r = department.score_department(p, name)
        assert not r.complete and r.grade is None and r.reasons, name
        assert any(g in r.reasons for g in frameworks.get(name).gaps), name
    r = department.score_department(p, YUEYANG)
    rows = r.rows.set_index("indicator")
    assert rows.at["“三公经费”控制率", "points"] == D("6.00")  # 3.84 ÷ 5.44 = 70.59%
    assert rows.at["预算调整率", "points"] is None  # 53号 预算调整数 not in the params: 无数据, not 0
    assert rows.at["资金结余", "points"] == D("3.00")  # 财政拨款结转 0: 无结余
    assert (r.total, r.assessed) == (D("9.00"), D(9))


def test_an_unverified_table_says_so_on_every_row_and_gives_no_total():
    from xteval.department import scoring as department_scoring
    from xteval.params import load_params

    p = load_params(ROOT / "params" / "2023" / "department.yaml")
    result = department_scoring.score_department(p, "dept-common-2013@yuhua-2017")
    assert result.total is not None and result.grade is None and not result.complete
    assert all(b.basis == "unverified" for b in result.rows["basis"])
    assert all("未经核实" in "；".join(f) for f in result.rows["flags"])
    assert "出处未能核实" in frameworks.version_label("dept-common-2013@yuhua-2017")


def test_the_jxw_2015_table_states_the_totals_its_archived_copy_shows():
    fw = frameworks.get("dept-common-2013@hunan-jxw-2015")
    inputs = next(x for x in fw.level1 if x.name == "投入")
    assert inputs.weight == 13 and fw.version == "hunan-jxw2015-2"
