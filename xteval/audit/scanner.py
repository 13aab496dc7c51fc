"""The one scanner: a report's text as tokens, each number with its value, unit, line, label and section.

A token is a number as the report writes it, found by :func:`xteval.money.amounts_in` (the
unit table of the core), and typed here: money (in 万元), percent, points (分), a count with its
unit (个, 人次, 辆…), or a bare number (a table cell). Each token carries:

* its **label**: the clause before it (back to the previous punctuation, bracket, cell
  separator or number), without the lead words that stand between a label and its figure
  (为, 是, 达, 约…); a label broken by a line wrap is read whole;
* its **sentence**: the text since the last 。 or paragraph break, for the context words
  (比上年, 三公, 其中…) that decide what a figure is;
* its **section**: the headings it sits under (一、… （一）… 1. …).

Years (2023 年), dates, list markers (1、) and page numbers are not tokens.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from ..files.sections import heading_paths, heading_pattern, headings
from ..money import UNITS, amounts_in
from .kinds import patterns, piece

# Units after a number that make it a count (fields.yaml's piece COUNT_UNITS, longest first); 分 is points unless 分钟.
COUNT_UNITS = piece("COUNT_UNITS")
_RE = patterns("scanner")  # its phrasings (fields.yaml), each named by its key where it is matched
_CELLS = patterns("cells")  # a form's row labels whose figure stands on the next line (人员编制 / 21)
_HEADING = heading_pattern()  # the headings of xteval/files/text.yaml: the sections are the files layer's reading
_TERMINAL = "。！？!?"
_CLAUSE_STOPS = "，,。；;：:、（）()【】[]|\t\n！？!?《》"


class _lazy:
    """A computed attribute stored in the instance on first read.

    ``functools.cached_property`` does the same, but on Python 3.11 it takes a lock on every
    first read; a 10 MB report reads a few hundred thousand of these, in one thread.
    """

    def __init__(self, compute):
        self.compute, self.__doc__ = compute, compute.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.compute(obj)
        return value


@dataclass
class Token:
    """A number of the report with what surrounds it."""

    value: Decimal  # money in 万元; a percent, count, points or bare number as written
    kind: str  # money | percent | points | count | number
    unit: str  # 万元/元/亿元, %, 分, the count's unit, or "" (bare)
    number: Decimal  # as written, before unit conversion
    start: int
    end: int  # end of the unit
    line: int
    label: str = ""  # the clause before, lead words removed, quotes and spaces dropped
    raw_label: str = ""  # the clause before as written (for sign and mode words)
    sentence_start: int = 0
    index: int = 0
    prev_end: int = 0  # where the previous token ends
    scan: Scan | None = field(default=None, repr=False, compare=False)

    # What surrounds a token is read when a reader asks (a long text has a million numbers, most
    # of which need only their label).

    @_lazy
    def sentence(self) -> str:
        """The sentence up to the token."""
        return _sentence(self.scan.text, self.start)[1]

    @_lazy
    def section(self) -> str:
        """The headings above the token, outermost first."""
        return _section(self.scan.heading_paths, self.scan.heading_offsets, self.start)

    @_lazy
    def after(self) -> str:
        """The few characters after the token (以上, 以下, ）…)."""
        return self.scan.text[self.end : self.end + 8]

    @_lazy
    def cell(self) -> bool:
        """A number alone in a table cell."""
        return _is_cell(self.scan.text, self.start, self.end)

    @_lazy
    def between(self) -> str:
        """The text since the previous token (where 其中 / 包括 stand)."""
        text = self.scan.text
        return text[self.prev_end : self.start] if self.prev_end else text[max(0, self.start - 60) : self.start]

    @_lazy
    def in_brackets(self) -> bool:
        """Inside （…） in its sentence: an aside (预算 6.00 万元), not the subject."""
        head = self.sentence
        return head.count("(") + head.count("（") > head.count(")") + head.count("）")

    @property
    def quote_span(self) -> tuple[int, int]:
        """Offsets of label + figure, for evidence."""
        return self.start - len(self.raw_label), self.end


@dataclass
class Scan:
    """A scanned text: its tokens in order, the line starts and the section headings."""

    text: str
    tokens: list[Token] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)
    headings: list[tuple[int, int, str]] = field(default_factory=list)  # (offset, depth, title)
    heading_offsets: list[int] = field(default_factory=list)
    heading_paths: list[str] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)


def _section(paths: list[str], offsets: list[int], pos: int) -> str:
    """The heading path above an offset."""
    i = bisect.bisect_right(offsets, pos) - 1
    return paths[i] if i >= 0 else ""


def _kind(text: str, w, end: int) -> tuple[str, str, int]:
    """The kind, unit and end of a number that :func:`amounts_in` left bare (count, points) or typed."""
    if w.kind != "number":
        return w.kind, w.unit, end
    if _RE.points_before.search(text, max(0, w.start - 12), w.start):
        return "points", "分", end  # 自评总分(分)97.6部门…: the score, whatever word follows it
    m = _RE.count_after.match(text, end)
    if m:
        return "count", m["u"], m.end()
    m = _RE.points_after.match(text, end)
    if m:
        return "points", "分", m.end()
    return "number", "", end


_TOC_MARKS = ("PAGEREF", "....", "……", "····")  # what a table of contents' line holds (the first alone marks one)


def _toc_marks(text: str) -> list[int]:
    """Where a table-of-contents mark starts, in order: a number far from all of them needs no line cut out."""
    found = []
    for mark in _TOC_MARKS:
        i = text.find(mark)
        while i >= 0:
            found.append(i)
            i = text.find(mark, i + 1)  # overlapping too: a run of dots may start anywhere in the window
    return sorted(found)


def _skip(text: str, w, marks: list[int] | None = None) -> bool:
    """Years, dates, times, list markers and identifiers are not figures.

    ``marks``: :func:`_toc_marks` of the text, when the caller reads many numbers (the line of each is cut out only
    near one).
    """
    s, e = w.start, w.end
    before, after = text[max(0, s - 1) : s], text[e : e + 2]
    if w.kind == "number":
        if _RE.year_after.match(text, e) and Decimal(1900) <= w.number <= Decimal(2100):
            return True
        if _RE.month_day_after.match(text, e) or _RE.slash_after.match(text, e) or _RE.marker_after.match(after):
            return True
        if before in ("〔", "[", "第", "_", "-", "—", "图", "表", "件") or after[:1] in ("号", "〕", "]", "_"):
            return True
        if (marks is None or _near_a_mark(marks, s, e)) and _contents_line(text, s, e):
            return True
        if before.isascii() and before.isalpha():  # 510000_0013zp, Toc16112, PAGEREF
            return True
    return False


def _near_a_mark(marks: list[int], s: int, e: int) -> bool:
    """Whether a contents mark starts within the 300 characters either side that bound a number's line."""
    i = bisect.bisect_left(marks, s - 300)
    return i < len(marks) and marks[i] < e + 300


