"""Money as ``Decimal`` in 万元, built by one constructor.

Every amount in xteval goes through :func:`D`. It understands 元, 万元 and 亿元,
thousands separators, full-width digits and punctuation, and spaces between
number and unit, and it converts exactly (decimal arithmetic, no binary float).

Floats: a Python ``float`` handed to :func:`D` (from papermill or pandas) is
converted through ``repr``, the shortest string that round-trips, so ``0.1``
becomes ``Decimal("0.1")``. YAML never produces floats at all: the params
loader reads numeric scalars straight from their source text (see
``xteval.schema.load_yaml``). NaN and infinity are rejected.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["D", "UNITS", "AmountError", "convert", "fmt", "normalize", "q2", "ZERO"]

ZERO = Decimal(0)
CENT = Decimal("0.01")

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


def normalize(text: str) -> str:
    """Fold full-width forms (１２３，．) to ASCII and collapse spaces, as OCR text needs."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def D(value: object, unit: str = "万元") -> Decimal:
    """Parse an amount into 万元 exactly.

    Args:
        value: ``"11168.82 万元"``, ``"1,115,814.30 元"``, ``"5.22亿元"``, a full-width
            string, an ``int``, a ``Decimal`` or a ``float`` (converted through ``repr``).
        unit: the unit of a bare number; a unit written in the string wins.

    Returns:
        The amount in 万元, as a ``Decimal``.

    Raises:
        AmountError: the value is not an amount, or the unit is unknown.
    """
    if unit not in UNITS:
        raise AmountError(f"未知单位 {unit!r} (unknown unit)")
    if isinstance(value, bool):
        raise AmountError(f"不是金额: {value!r} (not an amount)")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = normalize(value).replace(" ", "")
        m = _AMOUNT.match(text)
        if not m:
            raise AmountError(f"不是金额: {value!r} (not an amount)")
        digits = m["int"].replace(",", "") + ("." + m["frac"] if m["frac"] else "")
        number = Decimal((m["sign"] or "") + digits)
        unit = m["unit"] or unit
    else:
        raise AmountError(f"不是金额: {value!r} (not an amount)")
    if not number.is_finite():
        raise AmountError(f"不是有限金额: {value!r} (not a finite amount)")
    return number * UNITS[unit]


def convert(amount_wan: Decimal, unit: str) -> Decimal:
    """Express an amount held in 万元 in another unit, exactly."""
    if unit not in UNITS:
        raise AmountError(f"未知单位 {unit!r} (unknown unit)")
    return amount_wan / UNITS[unit]


def q2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals: 万元 to the hundred yuan, or points to 0.01."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, places: int = 2, sep: bool = True) -> str:
    """Format for a table: half-up to ``places`` decimals, thousands separators."""
    if value is None:
        return "—"
    try:
        v = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"{v:,.{places}f}" if sep else f"{v:.{places}f}"
