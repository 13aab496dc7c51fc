"""Scoring methods: how one indicator's 完成值 becomes points.

A method is a plain function of ``Decimal`` values: ``a`` 完成值, ``t`` 指标值,
``w`` 分值 and the method's parameters from the framework file; it returns the
unrounded points. No float ever enters a score; the engine rounds half-up to 2
decimals (:func:`xteval.money.half_up`). Plain functions over rows measured
faster than numpy object arrays (which only loop over Python objects anyway).

Rows with a missing 完成值 never reach a method: the engine marks them 无数据.
Bad inputs (t = 0 for a positive indicator, a qualitative score outside its
band) are found by the engine before a method runs, so it can name row and column.

The registry is a plain dict: :func:`register` / :func:`get`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from ..errors import ConfigError
from ..money import N, half_up

__all__ = ["METHODS", "PARTIAL", "QUALITATIVE_BANDS", "get", "limit", "over_achievement", "partial_mode", "register", "step_alternatives"]

Method = Callable[[Decimal, Decimal, Decimal, dict[str, Any]], Decimal]
METHODS: dict[str, Method] = {}

ZERO, ONE = Decimal(0), Decimal(1)

# 定性指标: grade → [low, high) share of the weight; 达成 includes its upper end (= w).
QUALITATIVE_BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "达成": (Decimal("0.8"), ONE),
    "部分达成": (Decimal("0.6"), Decimal("0.8")),
    "未达成": (ZERO, Decimal("0.6")),
}


def register(name: str, method: Method) -> Method:
    """Register a scoring method under ``name`` (returns it, so it works as a decorator helper)."""
    METHODS[name] = method
    return method


def get(name: str) -> Method:
    """The scoring method registered as ``name``; the error names the key and the known ones."""
    try:
        return METHODS[name]
    except KeyError:
        raise ConfigError(f"未知评分方法 {name!r} (unknown scoring method; known: {', '.join(sorted(METHODS))})") from None


def _method(name: str):
    def deco(fn: Method) -> Method:
        return register(name, fn)

    return deco


@_method("positive")
def positive(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> Decimal:
    """正向: a ≥ t → w; otherwise w·a/t; a negative a counts as 0 (t > 0 is checked by the engine)."""
    if a >= t:
        return w
    return w * a / t if a > ZERO else ZERO


@_method("reverse")
def reverse(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> Decimal:
    """反向: a ≤ t → w; above t by the framework's chosen ``formula`` (both are conventions, not 10号 clauses).

    - ``linear`` (default, xteval's convention): t < a < 2t → w·(1 − (a−t)/t); a ≥ 2t → 0.
    - ``ratio`` (a 自评表 填报说明 in practice): a > t → w·t/a.

    t = 0: a ≤ 0 → w, else 0 under either formula.
    """
    if a <= t:
        return w
    if t == ZERO:
        return ZERO
    formula = p.get("formula", "linear")
    if formula == "ratio":
        return w * t / a
    if formula != "linear":
        raise ConfigError(f"反向指标 formula 应为 linear 或 ratio (got {formula!r})", field="formula")
    if a >= t + t:
        return ZERO
    return max(ZERO, w * (ONE - (a - t) / t))


@_method("equal")
def equal(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> Decimal:
    """等于: a = t → w; otherwise w·max(0, 1 − |a−t|/|t|); t = 0: a = 0 → w, else 0."""
    if a == t:
        return w
    if t == ZERO:
        return ZERO
    return w * max(ZERO, ONE - abs(a - t) / abs(t))


@_method("qualitative")
def qualitative(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> Decimal:
    """定性: the evaluator's score (passed as ``a``); its band was checked against the grade by the engine."""
    return a


def qualitative_band(grade: str, w: Decimal) -> tuple[Decimal, Decimal, bool]:
    """The points range a grade allows: (low, high, high_inclusive)."""
    lo, hi = QUALITATIVE_BANDS[grade]
    return lo * w, hi * w, grade == "达成"


# How a step rule ("每超过一个百分点扣 x 分") counts an incomplete step; the framework names its choice.
PARTIAL = {
    "per_full_step": ROUND_FLOOR,  # 按整步扣：不足一步不扣 (floor)
    "per_started_step": ROUND_CEILING,  # 按起步扣：不足一步按一步扣 (ceil)
    "proportional": None,  # 按比例扣
}
PARTIAL_ALIASES = {"floor": "per_full_step", "ceil": "per_started_step", "linear": "proportional"}
PARTIAL_LABELS = {"per_full_step": "按整步扣", "per_started_step": "不足一步按一步扣", "proportional": "按比例扣"}


def partial_mode(p: dict[str, Any]) -> str:
    """The canonical name of a step rule's ``partial`` setting (old names floor/ceil/linear accepted)."""
    mode = str(p.get("partial", "per_full_step"))
    mode = PARTIAL_ALIASES.get(mode, mode)
    if mode not in PARTIAL:
        raise ConfigError(f"partial 应为 {' / '.join(PARTIAL)} (got {mode!r})", field="partial")
    return mode


@_method("step")
def step(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> Decimal:
    """阶梯扣分: w − ``points`` per ``step`` of a below (or above) ``full_at``, never below 0.

    Params: ``full_at`` (default: the 指标值), ``step``, ``points``, ``direction``
    (``below`` or ``above``), ``partial`` (``per_full_step``: an incomplete step
    deducts nothing; ``per_started_step``: it deducts a whole step;
    ``proportional``: in proportion; see :data:`PARTIAL`).
    """
    full_at = N(p["full_at"]) if "full_at" in p else t
    gap = (full_at - a) if p.get("direction", "below") == "below" else (a - full_at)
    steps = max(ZERO, gap) / N(p["step"])
    rounding = PARTIAL[partial_mode(p)]
    if rounding is not None:
        steps = steps.to_integral_value(rounding=rounding)
    return max(ZERO, w - steps * N(p["points"]))


def step_alternatives(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> dict[str, Decimal]:
    """A step rule's points under each way of counting an incomplete step (they differ only on a part step)."""
    return {mode: step(a, t, w, {**p, "partial": mode}) for mode in PARTIAL}


_BOUNDS = {
    "eq": Decimal.__eq__,
    "gt": Decimal.__gt__,
    "ge": Decimal.__ge__,
    "lt": Decimal.__lt__,
    "le": Decimal.__le__,
}


@_method("band")
def band(a: Decimal, t: Decimal, w: Decimal, p: dict[str, Any]) -> Decimal:
    """分档: the first band whose bounds (``eq``, ``gt``, ``ge``, ``lt``, ``le``) hold gives its ``points``; none → 0."""
    for b in p["bands"]:
        if all(op(a, N(b[key])) for key, op in _BOUNDS.items() if key in b):
            return N(b["points"])
    return ZERO


def limit(points: Decimal, p: dict[str, Any]) -> Decimal:
    """Apply the ``cap`` and ``floor`` (in points) a method's params may set."""
    if "cap" in p:
        points = min(points, N(p["cap"]))
    if "floor" in p:
        points = max(points, N(p["floor"]))
    return points


def over_achievement(a: Decimal, t: Decimal, points: Decimal, rule: dict[str, Any], w: Decimal | None = None) -> tuple[Decimal, str | None]:
    """偏离度 of a positive indicator whose 完成值 exceeds its 指标值, by the framework's chosen rule.

    Rules (``rule["method"]``):

    - ``flag`` (default): a ≥ ``ratio``·t (t > 0) flags the row; ``deduct`` points may be taken off.
    - ``tiers``: deviation d = (a − t) ÷ t × 100; the first tier whose bounds hold takes
      its ``deduct`` share of the 分值 ``w`` off the points.
    - ``none``: nothing.

    Returns:
        (points after any deduction, the flag text or None).
    """
    method = rule.get("method", "flag")
    if method == "none" or t <= ZERO:
        return points, None
    if method == "flag":
        ratio = N(rule.get("ratio", "1.3"))
        if a < t * ratio:
            return points, None
        label = f"偏离度≥{format((ratio * 100).normalize(), 'f')}%"
        return max(ZERO, points - N(rule.get("deduct", 0))), label
    if method != "tiers":
        raise ConfigError(f"偏离度规则 method 应为 flag / tiers / none (got {method!r})", field="over_achievement")
    d = (a - t) / t * 100
    for tier in rule["tiers"]:
        if all(op(d, N(tier[key])) for key, op in _BOUNDS.items() if key in tier):
            share = N(tier["deduct"])
            base = points if w is None else w
            pct = format((share * 100).normalize(), "f")
            return max(ZERO, points - base * share), f"偏离度 {format(half_up(d, 0), 'f')}%，扣分值的 {pct}%"
    return points, None