def _contents_line(text: str, s: int, e: int) -> bool:
    """Whether the number at ``s``–``e`` stands on a table of contents' line (a field code, or dot leaders then a page)."""
    line_start = max(text.rfind("\n", max(0, s - 300), s) + 1, s - 300, 0)
    line_end = text.find("\n", e, e + 300)
    line = text[line_start : line_end if line_end >= 0 else min(len(text), e + 300)]
    return "PAGEREF" in line or (("...." in line or "……" in line or "····" in line) and bool(_RE.toc_end.search(line)))


def scan(text: str, line_starts: list[int] | tuple[int, ...]) -> Scan:
    """Tokens of a normalised text (see :func:`xteval.audit.reading.prepare`), in order."""
    starts = list(line_starts)
    sc = Scan(text, line_starts=starts)
    sc.headings = headings(text)
    sc.heading_offsets = [h[0] for h in sc.headings]
    sc.heading_paths = heading_paths(sc.headings)
    prev_end = 0
    n = len(text)
    marks = _toc_marks(text)
    for w in amounts_in(text):
        if (w.start == 0 or text[w.start - 1] == "\n") and (w.end == n or text[w.end] == "\n") and w.kind == "number":
            if not _count_label_above(text, w.start):
                continue  # a number alone on its line: a table cell for the form reader, or a page number; no label to read
        if _skip(text, w, marks):
            continue
        kind, unit, end = _kind(text, w, w.end)
        tok = Token(w.value, kind, unit, w.number, w.start, end, bisect.bisect_right(starts, w.start))
        tok.raw_label, tok.label = _label(text, w.start, prev_end, starts)
        tok.sentence_start, tok.__dict__["sentence"] = _sentence(text, w.start)  # the cached property, filled at once
        tok.index, tok.prev_end, tok.scan = len(sc.tokens), prev_end, sc
        if not tok.label and kind == "number":
            above = _count_label_above(text, w.start)  # 人员编制 / (blank) / 21: the form's row label
            tok.label = above if above and tok.cell else tok.label
        sc.tokens.append(tok)
        prev_end = end
    _pairs(text, sc.tokens)
    return sc


def _count_label_above(text: str, start: int) -> str:
    """The staff form's row label (人员编制, 实有人数) a number is the cell of, else "": the cell just before it on its
    line (人员编制 | 21), or the filled line above when the number stands alone on its line (人员编制 / 21)."""
    head = text[max(0, start - 40) : start].rstrip()
    head = head[:-1].rstrip() if head.endswith("|") else head  # one cell separator, never an empty cell between
    cell = head[max(head.rfind("\n"), head.rfind("|"), head.rfind("\t")) + 1 :].strip()
    return cell if _CELLS.count_label.fullmatch(cell) else ""


