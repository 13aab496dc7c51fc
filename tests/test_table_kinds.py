"""Table kinds as data (issue 20 items 2 and 4): forms recognised by their words, cells read into facts
with their table, row and column, and the forms' identities checked cell by cell.

The document is our own (tests/table_forms.py): a 部门决算 公开 set of forms in 元 and in 万元."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import table_forms as tf

from xteval.audit import audit, audit_file, read_report
from xteval.audit.tables import forms, read_table, recognise
from xteval.files.documents import SourceDocument, Table


def _audit(source: SourceDocument):
    report = read_report(source)
    ex, suite = audit(report)
    return ex.document, suite


def _findings(suite) -> list[tuple[str, str, str]]:
    return sorted((r.id, r.status.value, r.message) for r in suite.results if r.status.value != "pass")


def test_every_kind_loads_with_its_version_and_source():
    spec = forms()
    assert spec.version
    ids = {k.id for k in spec.kinds}
    assert {
        "income_expenditure_summary",
        "income_statement",
        "expenditure_statement",
        "fiscal_summary",
        "general_budget_expenditure",
    } <= ids
    assert {"general_budget_basic", "three_public", "fund_budget", "project_selfeval", "dept_selfeval"} <= ids
    assert all(k.source and k.markers and k.fields for k in spec.kinds)


def test_the_forms_are_recognised_by_their_titles_and_read_without_unread_rows():
    doc, suite = _audit(tf.document())
    assert [t.kind.id for t in doc.tables] == [
        "income_expenditure_summary",
        "expenditure_statement",
        "general_budget_expenditure",
        "fiscal_summary",
        "three_public",
    ]
    assert all(not t.unread for t in doc.tables)
    assert not [r for r in suite.results if r.status.value == "fail"]


def test_a_cell_in_yuan_becomes_a_fact_in_wanyuan_with_its_table_row_and_column():
    doc, _ = _audit(tf.document())
    (income,) = [f for f in doc.facts if f.field == "income.general_budget" and f.table.startswith("收入支出决算总表")]
    assert income.value == Decimal("300") and isinstance(income.value, Decimal) and income.unit == "万元"
    assert income.cell and income.subject == "" and income.table == "收入支出决算总表 / 一、一般公共预算财政拨款收入 / 收入·金额"
    assert income.line == doc.report.text.split("\n").index("\t".join(tf.SUMMARY[2][3])) + 1
    (basic,) = [f for f in doc.facts if f.field == "expenditure.general_budget.basic"]
    assert basic.value == Decimal("235.00") and basic.subject == "general_budget"
    three = {f.field: f.value for f in doc.facts if f.field.startswith("three_public.") and f.table}
    assert three["three_public.actual.vehicle_purchase"] == Decimal("4.80") and three["three_public.control.total"] == Decimal("12.00")


def test_row_numbers_and_column_numbers_are_never_figures():
    doc, _ = _audit(tf.document())
    summary = doc.tables[0]
    assert summary.facts and all(f.table.endswith("·金额") for f in summary.facts)
    assert len(summary.facts) == 12  # 9 rows of income and 3 of spending with a figure; no 行次, no 栏次
    three = doc.tables[-1]
    assert len(three.facts) == 12 and not [f for f in three.facts if f.value in (Decimal(7), Decimal(8), Decimal(11))]


def test_a_planted_error_in_one_cell_is_found_with_its_table_row_and_column():
    _, suite = _audit(tf.document(tf.planted()))
    fails = [r for r in suite.results if r.status.value == "fail"]
    assert {r.id for r in fails} == {"identity.expenditure.total.columns", "identity.expenditure.basic.rows"}
    for r in fails:
        quotes = [e.quote for e in r.evidence]
        assert any(q.startswith("支出决算表 / 合计 / 基本支出：2,560,000.00") for q in quotes)
        assert abs(r.difference) == Decimal("9") and r.unit == "万元"
    (columns,) = [r for r in fails if r.id.endswith("columns")]
    assert columns.observed == Decimal("345") and columns.expected == Decimal("336") and "多 9.00 万元" in columns.message


def test_the_same_document_as_docx_gives_the_same_findings(tmp_path):
    _, from_text = _audit(tf.document(tf.planted()))
    _, _, from_docx = audit_file(tf.docx(tmp_path / "qinghe.docx", tf.planted()))
    text_tables = sorted(r.id for r in from_text.results if r.id.startswith(("identity.", "table.")))
    docx_tables = sorted(r.id for r in from_docx.results if r.id.startswith(("identity.", "table.")))
    assert text_tables == docx_tables
    assert [(i, s) for i, s, _ in _findings(from_text)] == [(i, s) for i, s, _ in _findings(from_docx)]


def test_tables_are_checked_against_each_other():
    doc, suite = _audit(tf.document())
    across = {r.id: r for r in suite.results if r.id.startswith("table.across.")}
    assert across["table.across.expenditure.general_budget"].status.value == "pass"  # 财政拨款总表 against 一般公共预算 支出表
    assert across["table.across.expenditure.total"].status.value == "pass"  # 总表 against 支出决算表
    forms_ = [(t, u, [r if r[2] != "本年支出合计" else r[:3] + ("295.00", "290.00") for r in rows]) for t, u, rows in tf.FORMS]
    _, suite = _audit(tf.document(forms_))
    (r,) = [r for r in suite.results if r.id == "table.across.expenditure.general_budget"]
    assert r.status.value == "fail" and abs(r.difference) == Decimal("5.00")
    assert {e.quote.split("：")[0] for e in r.evidence} == {
        "财政拨款收入支出决算总表 / 本年支出合计 / 支出·一般公共预算财政拨款",
        "一般公共预算财政拨款支出决算表 / 合计 / 决算数·合计",
    }


def test_a_rate_column_is_checked_against_its_budget_and_actual_columns():
    rows = [r if r[0] != "合计" else r[:5] + ("97.50%",) for r in tf.GENERAL[2]]
    doc, suite = _audit(tf.document([(tf.GENERAL[0], tf.GENERAL[1], rows)]))
    (r,) = [r for r in suite.results if r.id == "table.general_budget_expenditure.合计.rate"]
    assert r.status.value == "fail" and r.expected == Decimal("98.33") and r.observed == Decimal("97.50")


def test_the_three_public_table_closes_with_its_purchase_cost_and_agrees_with_the_prose():
    _, suite = _audit(tf.document([tf.THREE_PUBLIC]))
    ids = {r.id: r for r in suite.results}
    assert ids["identity.three_public.actual.total"].status.value == "pass"
    assert "公务用车购置费" in ids["identity.three_public.actual.total"].message
    assert ids["table.prose.three_public.actual.total"].status.value == "pass"
    assert not [r for r in suite.results if r.status.value == "fail"]


def test_a_three_public_table_by_rows_without_its_purchase_column_takes_the_purchase_the_text_states():
    rows = [
        ("项目", "决算数"),
        ("合计", "10.50"),
        ("因公出国（境）费", "0.00"),
        ("公务用车运行费", "3.40"),
        ("公务接待费", "2.30"),
    ]
    prose = ["青禾县图书馆2025年度部门决算", "“三公”经费决算情况：公务用车购置费4.80万元。"]
    doc, suite = _audit(tf.document([("“三公”经费支出决算表", "单位：万元", rows)], prose=prose))
    assert doc.tables[0].kind.id == "three_public"
    (r,) = [r for r in suite.results if r.id == "identity.three_public.actual.total"]
    assert r.status.value != "fail"  # never 10.50 ≠ 0 + 3.40 + 2.30 while the text states a 购置费 of 4.80


def test_a_three_public_cell_that_disagrees_with_the_prose_is_a_finding_citing_both():
    prose = ["青禾县图书馆2025年度部门决算", "2025年度“三公”经费财政拨款支出决算中，公务接待费支出决算2.40万元。"]
    _, suite = _audit(tf.document([tf.THREE_PUBLIC], prose=prose))
    (r,) = [r for r in suite.results if r.id == "ambiguous.three_public.actual.reception"]
    assert r.status.value == "fail"
    assert r.evidence[0].quote.startswith("一般公共预算财政拨款“三公”经费支出决算表 / （无行名） / 决算数·公务接待费")
    assert r.evidence[1].line == 2 and "2.40" in r.evidence[1].quote


SELF_EVAL = [
    ("项目名称", "青禾县全民阅读推广", "", "", "", "", "", ""),
    ("主管部门", "青禾县文化局", "", "实施单位", "青禾县图书馆", "", "", ""),
    ("项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
    ("项目资金（万元）", "年度资金总额", "20.00", "20.00", "18.00", "10", "90.00%", "9.00"),
    ("项目资金（万元）", "其中：当年财政拨款", "20.00", "20.00", "18.00", "—", "—", "—"),
    ("项目资金（万元）", "上年结转资金", "", "", "", "—", "—", "—"),
    ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"),
    ("产出指标", "数量指标", "举办阅读讲座场次", "≥10场", "12场", "10", "10", ""),
]


def test_a_project_self_evaluation_table_reads_its_funds_and_never_a_points_cell_as_an_amount():
    doc, suite = _audit(tf.document([("项目支出绩效自评表", "（2025年度）", SELF_EVAL)], prose=["项目支出绩效自评表"]))
    assert doc.tables[0].kind.id == "project_selfeval"
    facts = {f.field: f for f in doc.tables[0].facts}
    assert facts["project.executed"].value == Decimal("18.00") and facts["project.executed"].unit == "万元"
    assert facts["project.execution_weight"].unit == "分" and facts["project.execution_rate"].value == Decimal("90.00")
    assert not [f for f in doc.facts if f.field == "project.executed" and f.value == Decimal(10)]
    (rate,) = [r for r in suite.results if r.id == "table.project_selfeval.年度资金总额.rate"]
    assert rate.status.value == "pass"


def test_a_row_with_a_label_the_form_does_not_know_is_listed_as_unread_not_failed():
    rows = list(tf.EXPENDITURE[2])
    rows.insert(-1, ("", "调剂余额", "1,000.00", "1,000.00", ""))
    doc, suite = _audit(tf.document([(tf.EXPENDITURE[0], tf.EXPENDITURE[1], rows)]))
    assert doc.tables[0].unread and doc.tables[0].unread[0][1] == "调剂余额"
    (note,) = [r for r in suite.results if r.id.startswith("table.unread.")]
    assert note.status.value == "warn" and note.reason.value == "unread" and "调剂余额" in note.message  # to be read by hand
    assert not [f for f in doc.facts if f.value == Decimal("0.1")]


def test_an_unrecognised_table_is_left_to_the_phrase_reader():
    table = Table(1, (("名称", "数量"), ("图书", "1200")))
    assert recognise(table, "馆藏情况") is None


@pytest.mark.parametrize(
    "rows",
    [
        (("项目", "决算数"), ("合计",) + ("1",) * 5000),
        (("本年支出合计",) + ("9",) * 1_000_000,),
        (("项目", "本年支出合计", "基本支出", "项目支出"), ("合计", "1e309", "∞", "１２３"), ("合计", "NaN", "-0", "1" * 400)),
    ],
)
def test_hostile_tables_do_not_crash(rows):
    table = Table(1, tuple(rows))
    kind = next(k for k in forms().kinds if k.id == "expenditure_statement")
    out = read_table(table, kind)
    assert all(isinstance(f.value, Decimal) for f in out.facts)
    lines = ["支出决算表"] + ["\t".join(r)[:2000] for r in rows]
    source = SourceDocument(Path("hostile.txt"), "\n".join(lines), "utf-8", "0" * 64, tables=(Table(2, tuple(rows)),))
    doc, suite = _audit(source)
    assert all(isinstance(f.value, Decimal) for f in doc.facts)


def test_full_width_digits_in_a_cell_are_read_as_digits():
    rows = (("项目", "本年支出合计", "基本支出", "项目支出"), ("合计", "１２３．００", "１００．００", "２３．００"))
    kind = next(k for k in forms().kinds if k.id == "expenditure_statement")
    out = read_table(Table(1, rows), kind)
    assert {f.field: f.value for f in out.facts}["expenditure.total"] == Decimal("123.00")


def test_a_part_over_its_budget_while_the_three_public_total_stays_within_is_a_warn_not_a_fail():
    rows = [("项目", "预算数", "决算数"), ("合计", "30.00", "25.00"), ("因公出国（境）费", "0.00", "0.00")]
    rows += [("公务接待费", "14.00", "16.00"), ("公务用车购置及运行费", "16.00", "9.00")]
    rows += [("其中：公务用车运行费", "16.00", "9.00"), ("公务用车购置费", "0.00", "0.00")]
    prose = ["青禾县图书馆2025年度部门决算", "“三公”经费决算数小于预算数。"]
    _, suite = _audit(tf.document([("“三公”经费支出决算表", "单位：万元", rows)], prose=prose))
    ids = {r.id: r for r in suite.results}
    assert ids["three_public.within_control.reception"].status.value == "warn"
    assert ids["three_public.within_control.total"].status.value == "pass"
    assert ids["three_public.claim"].status.value == "pass"
    assert ids["identity.three_public.actual.total"].status.value == "pass"
    assert not [r for r in suite.results if r.status.value == "fail"]


def test_a_three_public_table_with_a_purchase_cost_holds_the_model_identity_that_cannot_add_it():
    rows = [("经费项目", "2025年度支出（万元）"), ("因公出国（境）费", "0"), ("公务接待费", "2.30")]
    rows += [
        ("公务用车购置及运行维护费", "8.20"),
        ("公务用车购置费", "4.80"),
        ("公务用车运行维护费", "3.40"),
        ("总“三公”经费支出", "10.50"),
    ]
    doc, suite = _audit(tf.document([("2025年度“三公”经费决算情况", "", rows)], prose=["情况说明"]))
    assert doc.kind is not None and doc.kind.id == "final_accounts"  # a stand-alone 三公 explanation
    assert {f.field: f.value for f in doc.tables[0].facts}["three_public.actual.vehicle_purchase"] == Decimal("4.80")
    assert not [r for r in suite.results if r.status.value == "fail"]
    assert {r.id: r.status.value for r in suite.results}["identity.three_public.actual.total"] == "pass"


def test_a_three_public_table_by_years_reads_last_year_and_checks_its_change_rates():
    header = ("年度", "合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "公务用车购置及运行费", "公务用车购置及运行费")
    sub = ("年度", "合计", "因公出国（境）费", "公务接待费", "合计", "车辆购置", "车辆运行")
    rows = [header, sub, ("2024年", "120", "10", "50", "60", "20", "40"), ("2025年", "90", "0", "45", "45", "15", "30")]
    rows.append(("2025年比2024年增减%", "-25.00", "-100.00", "-10.00", "-25.00", "-20.00", "-25.00"))
    doc, suite = _audit(tf.document([("2025年决算数与2024年决算数对比情况", "单位：万元", rows)], prose=["“三公”经费决算"]))
    facts = {f.field: f.value for f in doc.tables[0].facts}
    assert facts["three_public.actual.total.previous"] == Decimal("120") and facts["three_public.actual.vehicle_total"] == Decimal("45")
    assert facts["three_public.actual.vehicle_purchase.change_rate"] == Decimal("-20.00")
    results = {r.id: r for r in suite.results}
    assert results["change_rate.three_public.actual.total"].status.value == "pass"
    bad = results["change_rate.three_public.actual.vehicle_purchase"]  # (15 − 20) ÷ 20 = −25 %, not −20 %
    assert bad.status.value == "fail" and bad.observed == Decimal("-20.00")
    assert results["identity.three_public.actual.total.previous"].status.value == "pass"


def test_a_self_evaluation_table_with_its_indicators_first_reads_the_funds_block_after_them():
    rows = [
        ("一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "得分", ""),
        ("产出指标", "数量指标", "购置阅览桌椅", "≥20套", "24套", "20", "20", ""),
        ("项目支出绩效自评表（2025年度）", "", "", "", "", "", "", ""),
        ("预算执行情况（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"),
        ("总额", "0.00", "6.40", "6.40", "100.00%", "10", "10", "执行率未达到90%的需说明原因"),
    ]
    doc, suite = _audit(tf.document([("项目支出绩效自评表", "", rows)], prose=["项目支出绩效自评表"]))
    facts = {f.field: f.value for f in doc.tables[0].facts}
    assert facts["project.executed"] == Decimal("6.40") and facts["project.execution_rate"] == Decimal("100.00")
    assert facts["project.execution_weight"] == Decimal("10") and "project.initial_budget" in facts
    assert not [f for f in doc.facts if f.field == "project.execution_rate" and f.value == Decimal(90)]
    assert not [f for f in doc.tables[0].facts if f.value == Decimal(24) or f.value == Decimal(20)]


@pytest.mark.parametrize(
    ("form", "kind", "field", "value"),
    [
        (tf.BASIC, "general_budget_basic", "expenditure.general_budget.public_operation", "40"),
        (tf.INCOME, "income_statement", "income.fiscal_appropriation", "300.00"),
        (tf.FUND, "fund_budget", "expenditure.government_fund", "18.00"),
        (tf.DEPT, "dept_selfeval", "expenditure.total", "345.00"),
    ],
)
def test_each_other_form_is_read_and_closes(form, kind, field, value):
    doc, suite = _audit(tf.document([form], prose=["青禾县图书馆2025年度部门决算"]))
    (table,) = doc.tables
    assert table.kind.id == kind and not table.unread
    assert {f.field: f.value for f in table.facts}[field] == Decimal(value)
    checked = [r for r in suite.results if r.id.startswith(("identity.", "table.")) and not r.id.startswith("table.unread")]
    assert checked and all(r.status.value == "pass" for r in checked)


def test_the_basic_spending_table_checks_each_block_against_its_own_codes():
    rows = [r if r[4] != "水费" else r[:5] + ("240,000.00",) for r in tf.BASIC[2]]
    _, suite = _audit(tf.document([(tf.BASIC[0], tf.BASIC[1], rows)], prose=["青禾县图书馆2025年度部门决算"]))
    (r,) = [r for r in suite.results if r.status.value == "fail"]
    assert r.title.startswith("一般公共预算财政拨款基本支出决算表") and "商品和服务支出" in r.message
    assert any("公用经费·决算数：240,000.00" in e.quote for e in r.evidence) and abs(r.difference) == Decimal("1")


@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf"])
def test_the_planted_document_gives_the_text_findings_from_every_format(tmp_path, fmt):
    """Issue 20: the same 部门决算 document with one wrong cell, as a page, a workbook and a PDF with ruled
    tables, gives the text's table findings, and the error is found with its table, row and column."""
    _, from_text = _audit(tf.document(tf.planted()))
    path = getattr(tf, fmt)(tmp_path / f"qinghe.{fmt}", tf.planted())
    _, _, from_file = audit_file(path)
    tables = ("identity.", "table.", "ambiguous.")

    def table_findings(suite):
        return sorted((r.id, r.status.value) for r in suite.results if r.id.startswith(tables) and r.status.value != "pass")

    assert table_findings(from_file) == table_findings(from_text)
    fails = [r for r in from_file.results if r.status.value == "fail"]
    assert {r.id for r in fails} == {"identity.expenditure.total.columns", "identity.expenditure.basic.rows"}
    for r in fails:
        assert any(e.quote.startswith("支出决算表 / 合计 / 基本支出：2,560,000.00") for e in r.evidence), r.evidence
