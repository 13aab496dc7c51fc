"""Identity checks: the seed's identities hold; a planted error is caught with its direction."""

from decimal import Decimal

import pytest
from conftest import SEED_PARAMS, variant

from xteval.checks import Reason, Status, balance, rounding_tolerance
from xteval.department.checks import department_checks
from xteval.params import load_params

IDENTITIES = [
    "income.total",
    "income.fiscal_appropriation",
    "expenditure.total",
    "expenditure.basic",
    "expenditure.project",
    "three_public.control",
    "three_public.actual",
]


def _by_id(suite):
    return {r.id: r for r in suite.results}


def test_seed_identities_all_hold():
    results = _by_id(department_checks(load_params(SEED_PARAMS)))
    for cid in IDENTITIES:
        r = results[cid]
        assert r.status is Status.passed, r.message
        assert r.difference == 0 and r.expected == r.observed


# One planted error per identity: (check id, substitution, expected difference, direction word)
PLANTED = [
    ("income.total", ("total: {value: 11191.02,", "total: {value: 11193.02,"), "2.00", "多"),
    ("income.fiscal_appropriation", ("midyear_addition: {value: 9839.75,", "midyear_addition: {value: 9839.85,"), "-0.10", "少"),
    ("expenditure.total", ("total: {value: 11188.83,", "total: {value: 11180.83,"), "-8.00", "少"),
    ("expenditure.basic", ("personnel: {value: 775.02,", "personnel: {value: 705.02,"), "70.00", "多"),
    ("expenditure.project", ("{name: 专项经费, value: 9695.24,", "{name: 专项经费, value: 9695.42,"), "-0.18", "少"),
    ("three_public.control", ("reception: {value: 2.24,", "reception: {value: 2.42,"), "-0.18", "少"),
    ("three_public.actual", ("vehicle: {value: 3.19,", "vehicle: {value: 3.91,"), "-0.72", "少"),
]


@pytest.mark.parametrize(("cid", "sub", "diff", "word"), PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_identity_error_fails(tmp_path, cid, sub, diff, word):
    suite = department_checks(load_params(variant(tmp_path, "v.yaml", sub)))
    r = _by_id(suite)[cid]
    assert r.status is Status.fail
    assert r.reason is Reason.sum_mismatch
    assert r.difference == Decimal(diff)
    assert "≠" in r.message and f"({word} " in r.message
    assert suite.failed and suite.counts["fail"] >= 1


@pytest.mark.parametrize(
    ("total", "parts", "status"),
    [
        ("10.00", ["4.00", "6.00"], Status.passed),
        ("10.01", ["4.00", "6.00"], Status.warn),  # within rounding of three 2-dp figures
        ("10.02", ["4.00", "6.00"], Status.fail),
        ("334.365905", ["100.000000", "234.365905"], Status.passed),
        ("334.365906", ["100.000000", "234.365905"], Status.fail),  # 元 precision: one fen out
    ],
)
def test_balance_table(total, parts, status):
    r = balance("t", "合计 = 各项", ("合计", Decimal(total)), [(f"p{i}", Decimal(v)) for i, v in enumerate(parts)])
    assert r.status is status


def test_rounding_tolerance_respects_stated_precision():
    assert rounding_tolerance([Decimal("22.2"), Decimal("1.5")]) == Decimal("0.010")
    assert rounding_tolerance([Decimal("334.365905")]) == 0  # stated to the fen: exact


def test_result_record_is_json_ready():
    d = department_checks(load_params(SEED_PARAMS)).results[0].to_dict()
    assert set(d) >= {"id", "title", "status", "expected", "observed", "difference", "tolerance", "unit", "evidence", "message"}
    assert d["expected"] == "11191.02" and d["unit"] == "万元"
    assert d["evidence"][0] == {"quote": "总收入 11191.02 万元", "line": 15}
