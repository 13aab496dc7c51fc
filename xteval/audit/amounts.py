"""Amounts as reports write them: the number pattern, units, sentences and “其中/包括” lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import D, restated
from .kinds import pattern, patterns, piece

# The shared pieces of fields.yaml: a number as reports write it, a money unit, the lead words before a figure.
NUM = piece("NUM")
MONEY_UNIT = piece("MONEY_UNIT")
LEAD = piece("LEAD")
MONEY = pattern("amounts.money")
_RE = patterns("amounts")  # its phrasings (fields.yaml), each named by its key where it is matched


def money_value(num: str, unit: str) -> Decimal:
    """An amount as written (“1 115 814.3”, “万 元”) in 万元."""
    return D("".join(num.split()) + "".join(unit.split()))


def sentence_end(text: str, pos: int, limit: int = 400) -> int:
    """Offset of the next 。 or line break after ``pos``, looking at most ``limit`` characters."""
    m = _RE.sentence_end.search(text, pos, min(len(text), pos + limit))
    return m.start() if m else min(len(text), pos + limit)


def sentence_start(text: str, pos: int, limit: int = 400) -> int:
    """Offset just after the last 。 or line break before ``pos``, looking back at most ``limit``."""
    lo = max(0, pos - limit)
    cut = max(text.rfind("。", lo, pos), text.rfind("\n", lo, pos))
    return cut + 1 if cut >= 0 else lo


def clause_end(text: str, pos: int, limit: int = 600) -> int:
    """End of a clause: the next ； or 。 outside brackets (OCR breaks inside brackets are ignored)."""
    depth = 0
    stop = min(len(text), pos + limit)
    for i in range(pos, stop):
        ch = text[i]
        if ch in "([（【":
            depth += 1
        elif ch in ")]）】":
            depth = max(0, depth - 1)
        elif ch in ";。" and depth == 0:
            return i
    return stop


@dataclass
class Money:
    """An amount written in the text: value in 万元, unit as written, offsets, approximate or not."""

    value: Decimal
    unit: str
    s: int
    e: int
    approx: bool


@dataclass
class MoneyList:
    """A “其中/包括” list: its keyword, total and parts."""

    kw: str
    total: Money
    parts: list[Money] = field(default_factory=list)
    end: int = 0


def money_lists(text: str, *, limit: int = 60) -> list[MoneyList]:
    """Parse “X 万元，其中 A 万元，B 万元” lists, nested ones (包括 … 其中 …；) included.

    Only the stretches around a 其中/包括 are read: each runs from a 。 at least ``limit`` + 40
    characters before the word (where no list is open, and no earlier amount can be its total)
    to the 。 after it (where every list closes). A long text costs one search for the words.
    """
    done: list[MoneyList] = []
    stretch: list[int] | None = None
    for kw in _RE.list_word.finditer(text):
        if stretch is not None and kw.end() < stretch[1]:
            continue  # inside the open stretch, which the same 。 ends
        # Both searches start where the open stretch ends, so a text without 。 costs linear time.
        floor = stretch[1] - 1 if stretch is not None else 0
        start = text.rfind("。", floor, max(floor, kw.start() - limit - 40)) + 1
        end = text.find("。", kw.end())
        end = len(text) if end < 0 else end + 1
        if stretch is not None and start <= stretch[1]:
            stretch[1] = end
            continue
        if stretch is not None:
            done += _lists_in(text, *stretch, limit)
        stretch = [start, end]
    if stretch is not None:
        done += _lists_in(text, *stretch, limit)
    return done


def _lists_in(text: str, pos: int, endpos: int, limit: int) -> list[MoneyList]:
    """The lists of one stretch of text that starts and ends where no list is open."""
    done: list[MoneyList] = []
    stack: list[MoneyList] = []
    last: Money | None = None
    depth = stops = 0

    def close(n_keep: int, at: int) -> None:
        """Close open lists until ``n_keep`` remain, ending them at ``at``."""
        while len(stack) > n_keep:
            lst = stack.pop()
            lst.end = at
            done.append(lst)

    for m in _RE.list_tokens.finditer(text, pos, endpos):
        kind = m.lastgroup
        if kind == "money":
            unit = "".join(m["unit"].split())  # “万\n元” as 万元
            if _RE.threshold_after.match(text, m.end()) and _RE.bound_after.match(text[m.end() : m.end() + 4]):
                continue  # “10亿元以上”: a threshold, not an amount
            approx = bool(_RE.approx_before.search(text[max(0, m.start() - 3) : m.start()])) or bool(
                _RE.threshold_after.match(text, m.end())
            )
            tok = Money(money_value(m["num"], unit), unit, m.start(), m.end(), approx)
            if depth == 0:
                if stack:
                    stack[-1].parts.append(tok)
                last, stops = tok, 0
        elif kind == "kw":
            if depth or last is None or m.start() - last.e > limit:
                continue
            if stack and stack[-1].parts and stack[-1].parts[-1] is last:
                stack.append(MoneyList(m["kw"], last))
            elif not stack:
                stack.append(MoneyList(m["kw"], last))
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "semi" and depth == 0:
            close(1, m.start())
        elif kind == "stop":
            depth = 0
            close(0, m.start())
            stops += 1
            if stops > 1:  # a whole sentence with no amount stands between: “其中” after it lists that sentence's
                last = None  # things (分为货物类、工程类和服务类三种。其中：…), not parts of the amount before it
        elif kind == "nl" and depth == 0 and _RE.enumerator.match(text, m.end()):
            close(0, m.start())
            last = None
    close(0, endpos)
    return done


def label_before(text: str, pos: int, end: int | None = None) -> str:
    """The words just before an amount (“专项经费”), for messages; with the amount's ``end``, a part written
    amount first (“30 万元用于设备购置；”) is named by the words after it."""
    head = text[max(0, pos - 40) : pos]
    m = _RE.part_label.search(head.replace("其中", " ").replace("包括", " "))
    if m:
        return m.group(1)
    after = _RE.part_label_after.match(text, end) if end is not None else None
    return after.group(1) if after else "未命名"


def one_figure(facts: list) -> Any:
    """The fact of a field stated with one value, or with one amount and its roundings (8.27 万元 in a table, “仅 8
    万元” in a heading: :func:`xteval.money.restated`); None when absent or when the values disagree."""
    values = {f.value for f in facts}
    if len(values) == 1:
        return facts[0]
    one = restated(values) if values and all(f.unit == "万元" for f in facts) else None
    return next((f for f in facts if f.value == one), None) if one is not None else None
