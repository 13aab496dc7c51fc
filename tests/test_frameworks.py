"""Framework files: the shipped ones load and add up; a bad file names its field; a worked example per framework."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, SEED_PARAMS

from xteval.errors import ConfigError
from xteval.params import load_params
from xteval.scoring import department, frameworks, pefa

SHIPPED = ["dept-common-2013", "mof2020-self", "pefa2016"]


def test_shipped_frameworks_cite_their_source_and_version():
    assert frameworks.names() == SHIPPED
    for name in SHIPPED:
        fw = frameworks.get(name)
        assert fw.name == name and fw.version and fw.source
    assert "财预〔2020〕10号" in frameworks.get("mof2020-self").source
    assert "财预〔2013〕53号" in frameworks.get("dept-common-2013").source
    assert "PEFA" in frameworks.get("pefa2016").source


def test_mof2020_weights():
    fw = frameworks.get("mof2020-self")
    assert {x.name: x.weight for x in fw.level1} == {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert fw.alias_map["产出"] == "产出指标" and fw.alias_map["满意度"] == "满意度指标"


def test_dept_common_has_the_14_indicators_and_adds_up():
    fw = frameworks.get("dept-common-2013")
    names = [leaf.name for leaf in fw.leaves]
    assert names == [
        "在职人员控制率", "三公经费变动率", "预算完成率", "预算调整率", "支付进度率", "结转结余率", "结转结余变动率",
        "公用经费控制率", "三公经费控制率", "政府采购执行率", "实际完成率", "完成及时率", "质量达标率", "重点工作办结率",
    ]  # fmt: skip
    assert sum(leaf.weight for leaf in fw.leaves) == fw.total == 100
    by = {leaf.name: leaf for leaf in fw.leaves}
    assert by["三公经费控制率"].weight == 6 and by["预算调整率"].weight == 3


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


def test_unknown_framework_names_the_key():
    with pytest.raises(ConfigError, match="'nope'.*known: dept-common-2013, mof2020-self, pefa2016"):
        frameworks.get("nope")


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


def test_worked_example_dept_common_2013_seed_department():
    r = department.score_department(load_params(SEED_PARAMS), "dept-common-2013")
    rows = r.rows.set_index("indicator")
    expect = {
        "预算完成率": ("100.18", "10.00"),  # 11188.83 ÷ 11168.82
        "预算调整率": ("740.35", "0.00"),  # 9839.75 ÷ 1329.07 > 30%
        "结转结余率": ("0.00", "5.00"),
        "三公经费控制率": ("70.59", "6.00"),  # 3.84 ÷ 5.44
        "实际完成率": ("100.00", "10.00"),
        "质量达标率": ("100.00", "10.00"),
    }
    for name, (actual, points) in expect.items():
        assert (rows.at[name, "actual"], rows.at[name, "points"]) == (Decimal(actual), Decimal(points)), name
    for name in (
        "在职人员控制率",
        "三公经费变动率",
        "支付进度率",
        "结转结余变动率",
        "公用经费控制率",
        "政府采购执行率",
        "完成及时率",
        "重点工作办结率",
    ):
        assert rows.at[name, "points"] is None and "无数据" in rows.at[name, "flags"], name
    assert (r.total, r.assessed, r.missing, r.grade) == (Decimal("41.00"), Decimal(44), 8, None)
    assert r.subtotals == {"过程": Decimal("21.00"), "产出": Decimal("20.00")}  # 投入 is all 无数据: no subtotal, not 0


def test_dept_common_previous_year_fills_the_change_rates(tmp_path: Path):
    prev = load_params(_prev(tmp_path))
    r = department.score_department(load_params(SEED_PARAMS), "dept-common-2013", previous=prev)
    rows = r.rows.set_index("indicator")
    assert rows.at["三公经费变动率", "actual"] == Decimal("-4.00")  # (3.84 − 4.00) ÷ 4.00
    assert rows.at["三公经费变动率", "points"] == Decimal("8.00")
    assert rows.at["结转结余变动率", "actual"] == Decimal("-100.00")  # (0 − 10) ÷ 10
    assert rows.at["结转结余变动率", "points"] == Decimal("5.00")


def _prev(tmp_path: Path) -> Path:
    """The seed with 三公 actual 4.00 and 结转 10: a stand-in previous year."""
    text = SEED_PARAMS.read_text(encoding="utf-8")
    text = text.replace(
        'total: {value: 3.84, seed: "“三公经费”实际支出3.84万元", line: 19}', "total: {value: 4.00, illustrative: 上年示例}"
    )
    text = text.replace('fiscal: {value: 0, seed: "财政拨款结转0万元", line: 19}', "fiscal: {value: 10, illustrative: 上年示例}")
    text = text.replace("year: 2023", "year: 2022")
    path = tmp_path / "2022.yaml"
    path.write_text(text, encoding="utf-8")
    if not (tmp_path / "sources").exists():  # the seeds it keeps quote the report: it travels with the file
        shutil.copytree(SEED_PARAMS.parent / "sources", tmp_path / "sources")
    return path


def test_dept_common_previous_zero_carryover_is_no_data(tmp_path: Path):
    prev = load_params(_zero_carry(tmp_path))
    r = department.score_department(load_params(SEED_PARAMS), "dept-common-2013", previous=prev)
    rows = r.rows.set_index("indicator")
    assert rows.at["结转结余变动率", "points"] is None
    assert "上年结转结余为 0，变动率无定义" in rows.at["结转结余变动率", "flags"]


def _zero_carry(tmp_path: Path) -> Path:
    path = _prev(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("fiscal: {value: 10,", "fiscal: {value: 0,"), encoding="utf-8")
    return path


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
    assert {k: d.score for k, d in r.dimensions.items()} == {"PI-1": "A", "PI-2.1": "A", "PI-3.1": "B"}
    assert r.indicators == {"PI-1": "A", "PI-2": "A", "PI-3": "B"}


def test_worked_example_pefa2016_seed_department_is_d_star():
    r = pefa.from_department(load_params(SEED_PARAMS))
    assert {k: d.score for k, d in r.dimensions.items()} == {"PI-1": "D*", "PI-2.1": "D*", "PI-3.1": "D*"}
    assert r.dimensions["PI-1"].values == {}  # no year invented


def test_rule_files_and_templates_ship_in_the_wheel(tmp_path: Path):
    from hatchling.builders.wheel import WheelBuilder  # a dev dependency: this test never skips

    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = zipfile.ZipFile(wheel).namelist()
    for name in SHIPPED:
        assert f"xteval/scoring/frameworks/{name}.yaml" in names
    for data in ("xteval/rules/checks.yaml", "xteval/rules/projects.yaml", "xteval/render/templates/xteval/conf.json"):
        assert data in names
