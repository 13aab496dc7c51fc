"""The extraction engine: tokens of the scanner become facts, field ids as the document kinds name them.

For each token, in order:

1. **What it says about another figure** (the kind YAML's ``modifiers``): a change on last year
   (比上年增加 X 万元 → ``F.change`` = +X; 下降 Y% → ``F.change_rate`` = −Y), last year's figure
   (上年 X → ``F.previous``), a share (占 X% → ``F.share``), a rate of the budget
   (完成预算的 Y% → ``F.budget_rate``), a difference from the budget (决算数大于预算数 N →
   ``F.budget_diff``). F is the figure the clause names, else the last figure of the sentence.
   A change is never a total.
2. **Which field it is**: among the labels of ``fields.yaml`` that end near the figure, the
   longest; 三公 figures by part (公务接待费…) and mode (预算/控制数 → control, 决算/支出 → actual),
   the part and mode carried through the sentence. Only the kind's field groups are used.
3. **A named part** of a list (其中：教育支出 X 万元…) when its label is no field.

A field stated with two different values is kept twice: the reconciliation reports it as
``ambiguous``, it never picks one.

**When two readings of one field disagree**, one rule decides, the same for every field (money
figures, 三公 figures and parts, stated rates and counts, claims): the engine's reading wins. A
field it read once is taken as read; a field it read with two values stays empty (the ambiguity is
the finding); only a field it did not read at all may be filled by the seed template's phrasing
(``template`` in ``dept_selfeval.yaml``, read by :mod:`.extraction`). Lists are not one field: the
parts of 项目支出 are the engine's named parts when it read more of them than the template's “其中”
sentence; goals are read twice on purpose, as two kinds of statement (the template's stated 完成率,
the engine's 指标值 with its 完成值), and a line whose 完成率 the template read is not read again.

Every phrasing is YAML (``kinds/*.yaml``: labels, modifiers, claims, ``patterns`` by reader),
compiled once when the kinds load; this module holds the method.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import UNITS, match_key
from .amounts import one_figure
from .classitems import ClassItemReading
from .counting import CountReading
from .kinds import Kind, detect, patterns, vocabulary
from .listitems import ListItemReading
from .matcher import Matcher
from .pairs import PairReading
from .reading import ReportText
from .scanner import Token, scan
from .subjects import document_mode, subject_of, takes_subject


@dataclass
class Fact:
    """One figure of the document under a field id."""

    field: str
    value: Any  # Decimal; an ISO date string for a date; Decimal(1) for a claim
    unit: str  # 万元, %, 分, a count's unit, or "date"/"claim"
    line: int
    quote: str
    start: int
    end: int
    name: str | None = None  # a named part (教育支出)
    of: str | None = None  # the parent of a share
    label: str = ""
    token: int | None = None  # index of the token
    owner: int | None = None  # index of the fact whose 其中 list this part is in
    seq: int = -1  # position in the order the engine made its facts (-1: not the engine's)
    certain: bool = True  # False: a modifier whose subject was taken from an earlier sentence
    cell: bool = False
    # Whose figure it is, from its section, table and sentence: "" the unit's all funds (全部资金); or
    # general_budget (一般公共预算财政拨款), fiscal (财政拨款), fund_budget (政府性基金), project (a named
    # project), procurement (政府采购), operation (机关运行经费), previous (上年), unplaced (no subject could
    # be told). Two values of one field under two subjects are two facts, not an ambiguity.
    subject: str = ""
    table: str = ""  # for a table cell: "表名 / 行 / 列", its evidence

    @property
    def key(self) -> tuple[str, str | None]:
        return self.field, self.name

    @property
    def path(self) -> str:
        """The field path for ids and messages: ``expenditure.function[教育支出]``."""
        return f"{self.field}[{self.name}]" if self.name else self.field


@dataclass
class Document:
    """What the engine read from one report: its kind, year and facts."""

    report: ReportText
    kind: Kind | None
    scores: dict[str, int]
    year: int | None
    facts: list[Fact] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    tables: list[Any] = field(default_factory=list)  # the tables read as forms (:class:`.tables.ReadTable`)
    # the figures (their ``seq``) whose 其中 list holds an item the reader left unread: such a list is not complete
    lists_with_unread: set[int] = field(default_factory=set)

    def get(self, field_id: str, name: str | None = None, subject: str | None = "") -> list[Fact]:
        """Every fact of a field (and name) of one subject (the unit's all funds unless told; None: any), in text order."""
        facts = self._by_field().get(field_id, [])
        if subject is not None and any(f.subject != subject for f in facts):
            # A field that names its own subject (三公, 一般公共预算财政拨款支出) is the unit's own figure whatever
            # table states it (the 三公 table's subject is 一般公共预算): only an earlier year's is another's.
            own = subject == "" and not takes_subject(field_id)
            facts = [f for f in facts if f.subject == subject or (own and f.subject not in ("previous", "unplaced"))]
        return facts if name is None else [f for f in facts if f.name == name]

    def _by_field(self) -> dict[str, list[Fact]]:
        """Facts by field, rebuilt when facts were added (a long report has tens of thousands)."""
        if getattr(self, "_index_len", -1) != len(self.facts):
            index: dict[str, list[Fact]] = defaultdict(list)
            for f in sorted(self.facts, key=lambda f: f.start):
                index[f.field].append(f)
            self._index, self._index_len = index, len(self.facts)
        return self._index

    def one(self, field_id: str, name: str | None = None) -> Fact | None:
        """The fact of a field when the document states it with one value only; None when absent or ambiguous."""
        self._by_field()
        memo = self.__dict__.setdefault("_one", {})
        if memo.get("_len") != len(self.facts):
            memo.clear()
            memo["_len"] = len(self.facts)
        key = (field_id, name)
        if key not in memo:
            facts = self.get(field_id, name)
            memo[key] = one_figure(facts)
        return memo[key]

    @property
    def m_parts_of(self) -> set[str]:
        """Field ids whose facts are named parts of a list (教育支出, 中心项目经费…)."""
        return set(vocabulary()["parts_of"].values()) | {f for _, f in vocabulary()["_openers"]}

    def names(self, field_id: str) -> list[str]:
        """The names of a named field's parts, in order of first statement."""
        return list(dict.fromkeys(f.name for f in self.get(field_id) if f.name))


def report_year(text: str) -> int | None:
    """The year the report is about: the most frequent “20xx 年度”, else “20xx 年”, a year compared with not counted."""
    years = Counter(int(y) for y in _RE.year_of_report.findall(text[:200_000]))
    if not years:
        years = Counter(int(y) for y in _RE.year_of_report_any.findall(text[:200_000]))
    return years.most_common(1)[0][0] if years else None


# --------------------------------------------------------------------------- the engine


_RE = patterns("engine")  # its phrasings (fields.yaml), each named by its key where it is matched
_COUNTERPART = {
    "expenditure.general_budget": "expenditure.general_budget",
    "expenditure.government_fund": "expenditure.government_fund",
    "expenditure.fiscal_appropriation": "expenditure.fiscal",
    "expenditure.total": "expenditure.total",
    "income.general_budget": "income.general_budget",
    "income.government_fund": "income.government_fund",
    "income.fiscal": "income.fiscal_appropriation",
    "income.total": "income.total",
}


_GRAND = {"income.total": "income.grand_total", "expenditure.total": "expenditure.grand_total"}


def extract_facts(report: ReportText, kind: Kind | None = None) -> Document:
    """Read a prepared report into a :class:`Document`: its kind (detected unless given) and facts."""
    key = match_key(report.text[:400_000])
    detected, scores = detect(key)
    kind = kind or detected
    doc = Document(report, kind, scores, report_year(report.text))
    sc = scan(report.text, report.line_starts)
    doc.tokens = sc.tokens
    _Reader(doc, Matcher(kind, document_mode(report.text, sc.tokens[0].start if sc.tokens else 0))).run()
    _this_years_appropriation(doc)
    _claims_and_dates(doc)
    return doc


_THIS_YEARS_PARTS = {"income.general_budget", "income.government_fund", "income.state_capital"}


def _this_years_appropriation(doc: Document) -> None:
    """“财政拨款收入总计 A 万元，其中：一般公共预算财政拨款收入 B，政府性基金预算财政拨款收入 C”, B + C = A: A is this
    year's 财政拨款收入, not the 收支总计 (which adds the carryover brought in); its change and rate go with it."""
    by_seq = {f.seq: f for f in doc.facts if f.seq >= 0}
    for total in [f for f in doc.facts if f.field == "income.fiscal_grand_total" and not f.table]:
        parts = [f for f in doc.facts if f.owner == total.seq and f.seq > total.seq]
        if len(parts) < 2 or any(f.field not in _THIS_YEARS_PARTS for f in parts) or sum(f.value for f in parts) != total.value:
            continue
        first = min(f.seq for f in parts)
        for seq in range(total.seq, first):
            fact = by_seq.get(seq)
            if fact is not None and (fact is total or fact.field.startswith("income.fiscal_grand_total.")):
                fact.field = fact.field.replace("income.fiscal_grand_total", "income.fiscal_appropriation")


def _claims_and_dates(doc: Document) -> None:
    """Claims in words (the kind's ``claims`` phrases) and every calendar date, as facts."""
    from ..dates import find_dates, is_calendar_date
    from .kinds import kinds

    report = doc.report
    phrases = dict(doc.kind.claims) if doc.kind is not None else {}
    if doc.kind is None:  # a text of no known kind: the department report's phrases
        phrases = dict(kinds()["dept_selfeval"].claims)
    for name, pat in phrases.items():
        for m in pat.finditer(report.text):
            doc.facts.append(
                Fact(f"claims.{name}", Decimal(1), "claim", report.line_of(m.start()), m.group(0), m.start(), m.end(), label=name)
            )
    last_year = doc.year
    for i, line in _lines_with(report, "月"):
        if "年" not in line or ("日" not in line and "号" not in line):
            continue  # a date fact needs its day
        for d in find_dates(line, default_year=last_year, normalized=True):
            if d.year is None or d.day is None or d.year_inferred:
                continue
            last_year = d.year
            start = report.line_starts[i] + d.start
            iso = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
            doc.facts.append(Fact("date", iso, "date", i + 1, d.text, start, start + len(d.text), label="valid" if d.valid else "invalid"))
    for m in _RE.labelled_iso_date.finditer(report.text):  # a web page's 发布日期: 2024-04-26
        y, mo, day = int(m["y"]), int(m["m"]), int(m["d"])
        valid = is_calendar_date(y, mo, day)
        at = m.start("y")
        line = report.line_of(at)
        doc.facts.append(
            Fact("date", f"{y:04d}-{mo:02d}-{day:02d}", "date", line, m["iso"], at, m.end(), label="valid" if valid else "invalid")
        )


def _lines_with(report: ReportText, char: str):
    """(index, text) of each line that holds ``char``, in order: a long text's other lines are never cut out."""
    text, starts = report.text, report.line_starts
    at = text.find(char)
    while at >= 0:
        i = bisect.bisect_right(starts, at) - 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        yield i, text[starts[i] : end]
        at = text.find(char, end)


# Patterns of the per-token loop, compiled once (a long report has a few hundred thousand tokens).


class _Reader(CountReading, PairReading, ListItemReading, ClassItemReading):
    """Walks the tokens once, keeping the state of the current sentence."""

    def __init__(self, doc: Document, matcher: Matcher):
        self.doc, self.m = doc, matcher
        self.mod = matcher.mod
        self.state: dict[str, Any] = {}
        self.sentence = -1
        self.by_token: dict[int, list[Fact]] = defaultdict(list)
        self.last_base: list[Fact] = []
        self.section = self.lead = ""
        self.after_change = False  # the sentence before stated a change (比上年减少 X)
        self.last_count: Fact | None = None  # the last count of the sentence before (“共 5 个。其中…” lists its parts)
        self.project_names: set[str] = set()  # the names of the projects whose figure is read (one figure a heading)
        self.paired: set[int] = set()

    # -- helpers
    def emit(self, tok: Token, field_id: str, value: Decimal, unit: str, **extra) -> Fact:
        s, e = tok.quote_span
        f = Fact(
            field_id,
            value,
            unit,
            tok.line,
            self.doc.report.quote(s, e),
            tok.start,
            tok.end,
            label=tok.label,
            token=tok.index,
            cell=tok.cell,
            **extra,
        )
        lead = self.lead if tok.sentence_start == self.sentence else ""
        f.subject = subject_of(field_id, tok.label, lead, tok.section, self.doc.year)
        f.seq = len(self.doc.facts)
        if field_id == "expenditure.project_item":
            self.project_names.add(f.name)
        self.doc.facts.append(f)
        self.by_token[tok.index].append(f)
        return f

    def base(self) -> list[Fact]:
        """The facts of the last base figure of the sentence (what a modifier is about).

        A sentence that opens with a change (“。较上年增加 X 万元”) is about the figure just before it. After a
        figure of an item the reader does not know (``base`` set empty), there is none.
        """
        if "base" in self.state and not self.state["base"]:
            return []
        return self.state.get("base") or self.last_base

    def run(self) -> None:
        year = self.doc.year
        for tok in self.doc.tokens:
            if tok.sentence_start != self.sentence:
                self.last_base = self.state.get("base") or (self.last_base if tok.section == self.section else [])
                self.last_count = self.state.get("count_base")
                self.after_change = bool(self.state.get("change_subject")) and tok.section == self.section
                self.sentence, self.state, self.section = tok.sentence_start, {}, tok.section
                self.lead = tok.sentence  # the sentence's opening: the words before its first figure
            if tok.index in self.paired:
                continue  # read as the second figure of a pair (各是 A、B)
            label = tok.label
            if year and label.startswith(str(year)):
                label = _RE.year_prefix.sub("", label)
            if tok.kind == "number" and self._count_cell(tok, label):
                continue  # 人员编制 / 21: a staff form's cell
            if tok.kind == "number" and (not label or self.table_unit(tok.start) is None):
                continue  # a bare number with no label or no table unit: nothing to read (most of a long text)
            if _RE.instruction_after.match(tok.after):
                continue  # a requirement (…未达到 90% 的需说明原因) states no figure
            if tok.unit == "分" and _RE.prescribed_points.search(tok.sentence):
                continue  # the points a form's note sets, not the points the report gives
            context = tok.sentence + " " + tok.section
            self.m.heading = tok.section
            if ("其中" in tok.between or "包括" in tok.between) and not tok.in_brackets:
                self.state["owner_kw"] = _RE.list_words.findall(tok.between)[-1]
                if self.base():
                    self.state["owner"] = self.base()[0].seq
                    self.state["owner_field"] = self.base()[0].field
                elif self.state.get("change_subject"):  # 比上年增加 X，…，其中：this year's parts of the subject
                    self.state["owner_field"] = self.state["change_subject"][0]
            if tok.kind == "money":
                self.money(tok, label, context)
            elif tok.kind == "percent":
                self.percent(tok, label, context)
            elif tok.kind == "count":
                self.count(tok, label, context)
            elif tok.kind == "points":
                self.points(tok, label, context)
            elif tok.kind == "number":
                self.bare(tok, label, context)
            self.split_pair(tok)
            if _RE.list_after.match(tok.after) and self.by_token.get(tok.index):
                self.state["owner_kw"] = _RE.list_words.findall(tok.after)[0]
                self.state["owner"] = self.doc.facts[-1].seq
                self.state["owner_field"] = self.doc.facts[-1].field
        self.doc.facts.sort(key=lambda f: (f.start, f.field))

    # -- money
    def money(self, tok: Token, label: str, context: str) -> None:
        mod = self.mod
        if mod["threshold_after"].search(tok.after):
            self.emit(tok, "threshold", tok.value, "万元")
            return
        if mod["approx_before"].search(tok.raw_label.rstrip()):
            return  # “约 50 万元”: not a stated figure
        label = self._project_funds(tok, label, context)
        if label is None:
            return
        year = self.doc.year
        prior = _RE.prior_year.match(label)
        if prior and year and int(prior[1]) < year:
            fields = self._fields(label[prior.end() :], context)
            if fields:  # “2022年度三公经费决算16.43万元”
                for f in fields:
                    self.emit(tok, f + ".previous", tok.value, "万元")
                return
        if mod["previous"].search(label) and mod["compare"].search(context) or _RE.last_year_only.fullmatch(label):
            target = self.state.get("change_subject") or [f.field for f in self.base()]
            if target:
                for f in target:
                    self.emit(tok, f + ".previous", tok.value, "万元")
            else:
                self.state["pending_previous"] = tok
            return
        self.state.pop("diff_subject", None)
        for pat, s in ((mod["budget_diff_up"], 1), (mod["budget_diff_down"], -1)):
            if pat.search(label) and self.base():  # 较年初预算数减少 N: against the budget, not last year
                for f in self.base():
                    self.emit(tok, f.field + ".budget_diff", s * tok.value, "万元", name=f.name)
                self.state["diff_subject"] = [f.field for f in self.base()]
                return
        if self._change(tok, label, context):
            return
        if self.first_item(tok, label, context) or self.class_item(tok, label):
            return
        fields = self._fields(label, context, tok.in_brackets) or self._through_count(tok, label, context)
        if self._project_paragraph(tok, label, fields):
            return
        scoped = self.m.vocab.get("scoped_parts", {}).get(self.state.get("owner_field") or "", {})
        fields = [scoped.get(f, f) for f in fields]
        self._grand_total(tok, fields)
        if fields:
            facts = [self.emit(tok, f, tok.value, "万元", owner=self.state.get("owner")) for f in fields]
            if not tok.in_brackets and (not any(f.field.endswith(".budget") for f in facts) or self.m.budget_text(tok.section)):
                self.state["base"] = facts
            if not tok.in_brackets:
                self.state["subject"] = [f.field.removesuffix(".budget") for f in facts]
            self.state.pop("change_subject", None)
            return
        self._item_or_unread(tok, label, context)

    def _item_or_unread(self, tok: Token, label: str, context: str) -> None:
        """A money figure no field names: an item of the list or 科目 it stands in, else an item left unread."""
        owner = self.state.get("owner")
        parent = self.state.get("owner_field")
        part = self.m.vocab["parts_of"].get(parent) if parent else None
        if part == "expenditure.project_part" and self.state.get("owner_kw") != "其中":
            part = "expenditure.project_item"
        if part is None:
            part = next((f for pat, f in self.m.vocab["_openers"] if pat.search(tok.sentence)), None)
        if part is None and label.endswith("支出") and len(label) <= 16:
            # “（二）结构情况：农林水支出 X 万元，占 Y%”: the 科目 of the figure the section is about
            for title in reversed(tok.section.split(" / ")[-2:]):
                # a numbered paragraph is its own heading: “（二）本单位总支出 X 万元，其中…” names its total before its figure
                title = _RE.title_figure.split(_RE.title_noise.sub("", title))[0]
                owner_fields, _ = self.m.fields("money", title, context)
                part = next(
                    (self.m.vocab["parts_of"].get(f) for f in owner_fields if self.m.vocab["parts_of"].get(f) == "expenditure.function"),
                    None,
                )
                if part:
                    parent = owner_fields[0]
                    break
        if part and label:
            name = _RE.part_lead.sub("", label)
            if part and name and self.m._uses(part) and not any(c.isdecimal() for c in name):
                fact = self.emit(tok, part, tok.value, "万元", name=name[-16:], owner=owner, of=parent)
                if not tok.in_brackets:
                    self.state["base"] = [fact]
                return
        if tok.in_brackets:
            return
        if owner is not None and label:
            self.doc.lists_with_unread.add(owner)  # a figure of the list left unread: the list is not read whole
        if _RE.unread_item.search(label):
            self.state["base"] = []  # an item left unread is what the clause goes on about: not the figure before
            self.state.pop("change_subject", None)

    def _project_funds(self, tok: Token, label: str, context: str) -> str | None:
        """A project's funds stated in prose, in a kind that reads a project (None: read here).

        “补助资金 48 万元已足额到位” is ``project.received`` (funds named before, 到位 right after); “按定额安排，合计
        86 万元” takes its label from the verb of the clause before (安排 → 安排资金), so it is the project's budget.
        """
        if not self.m._uses("project.received"):
            return label
        if _RE.funds_label.search(label) and not _RE.funds_source.search(label) and _RE.received_after.match(tok.after):
            self.emit(tok, "project.received", tok.value, "万元")
            return None
        verb = _RE.funds_verb_before.search(tok.sentence) if not label else None
        if verb and self._fields(verb["verb"] + "资金", context, aside=True):
            return verb["verb"] + "资金"
        return label

    def _through_count(self, tok: Token, label: str, context: str) -> list[str]:
        """“年初批复预算 5 个项目 732 万元”: a label that a count cuts in two is read whole."""
        prev = self.doc.tokens[tok.index - 1] if tok.index else None
        if prev is None or prev.kind != "count" or prev.sentence_start != tok.sentence_start or tok.between != tok.raw_label:
            return []
        return self._fields(prev.label + self.doc.report.text[prev.start : prev.end] + label, context, tok.in_brackets)

    def _grand_total(self, tok: Token, fields: list[str]) -> None:
        """“总收入 X 万元，其中本年收入 Y 万元”: a total whose 其中 list holds this year's total is the 收入总计."""
        owner = self.state.get("owner")
        if self.state.get("owner_kw") != "其中" or owner is None or len(fields) != 1 or fields[0] not in _GRAND:
            return
        fact = self.doc.facts[owner]
        grand = _GRAND[fields[0]]
        if fact.seq == owner and fact.field == fields[0] and not fact.name and tok.value < fact.value and self.m._uses(grand):
            fact.field = grand
            self.state["owner_field"] = grand

    def _project_paragraph(self, tok: Token, label: str, fields: list[str]) -> bool:
        """“2、教师培训项目 / 全年支出 186.50 万元”: under a heading that names one project, its spending is that project's."""
        title = tok.section.rsplit(" / ", 1)[-1]
        if not (_RE.project_heading.search(title) and not _RE.generic_project_heading.search(title)):
            return False
        if fields != ["expenditure.total"] and (fields or not _RE.spent_words.search(label)) or self.state.get("base"):
            return False  # a named figure, or not the paragraph's first amount (其中 parts follow it)
        if not self.m._uses("expenditure.project_item") or title[-16:] in self.project_names:
            return False  # the heading's project has its figure (a set: a scan of the facts cost time squared)
        self.state["base"] = [self.emit(tok, "expenditure.project_item", tok.value, "万元", name=title[-16:], of="expenditure.project")]
        return True

    def _change(self, tok: Token, label: str, context: str) -> bool:
        """A change on last year (比上年增加 X 万元, 支出决算减少 N 元): its facts emitted, True; else False."""
        mod, sign = self.mod, self._sign(label)
        compared = sign and (mod["compare"].search(tok.sentence) or mod["compare"].search(label) or self._lists_changes(tok))
        if sign and not compared and _RE.change_word_end.search(label):  # 支出决算减少 N: a change when its clause names what
            named = _RE.change_word_end.sub("", label)  # the figure's name stands right before its change word
            compared = self.m.alias_share(named) > 0 and bool(self._fields(named, context, aside=True))
        if not compared:
            return False
        self.state.pop("subject_carried", None)
        subject = self._subject(label, context, tok.raw_label and tok.between)
        for f in subject:
            self.emit(tok, f + ".change", sign * tok.value, "万元", certain=not self.state.get("subject_carried"), name=self.base_name(f))
        self.state["change_subject"] = subject
        pend = self.state.pop("pending_previous", None)
        for f in subject if pend is not None else ():
            self.emit(pend, f + ".previous", pend.value, "万元")
        return True

    def _fields(self, label: str, context: str, aside: bool = False) -> list[str]:
        """Base field ids of a money label (三公 first), with ``F.budget`` for “F 年初预算为”.

        A label that is only a mode word (支出决算为, 年初预算为) is about the sentence's subject.
        """
        tp = self.m.three_public(label, context, self.state if not aside else dict(self.state), aside)
        if tp:
            return [tp]
        if label in ("收入", "支出", "支出决算", "收入决算") and self.state.get("base"):
            # “政府性基金预算财政拨款收入 260.00 万元，支出 255.00 万元”: the counterpart of the figure before
            prior = self.state["base"][0].field
            flip = ("income.", "expenditure.") if label.startswith("支出") else ("expenditure.", "income.")
            twin = _COUNTERPART.get(prior.replace(*flip)) if prior.startswith(flip[0]) else None
            return [twin] if twin and self.m._uses(twin) else []
        fields, rest = self.m.fields("money", label, context)
        if fields and not (_RE.actual_only.match(label) and fields == ["expenditure.total"]):
            if _RE.budget_rest.match(rest) and rest:
                return [f + ".budget" for f in fields]
            return fields
        subject = [f for f in self.state.get("subject", []) if "." in f and f != "expenditure.total"]
        if subject and _RE.actual_only.match(label):
            return subject
        if subject and _RE.budget_rest.match(label):
            return [f + ".budget" for f in subject]
        if not subject and (_RE.budget_rest.match(label) or _RE.actual_only.match(label)):
            heading = context.rsplit(" / ", 2)
            for title in reversed(heading[-2:]):
                fields, _ = self.m.fields("money", _RE.title_noise.sub("", title).split(" ")[-1], context)
                fields = [f for f in fields if "." in f and f not in ("expenditure.total", "income.total")]
                if fields:
                    return [f + ".budget" for f in fields] if _RE.budget_rest.match(label) else fields
        if not fields and _RE.budget_rest.match(label) and self.base():  # “（预算 6.00 万元）” after a figure
            return [f.field + ".budget" for f in self.base() if "." in f.field]
        return fields

    def _lists_changes(self, tok: Token) -> bool:
        """True for a “其中” sentence right after a change (比上年减少 X。其中：A 减少 Y…): its parts' 增加/减少 are changes too."""
        return self.after_change and _RE.list_opening.match(tok.sentence) is not None

    def _sign(self, label: str) -> int:
        """+1 / −1 when the label ends with an increase / decrease word, else 0."""
        tail = label[-6:]
        up, down = self.mod["increase"].search(tail), self.mod["decrease"].search(tail)
        if down and (not up or down.start() >= up.start()):
            return -1
        if up:
            return 1
        return 0

    def _subject(self, label: str, context: str, between: str = "") -> list[str]:
        """The fields a change is about: named in its clause, or in the clause before that compares (收入支出总体与上年
        相比，增加 X), else the sentence's last figure."""
        words = re.split(self.mod["increase"].pattern + "|" + self.mod["decrease"].pattern, label)[0]
        before = _RE.clause_stop.split(between.removesuffix(label).rstrip("，, "))[-1] if between.endswith(label) else ""
        if not words and self.mod["compare"].search(before) and not _RE.versus_budget.search(before):
            words = before  # its compare words go below, as a label's do
        words = re.sub(self.mod["compare"].pattern, "", words)
        words = _RE.versus_last_year.sub("", words)
        if len(words) >= 2:
            fields = self._fields(words, context)
            if fields:
                return [f.removesuffix(".budget") for f in fields]
        self.state["subject_carried"] = not self.state.get("base")  # the figure of an earlier sentence
        return [f.field for f in self.base()]

    # -- percent
    def percent(self, tok: Token, label: str, context: str) -> None:
        mod = self.mod
        if mod["budget_rate"].search(label) and self.base():
            for f in self.base():
                self.emit(tok, f.field + ".budget_rate", tok.value, "%", name=f.name)
            return
        fields, _ = self.m.fields("percent", label, context)
        if fields and ("执行" in label or "占" not in label):
            for f in fields:
                self.emit(tok, f, tok.value, "%")
            return
        if label.startswith(mod["share"].pattern) or _RE.share_lead.match(label):
            parent = None
            m = _RE.share_of.match(label)
            if m and m[1]:
                fields, rest = self.m.fields("money", m[1], context)
                strict = fields and not rest and self.m.alias_share(m[1]) >= 0.7
                parent = fields[0] if strict else "?"  # a parent the vocabulary does not know exactly: not checked
            if parent is None:
                parent = self.state.get("owner_field")
            for f in self.base():
                self.emit(tok, f.field + ".share", tok.value, "%", of=None if parent == "?" else parent, name=f.name)
            return
        sign = self._sign(label) or (1 if _RE.rise_words.search(label) else -1 if _RE.fall_words.search(label) else 0)
        against = next((s for pat, s in ((mod["budget_diff_up"], 1), (mod["budget_diff_down"], -1)) if pat.search(label)), 0)
        diff = self.state.pop("diff_subject", None)
        if (against or sign and diff) and (diff or self.base()):  # 较年初预算数减少 N 万元，下降 Y%: Y is of the budget
            for f in diff or [f.field for f in self.base()]:
                self.emit(tok, f + ".budget_diff_rate", (against or sign) * tok.value, "%")
            return
        if sign and (mod["compare"].search(tok.sentence) or self.state.get("change_subject")):
            subject = self.state.get("change_subject") or [f.field for f in self.base()]
            if len(label) > 6 and not self.state.get("change_subject"):
                subject = self._subject(label, context)
            carried = self.state.get("subject_carried") or not (self.state.get("change_subject") or self.state.get("base"))
            for f in subject:
                self.emit(tok, f + ".change_rate", sign * tok.value, "%", certain=not carried, name=self.base_name(f))
            return
        fields, _ = self.m.fields("percent", label, context)
        for f in fields:
            self.emit(tok, f, tok.value, "%")

    # -- bare numbers: table cells under a 单位：万元 heading
    def bare(self, tok: Token, label: str, context: str) -> None:
        unit = self.table_unit(tok.start)
        if unit is None or not label or tok.cell is False and not _RE.cell_gap.search(tok.raw_label + " "):
            return
        factor = UNITS[unit]
        if label == "总计":  # 收入支出决算总表: the left 总计 is income's, the right one spending's
            line_start = self.doc.report.line_starts[tok.line - 1]
            prev = self.doc.tokens[tok.index - 1] if tok.index else None
            left = prev is not None and prev.line == tok.line and prev.kind in ("number", "money")
            field_id = "expenditure.grand_total" if left else "income.grand_total"
            if self.m._uses(field_id) and line_start >= 0:
                self.emit(tok, field_id, tok.number * factor, "万元")
            return
        fields, _ = self.m.fields("money", label, context)
        for f in fields:
            self.emit(tok, f, tok.number * factor, "万元")
        if not fields and label.endswith("支出") and self.m._uses("expenditure.function") and len(label) <= 16:
            self.emit(tok, "expenditure.function", tok.number * factor, "万元", name=label, of="expenditure.total")

    def table_unit(self, pos: int) -> str | None:
        """The unit a table heading gives its bare numbers (单位：万元, （万元）), within the 3000 characters before."""
        if not hasattr(self, "_units"):
            marks = _RE.table_unit.finditer(self.doc.report.text)
            self._units = [(m.start(), m[1] or m[2]) for m in marks]
            self._unit_at = [u[0] for u in self._units]
        i = bisect.bisect_left(self._unit_at, pos) - 1
        return self._units[i][1] if i >= 0 and pos - self._units[i][0] <= 3000 else None

    def _bracket_score(self, tok: Token, label: str) -> bool:
        """“资金投入情况（满分10分，得分9.5分）”: a section's score and its maximum, named by the words before the bracket.

        With 分值 instead of 满分 inside the 资金/预算执行 section it is the execution row (分值, 得分);
        after an indicator's figure it is that indicator's (see :mod:`.goals`), not a figure here.
        """
        head = tok.sentence
        cut = max(head.rfind("("), head.rfind("（"))
        inside, before = head[cut + 1 :], head[:cut]
        m = _RE.bracket_max_then_score.search(inside)
        name = _RE.enumerator.sub("", before).strip(" ,，:：")
        if label not in ("得分", "自评得分") or not m or not name or any(c.isdecimal() for c in name[-6:]):
            # “（满分 10 分，得分 9.5 分）”: the maximum waits for its score; “18 分（满分 20 分）” is read below
            return label in ("满分", "分值", "总分") and bool(_RE.score_next.match(tok.after))
        max_tok = next(
            (t for t in reversed(self.doc.tokens[: tok.index]) if t.kind == "points" and t.start > tok.sentence_start + cut), None
        )
        if m[1] == "分值" and _RE.execution_section.search(name) and self.m._uses("project.execution_score"):
            if max_tok is not None:
                self.emit(max_tok, "project.execution_weight", max_tok.value, "分")
            self.emit(tok, "project.execution_score", tok.value, "分")
            return True
        if m[1] == "分值":
            return True
        if self.m._uses("score.part"):
            name = name[-16:]
            self.emit(tok, "score.part", tok.value, "分", name=name)
            if max_tok is not None:
                self.emit(max_tok, "score.part.max", max_tok.value, "分", name=name)
        return True

    # -- counts and points
    def points(self, tok: Token, label: str, context: str) -> None:
        last = self.state.get("last_points")
        if tok.in_brackets and label in ("满分", "总分") and last is not None and last.field in ("project.score", "dept.score"):
            if last.field == "project.score":  # “自评得分 99.91 分（满分 100 分）”
                self.emit(tok, "project.score_max", tok.value, "分")
            return
        if tok.in_brackets and self._bracket_score(tok, label):
            return
        for entry in self.m.vocab["points"]:
            if entry.get("of_last") and any(p.search(label) for p in entry["_re"]):
                last = self.state.get("last_points")
                if last is not None and last.field == entry["of_last"] and tok.in_brackets:
                    self.emit(tok, entry["field"], tok.value, "分", name=last.name)
                    return
        fields, _ = self.m.fields("points", label, context)
        for f in fields[:1]:
            entry = next(e for e in self.m.vocab["points"] if f in e["_fields"])
            name = None
            if entry.get("named"):
                name = next((m.group(0) for p in entry["_re"] for m in p.finditer(label)), None)
            self.state["last_points"] = self.emit(tok, f, tok.value, "分", name=name)
