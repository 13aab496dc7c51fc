"""The reading shortcuts of a long text find exactly what the plain regex scan finds.

Completion rates, payment dates and date periods are looked for only near the words every match
holds (``extraction.rate_word``, ``text_checks.pay_date_word``, ``text_checks.date_range_word`` in
``kinds/fields.yaml``), and numbers by a pattern that opens with their first digit. Each shortcut
must give the matches ``finditer`` gives over the whole text: a phrasing added to a pattern that
no longer opens with one of its words makes these fail.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

from xteval import money
from xteval.audit import extraction, text_checks


def _spans(matches) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in matches]


def _random_texts(alphabet: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


RATES = ["目标任务完成率达 99%，计划完成率为101.5%", "完成率完成率达5%", "任务完成率\n达 80 %", "完成率达 %"]
PAYMENTS = ["支付款于2024年3月完成支付", "于于2023年12月5日付款", "次年2月前支付；付款时间为下年度", "结算日期为2024年1月"]
PERIODS = ["2023年1月1日至12月31日", "12 月 1 日至 3 月 31 日", "12023年1月1日至2月3日", "1" * 80 + "月1日至1月2日"]


def test_completion_rates_near_their_word_are_the_whole_scan():
    for text in RATES + _random_texts(list("目标任务计划完成率达到为是 0123456789.%,\n"), 3000, 1):
        assert _spans(extraction._rate_statements(text)) == _spans(extraction._RE.rate.finditer(text)), text


def test_payment_dates_at_their_words_are_the_whole_scan():
    for text in PAYMENTS + _random_texts(
        list("支付款结算拨于次年下一度为是在日期时间 2031月元正。;,\n") + ["2024", "次年", "下年度"], 3000, 2
    ):
        assert _spans(text_checks._pay_dates(text, 0, len(text))) == _spans(text_checks._RE.pay_date.finditer(text)), text
        half = len(text) // 2
        assert _spans(text_checks._pay_dates(text, 1, half)) == _spans(text_checks._RE.pay_date.finditer(text, 1, half)), text


def test_date_periods_before_their_month_word_are_the_whole_scan():
    for text in PERIODS + _random_texts(list("2031 年月日号至到~-—\n\tx，。") + ["2023", "12", "日至"], 3000, 3):
        assert _spans(text_checks._date_ranges(text)) == _spans(text_checks._RE.date_range.finditer(text)), text


def test_texts_dense_in_the_words_are_read_the_plain_way_with_the_same_matches():
    pay = "于" * 20_000 + "支付于2024年3月" + "于" * 100 + "次年2月x支付"
    assert len(list(text_checks._pay_dates(pay, 0, len(pay)))) == 2
    assert _spans(text_checks._pay_dates(pay, 0, len(pay))) == _spans(text_checks._RE.pay_date.finditer(pay))
    months = "月" * 30_000 + "2023年1月1日至2月3日" + "月" * 10
    assert _spans(text_checks._date_ranges(months)) == _spans(text_checks._RE.date_range.finditer(months))


# The number pattern as it was written before it opened with its first digit: an optional sign, then the look-behind.
_SIGNED = re.compile(
    rf"(?P<sign>[-−])?(?P<num>{money.NUMBER})(?:\s*(?:(?P<money>亿\s*元|万\s*元|元(?![/每])|亿(?![{money.COUNT_AFTER_MULTIPLIER}])"
    rf"|万(?![{money.COUNT_AFTER_MULTIPLIER}]))|(?P<pct>%)))?"
)


def test_numbers_with_their_sign_are_those_of_the_signed_pattern():
    for text in ["-5万元 −3% 1,234.5亿 12万人 3-2", *_random_texts(list("0123456789.,-− 万亿元%条\n a/每"), 3000, 4)]:
        found = [(w.start, w.end, w.number, w.kind) for w in money.amounts_in(text)]
        signed = []
        for m in _SIGNED.finditer(text):
            number = Decimal(m["num"].replace(",", ""))
            kind = "money" if m["money"] else "percent" if m["pct"] else "number"
            signed.append((m.start(), m.end(), -number if m["sign"] else number, kind))
        assert found == signed, text


def test_another_scripts_digit_is_every_decimal_digit_but_ascii():
    others = [c for c in map(chr, range(0x110000)) if money.OTHER_DIGIT.match(c)]
    assert others == [c for c in map(chr, range(0x110000)) if c.isdecimal() and c not in "0123456789"]
    assert "৪" in others and "８" in others  # Bengali four; the full-width eight (fold makes it ASCII before this test)


def test_a_numbers_line_is_cut_out_only_near_a_contents_mark_and_skips_the_same_numbers():
    from xteval.audit import scanner

    alphabet = list("收入支出万元第一章 0123456789.…·\n") + ["PAGEREF", "....", "……", "····", "目录", "\n" + "x" * 290]
    texts = ["第一章 总体情况........3\n收入 5 万元", "收入 12 万元" + "." * 9 + "\n" + "支" * 299 + "3", "PAGEREF _Toc1 \\h 7"]
    for text in texts + _random_texts(alphabet, 3000, 5):
        marks = scanner._toc_marks(text)
        for w in money.amounts_in(text):
            assert scanner._skip(text, w, marks) == scanner._skip(text, w), (text, w)


def test_dates_are_read_from_the_lines_that_hold_a_month_as_from_every_line():
    from xteval.audit import engine

    class Report:
        def __init__(self, text):
            self.text = text
            self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    for text in ["", "月", "\n\n月\n", "2023年3月1日\n无\n月末"] + _random_texts(list("2023年月日号\n x"), 2000, 6):
        report = Report(text)
        expected = [(i, line) for i, line in enumerate(text.split("\n")) if "月" in line]
        assert list(engine._lines_with(report, "月")) == expected, text
