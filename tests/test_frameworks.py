"""Framework files: the shipped ones load and add up; a bad file names its field; a worked example per framework."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, SEED_PARAMS

from xteval.department import scoring as department
from xteval.errors import ConfigError
from xteval.money import half_up
from xteval.params import load_params
from xteval.scoring import frameworks, pefa

SHIPPED = [
    "dept-common-2013",
    "dept-common-2013@hunan-2018",
    "dept-common-2013@hunan-jxw-2015",
    "dept-common-2013@yueyang",
    "dept-common-2013@yuhua-2017",
    "dept-self",
    "mof2020-self",
    "monitor",
    "pefa2016",
]


def test_shipped_frameworks_cite_their_source_and_version():
    assert frameworks.names() == SHIPPED
    for name in SHIPPED:
        fw = frameworks.get(name)
        assert fw.name == name and fw.version and fw.source and fw.basis in frameworks.BASES
    assert "财预〔2020〕10号" in frameworks.get("mof2020-self").source
    assert "财预〔2013〕53号" in frameworks.get("dept-common-2013").source
    assert "PEFA" in frameworks.get("pefa2016").source
    assert "财预〔2019〕136号" in frameworks.get("monitor").source


def test_a_department_is_scored_as_a_department_by_the_10_forms_rules_and_says_it_is_a_convention():
    """Issue 21 item 2: no 部门整体 form is national; dept-self scores as mof2020-self under its own title and basis."""
    dept, project = frameworks.get("dept-self"), frameworks.get("mof2020-self")
    assert dept.title.startswith("部门整体支出绩效自评") and dept.basis == "convention" and "非官方" in dept.source
    assert [(lv.name, lv.weight) for lv in dept.level1] == [(lv.name, lv.weight) for lv in project.level1]
    assert dept.raw["kinds"] == project.raw["kinds"] and dept.raw["grades"] == project.raw["grades"]
    assert "本工具的惯例" in frameworks.points_basis(dept) and "项目支出" not in dept.title


def test_scores_as_names_a_shipped_framework_one_level_deep(tmp_path, monkeypatch):
    monkeypatch.setattr(frameworks, "FRAMEWORK_DIR", tmp_path)
    head = 'version: "1"\ntitle: 甲\nsource: 乙\nbasis: convention\n'
    (tmp_path / "a.yaml").write_text("name: a\n" + head + "scores_as: ../b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="scores_as"):
        frameworks.get("a")
    (tmp_path / "b.yaml").write_text("name: b\n" + head + "scores_as: a\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: c\n" + head + "scores_as: b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="one level"):
        frameworks.get("c")


def test_changed_rules_bumped_their_versions():
    """Every framework whose rules this revision changed carries a new version (shown in the appendix footer and by the CLI)."""
    versions = {n: frameworks.get(n).version for n in ("dept-common-2013", "mof2020-self", "pefa2016", "monitor")}
    assert versions == {"dept-common-2013": "2013.53-2", "mof2020-self": "2020.10-2", "pefa2016": "2016-3", "monitor": "2019.136-2"}


def test_mof2020_weights_are_adjustable_defaults():
    fw = frameworks.get("mof2020-self")
    assert {x.name: x.weight for x in fw.level1} == {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert fw.adjustable and fw.total == 100
    assert fw.alias_map["产出"] == "产出指标" and fw.alias_map["满意度"] == "满意度指标"


def test_mof2020_conventions_are_labelled_and_have_alternatives():
    fw = frameworks.get("mof2020-self")
    reverse = fw.raw["kinds"]["reverse"]
    assert reverse["basis"] == "convention" and set(reverse["formulas"]) == {"linear", "ratio"}
    assert reverse["formulas"]["ratio"]["basis"] == "practice" and reverse["formulas"]["ratio"]["url"].startswith("http")
    rules = fw.raw["over_achievement"]["rules"]
    assert rules["flag-130"]["basis"] == "convention" and rules["deviation-tiers"]["basis"] == "practice"
    assert fw.over_achievement["name"] == "flag-130" and fw.kinds["reverse"]["params"] == {"formula": "linear"}


def test_choose_selects_an_alternative_and_records_it_in_the_version():
    fw = frameworks.choose(frameworks.get("mof2020-self"), reverse="ratio", over_achievement="deviation-tiers")
    assert fw.version == "2020.10-2+reverse=ratio,over_achievement=deviation-tiers"
    assert fw.kinds["reverse"]["params"]["formula"] == "ratio" and fw.over_achievement["method"] == "tiers"
    assert frameworks.get("mof2020-self").kinds["reverse"]["params"]["formula"] == "linear"  # the shipped one is untouched
    with pytest.raises(ConfigError, match="'square'.*linear, ratio"):
        frameworks.choose(frameworks.get("mof2020-self"), reverse="square")


def test_monitor_colours_are_practice_and_cite_136_not_for_colours():
    fw = frameworks.get("monitor")
    assert fw.kind == "monitor" and fw.raw["colours"]["basis"] == "practice"
    assert "不规定颜色" in fw.note and any("101号" in r and "不涉及监控颜色" in r for r in fw.raw["related"])


def test_pefa_names_are_translations_and_m2_is_unverified():
    raw = frameworks.get("pefa2016").raw
    assert raw["names_basis"] == "unverified" and raw["m2"]["basis"] == "unverified"
    assert set(raw["dimensions"]) == {"PI-1", "PI-2.1", "PI-2.2", "PI-2.3", "PI-3.1", "PI-3.2"}
    assert all(d["url"].startswith("https://www.pefa.org/") for d in raw["dimensions"].values())


GOOD = """name: t
version: "1"
title: t
source: test
total: 10
level1:
  - name: 甲
    weight: 10
    children:
      - name: 乙
        weight: 10
        children:
          - {id: a, name: A, weight: 4, method: positive}
          - {id: b, name: B, weight: 6, method: band, params: {bands: [{le: 0, points: 6}]}}
