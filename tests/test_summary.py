"""The year summary: read from the executed notebooks' recorded values, ranked and counted; run last by the batch."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import nbformat
import pytest
from conftest import PARAMS

from xteval.params import Provenance, load_params
from xteval.summary import model as summary
from xteval.summary import tables

SUMMARY = PARAMS / "2023" / "summary.yaml"


def _executed(folder: Path, name: str, **meta) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["xteval"] = {"notebook": "department.ipynb", "status": "ok", **meta}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


@pytest.fixture
def year(tmp_path: Path, monkeypatch) -> Path:
    """An output folder with four recorded units, a failed run, a project, a summary, a temporary file and a planted link."""
    folder = tmp_path / "out" / "2023"
    _executed(
        folder, "a", unit="甲", total="97.77", grade="优", fail=3, warn=1, reasons={"fail:over_control": 1, "fail:claim_contradicted": 2}
    )
    _executed(
        folder, "b", unit="乙", total="99.50", grade="优", fail=0, warn=2, reasons={"warn:under_achievement": 2}, score_illustrative=True
    )
    _executed(folder, "c", unit="丙", total="58.63", grade="差", fail=1, reasons={"fail:claim_contradicted": 1}, three_public_actual="3.5",
              three_public_control="3.0", execution_rate="55.00", failures=[{"title": "所有目标均已完成", "message": "与数字矛盾"}])  # fmt: skip
    _executed(folder, "d", unit="丁", total="41.00", grade=None, fail=0)
    _executed(folder, "e", unit="戊", status="failed", total="12.00", grade="差", fail=9, error="cell 3: ValueError")
    _executed(folder, "ppp", unit="甲", notebook="ppp.ipynb", fail=2, reasons={"fail:count_mismatch": 2})
    _executed(folder, "summary", unit="全市", notebook="summary.ipynb", summary=True)
    _executed(folder, ".x.running", unit="进行中")
    (folder / "link.ipynb").symlink_to(folder / "a.ipynb")
    monkeypatch.setenv(summary.OUTPUT_ENV, str(tmp_path / "out"))
    return folder


def test_reads_recorded_values_only_of_its_year_and_not_itself(year):
    names = [p.name for p in summary.inputs(year.parent, 2023)]
    assert names == ["a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb", "e.ipynb", "ppp.ipynb"]  # no summary, no temp file, no link
    p = load_params(SUMMARY)  # include: [department]
    items = summary.runs(p)
    assert [r.name for r in items] == ["a", "b", "c", "d", "e"]
    assert items[0].total == Decimal("97.77") and items[0].fail == 3 and items[2].three_public_actual == Decimal("3.5")


def test_ranking_grades_and_reasons(year):
    items = summary.completed(summary.runs(load_params(SUMMARY)))
    assert [r.unit for r in summary.ranked(items)] == ["乙", "甲", "丙", "丁"]  # the failed run is not ranked
    assert summary.grade_counts(items) == {"优": 2, "良": 0, "中": 0, "差": 1, "不定级": 1}
    assert summary.reason_counts(items) == [("claim_contradicted", 3, 0, 2), ("over_control", 1, 0, 1), ("under_achievement", 0, 2, 1)]


def test_tables_say_it_in_chinese_and_keep_the_failures_beside_the_grade(year):
    items = summary.completed(summary.runs(load_params(SUMMARY)))
    ranking = tables.ranking_table(items).to_html()
    assert "优（示例）" in ranking and "优（另有不符 3 项，待核实）" in ranking and "不定级" in ranking
    reasons = tables.reasons_table(items).to_html()
    assert "表述与数字矛盾" in reasons and "claim_contradicted" not in reasons
    three = tables.three_public_table(items).to_html()
    assert "丙（超控制数）" in three and "合计（1 个单位）" in three
    failures = str(tables.failures_html(items))
    assert "甲（不符 3 项）" in failures and "另有 3 项，见该单位附件" in failures and "所有目标均已完成" in failures
    text = str(tables.overview(summary.runs(load_params(SUMMARY))))
    assert "运行失败 1 份（戊）" in text


def test_a_summary_params_file_validates_and_names_its_notebook():
    p = load_params(SUMMARY)
    assert p.notebook == "summary" and p.include == ["department"] and p.year == 2023
    assert "不填写任何数字" in p.figures_rule.derived  # no figure of its own: the rule its figures are derived by


def test_the_scope_table_states_the_rule_and_escapes_it(year):
    """The summary's provenance is on its face; text from the params file is shown as text, never as markup."""
    items = summary.runs(load_params(SUMMARY))
    assert "数据来源：本汇总的全部数字由" in tables.scope_table(items, load_params(SUMMARY).figures_rule).to_html()
    hostile = tables.scope_table(items, Provenance(derived='<img src=x onerror="alert(1)">')).to_html()
    assert "<img" not in hostile and "&lt;img src=x onerror=" in hostile


