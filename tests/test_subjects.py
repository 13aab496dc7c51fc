"""Whose figure a fact is (issue 20, item 3): the unit's all funds, 一般公共预算财政拨款, 三公, the year before.

The reports here are written for invented units, in the structures published 决算说明 and 三公 explanations use:
all-funds figures and 一般公共预算财政拨款 figures side by side, a 三公 section with its own 年初预算, and a budget
explanation that states next year's 预算 beside last year's 决算.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from xteval.audit import audit_file
from xteval.audit.subjects import subject_of, takes_subject
from xteval.cli import main
from xteval.params import load_yaml

# A 决算说明 of an invented forestry station. Every identity holds.
FINAL_ACCOUNTS = """示例林业服务站2024年度部门决算情况说明
一、收入支出决算总体情况说明
2024年度收入总计2,310.40万元，支出总计2,310.40万元。
二、收入决算情况说明
本年收入合计2,050.60万元，其中：一般公共预算财政拨款收入1,850.60万元，占90.25%；政府性基金预算财政拨款收入120.00万元，占5.85%；其他收入80.00万元，占3.90%。
三、支出决算情况说明
本年支出合计2,021.97万元，其中：基本支出1,406.85万元，占69.58%；项目支出615.12万元，占30.42%。基本支出中，人员经费1,250.00万元，公用经费156.85万元。
四、一般公共预算财政拨款支出决算情况说明
2024年度一般公共预算财政拨款支出1,795.32万元，占本年支出合计的88.79%。其中：基本支出1,280.12万元，项目支出515.20万元。
五、一般公共预算财政拨款基本支出决算情况说明
2024年度一般公共预算财政拨款基本支出1,280.12万元，其中：人员经费1,150.02万元，主要用于基本工资、津贴补贴；公用经费130.10万元，主要用于办公费、水电费。
六、“三公”经费财政拨款支出决算情况说明
2024年度“三公”经费财政拨款支出年初预算为24.50万元，支出决算为21.30万元，完成预算的86.94%。其中：因公出国（境）费0万元；公务用车购置及运行维护费12.80万元（其中公务用车购置费0万元，公务用车运行维护费12.80万元）；公务接待费8.50万元。“三公”经费支出决算比上年减少2.40万元，下降10.13%。
七、机关运行经费支出说明
2024年度本单位机关运行经费支出130.10万元，比上年减少5.20万元，下降3.84%。
"""

# A 三公 budget explanation of an invented bureau: next year's 预算 (no mode word on its parts), then last year's 决算.
BUDGET_EXPLANATION = """示例水文站2025年“三公”经费预算公开说明
一、2025年“三公”经费预算安排情况
2025年“三公”经费预算合计18.60万元，其中：因公出国（境）费0万元，公务接待6.10万元，公务用车运行费12.50万元。
二、2024年“三公”经费决算情况
2024年“三公”经费合计17.40万元，其中：因公出国（境）费0万元，公务接待6.40万元，公务用车运行费11.00万元。
"""


def _write(tmp_path: Path, text: str, name: str = "report.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _facts(path: Path):
    _, ex, suite = audit_file(path)
    return ex.document, suite


def test_all_funds_and_general_budget_basic_spending_are_two_facts_not_an_ambiguity(tmp_path):
    doc, suite = _facts(_write(tmp_path, FINAL_ACCOUNTS))
    basic = {(f.value, f.subject) for f in doc.get("expenditure.basic", subject=None)}
    assert basic == {(Decimal("1406.85"), ""), (Decimal("1280.12"), "general_budget")}
    assert [f.value for f in doc.get("expenditure.basic")] == [Decimal("1406.85")]  # the unit's own by default
    assert doc.one("expenditure.project").value == Decimal("615.12")
    assert not [r for r in suite.results if r.id.startswith("ambiguous.")]
    # the all-funds identity is checked on the all-funds figures, not on a mix of subjects
    by_id = {r.id: r for r in suite.results}
    assert by_id["identity.expenditure.total"].passed and by_id["identity.expenditure.basic"].passed


def test_a_second_value_under_the_same_subject_is_still_an_ambiguity(tmp_path):
    text = FINAL_ACCOUNTS.replace("基本支出中，人员经费", "基本支出1,406.58万元，其中人员经费")
    _, suite = _facts(_write(tmp_path, text))
    assert "ambiguous.expenditure.basic" in {r.id for r in suite.results}


def test_the_draft_seeds_all_funds_figures_and_never_a_department_field_from_the_three_public_sentence(tmp_path, capsys):
    report = _write(tmp_path, FINAL_ACCOUNTS)
    out = tmp_path / "draft.yaml"
    assert main(["extract", str(report), "-o", str(out)]) == 0
    capsys.readouterr()
    data = load_yaml(out)
    spent = data["expenditure"]
    seeded = {k: Decimal(str(spent[k]["value"])) for k in ("basic", "project", "personnel", "public_operation")}
    assert seeded == {
        "basic": Decimal("1406.85"),
        "project": Decimal("615.12"),
        "personnel": Decimal("1250.00"),
        "public_operation": Decimal("156.85"),
    }
    assert data["income"]["initial_budget"]["value"] is None  # 年初预算为24.50万元 is the 三公 budget, not the unit's
    assert Decimal(str(data["three_public"]["control"]["total"]["value"])) == Decimal("24.50")


def test_a_budget_explanation_states_control_figures_and_last_years_actual(tmp_path):
    doc, suite = _facts(_write(tmp_path, BUDGET_EXPLANATION))
    control = {f.field.rsplit(".", 1)[-1]: f.value for f in doc.facts if f.field.startswith("three_public.control.")}
    assert control == {"total": Decimal("18.60"), "overseas": Decimal("0"), "reception": Decimal("6.10"), "vehicle": Decimal("12.50")}
    actual = [f for f in doc.facts if f.field.startswith("three_public.actual.")]
    assert actual and all(f.subject == "previous" or f.field.endswith(".previous") for f in actual)
    # last year's 决算 is never measured against this year's 预算
    assert not [r for r in suite.results if r.id.startswith("three_public.within_control")]


@pytest.mark.parametrize(
    ("field", "label", "lead", "section", "want"),
    [
        ("expenditure.basic", "基本支出", "其中：基本支出", "四、一般公共预算财政拨款支出决算情况", "general_budget"),
        ("expenditure.basic", "基本支出", "本年支出合计", "四、一般公共预算财政拨款支出决算情况", ""),
        ("expenditure.fiscal", "财政拨款支出", "", "", ""),
        ("expenditure.total", "财政拨款支出", "", "", "fiscal"),
        ("income.initial_budget", "年初预算为", "“三公”经费年初预算为", "", "three_public"),
        ("expenditure.project", "政府性基金预算财政拨款项目支出", "", "", "fund_budget"),
        ("expenditure.total", "支出", "本年度政府采购", "", "procurement"),
        ("expenditure.total", "上年度支出", "", "", "previous"),
        ("expenditure.total.change", "比上年增加", "本年支出合计", "", ""),
        ("three_public.actual.total", "三公经费", "一般公共预算", "", ""),
    ],
)
def test_the_subject_comes_from_the_clause_the_sentence_opening_then_the_heading(field, label, lead, section, want):
    assert subject_of(field, label, lead, section) == want


def test_a_heading_about_an_earlier_year_places_its_figures_in_the_year_before():
    assert subject_of("three_public.actual.total", "合计", "", "二、2023年决算情况", 2024) == "previous"
    assert subject_of("three_public.actual.total", "合计", "", "二、2024年决算情况", 2024) == ""


def test_fields_that_name_their_own_subject_take_none():
    assert not takes_subject("expenditure.general_budget.basic")
    assert not takes_subject("income.government_fund")
    assert not takes_subject("three_public.control.total")
    assert takes_subject("expenditure.basic") and takes_subject("expenditure.basic.share")


def test_a_budget_explanation_that_compares_with_last_year_is_still_this_years():
    """A budget explanation names last year in every comparison (比2024年预算减少…), more often than its own year:
    the years it compares with are not counted, and a run-in heading that compares ((二)公务接待费…，比2024年预算减少…)
    is not a section about last year, so its figures stay this year's."""
    from xteval import audit
    from xteval.audit import read_document
    from xteval.audit.engine import report_year

    text = (
        "青石镇2025年“三公”经费预算情况\n"
        "二、2025年一般公共预算“三公”经费支出预算情况说明\n"
        "本镇“三公”经费支出预算为12万元，比2024年预算减少5万元，下降29.41%。\n"
        "(一)因公出国(境)费支出预算0万元，与2024年预算一致。\n"
        "(二)公务接待费支出预算4万元，比2024年预算减少1万元，下降20%。\n"
        "(三)公务用车运行费支出预算8万元，比2024年预算减少4万元，下降33.33%。\n"
    )
    assert report_year(text) == 2025
    doc = read_document(audit.prepare(text))
    reception = [f for f in doc.facts if f.field == "three_public.control.reception"]
    assert [(f.value, f.subject) for f in reception] == [(Decimal("4"), "")]
