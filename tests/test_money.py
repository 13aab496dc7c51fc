from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xteval.money import UNITS, AmountError, D, N, NumberError, convert, fmt, fmt_count, fmt_money, fmt_rate, half_up


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11168.82 万元", "11168.82"),
        ("11168.82万元", "11168.82"),
        ("3343659.05 元", "334.365905"),
        ("1,115,814.30 元", "111.581430"),
        ("1115814.3元", "111.58143"),
        ("5.22亿元", "52200"),
        ("5.22 亿", "52200"),
        ("０.６５万元", "0.65"),  # full-width digits
        ("１，１１５，８１４．３０ 元", "111.581430"),  # full-width separators and point
        ("1 115 814.30 元", "111.581430"),  # OCR spaces inside the number
        ("¥1,000.00元", "0.1"),
        ("22.2", "22.2"),  # bare number: 万元 by default
        ("-2.00 万元", "-2.00"),
        ("0 万元", "0"),
    ],
)
def test_parse_table(text, expected):
    assert D(text) == Decimal(expected)


@pytest.mark.parametrize("bad", ["abc", "", "1,11,5 元", "12.3.4", "5 美元", "万元", "1e5", "NaN", None, True, [1]])
def test_parse_rejects(bad):
    with pytest.raises(AmountError):
        D(bad)


def test_bare_number_takes_given_unit():
    assert D("3343659.05", unit="元") == Decimal("334.365905")
    assert D(5, unit="亿元") == Decimal(50000)


def test_written_unit_wins_over_default():
    assert D("100 元", unit="亿元") == Decimal("0.01")


def test_float_goes_through_repr_not_binary():
    # Decimal(0.1) would be 0.1000000000000000055511151231257827...
    assert D(0.1) == Decimal("0.1")
    assert D(11168.82) == Decimal("11168.82")
    with pytest.raises(AmountError):
        D(float("nan"))


def test_unknown_unit():
    with pytest.raises(AmountError):
        D("1", unit="美元")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_conversion_round_trips_exactly(yuan):
    wan = D(f"{yuan} 元")
    assert convert(wan, "元") == yuan
    assert D(convert(wan, "亿元"), unit="亿元") == wan


def test_units_are_exact_powers_of_ten():
    assert UNITS["元"] * 10000 == UNITS["万元"] == UNITS["亿元"] / 10000


def test_half_up_rounding_and_format():
    assert half_up(Decimal("0.125")) == Decimal("0.13")  # banker's rounding would give 0.12
    assert fmt(Decimal("11191.015")) == "11,191.02"
    assert fmt(None) == "—"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("95", "95"), ("95%", "95"), ("１，２００．５", "1200.5"), ("1,200.5", "1200.5"), ("-3.25", "-3.25"), (7, "7"), (0.1, "0.1")],
)
def test_plain_numbers(value, expected):
    assert N(value) == Decimal(expected)


@pytest.mark.parametrize("bad", ["abc", "", "1e5", "NaN", "inf", "1,2,3", "12.3.4", "5 万", None, True, [1], float("nan")])
def test_plain_numbers_reject(bad):
    with pytest.raises(NumberError):
        N(bad)


@pytest.mark.parametrize(
    ("fn", "value", "shown"),
    [
        (fmt_count, Decimal(1480), "1,480"),
        (fmt_count, 3, "3"),
        (fmt_rate, Decimal("99.125"), "99.13%"),
        (fmt_money, Decimal("1115814.305"), "1,115,814.31"),
    ],
)
def test_formats(fn, value, shown):
    assert fn(value) == shown


# --------------------------------------------------------------------------- bounds: a number too big to be a figure

BEYOND = [
    ("1.0e+400", "not an amount"),  # an exponent is never an amount
    ("1" * 16 + " 元", "more than 15 integer digits"),
    ("1,234,567,890,123,456", "more than 15 integer digits"),
    ("1" * 200_000 + " 元", "too long"),  # refused before it is parsed
    ("0." + "1" * 31, "not an amount"),  # more than 30 decimals
    (Decimal("1E+400"), "more than 15 integer digits"),
    (10**5000, "more than 15 integer digits"),  # past Python's int-to-text limit, still one message
]


@pytest.mark.parametrize(
    ("value", "reason"),
    BEYOND,
    ids=["exponent", "16-digits", "16-digits-separators", "200000-digits", "31-decimals", "Decimal-1E400", "int-5000-digits"],
)
def test_amounts_beyond_any_budget_are_refused_in_one_short_message(value, reason):
    with pytest.raises(AmountError, match=reason) as err:
        D(value)
    assert len(str(err.value)) < 200  # the value is quoted cut, not whole
    with pytest.raises(NumberError) as err:
        N(value)
    assert len(str(err.value)) < 200


@pytest.mark.parametrize("value", ["999999999999999", "999,999,999,999,999.99 元", "0." + "1" * 30, Decimal("-999999999999999")])
def test_fifteen_integer_digits_are_still_an_amount(value):
    assert D(value) == D(value)  # parses, exactly
