"""The record builders beside ``balance``: one table per builder, each row a pass, a warn or a fail."""

from decimal import Decimal

import pytest

from xteval.checks import Evidence, Reason, Status, change, claim, count, differs, judged, not_found, rate, rate_status, share, within

D = Decimal


@pytest.mark.parametrize(
    ("stated", "computed", "status"),
    [
        ("99", D("99.4"), Status.passed),  # rounds half-up to the stated unit
        ("99.50", D("99.495"), Status.passed),
        ("99", D("99.98"), Status.warn),  # only truncation gives 99
        ("99", D("98.2"), Status.warn),  # within one unit of the last stated decimal
        ("99", D("101"), Status.fail),
        ("12.3", D("12.5"), Status.fail),
    ],
)
def test_rate_status_at_the_stated_precision(stated, computed, status):
    assert rate_status(D(stated), computed) is status


@pytest.mark.parametrize(
    ("stated", "computed", "strict", "status", "reason"),
    [
        ("95.5", D("95.5"), False, Status.passed, Reason.ok),
        ("95", D("95.9"), False, Status.warn, Reason.rate_mismatch),
        ("95", D("95.9"), True, Status.fail, Reason.rate_mismatch),
        ("80", D("95"), False, Status.fail, Reason.rate_mismatch),
    ],
)
def test_rate(stated, computed, strict, status, reason):
    r = rate("x", "执行率", D(stated), computed, agree="相符", differ="不符", evidence=[Evidence("q", 3)], strict=strict)
    assert (r.status, r.reason, r.message) == (status, reason, "相符" if status is Status.passed else "不符")
    assert r.expected == D(computed).quantize(D("0.01")) and r.observed == D(stated) and r.unit == "%"
    assert r.difference == D(stated) - r.expected
    assert r.tolerance == D(1).scaleb(D(stated).as_tuple().exponent) / 2
    assert r.evidence == (Evidence("q", 3),)


def test_rate_takes_the_callers_status_and_reason():
    r = rate("x", "增减率", D("10"), D("10.4"), agree="a", differ="d", status=Status.warn, reason=Reason.change_mismatch)
    assert (r.status, r.reason, r.message) == (Status.warn, Reason.change_mismatch, "d")


@pytest.mark.parametrize(
    ("stated", "part", "whole", "status"),
    [("25", "25", "100", Status.passed), ("26", "25", "100", Status.warn), ("40", "25", "100", Status.warn)],
)
def test_share_is_never_a_fail(stated, part, whole, status):
    r = share("share.x", "占比", D(stated), D(part), D(whole))
    assert r.status is status
    assert r.message.startswith("占比相符" if status is Status.passed else "占比不符")


@pytest.mark.parametrize(
    ("stated", "current", "previous", "certain", "status"),
    [
        ("10.00", "110.00", "100.00", True, Status.passed),
        ("12.00", "110.00", "100.00", True, Status.fail),
        ("12.00", "110.00", "100.00", False, Status.warn),
        ("-5", "95", "100", True, Status.passed),
    ],
)
def test_change(stated, current, previous, certain, status):
    r = change("change.x", "增减额", D(stated), D(current), D(previous), certain=certain)
    assert r.status is status
    assert r.expected == D(current) - D(previous) and r.difference == D(stated) - r.expected
    assert r.reason is (Reason.ok if status is Status.passed else Reason.change_mismatch)
    if status is not Status.passed:
        assert "增减额不符" in r.message and ("减少" if D(stated) < 0 else "增加") in r.message


@pytest.mark.parametrize(
    ("observed", "limit", "over", "status"),
    [
        ("9", "10", Status.fail, Status.passed),
        ("10", "10", Status.fail, Status.passed),
        ("11", "10", Status.fail, Status.fail),
        ("11", "10", Status.warn, Status.warn),
    ],
)
def test_within(observed, limit, over, status):
    r = within("x", "不超预算", D(observed), D(limit), agree="a", differ="d", over=over)
    assert r.status is status and r.message == ("a" if status is Status.passed else "d")
    assert (r.expected, r.observed, r.difference, r.tolerance) == (D(limit), D(observed), D(observed) - D(limit), 0)
    assert r.reason is (Reason.ok if status is Status.passed else Reason.over_control)


@pytest.mark.parametrize(("expected", "observed", "status"), [(4, 4, Status.passed), (4, 3, Status.warn), (D(2), D(3), Status.warn)])
def test_count(expected, observed, status):
    r = count("x", "个数", expected, observed, agree="a", differ="d", unit="个", over=Status.warn)
    assert r.status is status and r.difference == observed - expected and r.tolerance == 0
    assert r.reason is (Reason.ok if status is Status.passed else Reason.count_mismatch)


@pytest.mark.parametrize(("holds", "status", "reason"), [(True, Status.passed, Reason.ok), (False, Status.fail, Reason.claim_contradicted)])
def test_claim(holds, status, reason):
    r = claim("x", "表述", holds, agree="a", differ="d", expected=D(3), observed=D(2))
    assert (r.status, r.reason, r.message, r.difference) == (status, reason, "a" if holds else "d", D(-1))


def test_differs_and_not_found():
    r = differs("source.x", "一致", D("5"), D("3"), message="m", unit="万元", evidence=(), reason=Reason.source_mismatch)
    assert (r.status, r.difference, r.tolerance, r.reason) == (Status.warn, D(2), 0, Reason.source_mismatch)
    n = not_found("extract.x", "未找到", "m")
    assert (n.status, n.reason, n.expected) == (Status.warn, Reason.not_found, None)


def test_judged_keeps_the_message_that_fits():
    ok = judged("x", "t", True, Status.warn, Reason.rate_difference, "a", "d", unit="元")
    bad = judged("x", "t", False, Status.warn, Reason.rate_difference, "a", "d", unit="元")
    assert (ok.status, ok.message, ok.reason) == (Status.passed, "a", Reason.ok)
    assert (bad.status, bad.message, bad.reason) == (Status.warn, "d", Reason.rate_difference)
