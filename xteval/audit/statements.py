"""Statements the fact readers do not turn into facts, checked as the text writes them (issue 20, item 5).

* **counted lists**: “内设 3 个科室：办公室、财务股和业务股” — the count against the items listed after it;
* **a change word against its figures**: “由 50 万元增加到 45 万元” (the word says up, the figures go down), and
  “减少 12 万元，增长 8%” (an amount and its rate in one clause with opposite words, or a signed rate that
  turns the word around: 下降 -8%);
* **parts listed with 分别**: “A、B、C 分别为 30、30、29.99 万元” against the total of the sentence (共计 89.97
  万元), and against the number of names.

Each is a registered check (``statements.*`` in ``pyproject.toml``) with the quote that states it; the
phrasings are ``statements.*`` patterns in ``fields.yaml``.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import islice

from ..checks import CheckResult, Reason, Status, balance, claim, count, judged, strict_tolerance
from ..money import D
from .amounts import MONEY
from .kinds import patterns
from .reading import ReportText

_RE = patterns("statements")
# Statements of each shape read in one text: a report states some dozens; a text of a hundred thousand is
# no report (a planted or generated one), and reading every one would cost minutes, not findings.
MAX_STATEMENTS = 2_000
_NAME_BREAKS = "，,。；;：:\n"  # what the names of a “分别为” statement never hold (statements.respectively)
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _count(word: str) -> int | None:
    """A count as written: 12, 十二, 二十, 两 (1–99)."""
    if word.isdigit():
        return int(word)
    if "十" in word:
        tens, _, ones = word.partition("十")
        t = _DIGITS.get(tens, 0) if tens else 1
        o = _DIGITS.get(ones, 0) if ones else 0
        return t * 10 + o if (not tens or tens in _DIGITS) and (not ones or ones in _DIGITS) else None
    return _DIGITS.get(word) if len(word) == 1 else None


def _items(listed: str) -> list[str] | None:
    """The items of a list (A、B和C), or None when it is no closed list (an “等”, an item too long to be a name)."""
    listed = _RE.list_cut.split(listed, maxsplit=1)[0].strip()
    if not listed or listed.endswith("等") or "等" in listed[-4:]:
        return None
    items = [x for x in listed.split("、") if x.strip()]
    if items:
        items[-1:] = [x for x in _RE.last_item_split.split(items[-1]) if x.strip()]
    if len(items) < 2 or any(len(x) > 20 for x in items):
        return None
    return items


def counted_list_checks(report: ReportText) -> list[CheckResult]:
    """“设 N 个 X：A、B、C”: the count against the items listed after it (a fail when they differ)."""
    text, out = report.text, []
    for m in islice(_RE.counted_list.finditer(text), MAX_STATEMENTS):
        n, items = _count(m["n"]), _items(m["list"])
        if n is None or items is None or n < 2:
            continue
        listed = len(items)
        out.append(
            count(
                f"counted_list.L{report.line_of(m.start())}",
                "所称个数 = 其后列举项数",
                n,
                listed,
                agree=f"所称 {n} 个{m['what']}，其后列举 {listed} 项，相符",
                differ=f"列举项数不符: 所称 {n} 个{m['what']}，其后只列举 {listed} 项（{'多' if listed > n else '少'} {abs(listed - n)} 项）",
                unit="个",
                evidence=(report.evidence(m.start(), m.start("list") + len(m["list"])),),
            )
        )
    return out


def _value(num: str, unit: str | None) -> Decimal:
    """A figure of a from–to statement: money in 万元, anything else as written."""
    if unit in ("亿元", "万元", "元"):
        return D(num + unit)
    return Decimal(num.replace(",", ""))


def change_word_checks(report: ReportText) -> list[CheckResult]:
    """A change word the figures contradict: 由 A 增加到 B with B < A; 减少 N 万元，增长 Y% in one clause."""
    text, out = report.text, []
    for m in islice(_RE.from_to.finditer(text), MAX_STATEMENTS):
        ua, ub = m["ua"] or m["ub"], m["ub"] or m["ua"]
        if (ua in ("亿元", "万元", "元")) != (ub in ("亿元", "万元", "元")):
            continue
        a, b = _value(m["a"], ua), _value(m["b"], ub)
        up = bool(_RE.up_word.fullmatch(m["verb"]))
        holds = b > a if up else b < a
        out.append(
            claim(
                f"change_word.L{report.line_of(m.start())}.{m.start()}",
                "增减用词 = 前后数字的方向",
                holds,
                agree=f"“{m['verb']}”与 {m['a']} → {m['b']} 的方向相符",
                differ=f"增减用词与数字矛盾: 称“{m['verb']}”，但由 {m['a']}{m['ua'] or ''} 到 {m['b']}{m['ub'] or ''} 是{'减少' if up else '增加'}",
                expected=a,
                observed=b,
                evidence=(report.evidence(m.start(), m.end()),),
            )
        )
    for m in islice(_RE.amount_rate.finditer(text), MAX_STATEMENTS):
        up1 = bool(_RE.up_word.fullmatch(m["v1"]))
        up2 = bool(_RE.up_word.fullmatch(m["v2"])) != bool(m["sign"])  # 下降 -8% is a rise as written
        if not Decimal(m["rate"].replace(",", "")) or not Decimal(m["amt"].replace(",", "")):
            continue
        words_agree = bool(_RE.up_word.fullmatch(m["v1"])) == bool(_RE.up_word.fullmatch(m["v2"]))
        if up1 == up2:
            continue
        # Opposite words (减少 N 万元，增长 Y%) contradict each other: a fail. A signed rate under the same word
        # (下降 -8%) is more often careless writing than a rise: a warn to check.
        out.append(
            judged(
                f"change_word.L{report.line_of(m.start())}.{m.start()}",
                "增减额与增减率方向一致",
                False,
                Status.warn if words_agree else Status.fail,
                Reason.claim_contradicted,
                "",
                f"增减方向矛盾: 金额称“{m['v1']}”，比率称“{m['v2']} {m['sign'] or ''}{m['rate']}%”"
                + ("（带负号的“下降”字面上是增加，请核对）" if words_agree else ""),
                evidence=(report.evidence(m.start(), m.end()),),
            )
        )
    return out


def _total_before(report: ReportText, start: int):
    """The amount that heads a sentence's 分别 list: the last one headed by 共计/合计… between the sentence start and ``start``."""
    text = report.text
    begin = max((m.end() for m in _RE.sentence_end.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    found = None
    for m in _money_in(text, begin, start):
        if _RE.total_before.search(text, max(begin, m[1] - 16), m[1]):
            found = m
    return found


def _money_in(text: str, begin: int, end: int):
    """Money amounts between two offsets: (value in 万元, start, end)."""
    for m in MONEY.finditer(text, begin, end):
        yield D(m["num"].replace(" ", "") + "".join(m["unit"].split())), m.start(), m.end()


def _respectively(text: str):
    """The “A、B 分别为 x、y 万元” statements, found from each 分别.

    The pattern's names are a lazy run of up to 80 characters with no clause mark before the word: tried at every
    character of a long text, or searched for across a window, it costs hundreds of steps a character. Its start
    is known instead (just after the last clause mark before 分别, at most 80 characters back), so the pattern is
    matched there once.
    """
    seen, pos, tried = set(), text.find("分别"), 0
    while pos >= 0 and tried < MAX_STATEMENTS * 10:  # a 分别 that starts no statement costs a try as well
        tried += 1
        start = max(0, pos - 80, *(text.rfind(mark, max(0, pos - 80), pos) + 1 for mark in _NAME_BREAKS))
        m = _RE.respectively.match(text, start, pos + 400) if pos - start >= 2 else None
        if m is not None and m.start() not in seen:
            seen.add(m.start())
            yield m
        pos = text.find("分别", pos + 2)


def listed_parts_checks(report: ReportText) -> list[CheckResult]:
    """“A、B、C 分别为 x、y、z 万元”: as many figures as names, and their sum against the sentence's 共计 amount."""
    text, out = report.text, []
    for m in islice(_respectively(text), MAX_STATEMENTS):
        nums = [n.group(0) for n in _RE.number.finditer(m["nums"])]
        names = [x.strip() for x in _RE.name_split.split(_RE.name_lead.sub("", _RE.list_cut.split(m["names"])[-1].strip())) if x.strip()]
        line = report.line_of(m.start())
        ev = (report.evidence(m.start(), m.end()),)
        if len(names) >= 2 and len(names) != len(nums):
            out.append(
                count(
                    f"respectively.L{line}.{m.start()}.count",
                    "“分别”所列名称数 = 数字个数",
                    len(names),
                    len(nums),
                    agree="名称与数字个数相符",
                    differ=f"“分别”所列不对应: {len(names)} 个名称，{len(nums)} 个数字",
                    unit="项",
                    evidence=ev,
                    over=Status.warn,
                    reason=Reason.count_mismatch,
                )
            )
            continue
        total = _total_before(report, m.start())
        if total is None:
            continue
        parts = [(name.strip(), D(n + m["unit"])) for name, n in zip(names or [""] * len(nums), nums, strict=False)]
        out.append(
            balance(
                f"respectively.L{line}.{m.start()}",
                "“分别”所列各项之和 = 合计",
                (_RE.label_cut.split(text[max(0, total[1] - 16) : total[1]])[-1].strip() or "合计", total[0]),
                parts,
                evidence=(report.evidence(total[1], m.end()),),
                tolerance=strict_tolerance([total[0], *(v for _, v in parts)]),
            )
        )
    return out
