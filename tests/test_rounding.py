"""One rounding rule on every surface: half-up (GB/T 8170), never the half-even of quantize or format.

Each surface is fed a value that ends in 5 at the third decimal: 99.125 must show as
99.13 and 0.005 as 0.01 on a page, in a check message, in the Excel 自评表 and on the CLI.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import variant

from xteval.cli import main
from xteval.department import tables
from xteval.department.checks import execution_rate_check, execution_rates
from xteval.money import fmt, fmt_rate, half_up
from xteval.params import load_params

CASES = [("99.125", "99.13"), ("0.005", "0.01"), ("2.675", "2.68"), ("-0.125", "-0.13")]


@pytest.mark.parametrize(("value", "shown"), CASES)
def test_the_helper(value, shown):
    assert half_up(Decimal(value)) == Decimal(shown)
    assert fmt(Decimal(value)) == shown


def test_a_bare_format_would_round_half_even():
    assert format(Decimal("99.125"), ".2f") == "99.12"  # the bug half_up exists for


def _department(tmp_path, fiscal: str, spend: str):
    """The seed department with 财政拨款收入 and 支出总额 chosen so that 预算执行率 = spend ÷ fiscal."""
    path = variant(
        tmp_path,
        "department.yaml",
        (
            'fiscal_appropriation: {value: 11168.82, seed: "其中财政拨款收入 11168.82 万元", line: 15}',
            f"fiscal_appropriation: {{value: {fiscal}, illustrative: 舍入测试}}",
        ),
        ('  total: {value: 11188.83, seed: "支出总额 11188.83 万元", line: 15}', f"  total: {{value: {spend}, illustrative: 舍入测试}}"),
    )
    return load_params(path)


RATES = [("11200", "11102", "99.13%"), ("11200", "0.56", "0.01%")]  # 99.125% and 0.005%


@pytest.mark.parametrize(("fiscal", "spend", "shown"), RATES)
def test_page_table(tmp_path, fiscal, spend, shown):
    p = _department(tmp_path, fiscal, spend)
    assert execution_rates(p)["fiscal_appropriation"][1] in (Decimal("99.125"), Decimal("0.005"))
    assert shown in tables.execution_rate_table(p).to_html()


@pytest.mark.parametrize(("fiscal", "spend", "shown"), RATES)
def test_check_message(tmp_path, fiscal, spend, shown):
    p = _department(tmp_path, fiscal, spend)
    within = next(r for r in execution_rate_check(p) if r.id == "execution_rate.within_appropriation")
    assert f"执行率 {shown}" in within.message
    assert fmt_rate(execution_rates(p)["fiscal_appropriation"][1]) == shown


def _table(tmp_path, actual: str):
    csv = tmp_path / "t.csv"
    csv.write_text(
        "indicator,level1,kind,target,actual,weight\n"
        "预算执行率,预算执行率,positive,100,100,10\n"
        f"产出,产出指标,positive,100,{actual},50\n"
        "效益,效益指标,positive,100,100,30\n"
        "满意度,满意度指标,positive,100,100,10\n",
        encoding="utf-8",
    )
    return csv


@pytest.mark.parametrize(("actual", "shown"), [("99.125", "49.56"), ("0.01", "0.01")])
def test_cli_and_workbook(tmp_path, capsys, actual, shown):
    # 50 × 99.125 / 100 = 49.5625 → 49.56; 50 × 0.01 / 100 = 0.005 → 0.01
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    assert main(["score", str(_table(tmp_path, actual)), "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"产出\t{shown}/50" in text
    ws = load_workbook(out).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None and str(c.value) == shown]
    assert cells, f"{shown} not in the workbook"
