"""Any unit's figures (issue 21 items 1 and 3): only the name and year are required; what a document does not
state is left out, each check that needs it is listed as 未执行 naming it, and every page is in Chinese."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import ROOT, SEED_PARAMS
from test_notebooks import LATIN_ALLOWED, _visible_text

import xteval
from xteval.errors import ParamsError
from xteval.params import load_params
from xteval.runner.run import run_params

FINAL_ACCOUNTS = ROOT / "tests" / "fixtures" / "documents" / "final_accounts" / "hunan-qingxi-agri-2023.txt"  # consistent twin
ID = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


def _name_and_year(folder):
    path = folder / "params" / "2023" / "archive.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("notebook: department\nunit:\n  name: 北湖县档案馆\n  year: 2023\n", encoding="utf-8")
    return path


def _plain_chinese(html: str) -> str:
    """The visible text, asserted to hold no internal id and no English word; returned for more checks."""
    text = _visible_text(html)
    assert not ID.findall(text), sorted(set(ID.findall(text)))
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", text))
    assert words <= LATIN_ALLOWED, sorted(words - LATIN_ALLOWED)
    return text


def _draft_with_todos_deleted(folder, report_text: str):
    """`xteval extract` a 决算说明, then delete every line left ``todo`` (the name the reader did not find is filled)."""
    params = folder / "params" / "2023"
    params.mkdir(parents=True)
    (params / "report.txt").write_text(report_text, encoding="utf-8")
    draft = xteval.extract(params / "report.txt", params)
    lines = [line for line in draft.text.splitlines() if "todo" not in line and not line.startswith("#")]
    text = "\n".join(lines).replace("unit:\n", "unit:\n  name: 清溪县农业农村局\n", 1)
    path = params / "filled.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bare_run(tmp_path_factory, forked_kernels):
    folder = tmp_path_factory.mktemp("bare")
    return run_params(_name_and_year(folder), folder / "out")


def test_name_and_year_alone_run_to_a_page_that_lists_what_it_could_not_check(bare_run):
    html = bare_run.html.read_text(encoding="utf-8")
    text = _plain_chinese(html)
    assert "未执行：缺少 总收入、财政拨款收入、其他收入" in text and "未执行：缺少 基本支出、人员经费、公用经费" in text
    assert "未执行：缺少 绩效目标" in text and "未执行 12 项" in text
    assert "示例" not in text  # no figure was given, so none is illustrative
    assert "0.00 万元" not in text and "主管部门 未注明" in text
    assert "部门整体自评（沿用财预〔2020〕10号 自评表计分）： 无数据" in text
    record = bare_run.record
    assert record["fail"] == 0 and record["total"] is None and record["grade"] is None
    assert record["income_total"] is None and record["score_illustrative"] is False


def test_without_goals_the_weights_come_from_the_framework(tmp_path):
    ev = xteval.evaluate(_name_and_year(tmp_path))
    s = ev.self_score
    assert s.level1_weights == {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert s.total is not None and s.assessed == 0 and s.grade is None and s.missing == 4  # 无数据, never 0 or full marks
    assert ev.score_total is None
    skipped = {r.id: r.message for r in ev.checks.results if r.status.label == "未执行"}
    assert skipped["goals.achievement"] == "未执行：缺少 绩效目标"
    assert skipped["carryover"] == "未执行：缺少 结转结余、总收入、支出总额"


def test_every_figure_set_gives_todays_results():
    ev = xteval.evaluate(SEED_PARAMS)
    assert ev.checks.counts == {"pass": 24, "warn": 13, "fail": 3}
    assert not [r for r in ev.checks.results if r.status.label == "未执行"]
    assert ev.self_score.total == Decimal("100.00") and ev.self_score.grade == "优"


def test_a_missing_field_message_names_every_field_in_chinese(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("notebook: department\nunit: {}\ngoals:\n  - {name: 出勤率}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    msg = str(err.value)
    for named in (
        "单位·单位名称（unit.name）",
        "单位·评价年度（unit.year）",
        "绩效指标·一级指标（goals[0].level1）",
        "绩效指标·指标方向（goals[0].kind）",
    ):
        assert named in msg, msg
    assert "more" not in msg


def test_a_draft_with_its_todos_deleted_runs_to_a_page_in_chinese(tmp_path, forked_kernels):
    path = _draft_with_todos_deleted(tmp_path, FINAL_ACCOUNTS.read_text(encoding="utf-8"))
    result = run_params(path, tmp_path / "out")
    text = _plain_chinese(result.html.read_text(encoding="utf-8"))
    assert result.record["fail"] == 0  # a consistent text: nothing 不符
    assert "未执行：缺少 年中追加" in text and "未执行：缺少 年度预算金额" in text


def test_one_planted_error_is_one_row(tmp_path, forked_kernels):
    planted = FINAL_ACCOUNTS.read_text(encoding="utf-8").replace("人员经费1032.58万元", "人员经费1042.58万元")
    path = _draft_with_todos_deleted(tmp_path, planted)
    ev = xteval.evaluate(path)
    fails = [r for r in ev.checks.results if r.status.label == "不符"]
    # the planted 人员经费 stands in the 一般公共预算财政拨款基本支出 paragraph: that subject's identity fails, once
    from xteval.render.labels import in_words

    expected = "一般公共预算财政拨款基本支出 = 一般公共预算财政拨款人员经费 + 一般公共预算财政拨款公用经费"
    assert [in_words(r.title) for r in fails] == [expected], [(r.id, r.message) for r in fails]
    result = run_params(path, tmp_path / "out")
    html = result.html.read_text(encoding="utf-8")
    table = html.split('<table class="xt-table xt-checks">', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="xt-fail">') == 1 and result.record["fail"] == 1
    _plain_chinese(html)


def test_the_seed_page_names_no_id(tmp_path, forked_kernels):
    result = run_params(SEED_PARAMS, tmp_path)
    _plain_chinese(result.html.read_text(encoding="utf-8"))


def test_ids_in_a_message_are_shown_in_words():
    from xteval.render.labels import field_name, in_words

    assert in_words("expenditure.total = expenditure.basic + expenditure.project") == "支出总额 = 基本支出 + 项目支出"
    assert in_words("income.fiscal_appropriation 占 income.total的比例") == "财政拨款收入 占 总收入的比例"
    assert field_name("three_public.control.vehicle_total") == "“三公”经费控制数·公务用车购置及运行费"
    assert field_name("project.item[公厕管护]") == "项目明细·公厕管护" and field_name("income.total.previous") == "总收入·上年数"
    assert in_words("见 report.txt") == "见 report.txt"  # a file name is not an id


def test_every_field_the_readers_name_has_a_chinese_label():
    from xteval.render.labels import field_name
    from xteval.yamlio import load_yaml

    ids = set()
    for path in (ROOT / "xteval" / "audit" / "kinds").glob("*.yaml"):
        ids |= set(
            re.findall(
                r"\b(?:income|expenditure|carryover|three_public|procurement|project|projects|count)(?:\.[a-z_][a-z_0-9]*)+",
                path.read_text(),
            )
        )
    assert len(ids) > 60
    load_yaml(ROOT / "xteval" / "render" / "field_labels.yaml")
    unnamed = {i: field_name(i) for i in ids if re.search(r"[A-Za-z]", field_name(i))}
    assert not unnamed, unnamed


def test_goals_without_weights_or_targets_are_no_data_at_the_frameworks_weights(tmp_path):
    """A draft's goals often lack 分值 and 指标值: the run goes on, the level is 无数据 at the framework's 分值."""
    path = _name_and_year(tmp_path)
    goals = (
        "goals:\n"
        "  - {name: 档案数字化, level1: 产出指标, kind: positive, unit: 万页, actual: {value: 12, illustrative: 自拟}}\n"
        "  - {name: 查档满意度, level1: 满意度指标, kind: positive, unit: '%', actual: {value: 96, illustrative: 自拟},"
        " weight: {value: 10, illustrative: 自拟}}\n"
    )
    path.write_text(path.read_text(encoding="utf-8") + goals, encoding="utf-8")
    ev = xteval.evaluate(path)
    s = ev.self_score
    assert s.level1_weights == {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
    rows = dict(zip(s.rows["indicator"], s.rows["points"], strict=True))
    assert rows == {
        "预算执行率": None,
        "查档满意度": None,
        "产出指标（绩效目标未给出分值）": None,
        "效益指标（参数文件未列绩效目标）": None,
    }
    skipped = {r.id: r.message for r in ev.checks.results if r.status.label == "未执行"}
    assert skipped["goals[0].achievement"] == skipped["goals[1].achievement"] == "未执行：缺少 指标值"
