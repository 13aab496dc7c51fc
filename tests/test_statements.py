"""Statements read as written (issue 20 item 5): counted lists, change words against their figures, “分别为” parts,
and a “其中” list whose parts miss their total by more than rounding allows.

Each case is a sentence of our own put into the clean seed-template report, with the check it must (or must not)
raise; the sentences follow structures seen in published 决算说明 and 自评报告, in our words and figures.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from xteval.audit import audit_file
from xteval.checks import Status, rounding_tolerance, strict_tolerance

CLEAN = Path(__file__).parent / "fixtures" / "reports" / "clean.txt"  # its line 34 reads 无。

# (sentence added to the clean report, result id prefix, status; None: no failing result may appear)
CASES = [
    ("本单位内设4个科室：办公室、计划财务科和项目管理科。", "counted_list", Status.fail),
    ("本单位内设3个科室：办公室、计划财务科和项目管理科。", "counted_list", Status.passed),
    ("本单位下设三个站所：农技站、畜牧站。", "counted_list", Status.fail),
    ("本单位内设4个科室：办公室、计划财务科等。", "counted_list", None),  # an open list (等) counts nothing
    ("会议费由上年的8.40万元增加到6.20万元。", "change_word", Status.fail),
    ("会议费由上年的8.40万元减少到6.20万元。", "change_word", Status.passed),
    ("印刷费减少1.20万元，增长12.5%。", "change_word", Status.fail),
    ("印刷费减少1.20万元，下降12.5%。", "change_word", None),
    ("印刷费减少1.20万元，下降-12.5%。", "change_word", Status.warn),  # a negative decline: a rise as written, a slip as meant
    ("培训费、印刷费、邮电费分别为3.00、2.50、1.49万元，三项合计6.97万元。", "respectively", None),  # 合计 after: not its total
    ("三项经费共计6.97万元，培训费、印刷费、邮电费分别为3.00、2.50、1.49万元。", "respectively", Status.fail),
    ("三项经费共计6.99万元，培训费、印刷费、邮电费分别为3.00、2.50、1.49万元。", "respectively", Status.passed),
    ("培训费、印刷费、邮电费分别为3.00、2.50万元。", "respectively", Status.warn),  # three names, two figures
    ("共完成预算资金60.97万元。其中：20万元用于设备购置；20万元用于系统运维；20.99万元用于人员培训。", "list", Status.fail),
    ("共完成预算资金60.98万元。其中：20万元用于设备购置；20万元用于系统运维；20.99万元用于人员培训。", "list", None),
]


def _results(tmp_path, sentence):
    path = tmp_path / "r.txt"
    path.write_text(CLEAN.read_text(encoding="utf-8").replace("无。", sentence), encoding="utf-8")
    return audit_file(path)[2].results


@pytest.mark.parametrize(("sentence", "cid", "status"), CASES, ids=[c[0] for c in CASES])
def test_a_statement_is_checked_as_written(tmp_path, sentence, cid, status):
    hits = [r for r in _results(tmp_path, sentence) if r.id.startswith(cid) and r.evidence and r.evidence[0].line == 34]
    if status is None:
        assert not [r for r in hits if r.status is Status.fail], [r.message for r in hits]
    else:
        assert hits and hits[0].status is status, [r.message for r in hits]


def test_the_messages_name_what_was_counted_and_listed(tmp_path):
    results = {
        r.id.split(".")[0]: r
        for r in _results(tmp_path, "本单位内设4个科室：办公室、计划财务科和项目管理科。")
        if r.id.startswith("counted_list")
    }
    assert "所称 4 个科室，其后只列举 3 项（少 1 项）" in results["counted_list"].message
    parts = "共完成预算资金60.97万元。其中：20万元用于设备购置；20万元用于系统运维；20.99万元用于人员培训。"
    listed = [r for r in _results(tmp_path, parts) if r.id.startswith("list") and r.status is Status.fail]
    assert listed and "设备购置 + 系统运维 + 人员培训" in listed[0].message and "0.02" in listed[0].message


@pytest.mark.parametrize(
    ("values", "at_the_edge", "within"),
    [
        (["60.97", "20", "20", "20.99"], "0.02", "0.01"),  # four half-fen: 0.02 off cannot come from rounding, 0.01 can
        (["6.9", "3.0", "3.9"], "0.015", "0.01"),  # 6.9 is 6.90 in a money text: three half-fen
    ],
)
def test_a_difference_of_exactly_the_summed_half_units_is_beyond_rounding(values, at_the_edge, within):
    figures = [Decimal(v) for v in values]
    assert rounding_tolerance(figures) == Decimal(at_the_edge)
    assert Decimal(within) <= strict_tolerance(figures) < Decimal(at_the_edge)


def test_a_text_of_thousands_of_statements_is_read_to_the_budget(tmp_path):
    """No report states thousands of counted lists: a generated text is read to MAX_STATEMENTS of each shape."""
    from xteval.audit import read_report, statements

    path = tmp_path / "长文.txt"
    path.write_text("本单位内设3个科室：办公室、财务科。\n" * (statements.MAX_STATEMENTS + 500), encoding="utf-8")
    found = statements.counted_list_checks(read_report(path))
    assert len(found) == statements.MAX_STATEMENTS and all(r.status is Status.fail for r in found)