def _pairs(text: str, tokens: list[Token]) -> None:
    """“各是 A，B 万元”: a bare number followed at once by an amount takes that amount's unit."""
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.kind == "number" and b.kind in ("money", "percent") and _RE.pair_gap.fullmatch(text, a.end, b.start):
            a.kind, a.unit = b.kind, b.unit
            a.value = a.number * UNITS[b.unit] if b.kind == "money" else a.number


def _is_cell(text: str, start: int, end: int) -> bool:
    """A number alone between cell separators (tab, |, a run of spaces, a line break)."""
    return bool(_RE.cell_before.search(text[max(0, start - 4) : start]) and _RE.cell_after.match(text[end : end + 4]))


@functools.lru_cache(maxsize=1 << 16)  # labels repeat (收入, 支出, the same row of every table): each is cleaned once
def _clean(label: str) -> str:
    """A label for matching: no quotes, spaces, enumerators, 其中/包括 or lead words."""
    label = _RE.quotes.sub("", label).replace("收、支", "收支")
    label = _RE.enumerator.sub("", label)
    label = _RE.list_word.sub("", label)
    prev = None
    while prev != label:
        prev = label
        label = _RE.lead.sub("", label)
    return label


def _label(text: str, pos: int, prev_end: int, starts: list[int]) -> tuple[str, str]:
    """The clause before ``pos`` as written, and cleaned for matching."""
    lo = max(prev_end, pos - 60)
    i = pos
    while i > lo:
        ch = text[i - 1]
        if ch == "\n":
            # a label broken by a line wrap: the line so far holds almost nothing and the line above ends mid-clause
            here = text[i:pos].strip()
            above = text[i - 2 : i - 1]
            line_above = text[max(text.rfind("\n", max(0, i - 200), i - 1) + 1, i - 200, 0) : i - 1]
            wrapped = len(line_above) >= 20 and "\t" not in line_above and "|" not in line_above and not _is_title(line_above)
            if _HEADING.match(text[i:pos]):
                break  # a line that opens with an enumerator (1. 卫生健康支出…) starts a clause of its own
            if (len(here) < 4 or wrapped) and above and not _RE.ends_line.match(above):
                i -= 1
                continue
            break
        if ch == "、" and text[i - 2 : i - 1] == "收" and text[i : i + 1] == "支":
            i -= 1
            continue
        if ch in ")）":  # a short bracket inside a label: 因公出国(境)费, 维修(护)费
            j = max(text.rfind("(", max(lo, i - 5), i - 1), text.rfind("（", max(lo, i - 5), i - 1))
            if j >= 0 and j > lo and text[j - 1 : j] not in _CLAUSE_STOPS and not _RE.digit.search(text, j, i):
                i = j
                continue
        if ch in _CLAUSE_STOPS:
            break
        i -= 1
    if i == pos and i > lo and text[i - 1] == "\t":  # a table cell: its label is the cell before
        j = i - 1
        while j > lo and text[j - 1] not in "\t\n|":
            j -= 1
        i = j
    raw = text[i:pos]
    cleaned = _clean(raw.replace("\n", "").rstrip("\t"))
    if not cleaned and i > lo and text[i - 1] in "：:":  # “收入：792.22”: the label stands before the colon
        j = i - 1
        while j > lo and text[j - 1] not in _CLAUSE_STOPS:
            j -= 1
        raw = text[j:pos]
        cleaned = _clean(raw.replace("\n", "").rstrip(":："))
    return raw, cleaned


def _is_title(line: str) -> bool:
    """A heading line (六、…基本支出决算情况说明): a whole title, not a paragraph's line a wrap cut mid-clause.

    A wrapped paragraph that opens with a marker (1.本年收入合计 500 万元，其中… / （二）…6.45 万元。其中:公) runs on
    past a comma or a full stop.
    """
    return bool(_HEADING.match(line)) and not any(c in line for c in "，,；;。")


def _sentence(text: str, pos: int, limit: int = 300) -> tuple[int, str]:
    """Where the sentence of ``pos`` starts, and its text up to ``pos``: since the last 。 or blank line."""
    lo = max(0, pos - limit)
    cut = max(text.rfind("。", lo, pos), text.rfind("\n\n", lo, pos))
    begin = cut + 1 if cut >= 0 else lo
    chunk = text[begin:pos]
    # a hard line break ends a sentence unless the line above was cut mid-clause by a wrap
    parts = chunk.split("\n")
    keep = [parts[-1]]
    # a first part that opens after a 。 on its line (“…的项目资金。较” / “2022年度决算数增加 X”) is mid-paragraph: no heading
    mid = cut >= 0 and text[cut] == "。"
    for i in range(len(parts) - 2, -1, -1):
        p = parts[i]
        if p and p[-1] not in _TERMINAL and (len(p) >= 20 or i == 0 and mid) and "\t" not in p and "|" not in p:
            keep.append(p)
        else:
            break
    body = "".join(reversed(keep))
    return pos - len("\n".join(reversed(keep))), body
