"""`xteval score`: tables in CSV/xlsx/YAML, the --json shape, and one readable line (exit 2) for each bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SEED_PARAMS

from xteval import cli
from xteval.errors import ConfigError, InputError
from xteval.scoring import engine, table

FIX = ROOT / "tests" / "fixtures" / "scoring"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_score_csv_json_shape(capsys):
    code, out, err = run(["score", str(FIX / "ok-mof2020.csv"), "--json"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"framework", "total", "grade", "subtotals", "rows"} <= data.keys()
    assert data["framework"] == "mof2020-self"
    # 9.55 + (27 + 18) + 20 + 9.44: level1 aliases 产出/效益/满意度 resolved
    assert data["subtotals"] == {"预算执行率": "9.55", "产出指标": "45.00", "效益指标": "20.00", "满意度指标": "9.44"}
    assert (data["total"], data["grade"]) == ("83.99", "良")
    first = data["rows"][0]
    assert {k: first[k] for k in ("indicator", "score", "flags")} == {"indicator": "预算执行率", "score": "9.55", "flags": []}
    assert all(set(r) == {"indicator", "score", "flags", "basis"} for r in data["rows"])
    # every scored row says what its method rests on; the reverse indicator's default formula is xteval's convention
    bases = {r["indicator"]: r["basis"]["basis"] for r in data["rows"]}
    assert bases["预算执行率"] == "practice" and bases["成本指标乙"] == "convention" and data["grade_basis"] == "official"
    assert first["basis"]["source"] and first["basis"]["note"]


def test_score_text_output(capsys):
    code, out, _ = run(["score", str(FIX / "ok-mof2020.csv")], capsys)
    assert code == 0
    assert "总分 83.99，等级 良" in out and "成本指标乙\t18.00/20" in out


def test_missing_actual_is_no_data_not_zero_or_full(capsys):
    code, out, _ = run(["score", str(FIX / "missing-actual.csv"), "--json"], capsys)
    data = json.loads(out)
    row = next(r for r in data["rows"] if r["indicator"] == "满意度")
    assert {k: row[k] for k in ("indicator", "score", "flags")} == {"indicator": "满意度", "score": None, "flags": ["无数据"]}
    assert data["total"] == "74.55" and data["grade"] is None and data["missing"] == 1
    assert "满意度指标" not in data["subtotals"]


@pytest.mark.parametrize(
    "fixture, where, reason",
    [
        ("missing-weight.csv", "row 3, weight", "缺少分值"),
        ("weights-not-sum.csv", "row 3, weight", "一级指标分值合计 105 ≠ 100（多 5）：产出指标 55（默认 50）"),
        ("weights-declared-mismatch.csv", "row 3, weight", "一级指标“产出指标”各行分值之和 55 ≠ 60（少 5）"),
        ("unknown-kind.csv", "row 4, kind", "未知类型 'sideways'"),
        ("target-not-number.csv", "row 3, target", "不是数值: '两百'"),
        ("positive-target-zero.csv", "row 3, target", "正向指标的指标值须大于 0"),
        ("qualitative-no-grade.csv", "row 5, grade", "定性指标缺少等级"),
        ("qualitative-score-outside-band.csv", "row 5, score", "得分 25 不在“部分达成”的区间 [18, 24) 内"),
        ("unknown-level1.csv", "row 3, level1", "未知一级指标 '产出效益'"),
        ("wrong-columns.csv", "row 1, level_1", "未知列 'level_1'"),
    ],
)
def test_bad_input_is_one_line_exit_2(fixture, where, reason, capsys):
    path = FIX / fixture
    code, out, err = run(["score", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"xteval: error: {path}: {where}: ") and reason in err


def test_adjusted_level1_weights_that_add_up_are_a_warning(capsys):
    """财预〔2020〕10号: 一级指标 weights may be adjusted "如有特殊情况"; the table still scores, with a warning naming the difference."""
    path = FIX / "weights-adjusted.csv"
    code, out, err = run(["score", str(path), "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert err == (
        f"xteval: warning: {path}: 一级指标分值与项目支出绩效自评（财预〔2020〕10号）的原则性设置不同："
        "产出指标 60（默认 50，多 10）、效益指标 20（默认 30，少 10）；合计仍为 100，须在报告中说明调整理由\n"
    )
    # 9.55 + (180/200 × 36 = 32.40) + (24 × (1 − 10/100) = 21.60) + 14 + (10 × (1 − 5/90) = 9.44)
    assert data["subtotals"] == {"预算执行率": "9.55", "产出指标": "54.00", "效益指标": "14.00", "满意度指标": "9.44"}
    assert (data["total"], data["grade"], data["complete"]) == ("86.99", "良", True)
    assert data["warnings"] and data["reasons"] == []


def test_declared_level1_weights_in_python():
    df = engine.read_table(FIX / "weights-adjusted.csv")
    r = engine.score_table(df, level1_weights={"产出": 60, "效益指标": 20})
    assert r.level1_weights == {"预算执行率": 10, "产出指标": 60, "效益指标": 20, "满意度指标": 10} and r.warnings
    with pytest.raises(InputError, match="一级指标“产出指标”各行分值之和 60 ≠ 50（多 10）"):
        engine.score_table(df, level1_weights={"产出指标": 50})


def test_reverse_formula_alternative_scores_differently():
    from xteval.scoring import frameworks

    df = engine.read_table(FIX / "ok-mof2020.csv")
    linear = engine.score_table(df).rows.set_index("indicator").at["成本指标乙", "points"]
    ratio = engine.score_table(df, frameworks.choose(frameworks.get("mof2020-self"), reverse="ratio"))
    assert linear == Decimal("18.00")  # 20 × (1 − 10/100): xteval convention
    assert ratio.rows.set_index("indicator").at["成本指标乙", "points"] == Decimal("18.18")  # 20 × 100 ÷ 110: practice
    assert ratio.version == "2020.10-2+reverse=ratio"


def test_unknown_framework_exit_2(capsys):
    code, _, err = run(["score", str(FIX / "ok-mof2020.csv"), "--framework", "nope"], capsys)
    assert code == 2 and "未知评分框架 'nope'" in err and err.count("\n") == 1


def test_xlsx_with_wrong_columns_exit_2(tmp_path: Path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "指标"])
    ws.append(["x", "y"])
    ws.append(["一级指标", "指标名称", "类型"])
    path = tmp_path / "wrong.xlsx"
    wb.save(path)
    code, out, err = run(["score", str(path)], capsys)
    assert code == 2 and out == ""
    assert f"{path}: row 1, B 列: 列名应为 '二级指标'，实为 '指标'" in err  # the first row that starts with 一级指标


def test_plain_xlsx_with_english_columns(tmp_path: Path, capsys):
    df = pd.read_csv(FIX / "ok-mof2020.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "plain.xlsx"
    df.to_excel(path, index=False)
    code, out, _ = run(["score", str(path), "--json"], capsys)
    assert code == 0 and json.loads(out)["total"] == "83.99"


def test_department_yaml_under_each_framework(capsys):
    expect = {"mof2020-self": ("100.00", "优", True), "dept-common-2013@yueyang": ("9.00", None, False)}
    for name, (total, grade, complete) in expect.items():
        code, out, _ = run(["score", str(SEED_PARAMS), "--framework", name, "--json"], capsys)
        data = json.loads(out)
        assert code == 0 and (data["total"], data["grade"], data["complete"]) == (total, grade, complete), name
    code, out, _ = run(["score", str(SEED_PARAMS), "--framework", "pefa2016", "--json"], capsys)
    assert code == 0 and json.loads(out)["dimensions"]["PI-1"]["score"] == "D*"


def test_department_yaml_text_says_partial_score_and_why(capsys):
    code, out, _ = run(["score", str(SEED_PARAMS), "--framework", "dept-common-2013@yueyang"], capsys)
    last = out.strip().splitlines()[-1]
    assert code == 0 and last.startswith("dept-common-2013@yueyang yueyang2018-1: 可评分值 9 中得 9.00，不给总分与等级：7 项无数据；")
    assert "原表：资产管理、产出、效果三部分与总分未能读到" in last


def test_catalogue_is_not_a_points_framework(capsys):
    code, out, err = run(["score", str(SEED_PARAMS), "--framework", "dept-common-2013"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "dept-common-2013 是 53 号文的指标目录，不设分值；请选一个公开评分表的版本：dept-common-2013@hunan-2018" in err


def test_score_writes_xlsx(tmp_path: Path, capsys):
    out_path = tmp_path / "自评表.xlsx"
    code, _, err = run(["score", str(FIX / "ok-mof2020.csv"), "--xlsx", str(out_path)], capsys)
    assert code == 0 and out_path.is_file() and f"wrote {out_path}" in err


def test_no_traceback_from_the_program():
    r = subprocess.run(
        [sys.executable, "-m", "xteval.cli", "score", str(FIX / "weights-not-sum.csv")], capture_output=True, text=True, cwd=ROOT
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1


# --------------------------------------------------------------------------- the Python API


def test_score_table_accepts_decimals_and_text_alike():
    as_text = engine.read_table(FIX / "ok-mof2020.csv")
    as_dec = as_text.map(lambda v: Decimal(v) if v.replace(".", "").isdigit() else (v or None))
    a, b = engine.score_table(as_text), engine.score_table(as_dec)
    assert a.to_json() == b.to_json()


def test_score_table_row_numbers_default_to_position():
    df = pd.DataFrame([{"indicator": "x", "level1": "产出", "kind": "positive", "target": "0", "actual": "1", "weight": "50"}])
    with pytest.raises(InputError) as exc:
        engine.score_table(df)
    assert (exc.value.row, exc.value.field) == (1, "target")


def test_pefa_framework_is_not_a_points_framework():
    assert "pefa2016" not in engine.framework_names()
    with pytest.raises(ConfigError, match="xteval pefa"):
        engine.score_table(pd.DataFrame(columns=list(table.COLUMNS)), "pefa2016")


def test_the_what_if_panel_scores_with_this_engine(tmp_path: Path):
    from xteval import panel
    from xteval.params import load_params

    assert engine.framework_names() == [
        "dept-self",
        "mof2020-self",
        "dept-common-2013@hunan-2018",
        "dept-common-2013@hunan-jxw-2015",
        "dept-common-2013@yueyang",
        "dept-common-2013@yuhua-2017",
    ]  # open frameworks first: the panel (a department's) takes the 部门整体 one
    w = panel.WhatIf(panel.department_table(load_params(SEED_PARAMS)))
    assert (w.framework, w.outcome.total, w.outcome.grade) == ("dept-self", Decimal("100.00"), "优")
    row = list(w.table["indicator"]).index("治理数据")
    assert w.edit(row, "actual", "0.5") is None  # 10 × 0.5 ÷ 1 = 5 points
    assert (w.outcome.total, w.outcome.grade) == (Decimal("95.00"), "优")
    assert w.export(tmp_path / "w.xlsx").is_file()


def test_over_achievement_flags_positive_rows_only():
    df = pd.DataFrame(
        [
            {"indicator": "预算执行率", "level1": "预算执行率", "kind": "positive", "target": "100", "actual": "100", "weight": "10"},
            {"indicator": "产量", "level1": "产出", "kind": "positive", "target": "100", "actual": "130", "weight": "25"},
            {"indicator": "成本", "level1": "产出", "kind": "reverse", "target": "100", "actual": "130", "weight": "25"},
            {"indicator": "效益", "level1": "效益", "kind": "equal", "target": "100", "actual": "130", "weight": "30"},
            {"indicator": "满意度", "level1": "满意度", "kind": "positive", "target": "90", "actual": "95", "weight": "10"},
        ]
    )
    flags = {r["indicator"]: r["flags"] for r in engine.score_table(df).to_json()["rows"]}
    assert flags == {"预算执行率": [], "产量": ["偏离度≥130%"], "成本": [], "效益": [], "满意度": []}


def test_dept_common_from_a_csv(tmp_path: Path, capsys):
    path = tmp_path / "common.csv"
    path.write_text("indicator,actual\n“三公经费”控制率,102.5\nthree_public_change_rate,2\nbudget_adjustment_rate,15\n", encoding="utf-8")
    code, out, _ = run(["score", str(path), "--framework", "dept-common-2013@yueyang", "--json"], capsys)
    data = json.loads(out)
    scores = {r["indicator"]: r["score"] for r in data["rows"]}
    assert code == 0
    # 岳阳样表: −1 per point over 100% (2.5 points: 2 full points → 4); −0.5 per point over 0 (2 → 4); (10, 20%] → 1
    assert (scores["“三公经费”控制率"], scores["“三公经费”变动率"], scores["预算调整率"]) == ("4.00", "4.00", "1.00")
    assert scores["支付进度"] is None  # not in the table: 无数据
    flags = next(r["flags"] for r in data["rows"] if r["indicator"] == "“三公经费”控制率")
    assert any("未写明不足一步如何计" in f and "不足一步按一步扣 3.00" in f for f in flags)  # 2.5 points over: the reading matters
    path.write_text("indicator,actual\n三公经费超支率,1\n", encoding="utf-8")
    code, _, err = run(["score", str(path), "--framework", "dept-common-2013@yueyang"], capsys)
    assert code == 2 and f"{path}: row 2, indicator: dept-common-2013@yueyang 没有指标 '三公经费超支率'" in err


@pytest.mark.parametrize(
    ("formula", "points", "basis"), [(None, "18.00", "convention"), ("linear", "18.00", "convention"), ("ratio", "18.18", "practice")]
)
def test_the_reverse_formula_is_a_choice_and_its_basis_is_shown(capsys, formula, points, basis):
    """成本指标乙: 指标值 ≤100, 完成值 110, 分值 20. linear: 20 × (1 − 10/100) = 18.00; ratio: 20 × 100/110 = 18.18."""
    argv = ["score", str(FIX / "ok-mof2020.csv"), "--json"] + (["--reverse", formula] if formula else [])
    code, out, _ = run(argv, capsys)
    data = json.loads(out)
    row = next(r for r in data["rows"] if r["indicator"] == "成本指标乙")
    assert code == 0 and row["score"] == points and row["basis"]["basis"] == basis
    assert data["version"].endswith(f"+reverse={formula}") if formula else "+" not in data["version"]
    code, out, _ = run(argv[:-1] if not formula else [a for a in argv if a != "--json"], capsys)
    line = next(x for x in out.splitlines() if "成本指标乙" in x)
    assert line.endswith("依据：" + {"convention": "本工具约定", "practice": "地方实务"}[basis])


# The 自评表's own headers (issue 21 item 2): the same table as ok-mof2020.csv, headed and typed as offices do.
FORM_HEADED = (
    "一级指标,二级指标,三级指标,指标性质,年度指标值,实际完成值,分值,评价等级,得分,偏差原因分析及改进措施\n"
    "预算执行率,,预算执行率,正向,100,95.5,10,,,\n"
    "产出,数量指标,数量指标甲,≥,200,180,30,,,\n"
    "产出指标,成本指标,成本指标乙,反向,100,110,20,,,\n"
    "效益,社会效益指标,效益指标丙,定性,,,30,部分达成,20,\n"
    "满意度,服务对象满意度,满意度,等于,90,85,10,,,\n"
)


def test_a_table_headed_in_the_forms_words_scores_as_the_ids_do(tmp_path, capsys):
    path = tmp_path / "自评表.csv"
    path.write_text(FORM_HEADED, encoding="utf-8")
    assert cli.main(["score", str(path), "--json"]) == 0
    by_form = json.loads(capsys.readouterr().out)
    assert cli.main(["score", str(FIX / "ok-mof2020.csv"), "--json"]) == 0
    by_ids = json.loads(capsys.readouterr().out)
    assert (by_form["total"], by_form["grade"]) == (by_ids["total"], by_ids["grade"])
    assert [r["score"] for r in by_form["rows"]] == [r["score"] for r in by_ids["rows"]]


def test_name_year_and_unit_fill_the_head_of_the_workbook(tmp_path, capsys):
    from openpyxl import load_workbook

    path, out = tmp_path / "自评表.csv", tmp_path / "自评表.xlsx"
    path.write_text(FORM_HEADED, encoding="utf-8")
    argv = ["score", str(path), "--xlsx", str(out), "--name", "城区路灯改造", "--year", "2024", "--unit", "某县城管局"]
    assert cli.main(argv) == 0
    ws = load_workbook(out)["自评表"]
    assert (ws["A1"].value, ws["A2"].value, ws["B3"].value, ws["F4"].value) == (
        "项目支出绩效自评表",
        "（2024 年度）",
        "城区路灯改造",
        "某县城管局",
    )
    assert cli.main(["score", str(path), "--name", "=HYPERLINK(1)", "--xlsx", str(out)]) == 0  # a name is text, never a formula
    assert load_workbook(out)["自评表"]["B3"].data_type == "s"
    capsys.readouterr()
    for argv in (["score", str(path), "--name", "x"], ["score", str(path), "--xlsx", str(out), "--year", "99"]):
        assert cli.main(argv) == 2
        assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("一级指标,三级指标,指标性质,年度指标值,实际完成值,分值,权重", "都表示 weight"),
        ("一级指标,三级指标,indicator,分值", "都表示 indicator"),
    ],
)
def test_two_columns_for_one_id_are_one_line_exit_2(tmp_path, capsys, header, words):
    path = tmp_path / "表.csv"
    path.write_text(
        header + "\n" + ",".join(["产出", "甲", "正向", "10", "9", "30", "30"][: header.count(",") + 1]) + "\n", encoding="utf-8"
    )
    assert cli.main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