grades: [{min: 9, grade: 优}, {min: 0, grade: 差}]
"""


@pytest.mark.parametrize(
    "old, new, field, reason",
    [
        ("weight: 6, method", "weight: 5, method", "level1[0].children[0]", "children's weights do not sum"),
        ("total: 10", "total: 11", "level1", "children's weights do not sum"),
        ("method: positive", "method: proportional", "level1[0].children[0].children[0].method", "unknown scoring method"),
        ("points: 6", "points: 7", "level1[0].children[0].children[1].params.bands[0]", "band points exceed"),
        ("params: {bands: [{le: 0, points: 6}]}", "params: {}", "level1[0].children[0].children[1].params.bands", "missing field"),
        ('version: "1"\n', "", "version", "missing field"),
        ("[{min: 9, grade: 优}, {min: 0, grade: 差}]", "[{min: 0, grade: 差}, {min: 9, grade: 优}]", "grades", "highest minimum"),
        ("total: 10", "total: ten", "total", "expected a number"),
        ("method: positive}", "method: positive, basis: official-ish}", "level1[0].children[0].children[0].basis", "basis 应为"),
        (
            "method: band, params: {bands: [{le: 0, points: 6}]}",
            "method: step, params: {step: 1, points: 1, partial: round}",
            "level1[0].children[0].children[1].params.partial",
            "partial 应为",
        ),
        ("    weight: 10\n    children", "    children", "level1[0].weight", "missing field"),  # a weight not read must say unseen
        ("total: 10", "total: 9\nunseen: rest", "level1", "children's weights do not sum"),  # unseen rows may fall short, never exceed
    ],
)
def test_bad_framework_file_names_the_field(tmp_path: Path, old, new, field, reason):
    assert old in GOOD
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        frameworks.load(path)
    assert exc.value.field == field
    assert reason in str(exc.value) and str(path) in str(exc.value)


def test_good_framework_file_loads(tmp_path: Path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert [leaf.id for leaf in frameworks.load(path).leaves] == ["a", "b"]


def test_a_table_read_in_part_declares_its_gaps(tmp_path: Path):
    text = GOOD.replace("total: 10\n", "unseen: 产出、效果未能读到\n").replace(
        "      - name: 乙\n        weight: 10\n", "      - name: 乙\n        weight: 12\n        unseen: 第三行未能读到\n"
    )
    text = text.replace("  - name: 甲\n    weight: 10\n", "  - name: 甲\n    weight: 12\n")
    path = tmp_path / "partial.yaml"
    path.write_text(text, encoding="utf-8")
    fw = frameworks.load(path)
    assert fw.total is None and fw.gaps == ("原表：产出、效果未能读到", "甲/乙：第三行未能读到") and not fw.sourced


def test_a_variant_names_measures_its_catalogue_has(tmp_path: Path):
    text = GOOD.replace("version:", "extends: dept-common-2013\nversion:").replace("{id: a, name: A,", "{id: staff_control_rate, name: A,")
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        frameworks.load(path)  # leaf b's measure "b" is not a 53号 measure
    assert exc.value.field == "level1[0].children[0].children[1].measure" and "dept-common-2013 没有指标 'b'" in str(exc.value)


def test_unknown_framework_names_the_key():
    with pytest.raises(ConfigError, match="'nope'.*known: dept-common-2013, dept-common-2013@hunan-2018"):
        frameworks.get("nope")
    with pytest.raises(ConfigError, match="unknown framework"):
        frameworks.get("../rules/checks")


# --------------------------------------------------------------------------- worked examples


def test_worked_example_mof2020_self_seed_department():
    r = department.score_department(load_params(SEED_PARAMS), "mof2020-self")
    assert r.subtotals == {
        "预算执行率": Decimal("10.00"),
        "产出指标": Decimal("50.00"),
        "效益指标": Decimal("30.00"),
        "满意度指标": Decimal("10.00"),
    }
    assert (r.total, r.grade, r.missing) == (Decimal("100.00"), "优", 0)
    rows = r.rows.set_index("indicator")
    assert rows.at["预算执行率", "actual"] == Decimal("100.18")  # 11188.83 ÷ 11168.82, capped at 100% → 10
    assert rows.at["归集数据", "flags"] == ["偏离度≥130%"]  # 20 亿条 against 5: 400%
    assert rows.at["短信发送量", "flags"] == []  # 350.2 ÷ 280 = 125%


def test_worked_example_dept_common_2013_yueyang_seed_department_with_previous_year(tmp_path: Path):
    """岳阳样表 on the seed department with a previous year: 可评分值 only, with the reasons."""
    prev = load_params(_prev(tmp_path))
    r = department.score_department(load_params(SEED_PARAMS), "dept-common-2013@yueyang", previous=prev)
    rows = r.rows.set_index("indicator")
    expect = {
        "“三公经费”变动率": ("-6.21", "5.00"),  # control 5.44 against last year's 5.80 (预算数): below 0 → 5
        "资金结余": ("0.00", "3.00"),  # 财政拨款结转 0: 无结余 → 3
        "“三公经费”控制率": ("70.59", "6.00"),  # 3.84 ÷ 5.44
    }
    for name, (actual, points) in expect.items():
        assert (rows.at[name, "actual"], rows.at[name, "points"]) == (Decimal(actual), Decimal(points)), name
    for name in ("财政供养人员控制率", "重点支出安排率", "预算调整率", "支付进度", "管理制度健全性", "资金使用合规性"):
        assert rows.at[name, "points"] is None and "无数据" in rows.at[name, "flags"], name
    assert (r.total, r.assessed, r.missing, r.grade) == (Decimal("14.00"), Decimal(14), 6, None)
    assert r.reasons[0] == "6 项无数据" and "原表：资产管理、产出、效果三部分与总分未能读到（存档只有样表前半）" in r.reasons
    assert r.subtotals == {"投入": Decimal("5.00"), "过程": Decimal("9.00")}


def _prev(tmp_path: Path) -> Path:
    """The seed with 三公 control 5.80, actual 4.00 and 结转 10: a stand-in previous year."""
    text = SEED_PARAMS.read_text(encoding="utf-8")
    text = text.replace(
        'total: {value: 3.84, seed: "“三公经费”实际支出3.84万元", line: 19}', "total: {value: 4.00, illustrative: 上年示例}"
    )
    text = text.replace(
        'total: {value: 5.44, seed: "“三公”经费控制数为5.44万元", line: 19}', "total: {value: 5.80, illustrative: 上年示例}"
    )
    text = text.replace('fiscal: {value: 0, seed: "财政拨款结转0万元", line: 19}', "fiscal: {value: 10, illustrative: 上年示例}")
    text = text.replace("year: 2023", "year: 2022")
    path = tmp_path / "2022.yaml"
    path.write_text(text, encoding="utf-8")
    if not (tmp_path / "sources").exists():  # the seeds it keeps quote the report: it travels with the file
        shutil.copytree(SEED_PARAMS.parent / "sources", tmp_path / "sources")
    return path


def test_dept_common_previous_year_fills_the_change_rates(tmp_path: Path):
    from xteval.department import common_indicators as common

    vals = common.values(load_params(SEED_PARAMS), load_params(_prev(tmp_path)))
    assert vals["three_public_change_rate"].value == Decimal("-6.21")  # (5.44 − 5.80) ÷ 5.80, on 预算数 (control), not spending
    assert vals["carryover_change_rate"].value == Decimal("-100.00")  # (0 − 10) ÷ 10
    assert vals["budget_completion_rate_carryover"].value == Decimal("100.00")  # (10 + 1329.07 + 9839.75 − 0) ÷ the same


def test_dept_common_previous_zero_carryover_is_no_data(tmp_path: Path):
    from xteval.department import common_indicators as common

    prev = _prev(tmp_path)
    prev.write_text(prev.read_text(encoding="utf-8").replace("fiscal: {value: 10,", "fiscal: {value: 0,"), encoding="utf-8")
    v = common.values(load_params(SEED_PARAMS), load_params(prev))["carryover_change_rate"]
    assert v.value is None and v.why == "上年数为 0，变动率无定义"


def test_worked_example_pefa2016_three_years():
    D = Decimal
    r = pefa.assess(
        {
            2021: {"公共服务": (D(600), D(570)), "教育": (D(400), D(420))},
            2022: {"公共服务": (D(600), D(660)), "教育": (D(400), D(380))},
            2023: {"公共服务": (D(600), D(640)), "教育": (D(400), D(400))},
        },
        {2021: {"税收": (D(1000), D(1030))}, 2022: {"税收": (D(1000), D(960))}, 2023: {"税收": (D(1000), D(1130))}},
    )
    scores = {k: d.score for k, d in r.dimensions.items()}
    assert scores == {"PI-1": "A", "PI-2.1": "A", "PI-2.2": "D*", "PI-2.3": "D*", "PI-3.1": "B", "PI-3.2": "D*"}
    assert r.indicators == {"PI-1": "A", "PI-2": "D+", "PI-3": "C"}  # M1(A, D, D); M2(B, D)


def test_worked_example_pefa2016_seed_department_is_d_star():
    r = pefa.from_department(load_params(SEED_PARAMS))
    assert set(d.score for d in r.dimensions.values()) == {"D*"}
    assert r.dimensions["PI-1"].values == {}  # no year invented
    assert r.indicators == {"PI-1": "D", "PI-2": "D", "PI-3": "D"}


def test_pefa_from_department_uses_the_original_budget():
    """PI-1 compares with the originally approved budget (pefa.org/node/4763): 年初预算, not 年度预算金额 after 追加."""
    from xteval.department import history

    ys = history.series(load_params(ROOT / "params" / "2024" / "department.yaml"))
    r = pefa.from_department(ys[2024], [ys[2022], ys[2023]])
    assert half_up(r.dimensions["PI-1"].values[2023]) == Decimal("841.85")  # 11188.83 ÷ 1329.07
    assert r.dimensions["PI-1"].score == "D"


def test_rule_files_and_templates_ship_in_the_wheel(tmp_path: Path):
    from hatchling.builders.wheel import WheelBuilder  # a dev dependency: this test never skips

    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = zipfile.ZipFile(wheel).namelist()
    for name in SHIPPED:
        assert f"xteval/scoring/frameworks/{name}.yaml" in names
    for data in ("xteval/rules/checks.yaml", "xteval/rules/projects.yaml", "xteval/render/templates/xteval/conf.json"):
        assert data in names
