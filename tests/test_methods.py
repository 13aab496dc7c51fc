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
def test_reverse_linear_convention(a, t, w, expected):
    assert run("reverse", a, t, w) == D(expected)
    assert run("reverse", a, t, w, {"formula": "linear"}) == D(expected)


@pytest.mark.parametrize(
    "a, t, w, expected",
    [
        (80, 100, 10, "10.00"),  # a ≤ t → w
        (100, 100, 10, "10.00"),
        (125, 100, 10, "8.00"),  # w·t/a = 10 × 100 ÷ 125
        (200, 100, 10, "5.00"),  # never 0: the practice formula only approaches it
        (300, 100, 20, "6.67"),  # 20 × 100 ÷ 300 = 6.666…
        (0.01, 0, 10, "0.00"),  # t = 0, a > 0 → 0
    ],
)
def test_reverse_ratio_practice(a, t, w, expected):
    """The 填报说明 practice alternative (mof2020-self kinds.reverse.formulas.ratio): w·t/a above the target."""
    assert run("reverse", a, t, w, {"formula": "ratio"}) == D(expected)


def test_reverse_unknown_formula_is_config_error():
    with pytest.raises(ConfigError, match="linear 或 ratio"):
        run("reverse", 2, 1, 1, {"formula": "square"})


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
        (100, "per_full_step", "10.00"),
        (103, "per_full_step", "10.00"),  # above 100% → full
        (96, "per_full_step", "10.00"),  # an incomplete step deducts nothing
        (95, "per_full_step", "8.00"),  # −2 per 5% below 100%
        (91, "per_full_step", "8.00"),
        (90, "per_full_step", "6.00"),
        (96, "per_started_step", "8.00"),  # an incomplete step deducts a whole step
        (90.5, "per_started_step", "6.00"),
        (96, "proportional", "8.40"),  # in proportion: 0.8 step × 2
        (70, "proportional", "0.00"),  # never below 0
        (0, "per_full_step", "0.00"),
        (96, "floor", "10.00"),  # the old names still read
        (96, "ceil", "8.00"),
        (96, "linear", "8.40"),
    ],
)
def test_step_deduction(a, partial, expected):
    assert run("step", a, 0, 10, {**STEP, "partial": partial}) == D(expected)


def test_step_above_one_point_per_percentage_point():
    p = {"full_at": 100, "step": 1, "points": 1, "direction": "above", "partial": "per_started_step"}
    assert [run("step", a, 0, 6, p) for a in (70.59, 100, 100.2, 102, 110)] == [D("6.00"), D("6.00"), D("5.00"), D("4.00"), D("0.00")]


@pytest.mark.parametrize(
    "a, alternatives",
    [
        ("100.5", {"per_full_step": "5", "per_started_step": "4.5", "proportional": "4.75"}),  # half a point over
        ("101", {"per_full_step": "4.5", "per_started_step": "4.5", "proportional": "4.5"}),  # a whole point: all agree
        ("120", {"per_full_step": "0", "per_started_step": "0", "proportional": "0"}),  # deducted to nothing
    ],
)
def test_step_alternatives_differ_only_on_a_part_step(a, alternatives):
    """'每超过一个百分点扣0.5分' on 5 points (岳阳样表 财政供养人员控制率): the three readings of a part point."""
    p = {"full_at": 100, "step": 1, "points": "0.5", "direction": "above"}
    got = methods.step_alternatives(D(a), D(0), D(5), p)
    assert {k: v.normalize() for k, v in got.items()} == {k: D(v).normalize() for k, v in alternatives.items()}


def test_step_unknown_partial_is_config_error():
    with pytest.raises(ConfigError, match="per_full_step / per_started_step / proportional"):
        run("step", 1, 0, 1, {**STEP, "partial": "round"})


@pytest.mark.parametrize("params, expected", [({"cap": 8}, "8.00"), ({"floor": 3}, "10.00"), ({"cap": 8, "floor": 9}, "9.00")])
def test_caps_and_floors(params, expected):
    assert run("positive", 100, 100, 10, params) == D(expected)


def test_floor_lifts_a_low_score():
    assert run("positive", 10, 100, 10, {"floor": 3}) == D("3.00")


@pytest.mark.parametrize(
    "a, t, rule, flag, points",
    [
        (129.99, 100, {"ratio": 1.3}, None, "10"),
        (130, 100, {"ratio": 1.3}, "偏离度≥130%", "10"),  # ≥ 130% flags
        (400, 100, {}, "偏离度≥130%", "10"),  # 130% by default
        (130, 100, {"ratio": 1.3, "deduct": 1}, "偏离度≥130%", "9"),  # optional deduction
        (150, 100, {"ratio": 1.5, "deduct": 20}, "偏离度≥150%", "0"),  # never below 0
        (5, 0, {}, None, "10"),  # t = 0 is never flagged
        (500, 100, {"method": "none"}, None, "10"),
    ],
)
def test_over_achievement_flag_convention(a, t, rule, flag, points):
    pts, got = methods.over_achievement(D(a), D(t), D(10), rule)
    assert got == flag
    assert pts == D(points)


TIERS = frameworks.get("mof2020-self").raw["over_achievement"]["rules"]["deviation-tiers"]


@pytest.mark.parametrize(
    "a, points, flagged",
    [
        ("299.99", "10", False),  # deviation 199.99%: below the first tier
        ("300", "9", True),  # deviation 200%: −10% of the 分值 10
        ("399.99", "9", True),
        ("400", "8", True),  # 300%: −20%
        ("599.99", "8", True),
        ("600", "7", True),  # 500%: −30%
        ("5000", "7", True),
    ],
)
def test_over_achievement_deviation_tiers_practice(a, points, flagged):
    """The practice alternative (2022 评分表, taowenge p-97898096): (a − t) ÷ t in [200, 300) → −10%, [300, 500) → −20%, ≥ 500 → −30%."""
    pts, flag = methods.over_achievement(D(a), D(100), D(10), TIERS, D(10))
    assert pts == D(points) and (flag is not None) is flagged


def test_over_achievement_tiers_deduct_a_share_of_the_weight_not_of_the_points():
    # a row already below full marks loses 10% of its 分值 20, i.e. 2 points
    pts, flag = methods.over_achievement(D(300), D(100), D(15), TIERS, D(20))
    assert pts == D(13) and flag == "偏离度 200%，扣分值的 10%"


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
