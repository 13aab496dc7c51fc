"""The what-if panel's logic, tested without a browser, and its widgets driven from Python."""

from __future__ import annotations

from decimal import Decimal

import nbformat
import openpyxl
import pandas as pd
import pytest
from conftest import SEED_PARAMS

from xteval import panel
from xteval.errors import ConfigError, InputError
from xteval.params import load_params
from xteval.render.appendix import to_html

Q = Decimal("0.01")


class FakeScorer:
    """A stand-in engine (positive = w·min(a/t, 1), qualitative = the evaluator's score), so the
    panel's own behaviour is tested whatever the real engine does."""

    def __init__(self):
        self.calls = 0

    def frameworks(self):
        return ["full", "half"]

    def score(self, table: pd.DataFrame, framework: str) -> panel.Outcome:
        self.calls += 1
        factor = Decimal(1) if framework == "full" else Decimal("0.5")
        rows, subtotals = [], {}
        for r in table.to_dict("records"):
            if r["kind"] == "qualitative":
                points = r["score"] or Decimal(0)
            else:
                if not r["target"]:
                    raise ConfigError(f"{r['indicator']}: 指标值为 0 (target is zero)")
                ratio = min((r["actual"] or Decimal(0)) / r["target"], Decimal(1))
                points = r["weight"] * ratio
            points = (points * factor).quantize(Q)
            rows.append(
                {
                    "indicator": r["indicator"],
                    "score": points,
                    "flags": ["偏离度≥130%"] if r["actual"] and r["target"] and r["actual"] >= r["target"] * Decimal("1.3") else [],
                }
            )
            subtotals[r["level1"]] = subtotals.get(r["level1"], Decimal(0)) + points
        total = sum(subtotals.values(), Decimal(0))
        grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
        return panel.Outcome(framework, rows, subtotals, total, grade)

    def write_xlsx(self, table, framework, path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append([panel.LABELS[c] for c in panel.COLUMNS] + ["得分"])
        outcome = self.score(table, framework)
        for r, s in zip(table.to_dict("records"), outcome.rows, strict=True):
            ws.append([None if r[c] is None else str(r[c]) for c in panel.COLUMNS] + [str(s["score"])])
        wb.save(path)


@pytest.fixture
def model() -> panel.WhatIf:
    return panel.WhatIf(panel.department_table(load_params(SEED_PARAMS)), FakeScorer())


def test_department_table_holds_the_seed_goals_exactly():
    t = panel.department_table(load_params(SEED_PARAMS))
    assert list(t.columns) == list(panel.COLUMNS)
    assert t["indicator"].tolist()[:3] == ["预算执行率", "非涉密专网迁移至电子政务外网", "归集数据"]
    assert t.at[0, "actual"] == Decimal("100.18")  # 11188.83 ÷ 11168.82
    assert t.at[5, "actual"] == Decimal("350.2") and t.at[5, "target"] == Decimal("280")
    assert sum(t["weight"]) == 100
    assert all(isinstance(v, Decimal) for v in t["target"].dropna())


def test_seed_scores_full_marks_under_the_stand_in(model):
    assert model.outcome.total == Decimal("100.00") and model.outcome.grade == "优"
    assert model.outcome.subtotals["产出指标"] == Decimal("50.00")


@pytest.mark.parametrize(
    "row, column, text, total, grade",
    [
        (2, "actual", "2.5", Decimal("95.00"), "优"),  # 归集数据 20 → 2.5 of 5: 10 → 5 points
        (2, "actual", "2.5亿", None, None),  # refused: not a number
        (2, "target", "40", Decimal("95.00"), "优"),  # 指标值 5 → 40: 20/40 of 10
        (1, "actual", "0", Decimal("90.00"), "优"),
        (1, "actual", "", Decimal("90.00"), "优"),  # blank clears 完成值: scored as 0
        (8, "actual", "50%", Decimal("95.56"), "优"),  # 满意度 100 → 50 of 90
        (0, "actual", "1,000", Decimal("100.00"), "优"),  # thousands separator
        (3, "weight", "5", None, None),  # refused: 分值 is not editable here
        (99, "actual", "1", None, None),  # refused: no such row
    ],
)
def test_edit_rescoring_table(model, row, column, text, total, grade):
    seen = []
    model.listeners.append(seen.append)
    before = model.table.copy()
    reason = model.edit(row, column, text)
    if total is None:
        assert reason and model.outcome.total == Decimal("100.00") and not seen
        pd.testing.assert_frame_equal(model.table, before)
    else:
        assert reason is None
        assert model.outcome.total == total and model.outcome.grade == grade
        assert seen == [model.outcome]  # the widget is told at once


def test_a_table_the_engine_refuses_shows_the_reason_and_recovers(model):
    assert model.edit(2, "target", "0") is None
    assert model.outcome.total is None and "指标值为 0" in model.outcome.errors[0]
    assert model.edit(2, "target", "5") is None
    assert model.outcome.total == Decimal("100.00") and not model.outcome.errors


def test_flags_follow_the_edit(model):
    assert model.outcome.rows[2]["flags"] == ["偏离度≥130%"]  # 20 against 5
    model.edit(2, "actual", "5")
    assert model.outcome.rows[2]["flags"] == []


def test_framework_switch_and_unknown_framework(model):
    assert model.choose("half").total == Decimal("50.00")
    assert model.framework == "half"
    with pytest.raises(ConfigError, match="nope"):
        model.choose("nope")
    with pytest.raises(ConfigError, match="unknown framework"):
        panel.WhatIf(model.table, FakeScorer(), framework="nope")


def test_reset_and_changed(model):
    model.edit(2, "actual", "2.5")
    model.edit(5, "target", "300")
    assert model.changed() == [(5, "target", Decimal("280"), Decimal("300")), (2, "actual", Decimal("20"), Decimal("2.5"))]
    model.reset()
    assert model.changed() == [] and model.outcome.total == Decimal("100.00")


def test_export_writes_the_edited_table(model, tmp_path):
    model.edit(2, "actual", "2.5")
    out = model.export(tmp_path / "自评表.xlsx")
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("指标", "一级指标", "类型", "指标值")
    assert rows[3][0] == "归集数据" and rows[3][4] == "2.5" and rows[3][-1] == "5.00"


@pytest.mark.parametrize("name, error", [("out.csv", ".xlsx"), ("missing/out.xlsx", "目录不存在")])
def test_export_refuses_bad_paths(model, tmp_path, name, error):
    with pytest.raises(InputError, match=error):
        model.export(tmp_path / name)


def test_missing_columns_is_an_input_error():
    with pytest.raises(InputError, match="actual"):
        panel.WhatIf(pd.DataFrame({"indicator": ["x"]}), FakeScorer())


def test_widgets_drive_the_model(model, capsys):
    """Typing into the grid's boxes and picking a framework update scores and summary, no browser needed."""
    import ipywidgets as w

    box = panel.show(model, force=True)
    grid = next(c for c in box.children if isinstance(c, w.GridBox))
    texts = [c for c in grid.children if isinstance(c, w.Text)]
    qualitative = sum(model.table["kind"] == "qualitative")
    assert len(texts) == 2 * (len(model.table) - qualitative) + qualitative  # 指标值 and 完成值, or a qualitative row's 得分
    summary = box.children[3]
    assert "总分 100.00 优" in summary.value
    texts[2 * 2 + 1].value = "2.5"  # 归集数据 完成值
    assert "总分 95.00" in summary.value
    texts[2 * 2 + 1].value = "两亿"
    assert texts[2 * 2 + 1].layout.border and "总分 95.00" in summary.value  # refused, marked red
    assert "完成值不是数值：两亿" in "".join(c.value for c in grid.children if isinstance(c, w.HTML))  # the reason, beside the box
    dropdown = next(c for c in box.children if isinstance(c, w.Dropdown))
    dropdown.value = "half"
    assert "总分 47.50" in summary.value


def test_panel_without_an_engine_says_so_and_does_not_raise(monkeypatch):
    def missing():
        raise ConfigError("评分引擎未安装 (xteval.scoring not available)")

    monkeypatch.setattr(panel, "default_scorer", missing)
    assert panel.show(load_params(SEED_PARAMS), force=True) is None


@pytest.mark.parametrize(
    "env, shown",
    [
        ({}, False),  # papermill / nbclient / xteval run
        ({"JPY_SESSION_NAME": "notebooks/department.ipynb"}, True),  # JupyterLab via Jupyter Server
        ({"JPY_SESSION_NAME": "d.ipynb", "XTEVAL_PANEL": "0"}, False),
        ({"XTEVAL_PANEL": "1"}, True),
        ({"JPY_SESSION_NAME": ""}, False),
    ],
)
def test_panel_shows_only_in_an_interactive_session(monkeypatch, model, capsys, env, shown):
    for key in ("JPY_SESSION_NAME", "XTEVAL_PANEL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert panel.interactive() is shown
    assert (panel.show(model) is not None) is shown
    if not shown:
        assert capsys.readouterr().out == ""  # nothing displayed at all


def test_widget_outputs_never_reach_the_appendix():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("panel.show(p)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            {
                "application/vnd.jupyter.widget-view+json": {"model_id": "1", "version_major": 2},
                "text/plain": "VBox(children=(HTML(value='<h4>评分试算",
            },
        )
    ]
    nb.cells = [cell]
    page = to_html(nb)
    assert "VBox" not in page and "评分试算" not in page and "widget" not in page.split("<body", 1)[1]