def test_batch_runs_the_summary_last_and_only_when_what_it_reads_changed(project: Path):
    from xteval.runner.batch import run_batch

    folder = project / "params" / "2023"
    keep = {"department.yaml", "dept-health.yaml", "dept-housing.yaml", "summary.yaml"}
    for f in folder.glob("*.yaml"):
        if f.name not in keep:
            f.unlink()
    out = project / "outputs"
    first = run_batch([project / "params"], out, jobs=2)
    assert {Path(o.job.params_file).name: o.status for o in first.outcomes} == dict.fromkeys(keep, "ok")
    meta = json.loads((out / "2023" / "summary.ipynb").read_text(encoding="utf-8"))["metadata"]["xteval"]
    assert meta["summary"] is True and meta["units"] == 3  # it ran after all three units
    page = (out / "2023" / "summary.html").read_text(encoding="utf-8")
    assert "市卫生健康委员会（示例）" in page and "各单位不符事项" in page and "超过控制数" in page
    assert page.index("湘潭市大数据和产业创新发展中心") < page.index("市住房和城乡建设局（示例）")  # ranked by score

    second = run_batch([project / "params"], out, jobs=2)
    assert {o.status for o in second.outcomes} == {"skipped"}

    health = folder / "dept-health.yaml"
    health.write_text(health.read_text(encoding="utf-8").replace("value: 35.70", "value: 35.71", 1), encoding="utf-8")
    third = run_batch([project / "params"], out, jobs=2)
    statuses = {Path(o.job.params_file).name: o.status for o in third.outcomes}
    assert statuses == {"department.yaml": "skipped", "dept-health.yaml": "ok", "dept-housing.yaml": "skipped", "summary.yaml": "ok"}
    index = third.index.read_text(encoding="utf-8")
    assert "2023/summary.yaml" in index


def test_xteval_run_runs_a_summary_alone_on_the_given_output_folder(year, tmp_path, capsys, monkeypatch):
    from xteval.cli import main

    monkeypatch.delenv(summary.OUTPUT_ENV)
    assert main(["run", str(SUMMARY), "--out", str(year.parent)]) == 0
    page = (year / "summary.html").read_text(encoding="utf-8")
    assert "乙" in page and "甲" in page and "本年度汇总附件 5 份" in page


def _params_tree_with_checked_documents(tmp_path: Path) -> Path:
    """A params tree whose 2023 summary names a folder of 2023 documents checked at once (check … --out)."""
    import shutil

    from xteval.intake import intake

    tree = tmp_path / "params"
    (tree / "2023").mkdir(parents=True)
    inbox = tree / "2023" / "来件"
    inbox.mkdir()
    shutil.copy(PARAMS / "2023" / "sources" / "xiangtan-bigdata-2023.txt", inbox / "大数据中心.txt")
    intake([inbox], tree / "2023" / "批量检查", jobs=1)
    text = SUMMARY.read_text(encoding="utf-8") + "documents: 批量检查\n"
    (tree / "2023" / "summary.yaml").write_text(text, encoding="utf-8")
    return tree / "2023" / "summary.yaml"


def test_the_summary_reads_checked_documents_from_the_results_store(tmp_path, monkeypatch):
    """Issue 23: the year summary takes unit figures from an intake's store, beside the appendices."""
    import xteval

    monkeypatch.setenv(summary.OUTPUT_ENV, str(tmp_path / "out"))  # no appendix run this year
    ev = xteval.evaluate(_params_tree_with_checked_documents(tmp_path))
    (doc,) = ev.runs
    alone = xteval.check(PARAMS / "2023" / "sources" / "xiangtan-bigdata-2023.txt")
    assert (doc.fail, doc.warn) == (alone.counts["fail"], alone.counts["warn"])
    assert doc.execution_rate == Decimal("99") and doc.three_public_actual == Decimal("3.84")
    assert doc.three_public_control == Decimal("5.44") and doc.title.startswith("文档检查：")
    assert sum(n for k, n in doc.reasons.items() if k.startswith("fail:")) == doc.fail
    assert "xiangtan" not in str(tables.scope_table(ev.runs).to_html())


def test_a_summary_naming_documents_outside_its_tree_or_without_a_store_is_one_line(tmp_path, monkeypatch):
    import xteval
    from xteval.errors import XtevalError

    monkeypatch.setenv(summary.OUTPUT_ENV, str(tmp_path / "out"))
    path = _params_tree_with_checked_documents(tmp_path)
    for where, words in (("../../..", "参数目录"), ("来件", "没有 xteval-results.sqlite")):
        path.write_text(SUMMARY.read_text(encoding="utf-8") + f"documents: {where}\n", encoding="utf-8")
        with pytest.raises(XtevalError) as err:
            xteval.evaluate(path)
        assert words in str(err.value) and "\n" not in str(err.value)


def test_a_units_failures_name_fields_in_the_reports_words():
    from xteval.summary.model import UnitRun

    run = UnitRun(
        "a", "department", "甲", "甲", "ok", fail=1,
        failures=[{"title": "income.total = income.general_budget + income.other_income", "message": "income.total不符: 差 3.00"}],
    )  # fmt: skip
    shown = str(tables.failures_html([run]))
    assert "income." not in shown and "收入" in shown and "不符: 差 3.00" in shown
