"""Exact numbers: money as ``Decimal`` in 万元 (:func:`D`), plain numbers (:func:`N`),
one rounding rule (:func:`half_up`) and the formats every surface uses.

Every amount in xteval goes through :func:`D`; every other number a person or a
file gives (a count, a percentage, a score, a 指标值) goes through :func:`N`.
:func:`D` understands 元, 万元 and 亿元, thousands separators, full-width digits
and punctuation, and spaces between number and unit, and it converts exactly
(decimal arithmetic, no binary float).

Floats: a Python ``float`` handed to :func:`D` (from papermill or pandas) is
converted through ``repr``, the shortest string that round-trips, so ``0.1``
becomes ``Decimal("0.1")``. YAML never produces floats at all: the params
loader reads numeric scalars straight from their source text (see
``xteval.params.load_yaml``). NaN and infinity are rejected.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "D",
    "N",
    "UNITS",
    "ZERO",
    "AmountError",
    "NumberError",
    "convert",
    "fmt",
    "fmt_count",
    "fmt_money",
    "fmt_rate",
    "half_up",
    "normalize",
]

ZERO = Decimal(0)

# Factor that turns one of the unit into 万元.
UNITS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "万元": Decimal(1),
    "万": Decimal(1),
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
}

_AMOUNT = re.compile(
    r"""^(?P<sign>[+-])?\s*[¥￥]?\s*
        (?P<int>\d{1,3}(?:,\d{3})+|\d+)
        (?:\.(?P<frac>\d+))?
        \s*(?P<unit>亿元|万元|元|万|亿)?$""",
    re.VERBOSE,
)


class AmountError(ValueError):
    """A text that is not an amount; the message says what was given."""


# Bounds on what a person or a file can hand over as a number: beyond them it is a
# mistake or an attack (``1.0e+400``, a 200,000-digit 元 string), never a budget.
MAX_INT_DIGITS = 15  # 999 万亿
MAX_FRAC_DIGITS = 30  # in a string; more is noise, not precision
MAX_TEXT = 100  # characters of a number's text (separators, unit and spaces included)


def _show(value: object) -> str:
    """A value for a one-line message: its repr, cut to 40 characters."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        return f"约 {int(value.bit_length() * 0.30103):,} 位的整数"  # repr would hit Python's int-to-text limit
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}…（共 {len(text):,} 字符）"


def _too_big(number: Decimal) -> bool:
    return bool(number) and number.is_finite() and number.adjusted() >= MAX_INT_DIGITS


def _bounded(text: str, error: type[ValueError], what: str) -> None:
    """Refuse a number's text that is too long to be a real figure, before parsing it."""
    if len(text) > MAX_TEXT:
        raise error(f"不是{what}: {_show(text)}，文本过长 (too long to be a number)")


def normalize(text: str) -> str:
    """Fold full-width forms (１２３，．) to ASCII and collapse spaces, as OCR text needs."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def _python_number(value: object) -> Decimal | None:
    """A Python number as an exact Decimal (a float through ``repr``); None for anything else, booleans included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def D(value: object, unit: str = "万元") -> Decimal:
    """Parse an amount into 万元 exactly.

    Args:
        value: ``"11168.82 万元"``, ``"1,115,814.30 元"``, ``"5.22亿元"``, a full-width
            string, an ``int``, a ``Decimal`` or a ``float`` (converted through ``repr``).
        unit: the unit of a bare number; a unit written in the string wins.

    Returns:
        The amount in 万元, as a ``Decimal``.

    Raises:
        AmountError: the value is not an amount (an exponent, more than 15 integer
            or 30 decimal digits, a text over 100 characters), or the unit is unknown.
    """
    if unit not in UNITS:
        raise AmountError(f"未知单位 {unit!r} (unknown unit)")
    number = _python_number(value)
    if isinstance(value, str):
        _bounded(value, AmountError, "金额")
        text = normalize(value).replace(" ", "")
        m = _AMOUNT.match(text)
        if not m or len(m["frac"] or "") > MAX_FRAC_DIGITS:
            raise AmountError(f"不是金额: {_show(value)} (not an amount)")
        digits = m["int"].replace(",", "") + ("." + m["frac"] if m["frac"] else "")
        number = Decimal((m["sign"] or "") + digits)
        unit = m["unit"] or unit
    elif number is None:
        raise AmountError(f"不是金额: {_show(value)} (not an amount)")
    if not number.is_finite():
        raise AmountError(f"不是有限金额: {_show(value)} (not a finite amount)")
    if _too_big(number):
        raise AmountError(f"金额超过 {MAX_INT_DIGITS} 位整数: {_show(value)} (more than {MAX_INT_DIGITS} integer digits)")
    return number * UNITS[unit]