def test_default_scorer_is_the_project_engine_or_a_clear_error():
    try:
        scorer = panel.default_scorer()
    except ConfigError as exc:
        assert "xteval.scoring" in str(exc)
    else:
        assert scorer.frameworks()


@pytest.mark.parametrize("forced", ["0", "1"])
def test_batch_run_with_the_panel_neither_hangs_nor_leaks_into_the_appendix(monkeypatch, tmp_path, forced, forked_kernels):
    """papermill runs the department notebook; even with the panel forced on, the page shows no widget.

    Its kernel is forked from the warm template, as a batch worker's is (the panel reads XTEVAL_PANEL when it is
    shown, from the kernel's environment, which the fork request carries)."""
    from xteval.runner.run import run_params

    monkeypatch.setenv("XTEVAL_PANEL", forced)  # the kernel inherits it
    result = run_params(SEED_PARAMS, tmp_path)
    nb = nbformat.read(result.ipynb, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "whatif-panel")
    widgets = [o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == (1 if forced == "1" else 0)
    assert not [o for o in cell.outputs if o.output_type == "error"]
    page = result.html.read_text(encoding="utf-8").split("<body", 1)[1]
    assert "widget" not in page and "评分试算" not in page and "VBox" not in page


# --------------------------------------------------------------------------- with the project's engine


@pytest.fixture
def department() -> panel.WhatIf:
    return panel.WhatIf.for_department(load_params(SEED_PARAMS))


def test_real_engine_frameworks_and_seed_scores(department):
    assert department.frameworks[0] == "dept-self" and "dept-common-2013@yueyang" in department.frameworks
    assert (department.outcome.total, department.outcome.grade) == (Decimal("100.00"), "优")
    department.choose("dept-common-2013@yueyang")
    assert len(department.table) == 9 and "“三公经费”控制率" in department.table["indicator"].tolist()
    assert department.outcome.total == Decimal("9.00") and department.outcome.grade.startswith("—")  # 可评分值 only: no grade


@pytest.mark.parametrize(
    "framework, indicator, column, text, total",
    [
        ("mof2020-self", "治理数据", "actual", "0.5", Decimal("95.00")),
        ("mof2020-self", "预算执行率", "actual", "90", Decimal("99.00")),
        ("mof2020-self", "短信发送量", "target", "700.4", Decimal("97.50")),
        ("dept-common-2013@yueyang", "财政供养人员控制率", "actual", "100", Decimal("14.00")),
    ],
)
def test_real_engine_rescoring(department, framework, indicator, column, text, total):
    department.choose(framework)
    row = department.table["indicator"].tolist().index(indicator)
    assert department.edit(row, column, text) is None
    assert department.outcome.total == total and not department.outcome.errors


def test_real_engine_refusal_is_shown_not_raised(department):
    row = department.table["indicator"].tolist().index("归集数据")
    assert department.edit(row, "target", "0") is None
    assert department.outcome.total is None and "指标值" in department.outcome.errors[0]


def test_real_engine_export_reads_back(department, tmp_path):
    from xteval.scoring import workbook as selfeval_xlsx

    row = department.table["indicator"].tolist().index("治理数据")
    department.edit(row, "actual", "0.5")
    back = selfeval_xlsx.read(department.export(tmp_path / "自评表.xlsx"))
    got = back.set_index("indicator").loc["治理数据", "actual"]
    assert Decimal(str(got)) == Decimal("0.5")


def test_widget_grid_follows_the_framework(department):
    import ipywidgets as w

    box = panel.show(department, force=True)
    rows = lambda: sum(isinstance(c, w.Text | w.Dropdown) for c in box.children[2].children) // 2  # noqa: E731
    assert rows() == len(panel.department_table(load_params(SEED_PARAMS)))
    box.children[1].value = "dept-common-2013@yueyang"
    assert rows() == 9 and "总分 9.00" in box.children[3].value


def test_frameworks_are_listed_by_their_chinese_titles_and_units_show(department):
    import ipywidgets as w

    box = panel.show(department, force=True)
    labels = [label for label, _ in box.children[1].options]
    assert labels[0].startswith("部门整体支出绩效自评") and all(not label.isascii() for label in labels)
    shown = [c.value for c in box.children[2].children if isinstance(c, w.HTML)]
    assert "亿条" in shown and "%" in shown  # 归集数据 in 亿条, 预算执行率 in %


def test_qualitative_rows_take_a_grade_and_a_score_within_its_band(department):
    row = department.table["indicator"].tolist().index("签订智慧湘潭 PPP 项目退库协议")  # 30 分, 达成 30
    assert department.edit(row, "actual", "1") == "定性指标没有指标值和完成值：请选择等级，并在该等级的分值区间内给分"
    assert department.edit(row, "score", "20") == "得分 20 不在“达成”的区间 [24, 30] 内"
    assert department.outcome.total == Decimal("100.00")  # refused: nothing changed
    assert department.edit(row, "grade", "部分达成") is None  # 30 lies outside [18, 24): the score is cleared
    assert department.table.at[row, "score"] is None and department.outcome.grade.startswith("—")
    assert department.edit(row, "score", "20") is None
    assert department.outcome.total == Decimal("90.00") and department.outcome.grade == "优"
    assert department.edit(row, "grade", "很好").startswith("等级应为 达成、部分达成、未达成")
    assert department.edit(0, "grade", "达成") == "只有定性指标可改等级和得分"


def test_the_score_line_shows_failures_as_the_pages_do():
    w = panel.WhatIf.for_department(load_params(SEED_PARAMS), fails=3)
    assert w.score_line() == "总分 100.00 优（示例；另有不符 3 项，待核实）"


def test_the_default_export_is_under_outputs_never_notebooks():
    p = load_params(SEED_PARAMS)
    target = panel.default_export(p)
    assert target.parts[-3:] == ("outputs", "2023", "department-自评表.xlsx") and "notebooks" not in target.parts
