"""电信政务云租赁: the seed's own inconsistencies, periods, payments and SLA, as tables."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import PARAMS, plain_papermill

from xteval.checks import Reason, Status
from xteval.params import load_params, load_yaml, validate
from xteval.projects import cloud_lease as cl

SEED = PARAMS / "2023" / "cloud_lease.yaml"


def seed():
    return load_params(SEED)


def params(periods=None, payments=None, **changes):
    """The seed params with periods [(label, text, fee)] and payments [(label, amount, date)] replaced."""
    data = load_yaml(SEED)
    if periods is not None:
        data["periods"] = [
            {"label": a, "period": {"value": t, "illustrative": "t"}, "fee": {"value": f, "illustrative": "t"}} for a, t, f in periods
        ]
        data["statements"] = []
    if payments is not None:
        data["payments"] = [
            {"period": a, "amount": {"value": m, "illustrative": "t"}, "date": {"value": d, "illustrative": "t"}} for a, m, d in payments
        ]
    data.update(changes)
    return validate(data, SEED)


def by_id(p):
    return {r.id: r for r in cl.run_checks(p)}


SEED_FINDINGS = [
    # the seed report's own figures, as the appendix must show them
    ("cloud_lease.period_date[1—9 月]", Status.fail, Reason.invalid_date),
    ("cloud_lease.period_date[10—12 月]", Status.passed, Reason.ok),
    ("cloud_lease.periods", Status.passed, Reason.ok),
    ("cloud_lease.statement[全年]", Status.fail, Reason.sum_mismatch),
    ("cloud_lease.monthly_rate[10—12 月]", Status.warn, Reason.rate_difference),
    ("cloud_lease.payment[1]", Status.warn, Reason.cross_year_payment),
]


@pytest.mark.parametrize(("rid", "status", "reason"), SEED_FINDINGS)
def test_seed_findings(rid, status, reason):
    r = by_id(seed())[rid]
    assert (r.status, r.reason) == (status, reason), r.message


def test_seed_full_year_equals_jan_sep_not_the_sum():
    r = by_id(seed())["cloud_lease.statement[全年]"]
    assert r.observed == Decimal("3343659.05") and r.expected == Decimal("4459473.35")
    assert r.difference == Decimal("-1115814.30") and "恰等于“1—9 月”" in r.message


@pytest.mark.parametrize(("label", "months", "rate"), [("1—9 月", 9, "371517.67"), ("10—12 月", 3, "371938.10")])
def test_seed_implied_monthly_rates(label, months, rate):
    r = next(x for x in cl.monthly_rates(seed()) if x["label"] == label)
    assert r["months"] == months and r["rate_yuan"].quantize(Decimal("0.01")) == Decimal(rate)


def test_seed_period_kept_as_written_and_real_end_derived():
    p = seed()
    assert p.periods[0].period.value == "1 月 1 日至 9 月 31 日" and p.periods[0].period.source == "seed"
    pp = cl.periods(p)[0]
    assert (pp.start, pp.end, pp.end_valid, pp.end_written) == (dt.date(2023, 1, 1), dt.date(2023, 9, 30), False, "9 月 31 日")


def test_seed_accrual_against_cash_by_fiscal_year():
    got = {y: (a * 10000, c * 10000) for y, (a, c) in cl.accrual_and_cash(seed()).items()}
    assert got == {2023: (Decimal("4459473.35"), Decimal("3343659.05")), 2024: (Decimal(0), Decimal("1115814.30"))}


@pytest.mark.parametrize(
    ("text", "start", "end", "valid"),
    [
        ("1 月 1 日至 9 月 31 日", (2023, 1, 1), (2023, 9, 30), False),
        ("2023 年 10 月 1 日至 12 月 31 日", (2023, 10, 1), (2023, 12, 31), True),
        ("2 月 1 日至 2 月 29 日", (2023, 2, 1), (2023, 2, 28), False),
        ("2024 年 2 月 1 日至 2 月 29 日", (2024, 2, 1), (2024, 2, 29), True),
    ],
)
def test_parse_period(text, start, end, valid):
    pp = cl.parse_period("x", text, 2023)
    assert (pp.start, pp.end, pp.start_valid and pp.end_valid) == (dt.date(*start), dt.date(*end), valid)


BAD = [
    # (name, periods, payments, check id, status, reason)
    (
        "overlap",
        [("A", "1 月 1 日至 6 月 30 日", "60 元"), ("B", "6 月 1 日至 12 月 31 日", "70 元")],
        [],
        "cloud_lease.periods[A]",
        Status.fail,
        Reason.period_gap_overlap,
    ),
    (
        "gap",
        [("A", "1 月 1 日至 5 月 31 日", "50 元"), ("B", "7 月 1 日至 12 月 31 日", "60 元")],
        [],
        "cloud_lease.periods[A]",
        Status.fail,
        Reason.period_gap_overlap,
    ),
    (
        "reversed",
        [("A", "6 月 30 日至 1 月 1 日", "60 元")],
        [],
        "cloud_lease.periods[A]",
        Status.fail,
        Reason.period_reversed,
    ),
    (
        "payment-before-period",
        [("A", "7 月 1 日至 12 月 31 日", "60 元")],
        [("A", "60 元", "2023 年 6 月 15 日")],
        "cloud_lease.payment[0]",
        Status.fail,
        Reason.invalid_date,
    ),
    (
        "payment-unknown-period",
        [("A", "1 月 1 日至 12 月 31 日", "120 元")],
        [("Z", "60 元", "2023 年 6 月 15 日")],
        "cloud_lease.payment[0]",
        Status.fail,
        Reason.invalid_value,
    ),
    (
        "payment-in-period",
        [("A", "1 月 1 日至 12 月 31 日", "120 元")],
        [("A", "120 元", "2023 年 12 月 20 日")],
        "cloud_lease.payment[0]",
        Status.passed,
        Reason.ok,
    ),
    (
        "no-dates",
        [("A", "全年", "120 元")],
        [],
        "cloud_lease.period_date[A]",
        Status.fail,
        Reason.invalid_date,
    ),
]


@pytest.mark.parametrize(("name", "periods", "payments", "rid", "status", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_periods_and_payments_are_fail_findings_naming_the_record(name, periods, payments, rid, status, reason):
    r = by_id(params(periods, payments))[rid]
    assert (r.status, r.reason) == (status, reason), r.message
    if status is Status.fail and "payment" not in rid:
        assert "A" in r.message


def test_availability_above_100_fails_and_breach_deducts():
    data = load_yaml(SEED)
    data["sla"]["availability"] = [
        {"value": "100.5", "unit": "2023-01", "illustrative": "t"},
        {"value": "99.0", "unit": "2023-02", "illustrative": "t"},
        {"value": "99.95", "unit": "2023-03", "illustrative": "t"},
    ]
    p = validate(data, SEED)
    found = by_id(p)
    assert found["cloud_lease.sla[2023-01]"].status is Status.fail and "100.5" in found["cloud_lease.sla[2023-01]"].message
    assert found["cloud_lease.sla[2023-02]"].reason is Reason.sla_breach
    assert "cloud_lease.sla[2023-03]" not in found
    assert cl.sla_deduction(p) == Decimal("0.2")  # one breach month × 2000 元


def test_contract_fee_is_the_rate_baseline_when_given():
    p = params(contract_monthly_fee={"value": "371938.10 元", "illustrative": "t"})
    found = by_id(p)
    assert found["cloud_lease.monthly_rate[10—12 月]"].status is Status.passed
    assert found["cloud_lease.monthly_rate[1—9 月]"].difference.quantize(Decimal("0.01")) == Decimal("-420.43")


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    return plain_papermill("cloud_lease", tmp_path_factory.mktemp("plain") / "o.ipynb")


def test_notebook_shows_the_seed_inconsistency(plain_run):
    html = plain_run.page
    for text in (
        "9 月 31 日",
        "2023-09-30",
        "3,343,659.05",
        "4,459,473.35",
        "1,115,814.30",
        "371,517.67",
        "371,938.10",
        "跨年度",
        "示例数据",
    ):
        assert text in html, text


def test_plain_papermill_run(plain_run):
    assert plain_run.done.returncode == 0, plain_run.done.stderr[-2000:]
    assert '"fail"' in plain_run.text  # report.record ran
