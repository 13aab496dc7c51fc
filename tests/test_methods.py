"""Every default scoring formula as a table (a = 完成值, t = 指标值, w = 分值; 2 decimals, half-up)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xteval.errors import ConfigError
from xteval.money import half_up
from xteval.scoring import frameworks, methods


def D(x) -> Decimal:
    return Decimal(str(x))


def run(name: str, a, t, w, params=None) -> Decimal:
    out = methods.limit(methods.get(name)(D(a), D(t), D(w), params or {}), params or {})
    return half_up(out)


@pytest.mark.parametrize(
    "a, t, w, expected",
    [
        (100, 100, 10, "10.00"),  # a = t → w
        (133, 100, 10, "10.00"),  # a > t → w (never above w)
        (95.5, 100, 10, "9.55"),  # w·a/t
        (2, 3, 10, "6.67"),  # 6.666… half-up
        (1, 8, 1, "0.13"),  # 0.125 → 0.13: half-up, not banker's
        (0, 100, 10, "0.00"),
        (-5, 100, 10, "0.00"),  # a negative a counts as 0
        (99.999, 100, 5, "5.00"),
    ],
)
def test_positive(a, t, w, expected):
    assert run("positive", a, t, w) == D(expected)


@pytest.mark.parametrize(
    "a, t, w, expected",
    [
        (80, 100, 10, "10.00"),  # a ≤ t → w
        (100, 100, 10, "10.00"),
        (110, 100, 20, "18.00"),  # w·(1 − (a−t)/t)
        (150, 100, 10, "5.00"),
        (199, 100, 10, "0.10"),
        (200, 100, 10, "0.00"),  # a ≥ 2t → 0
        (250, 100, 10, "0.00"),
        (0, 0, 10, "10.00"),  # t = 0, a ≤ 0 → w
        (-1, 0, 10, "10.00"),
        (0.01, 0, 10, "0.00"),  # t = 0, a > 0 → 0
        (1.125, 1, 2, "1.75"),
    ],
)
def test_reverse(a, t, w, expected):
    assert run("reverse", a, t, w) == D(expected)


@pytest.mark.parametrize(
    "a, t, w, expected",
    [
        (90, 90, 10, "10.00"),  # a = t → w
        (85, 90, 10, "9.44"),  # w·(1 − |a−t|/|t|)
        (95, 90, 10, "9.44"),  # symmetric
        (180, 90, 10, "0.00"),  # max(0, …)
        (0, 90, 10, "0.00"),
        (-90, -100, 10, "9.00"),  # |t|
        (0, 0, 10, "10.00"),  # t = 0: a = 0 → w
        (1, 0, 10, "0.00"),
    ],
)
def test_equal(a, t, w, expected):
    assert run("equal", a, t, w) == D(expected)


@pytest.mark.parametrize(
    "grade, w, low, high, high_inclusive",
    [("达成", 10, "8.0", "10", True), ("部分达成", 10, "6.0", "8.0", False), ("未达成", 30, "0", "18.0", False)],
)
def test_qualitative_bands(grade, w, low, high, high_inclusive):
    lo, hi, closed = methods.qualitative_band(grade, D(w))
    assert (lo, hi, closed) == (D(low), D(high), high_inclusive)


STEP = {"full_at": 100, "step": 5, "points": 2, "direction": "below"}


@pytest.mark.parametrize(
    "a, partial, expected",
    [
        (100, "floor", "10.00"),
        (103, "floor", "10.00"),  # above 100% → full
        (96, "floor", "10.00"),  # an incomplete step deducts nothing
        (95, "floor", "8.00"),  # −2 per 5% below 100%
        (91, "floor", "8.00"),
        (90, "floor", "6.00"),
        (96, "ceil", "8.00"),  # an incomplete step deducts a whole step
        (90.5, "ceil", "6.00"),
        (96, "linear", "8.40"),  # in proportion: 0.8 step × 2
        (70, "linear", "0.00"),  # never below 0
        (0, "floor", "0.00"),
    ],
)
def test_step_deduction(a, partial, expected):
    assert run("step", a, 0, 10, {**STEP, "partial": partial}) == D(expected)


def test_step_above_one_point_per_percentage_point():
    p = {"full_at": 100, "step": 1, "points": 1, "direction": "above", "partial": "ceil"}
    assert [run("step", a, 0, 6, p) for a in (70.59, 100, 100.2, 102, 110)] == [D("6.00"), D("6.00"), D("5.00"), D("4.00"), D("0.00")]


ADJUSTMENT = frameworks.get("dept-common-2013").leaves[3]


@pytest.mark.parametrize(
    "a, expected",
    [
        (0, "3.00"),
        (0.01, "2.00"),
        (10, "2.00"),
        (10.01, "1.00"),
        (20, "1.00"),
        (25, "0.50"),
        (30, "0.50"),
        (30.01, "0.00"),
        (740.35, "0.00"),
    ],
)
def test_band_table_adjustment_rate(a, expected):
    assert ADJUSTMENT.name == "预算调整率"
    assert run("band", a, 0, ADJUSTMENT.weight, ADJUSTMENT.params) == D(expected)


@pytest.mark.parametrize("params, expected", [({"cap": 8}, "8.00"), ({"floor": 3}, "10.00"), ({"cap": 8, "floor": 9}, "9.00")])
def test_caps_and_floors(params, expected):
    assert run("positive", 100, 100, 10, params) == D(expected)


def test_floor_lifts_a_low_score():
    assert run("positive", 10, 100, 10, {"floor": 3}) == D("3.00")


@pytest.mark.parametrize(
    "a, t, rule, flagged, points",
    [
        (129.99, 100, {"ratio": 1.3}, False, "10"),
        (130, 100, {"ratio": 1.3}, True, "10"),  # ≥ 130% flags
        (400, 100, {}, True, "10"),  # 130% by default
        (130, 100, {"ratio": 1.3, "deduct": 1}, True, "9"),  # optional deduction
        (150, 100, {"ratio": 1.5, "deduct": 20}, True, "0"),  # never below 0
        (5, 0, {}, False, "10"),  # t = 0 is never flagged
    ],
)
def test_over_achievement(a, t, rule, flagged, points):
    pts, flag = methods.over_achievement(D(a), D(t), D(10), rule)
    assert flag is flagged
    assert pts == D(points)


def test_unknown_method_names_the_key():
    with pytest.raises(ConfigError, match="'proportional'.*known: .*positive"):
        methods.get("proportional")


def test_register_adds_a_method():
    methods.register("double", lambda a, t, w, p: w * 2)
    try:
        assert run("double", 1, 1, 3) == D("6.00")
    finally:
        del methods.METHODS["double"]


def test_methods_return_decimals_never_floats():
    t = D("3.3")
    for name in ("positive", "reverse", "equal"):
        out = [methods.get(name)(D(a), t, t, {}) for a in ("1.1", "2.2", "3.3", "6.7")]
        assert all(type(x) is Decimal for x in out), name


@pytest.mark.parametrize(
    "total, grade",
    [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差")],
)
def test_grade_bands(total, grade):
    assert frameworks.get("mof2020-self").grade(D(total)) == grade
