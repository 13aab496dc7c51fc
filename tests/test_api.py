"""The library API: xteval.check, extract, score and evaluate give what the CLI and the notebooks show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PARAMS, SEED_PARAMS, SEED_REPORT

import xteval
from xteval.cli import main

SCORING = Path(__file__).parent / "fixtures" / "scoring"


def _cli(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_check_gives_the_records_the_cli_prints(capsys):
    found = xteval.check(SEED_REPORT, params=SEED_PARAMS)
    code, out = _cli(["check", str(SEED_REPORT), "--params", str(SEED_PARAMS), "--json"], capsys)
    assert found.records() == json.loads(out)
    assert code == (1 if found.failed else 0)
    assert found.to_dict()["kind"] == "dept_selfeval" and found.to_dict()["params"] == str(SEED_PARAMS)


def test_extract_gives_the_draft_the_cli_prints(capsys, monkeypatch):
    monkeypatch.chdir(SEED_REPORT.parent)
    draft = xteval.extract(SEED_REPORT)
    _, out = _cli(["extract", str(SEED_REPORT)], capsys)
    assert draft.text == out
    assert draft.document.kind.id == "dept_selfeval" and "source_report" in draft.data


def test_score_a_table_a_file_and_params():
    from xteval.scoring import engine

    csv = SCORING / "ok-mof2020.csv"
    from_file = xteval.score(csv)
    from_frame = xteval.score(engine.read_table(csv), framework="mof2020-self")
    assert from_file.to_json() == from_frame.to_json()
    dept = xteval.score(SEED_PARAMS)
    assert (dept.total, dept.grade, dept.reasons) == (xteval.evaluate(SEED_PARAMS).self_score.total, "优", ())
    assert set(dept.subtotals) == {"预算执行率", "产出指标", "效益指标", "满意度指标"}
    assert xteval.score(SEED_PARAMS, framework="pefa2016").dimensions["PI-1"].score == "D*"


def test_score_refuses_pefa_on_a_table():
    from xteval.errors import InputError

    with pytest.raises(InputError, match="xteval pefa"):
        xteval.score(SCORING / "ok-mof2020.csv", framework="pefa2016")


@pytest.mark.parametrize(
    ("name", "kind", "sections"),
    [
        ("cloud_lease", "CloudLeaseEvaluation", ("periods", "statements", "fiscal", "checks_table", "provenance")),
        ("ppp", "PppEvaluation", ("bands", "payments", "exit_progress", "checks_table")),
        ("video_maintenance", "VideoMaintenanceEvaluation", ("scope", "phases", "totals", "checks_table")),
        ("department", "DepartmentEvaluation", ("income", "goals", "self_score_table", "common_tables", "pefa_table", "history")),
    ],
)
def test_evaluate_gives_one_attribute_per_section(name, kind, sections):
    ev = xteval.evaluate(PARAMS / "2023" / f"{name}.yaml")
    assert type(ev).__name__ == kind
    assert ev.fails == ev.checks.counts["fail"]
    for section in sections:
        assert getattr(ev, section) is not None, section
    assert all(isinstance(k, str) for k in ev.record)