def convert(amount_wan: Decimal, unit: str) -> Decimal:
    """Express an amount held in 万元 in another unit, exactly."""
    if unit not in UNITS:
        raise AmountError(f"未知单位 {unit!r} (unknown unit)")
    return amount_wan / UNITS[unit]


def half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half-up (GB/T 8170) to ``places`` decimals: the one rounding rule of xteval.

    ``Decimal.quantize`` and ``format(d, ".2f")`` both default to half-even, which
    shows 99.125 as 99.12; every page, message, workbook and CLI output rounds here.
    """
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(value: Decimal | int | None, places: int = 2, sep: bool = True) -> str:
    """A number as text: half-up to ``places`` decimals, with thousands separators; None is “—”."""
    if value is None:
        return "—"
    if not isinstance(value, Decimal):
        value = N(value)
    try:
        v = half_up(value, places)
    except InvalidOperation:
        return str(value)
    return f"{v:,.{places}f}" if sep else f"{v:.{places}f}"


def fmt_money(value: Decimal | None) -> str:
    """An amount in 万元 for a table: 11,191.02."""
    return fmt(value, 2)


def fmt_rate(value: Decimal | None, places: int = 2) -> str:
    """A rate in % with its sign: 99.13%."""
    return "—" if value is None else f"{fmt(value, places)}%"


def fmt_count(value: Decimal | int | None) -> str:
    """A count as an integer with separators: 1,480 (a fractional count keeps its decimals)."""
    if value is None:
        return "—"
    v = value if isinstance(value, Decimal) else N(value)
    if v == v.to_integral_value():
        return f"{int(v):,}"
    return f"{v.normalize():,f}"


# --------------------------------------------------------------------------- plain numbers


class NumberError(ValueError):
    """A text that is not a plain number; the message says what was given."""


_ASCII_PLAIN = re.compile(r"-?\d{1,15}(?:\.\d{1,30})?\Z")
_PLAIN = re.compile(r"^(?P<sign>[+-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?%?$")


def N(value: object) -> Decimal:
    """Parse a plain number (a count, a percentage, a score, a 指标值) exactly.

    Args:
        value: ``"95"``, ``"95%"``, ``"1,200.5"``, a full-width string, an ``int``,
            a ``Decimal`` or a ``float`` (converted through ``repr``).

    Returns:
        The number as a ``Decimal`` (a trailing % is dropped: ``"95%"`` is 95).

    Raises:
        NumberError: not a finite number (booleans, NaN, infinity, exponents, words,
            more than 15 integer or 30 decimal digits are refused).
    """
    number = _python_number(value)
    if isinstance(value, str):
        if _ASCII_PLAIN.match(value):  # the common case (a CSV cell): no folding needed
            return Decimal(value)
        _bounded(value, NumberError, "数值")
        text = normalize(value).replace(" ", "")
        m = _PLAIN.match(text)
        if not m or len(m["frac"] or "") > MAX_FRAC_DIGITS:
            raise NumberError(f"不是数值: {_show(value)} (not a number)")
        number = Decimal((m["sign"] or "") + m["int"].replace(",", "") + ("." + m["frac"] if m["frac"] else ""))
    elif number is None:
        raise NumberError(f"不是数值: {_show(value)} (not a number)")
    if not number.is_finite():
        raise NumberError(f"不是有限数值: {_show(value)} (not a finite number)")
    if _too_big(number):
        raise NumberError(f"数值超过 {MAX_INT_DIGITS} 位整数: {_show(value)} (more than {MAX_INT_DIGITS} integer digits)")
    return number
