"""Scoring methods: how an indicator's 完成值 becomes points, vectorised over columns.

A method takes aligned numpy object arrays of ``Decimal`` (``a`` 完成值, ``t``
指标值, ``w`` 分值) and the method's parameters, and returns unrounded
``Decimal`` points. Every operation is ``Decimal`` arithmetic on object arrays
(numpy loops in C over the objects), so no float ever enters a score; the
caller rounds half-up to 2 decimals with :func:`round2`.

Rows with a missing 完成值 never reach a method: the scorer marks them 无数据.
Bad inputs (t = 0 for a positive indicator, a qualitative score outside its
band) are found by the scorer before a method runs, so it can name row and column.

The registry is a plain dict: :func:`register` / :func:`get`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from .errors import ConfigError

__all__ = ["METHODS", "QUALITATIVE_BANDS", "get", "register", "round2", "limit", "over_achievement"]

Method = Callable[[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]], np.ndarray]
METHODS: dict[str, Method] = {}

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
CENT = Decimal("0.01")

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


def _dec(v: Any) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(str(v))


def _full(n: int, value: Decimal) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def _where(mask: np.ndarray, yes: np.ndarray, no: np.ndarray) -> np.ndarray:
    out = no.copy()
    out[mask] = yes[mask]
    return out


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den where den ≠ 0, else 0 (the caller masks those rows)."""
    nz = (den != ZERO).astype(bool)
    out = _full(len(num), ZERO)
    out[nz] = num[nz] / den[nz]
    return out


def _clip0(x: np.ndarray) -> np.ndarray:
    return _where((x < ZERO).astype(bool), _full(len(x), ZERO), x)


def round2(points: np.ndarray) -> np.ndarray:
    """Round every point value half-up to 2 decimals (None stays None)."""
    out = np.empty(len(points), dtype=object)
    out[:] = [None if p is None else p.quantize(CENT, rounding=ROUND_HALF_UP) for p in points]
    return out


@_method("positive")
def positive(a: np.ndarray, t: np.ndarray, w: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """正向: a ≥ t → w; otherwise w·a/t; a negative a counts as 0 (t > 0 is checked by the scorer)."""
    a = _clip0(a)
    return _where((a >= t).astype(bool), w, w * _safe_div(a, t))


@_method("reverse")
def reverse(a: np.ndarray, t: np.ndarray, w: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """反向: a ≤ t → w; t < a < 2t → w·(1 − (a−t)/t); a ≥ 2t → 0; t = 0: a ≤ 0 → w, else 0."""
    n = len(a)
    partial = w * (ONE - _safe_div(a - t, t))
    out = _where((a >= t + t).astype(bool), _full(n, ZERO), partial)
    out = _where((a <= t).astype(bool), w, out)
    return _clip0(out)


@_method("equal")
def equal(a: np.ndarray, t: np.ndarray, w: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """等于: a = t → w; otherwise w·max(0, 1 − |a−t|/|t|); t = 0: a = 0 → w, else 0."""
    n = len(a)
    diff = np.abs(a - t)
    share = _clip0(ONE - _safe_div(diff, np.abs(t)))
    out = w * share
    out = _where((t == ZERO).astype(bool), _full(n, ZERO), out)
    return _where((a == t).astype(bool), w, out)


@_method("qualitative")
def qualitative(a: np.ndarray, t: np.ndarray, w: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """定性: the evaluator's score (passed as ``a``); its band was checked against the grade by the scorer."""
    return a.copy()


def qualitative_band(grade: str, w: Decimal) -> tuple[Decimal, Decimal, bool]:
    """The points range a grade allows: (low, high, high_inclusive)."""
    lo, hi = QUALITATIVE_BANDS[grade]
    return lo * w, hi * w, grade == "达成"


@_method("step")
def step(a: np.ndarray, t: np.ndarray, w: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """阶梯扣分: w − points per ``step`` of a below (or above) ``full_at``, never below 0.

    Params: ``full_at`` (default: the 指标值), ``step``, ``points``, ``direction``
    (``below`` or ``above``), ``partial`` (``floor``: an incomplete step deducts
    nothing; ``ceil``: it deducts a whole step; ``linear``: in proportion).
    """
    n = len(a)
    full_at = _full(n, _dec(p["full_at"])) if "full_at" in p else t
    gap = (full_at - a) if p.get("direction", "below") == "below" else (a - full_at)
    steps = _clip0(gap) / _dec(p["step"])
    mode = p.get("partial", "floor")
    if mode in ("floor", "ceil"):
        rounding = ROUND_FLOOR if mode == "floor" else ROUND_CEILING
        steps = np.array([s.to_integral_value(rounding=rounding) for s in steps], dtype=object)
    elif mode != "linear":
        raise ConfigError(f"partial 应为 floor / ceil / linear (got {mode!r})", field="partial")
    return _clip0(w - steps * _dec(p["points"]))


@_method("band")
def band(a: np.ndarray, t: np.ndarray, w: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """分档: the first band whose bounds (``eq``, ``gt``, ``ge``, ``lt``, ``le``) hold gives its ``points``; none → 0."""
    n = len(a)
    out = _full(n, ZERO)
    done = np.zeros(n, dtype=bool)
    ops = {"eq": np.equal, "gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}
    for b in p["bands"]:
        mask = ~done
        for key, op in ops.items():
            if key in b:
                mask &= op(a, _dec(b[key])).astype(bool)
        out[mask] = _dec(b["points"])
        done |= mask
    return out


def limit(points: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Apply the ``cap`` and ``floor`` (in points) a method's params may set."""
    out = points
    if "cap" in p:
        cap = _dec(p["cap"])
        out = _where((out > cap).astype(bool), _full(len(out), cap), out)
    if "floor" in p:
        floor = _dec(p["floor"])
        out = _where((out < floor).astype(bool), _full(len(out), floor), out)
    return out


def over_achievement(
    a: np.ndarray, t: np.ndarray, w: np.ndarray, points: np.ndarray, rule: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """偏离度: rows where a ≥ ratio·t (t > 0); optionally deduct ``deduct`` points from them.

    Returns:
        (points after any deduction, boolean mask of the flagged rows).
    """
    ratio = _dec(rule.get("ratio", "1.3"))
    flagged = ((t > ZERO) & (a >= t * ratio)).astype(bool)
    deduct = _dec(rule.get("deduct", 0))
    if deduct and flagged.any():
        points = points.copy()
        points[flagged] = _clip0(points[flagged] - deduct)
    return points, flagged
