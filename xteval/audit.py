"""Audit a self-evaluation report from its text: read it, extract its figures, check them.

The pipeline reads top to bottom:

1. :func:`read_report` decodes the file (UTF-8, else GB18030, which covers GBK)
   and refuses what is not a report: missing, a directory, empty, binary.
2. :func:`prepare` normalises each line (full-width forms, ``<p>`` tags, OCR
   page numbers such as a stray ``4.26`` line) while keeping line numbers.
3. :func:`extract` finds the figures of the 部门整体支出绩效自评报告 template
   (收入, 支出, 三公经费, 结转结余, 预算执行率, 绩效目标…) by their labels and
   builds a department model from them. A figure it cannot find stays ``None``
   and is listed as not found; it is never guessed.
4. :func:`audit` runs every department check of :mod:`xteval.checks` on that
   model, plus the checks only the text allows: dates that do not exist,
   periods and their sums, cross-year payments, “其中” lists, percentages next
   to the numbers they come from, and “等 N 个” enumerations.

Data problems are results (:class:`~xteval.checks.CheckResult`); only input that
cannot be read at all raises :class:`~xteval.errors.InputError`.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import html
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from . import checks
from .checks import CheckResult, Evidence, Reason, Status, Suite, amount, balance
from .dates import Period, find_dates, period_issues
from .errors import InputError
from .money import D, convert, q2
from .schema import (
    Amount,
    Carryover,
    Claim,
    Claims,
    DepartmentParams,
    Expenditure,
    Figure,
    Goal,
    GoalKind,
    Income,
    NamedAmount,
    Score,
    ThreePublic,
    ThreePublicSplit,
    Unit,
)

__all__ = ["Extraction", "ReportText", "audit", "audit_file", "extract", "find_params", "prepare", "read_report", "render_html"]

# --------------------------------------------------------------------------- reading

ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ReportText:
    """A report's text: as decoded, normalised line by line, and where each line starts."""

    raw: str
    text: str  # normalised; the same number of lines as ``raw``
    encoding: str = "utf-8"
    path: Path | None = None
    line_starts: tuple[int, ...] = ()

    def line_of(self, offset: int) -> int:
        """The 1-based line of an offset in :attr:`text`."""
        return bisect.bisect_right(self.line_starts, offset)

    def quote(self, start: int, end: int) -> str:
        """The text between two offsets, on one line, for evidence."""
        return re.sub(r"\s+", " ", self.text[start:end]).strip()

    def evidence(self, start: int, end: int) -> Evidence:
        """Evidence for the text between two offsets."""
        return Evidence(self.quote(start, end), self.line_of(start))


def read_report(path: str | Path) -> ReportText:
    """Read a report text file, whatever its encoding.

    Args:
        path: a plain-text report (UTF-8 with or without BOM, GBK or GB18030).

    Returns:
        The :class:`ReportText`, normalised.

    Raises:
        InputError: the file is missing, a directory, unreadable, empty or binary.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("文件不存在 (file not found)", file=path)
    if path.is_dir():
        raise InputError("是目录而不是文件 (is a directory)", file=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read: {exc.strerror})", file=path) from None
    if not data.strip():
        raise InputError("文件为空 (empty file)", file=path)
    if b"\x00" in data[:65536]:
        raise InputError("是二进制文件而不是文本 (binary file: NUL bytes)", file=path)
    for enc in ENCODINGS:
        try:
            raw = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("不是 UTF-8 或 GBK/GB18030 文本 (binary or unknown encoding)", file=path)
    sample = raw[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise InputError("是二进制文件而不是文本 (binary file: control characters)", file=path)
    return prepare(raw, path=path, encoding=enc.removesuffix("-sig"))


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>\n]{0,80}>")
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but the line break
_EDGES = re.compile(r"^ | $", re.M)
_PAGE_NOISE = re.compile(r"^(?:[-—–]? ?\d{1,4}(?:\.\d{1,3})? ?[-—–]?|第 ?\d{1,4} ?页(?: ?共 ?\d{1,4} ?页)?|\d{1,4} ?/ ?\d{1,4})$", re.M)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")


def _unescape(m: re.Match) -> str:
    """An HTML entity as its character; one that would break a line becomes a space."""
    out = html.unescape(m.group(0))
    return " " if "\n" in out or "\r" in out else out  # an entity must not add a line


def prepare(raw: str, *, path: Path | None = None, encoding: str = "utf-8") -> ReportText:
    """Normalise a decoded text (NFKC, no tags or entities, no page-number lines), keeping its line numbers.

    Works on the whole text at once, never across a line break, so the line of
    every offset is the line of the raw text.
    """
    lines = raw.splitlines()
    text = unicodedata.normalize("NFKC", "\n".join(lines))
    if text.count("\n") != max(0, len(lines) - 1):  # NFKC made a line break: go line by line
        text = "\n".join(unicodedata.normalize("NFKC", x).replace("\n", " ") for x in lines)
    text = _TAG.sub(" ", text)
    if "&" in text:
        text = _ENTITY.sub(_unescape, text)
    text = _SPACES.sub(" ", text)
    text = _EDGES.sub("", text)
    text = _PAGE_NOISE.sub("", text)
    starts = tuple(itertools.accumulate(map(len, text.split("\n")), lambda acc, n: acc + n + 1, initial=0))[:-1]
    return ReportText(raw=raw, text=text, encoding=encoding, path=path, line_starts=starts)


# --------------------------------------------------------------------------- patterns

# A number as reports write it: thousands separators (comma or space) or plain. Bounded, and never
# started inside another number, so a long run of digits costs linear time.
NUM = r"(?<![\d.])(?:\d{1,3}(?:,\d{3}){1,6}(?:\.\d{1,8})?|\d{1,3}(?: \d{3}){1,6}\.\d{1,8}|\d{1,15}(?:\.\d{1,8})?)"
_MONEY_UNIT = r"亿\s*元|万\s*元|元(?!月)|亿(?![条个人次件项户家])|万(?![条个人次件项户家余多])"
_LEAD = r"[\s:]*(?:为|是|达到|达|共计|合计|总计|共|计)?\s*(?:约\s*)?"
_MONEY = re.compile(rf"(?P<num>{NUM})\s*(?P<unit>亿\s*元|万\s*元|元(?!月))")


def _money_value(num: str, unit: str) -> Decimal:
    """An amount as written (“1 115 814.3”, “万 元”) in 万元."""
    return D(num.replace(" ", "") + unit.replace(" ", ""))


@dataclass
class Extraction:
    """What the extractor found: the department model, the offsets it used, and what it did not find."""

    model: Any
    found: dict[str, tuple[int, int]] = field(default_factory=dict)  # field path → (start, end) in the text
    not_found: list[tuple[str, str]] = field(default_factory=list)  # (field path, Chinese label)
    year: int | None = None
    goal_sources: list[dict[str, Any]] = field(default_factory=list)
    superseded: set[str] = field(default_factory=set)  # identity ids a fuller “其中” list replaces


# field path, Chinese label, label pattern, required by the template
_FIGURES: list[tuple[str, str, str, bool]] = [
    ("budget_header", "年度预算金额", r"年度预算(?:金额|数)", True),
    ("income.total", "总收入", r"总收入|收入总额|收入合计", True),
    ("income.fiscal_appropriation", "财政拨款收入", r"财政拨款收入", True),
    ("income.initial_budget", "年初预算", r"年初预算(?:数|资金|金额)?", True),
    ("income.non_tax_revenue", "非税收入", r"非税收入", False),
    ("income.midyear_addition", "年中追加", r"年中追加(?:预算|资金)?", True),
    ("income.other_income", "其他收入", r"其他收入", True),
    ("expenditure.total", "支出总额", r"支出总额|总支出|支出合计", True),
    ("expenditure.basic", "基本支出", r"基本支出", True),
    ("expenditure.personnel", "人员经费", r"人员经费", True),
    ("expenditure.public_operation", "公用经费", r"公用经费", True),
    ("expenditure.project", "项目支出", r"项目支出", True),
    ("carryover.fiscal", "财政拨款结转结余", r"财政拨款结转(?:结余)?|结转结余(?:资金)?", True),
]
_TP_PARTS = [
    ("reception", "公务接待费", r"公务接待费"),
    ("vehicle", "公务用车运行费", r"公务用车(?:购置及)?运行(?:维护)?费"),
    ("overseas", "出国出境费", r"(?:因公)?出国(?:\(?出?境\)?)?费(?:用)?"),
]


def _find_amount(report: ReportText, label: str, start: int = 0, end: int | None = None) -> tuple[Decimal, int, int] | None:
    """The first amount written right after a label: (value in 万元, start, end)."""
    pat = re.compile(rf"(?:{label}){_LEAD}(?P<num>{NUM})\s*(?P<unit>{_MONEY_UNIT})")
    m = pat.search(report.text, start, len(report.text) if end is None else end)
    if not m:
        return None
    return _money_value(m["num"], m["unit"] if "元" in m["unit"] else m["unit"] + "元"), m.start(), m.end()


def _amount(report: ReportText, found: tuple[Decimal, int, int], cls=Amount, **extra) -> Any:
    """A found amount as a params ``Amount`` (or ``cls``) quoting the text and its line."""
    value, s, e = found
    return cls(value=value, seed=report.quote(s, e), line=report.line_of(s), **extra)


def _sentence_end(text: str, pos: int, limit: int = 400) -> int:
    """Offset of the next 。 or line break after ``pos``, looking at most ``limit`` characters."""
    m = re.compile(r"[。\n]").search(text, pos, min(len(text), pos + limit))
    return m.start() if m else min(len(text), pos + limit)


def _sentence_start(text: str, pos: int, limit: int = 400) -> int:
    """Offset just after the last 。 or line break before ``pos``, looking back at most ``limit``."""
    lo = max(0, pos - limit)
    cut = max(text.rfind("。", lo, pos), text.rfind("\n", lo, pos))
    return cut + 1 if cut >= 0 else lo


def _report_year(text: str) -> int | None:
    """The year the report is about: the most frequent “20xx 年度”, else “20xx 年”."""
    years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年度", text[:200_000]))
    if not years:
        years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", text[:200_000]))
    return years.most_common(1)[0][0] if years else None


# --------------------------------------------------------------------------- extraction


def _three_public(report: ReportText, ex: Extraction) -> ThreePublic | None:
    """The 三公 control and actual figures with their parts, and a “未超过控制数” claim."""
    text = report.text
    ctl = re.search(rf"三公[”\"]?\s*经费[”\"]?\s*(?:(?:预算)?控制数|(?:年初)?预算数){_LEAD}(?P<num>{NUM})\s*(?P<unit>{_MONEY_UNIT})", text)
    act = re.search(rf"三公[”\"]?\s*经费[”\"]?\s*(?:实际)?(?:支出|决算)(?:数)?{_LEAD}(?P<num>{NUM})\s*(?P<unit>{_MONEY_UNIT})", text)
    splits: dict[str, ThreePublicSplit | None] = {}
    for key, m in (("control", ctl), ("actual", act)):
        if m is None:
            splits[key] = None
            continue
        unit = m["unit"] if "元" in m["unit"] else m["unit"] + "元"
        total = (_money_value(m["num"], unit), m.start(), m.end())
        ex.found[f"three_public.{key}.total"] = (m.start("num"), m.end())
        span_end = _sentence_end(text, m.end())
        parts = {}
        for pkey, _, pat in _TP_PARTS:
            f = _find_amount(report, pat, m.end(), span_end)
            if f is not None:
                ex.found[f"three_public.{key}.{pkey}"] = (f[1], f[2])
            parts[pkey] = _amount(report, f) if f else None
        splits[key] = ThreePublicSplit.model_construct(total=_amount(report, total), **parts)
    if splits["control"] is None and splits["actual"] is None:
        return None
    claim = None
    if act is not None:
        c = re.compile(r"未超(?:过|出)(?:年初)?(?:预算)?控制数|控制在(?:预算|控制数)(?:以|之)内").search(
            text, act.start(), _sentence_end(text, act.end()) + 1
        )
        if c:
            claim = Claim(value=True, seed=report.quote(c.start(), c.end()), line=report.line_of(c.start()))
    return ThreePublic.model_construct(control=splits["control"], actual=splits["actual"], within_control_claim=claim)


def _project_parts(report: ReportText, project_end: int, ex: Extraction) -> list[NamedAmount]:
    """The “其中 A n 万元，B m 万元” parts right after 项目支出."""
    text = report.text
    m = re.compile(r"[,\s]*(?:其中|包括)").match(text, project_end)
    if not m:
        return []
    out = []
    end = _clause_end(text, m.end())
    for a in _MONEY.finditer(text, m.end(), end):
        head = text[max(m.end(), a.start() - 40) : a.start()]
        lab = re.search(r"([^\s,;:、()。0-9]{2,16})\s*(?:为|是)?\s*$", head.replace("其中", " "))
        if not lab:
            continue
        out.append(
            NamedAmount(
                name=lab.group(1),
                value=_money_value(a["num"], a["unit"]),
                seed=report.quote(a.start() - len(lab.group(0)), a.end()),
                line=report.line_of(a.start()),
            )
        )
        ex.found[f"expenditure.project_parts[{len(out) - 1}]"] = (a.start(), a.end())
    return out


def _clause_end(text: str, pos: int, limit: int = 600) -> int:
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


def _claims(report: ReportText, ex: Extraction) -> Claims:
    """The stated 预算执行率, execution score, goal count and the claims the checks test."""
    text = report.text
    out: dict[str, Any] = {}

    def fig(key: str, pat: str, unit: str) -> None:
        """Record a stated figure found by ``pat`` under ``claims.<key>``."""
        m = re.search(pat, text)
        if m:
            out[key] = Figure(value=Decimal(m["v"]), unit=unit, seed=report.quote(m.start(), m.end()), line=report.line_of(m.start()))
            ex.found[f"claims.{key}"] = (m.start(), m.end())

    fig("execution_rate", r"预算执行率\s*(?:为|是|达到|达)?\s*(?P<v>\d+(?:\.\d+)?)\s*%", "%")
    fig("goal_count", r"(?:共)?设(?:置|定)(?:了)?\s*(?P<v>\d+)\s*(?:个|项)(?:年度)?(?:部门)?(?:整体)?绩效目标", "个")
    m = re.search(
        r"预算执行(?:情况|率)?(?:指标)?\s*(?:总分|分值|满分)\s*(?P<max>\d+(?:\.\d+)?)\s*分\s*[,;]?\s*(?:实际)?得分\s*(?P<s>\d+(?:\.\d+)?)\s*分",
        text,
    )
    if m:
        out["execution_score"] = Score(
            score=Decimal(m["s"]), max=Decimal(m["max"]), seed=report.quote(m.start(), m.end()), line=report.line_of(m.start())
        )
        ex.found["claims.execution_score"] = (m.start(), m.end())
    for key, pat in (
        ("all_goals_completed", r"(?:所有|全部|各项)(?:绩效)?目标(?:均|全部|都)?已?(?:全部)?完成"),
        ("adjustment_not_counted", r"未(?:记|计)入预算调整(?:数|率)?"),
    ):
        c = re.search(pat, text)
        if c:
            out[key] = Claim(value=True, seed=report.quote(c.start(), c.end()), line=report.line_of(c.start()))
    return Claims(**out)


_COUNT_UNIT = r"亿条|万条|条|个|项|家|次|人次|人|件|户|场|批|套|台|公里|亿元|万元|元|%"
_RATE = re.compile(rf"(?:目标任务|任务|目标|计划)?完成率\s*(?:达到|达|为|是)?\s*(?P<pct>{NUM})\s*%")
_EXCESS = re.compile(
    rf"(?P<a>{NUM})\s*(?P<u>亿条|万条|条|个|项|家|次|人次|件|户)\s*[,，]?\s*(?P<dir>超过|超出|低于|少于)(?:原有|原定|年初|原)?(?:数量)?(?:指标|目标)(?:值)?\s*(?P<b>{NUM})\s*(?P<u2>亿条|万条|条|个|项|家|次|人次|件|户)"
)
_SATISFACTION = re.compile(rf"满意度\s*(?:达到|达|为|是)?\s*(?P<pct>{NUM})\s*%")
_TARGET_IN_SENTENCE = re.compile(rf"(?:目标|指标值|计划|任务)(?:数|值|为|是|:)*\s*(?P<t>{NUM})\s*(?P<u>{_COUNT_UNIT})")


def _label(clause: str) -> str:
    """A goal name from the clause before its number, without “一是”, years, “全年”, “实际”."""
    clause = re.sub(r"^(?:[一二三四五六七八九十]+是|在.{0,6}方面|\d{4}\s*年(?:度)?|全年|实际|共|累计)+", "", clause.strip())
    return clause.strip(' ,、:“”"')[-24:] or "未命名目标"


def _goals(report: ReportText, ex: Extraction) -> list[Goal]:
    """Quantified goals the text states: “X N 个、完成率达 P%”, “N 条，超过原有指标 M 条”, “满意度 P%”."""
    text = report.text
    goals: list[Goal] = []
    for m in _RATE.finditer(text):
        lo = max(_sentence_start(text, m.start(), 200), m.start() - 120)
        before = text[lo : m.start()].rstrip(" ,、")
        clause = re.split(r"[,;:。\n]", before)[-1]
        v = re.search(
            rf"(?P<v>{NUM})\s*(?P<mult>亿|万)?\s*(?P<approx>余|多)?\s*(?P<u>条|个|项|家|次|人次|人|件|户|场|批|套|台|元)?\s*$", clause
        )
        name = _label(clause[: v.start()] if v else clause)
        pct = Decimal(m["pct"].replace(",", ""))
        q = report.quote(lo + before.rfind(clause), m.end())
        src = {"name": name, "pct": pct, "start": m.start(), "end": m.end(), "quote": q, "line": report.line_of(m.start())}
        if v:
            src.update(value=Decimal(v["v"].replace(",", "")), unit=(v["mult"] or "") + (v["u"] or ""), approx=bool(v["approx"]))
            sentence = text[_sentence_start(text, m.start()) : _sentence_end(text, m.end())]
            t = _TARGET_IN_SENTENCE.search(sentence)
            if t and (t["u"] == src["unit"] or not src["unit"]):
                src.update(target=Decimal(t["t"].replace(",", "")), target_quote=t.group(0))
        ex.goal_sources.append(src)
        goals.append(
            Goal(
                name=name,
                level1="未注明",
                kind=GoalKind.positive,
                unit="%",
                target=Figure(value=100, unit="%", derived="完成率以指标值为 100%"),
                actual=Figure(value=pct, unit="%", seed=q, line=src["line"]),
                evidence=q,
            )
        )
    for m in _EXCESS.finditer(text):
        a, b = Decimal(m["a"].replace(",", "")), Decimal(m["b"].replace(",", ""))
        if m["u"] != m["u2"]:
            continue
        target = a - b if m["dir"] in ("超过", "超出") else a + b
        s0, s1 = _sentence_start(text, m.start()), _sentence_end(text, m.end())
        sentence = report.quote(s0, s1 + 1)
        before = text[s0 : m.start()]
        name = _label(re.split(r"[,;:。\n]", before)[-1]) if before.strip() else "未命名目标"
        q = report.quote(s0, m.end()) if m.end() - s0 <= 120 else report.quote(m.start(), m.end())
        goals.append(
            Goal(
                name=name,
                level1="未注明",
                kind=GoalKind.positive,
                unit=m["u"],
                target=Figure(value=target, unit=m["u"], derived=f"{a} {m['dir']}指标 {b} → 指标值 {target}"),
                actual=Figure(value=a, unit=m["u"], seed=q, line=report.line_of(m.start())),
                evidence=sentence,
            )
        )
    for m in _SATISFACTION.finditer(text):
        lo = _sentence_start(text, m.start(), 120)
        before = re.split(r"[,;:。\n]", text[lo : m.start()])[-1]
        q = report.quote(m.start() - len(before), m.end())
        goals.append(
            Goal(
                name=_label(before + "满意度"),
                level1="满意度指标",
                kind=GoalKind.positive,
                unit="%",
                actual=Figure(value=Decimal(m["pct"].replace(",", "")), unit="%", seed=q, line=report.line_of(m.start())),
                evidence=q,
            )
        )
    return goals


def extract(report: ReportText) -> Extraction:
    """Find the department figures of the report template in a text.

    Args:
        report: a prepared :class:`ReportText`.

    Returns:
        An :class:`Extraction` whose ``model`` has the shape of ``DepartmentParams``
        (built without validation): every figure not found is ``None`` and is
        listed in ``not_found``.
    """
    text = report.text
    ex = Extraction(model=None, year=_report_year(text))
    values: dict[str, Any] = {}
    for path, label, pat, required in _FIGURES:
        f = _find_amount(report, pat)
        if f is None:
            values[path] = None
            if required:
                ex.not_found.append((path, label))
            continue
        values[path] = _amount(report, f)
        ex.found[path] = (f[1], f[2])
    project = values["expenditure.project"]
    parts = _project_parts(report, ex.found["expenditure.project"][1], ex) if project is not None else []
    tp = _three_public(report, ex)
    for key, name in (("control", "控制数"), ("actual", "实际支出")):
        split = getattr(tp, key, None) if tp else None
        needed = [("total", "合计")] + [(k, n) for k, n, _ in _TP_PARTS if k != "overseas"]
        for k, n in needed:
            if split is None or getattr(split, k) is None:
                ex.not_found.append((f"three_public.{key}.{k}", f"三公经费{name}·{n}"))
    if tp is None:
        tp = ThreePublic.model_construct(control=None, actual=None, within_control_claim=None)
    claims = _claims(report, ex)
    if claims.execution_rate is None:
        ex.not_found.append(("claims.execution_rate", "预算执行率"))
    unit_name = re.search(r"单位名称\s*[:]?\s*(\S{2,40})", text)
    supervisor = re.search(r"主管部门\s*[:]?\s*(\S{2,40})", text)
    ex.model = DepartmentParams.model_construct(
        notebook="department",
        title=None,
        unit=Unit.model_construct(
            name=unit_name.group(1) if unit_name else "未注明", supervisor=supervisor.group(1) if supervisor else "未注明", year=ex.year
        ),
        source_report=str(report.path) if report.path else None,
        budget_header=values["budget_header"],
        income=Income.model_construct(**{k.split(".")[1]: v for k, v in values.items() if k.startswith("income.")}),
        expenditure=Expenditure.model_construct(
            **{k.split(".")[1]: v for k, v in values.items() if k.startswith("expenditure.")}, project_parts=parts
        ),
        three_public=tp,
        carryover=Carryover.model_construct(fiscal=values["carryover.fiscal"]),
        claims=claims,
        goals=_goals(report, ex),
        narrative=None,
    )
    return ex


# --------------------------------------------------------------------------- text checks


def _not_found(ex: Extraction) -> list[CheckResult]:
    """One warn per template figure the text does not give; a fail when it gives none at all."""
    out = [
        CheckResult(
            id=f"extract.{path}",
            title=f"未找到：{label}",
            status=Status.warn,
            message=f"报告中未识别出“{label}”的数字，相关检查未执行（不作推测）",
            reason=Reason.not_found,
        )
        for path, label in ex.not_found
    ]
    if not ex.found:
        out.append(
            CheckResult(
                id="extract.none",
                title="未识别出任何数字",
                status=Status.fail,
                message="报告中未识别出任何收支、三公经费或执行率数字，无法进行勾稽检查（这不是“通过”）",
                reason=Reason.not_found,
            )
        )
    return out


def _context(report: ReportText, start: int, end: int, pad: int = 24) -> Evidence:
    """The quote widened to its clause (to the nearest punctuation within ``pad``), on its own line."""
    text = report.text
    line_lo = report.line_starts[report.line_of(start) - 1]
    lo = start
    while lo > max(line_lo, start - pad) and text[lo - 1] not in ",;:。、\n":
        lo -= 1
    hi, stop = end, min(len(text), end + pad)
    while hi < stop and text[hi] not in ",;:。\n":
        hi += 1
    return report.evidence(lo, hi)


def date_checks(report: ReportText, year: int | None) -> list[CheckResult]:
    """Every 年月日 mention must exist (a “9 月 31 日” fails)."""
    out, n, last_year = [], 0, year
    lines = report.text.split("\n")
    for i, line in enumerate(lines):
        if "月" not in line:
            continue
        for d in find_dates(line, default_year=last_year):
            n += 1
            if d.year is not None and not d.year_inferred:
                last_year = d.year
            if d.valid:
                continue
            start = report.line_starts[i] + d.start
            ev = _context(report, start, start + len(d.text))
            limit = calendar.monthrange(d.year or 2000, d.month)[1] if 1 <= d.month <= 12 else None
            out.append(
                CheckResult(
                    id=f"dates.invalid.L{i + 1}",
                    title="日期必须存在",
                    status=Status.fail,
                    message=(
                        f"日期不存在: “{d.text}”，{d.month} 月只有 {limit} 天（多 {d.day - limit} 天）"
                        if limit and d.day
                        else f"日期不存在: “{d.text}”（月份 {d.month} 无效）"
                    ),
                    expected=limit,
                    observed=d.day,
                    difference=(d.day - limit) if limit and d.day else None,
                    unit="日",
                    evidence=(ev,),
                    reason=Reason.invalid_date,
                )
            )
    if n and not out:
        out.append(CheckResult(id="dates.valid", title="日期必须存在", status=Status.passed, message=f"报告中 {n} 处日期均存在", unit="处"))
    return out


_DATE_RANGE = re.compile(
    r"(?:(?P<y1>(?:19|20)\d{2})\s*年\s*)?(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]\s*(?:至|到|~|-|—|–)\s*"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]"
)


@dataclass(frozen=True)
class _Range:
    """A period written in the text, with its offsets."""

    start: dt.date
    end: dt.date
    exact: bool  # False when an impossible day was clamped to the month's end
    s: int
    e: int


def _day(y: int, m: int, d: int) -> tuple[dt.date, bool] | None:
    """A date, with an impossible day clamped to the month end (and flagged as inexact)."""
    if not 1 <= m <= 12 or d < 1:
        return None
    last = calendar.monthrange(y, m)[1]
    return dt.date(y, m, min(d, last)), d <= last


def _ranges(text: str, year: int | None) -> list[_Range]:
    """Every “A 月 B 日至 C 月 D 日” period, years inferred from the last one written."""
    out, last = [], year
    for m in _DATE_RANGE.finditer(text):
        y1 = int(m["y1"]) if m["y1"] else last
        if y1 is None:
            continue
        y2 = int(m["y2"]) if m["y2"] else y1
        if not m["y2"] and int(m["m1"]) >= 10 and int(m["m2"]) <= 3:
            y2 = y1 + 1  # “12 月 1 日至 3 月 31 日”: a winter period runs into the next year
        last = y2
        a, b = _day(y1, int(m["m1"]), int(m["d1"])), _day(y2, int(m["m2"]), int(m["d2"]))
        if a and b:
            out.append(_Range(a[0], b[0], a[1] and b[1], m.start(), m.end()))
    return out


def period_reversed_checks(report: ReportText, ranges: list[_Range]) -> list[CheckResult]:
    """A period must not end before it starts."""
    out = []
    for r in ranges:
        if r.end >= r.start:
            continue
        days = (r.start - r.end).days
        out.append(
            CheckResult(
                id=f"periods.reversed.L{report.line_of(r.s)}",
                title="期间结束日不早于开始日",
                status=Status.fail,
                message=f"期间倒置: 结束日 {r.end} 早于开始日 {r.start}（早 {days} 天）",
                expected=None,
                observed=-days,
                difference=-days,
                unit="天",
                evidence=(report.evidence(r.s, r.e),),
                reason=Reason.period_reversed,
            )
        )
    if ranges and not out:
        out.append(
            CheckResult(
                id="periods.order", title="期间结束日不早于开始日", status=Status.passed, message=f"{len(ranges)} 个期间均不倒置", unit="个"
            )
        )
    return out


# -- “其中 / 包括” lists


_LIST_TOKENS = re.compile(
    rf"(?P<money>(?P<num>{NUM})\s*(?P<unit>亿\s*元|万\s*元|元(?!月)))|(?P<kw>其中|包括)|(?P<semi>;)|(?P<stop>。)|(?P<nl>\n+)|(?P<open>[(\[【])|(?P<close>[)\]】])"
)
_ENUMERATOR = re.compile(r"[ \t]{0,3}(?:[一二三四五六七八九十]+、|\(?[一二三四五六七八九十\d]{1,3}\)|\d{1,3}[、.](?!\d))")
_APPROX_BEFORE = re.compile(r"(?:约|近|超过|超|逾|不到|不足|以上|以下)\s*$")
_THRESHOLD_AFTER = re.compile(r"\s*(?:以上|以下|以内|左右|余|多)")


@dataclass
class _Money:
    """An amount written in the text: value in 万元, unit as written, offsets, approximate or not."""

    value: Decimal
    unit: str
    s: int
    e: int
    approx: bool


@dataclass
class _List:
    """A “其中/包括” list: its keyword, total and parts."""

    kw: str
    total: _Money
    parts: list[_Money] = field(default_factory=list)
    end: int = 0


def money_lists(text: str, *, limit: int = 60) -> list[_List]:
    """Parse “X 万元，其中 A 万元，B 万元” lists, nested ones (包括 … 其中 …；) included."""
    done: list[_List] = []
    stack: list[_List] = []
    last: _Money | None = None
    depth = 0

    def close(n_keep: int, pos: int) -> None:
        """Close open lists until ``n_keep`` remain, ending them at ``pos``."""
        while len(stack) > n_keep:
            lst = stack.pop()
            lst.end = pos
            done.append(lst)

    for m in _LIST_TOKENS.finditer(text):
        kind = m.lastgroup
        if kind == "money":
            unit = m["unit"].replace(" ", "")
            if _THRESHOLD_AFTER.match(text, m.end()) and re.match(r"\s*(?:以上|以下|以内)", text[m.end() : m.end() + 4]):
                continue  # “10亿元以上”: a threshold, not an amount
            approx = bool(_APPROX_BEFORE.search(text[max(0, m.start() - 3) : m.start()])) or bool(_THRESHOLD_AFTER.match(text, m.end()))
            tok = _Money(_money_value(m["num"], unit), unit, m.start(), m.end(), approx)
            if depth == 0:
                if stack:
                    stack[-1].parts.append(tok)
                last = tok
        elif kind == "kw":
            if depth or last is None or m.start() - last.e > limit:
                continue
            if stack and stack[-1].parts and stack[-1].parts[-1] is last:
                stack.append(_List(m["kw"], last))
            elif not stack:
                stack.append(_List(m["kw"], last))
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "semi" and depth == 0:
            close(1, m.start())
        elif kind == "stop":
            depth = 0
            close(0, m.start())
        elif kind == "nl" and depth == 0 and _ENUMERATOR.match(text, m.end()):
            close(0, m.start())
            last = None
    close(0, len(text))
    return done


def _label_before(text: str, pos: int) -> str:
    """The words just before an amount (“专项经费”), for messages."""
    head = text[max(0, pos - 40) : pos]
    m = re.search(r"([^\s,;:、()。\d]{2,14})\s*(?:为|是|已支付|已完成支付)?\s*$", head.replace("其中", " ").replace("包括", " "))
    return m.group(1) if m else "未命名"


# The identity whose total is this extracted figure: when the text's own “其中” list has parts the
# model does not (事业收入, 经营收入…), the list check replaces that identity.
IDENTITY_OF = {
    "income.total": "income.total",
    "income.fiscal_appropriation": "income.fiscal_appropriation",
    "expenditure.total": "expenditure.total",
    "expenditure.basic": "expenditure.basic",
    "expenditure.project": "expenditure.project",
    "three_public.control.total": "three_public.control",
    "three_public.actual.total": "three_public.actual",
}


def list_checks(report: ReportText, ex: Extraction, ranges: list[_Range]) -> list[CheckResult]:
    """“其中/包括” lists: the parts add up to the total; periods cover the whole; fees per month agree."""
    text = report.text
    out: list[CheckResult] = []
    starts = [r.s for r in ranges]
    for n, lst in enumerate(money_lists(text)):
        if len(lst.parts) < 2 or lst.total.approx or any(p.approx for p in lst.parts):
            continue
        nums = [lst.total, *lst.parts]
        if all(_in(x, ex) for x in nums):
            continue  # an identity of the department model already checks it
        total_path = next((path for path, (s, e) in ex.found.items() if s <= lst.total.s < e), None)
        if total_path in IDENTITY_OF:
            ex.superseded.add(IDENTITY_OF[total_path])  # the text lists more parts than the model has (e.g. 事业收入)
        periods = [_period_before(text, x, ranges, starts) for x in nums]
        if all(periods):
            out += _period_list(report, lst, periods, ex.year)
            continue
        unit = lst.total.unit if all(p.unit == lst.total.unit for p in lst.parts) else "万元"
        tot = convert(lst.total.value, unit)
        parts = [(_label_before(text, p.s), convert(p.value, unit)) for p in lst.parts]
        r = balance(
            f"list.L{report.line_of(lst.total.s)}.{n}",
            f"“{lst.kw}”所列各项之和 = 合计",
            (_label_before(text, lst.total.s), tot),
            parts,
            unit=unit,
            evidence=(report.evidence(lst.total.s, lst.parts[-1].e),),
            tolerance=_tolerance(lst, unit),
        )
        if r.status is Status.fail and r.difference > 0:  # parts short of the total: perhaps not all listed
            r = replace(r, status=Status.warn, message=r.message + f"；“{lst.kw}”可能未列全")
        out.append(r)
    return out


def _tolerance(lst: _List, unit: str) -> Decimal:
    """What rounding of the stated figures could explain, in ``unit``: none for 元 (a fee in 元 is exact)."""
    if unit == "元":
        return Decimal(0)
    return checks.rounding_tolerance([convert(x.value, unit) for x in (lst.total, *lst.parts)])


def _in(x: _Money, ex: Extraction) -> bool:
    """True when an amount is one the extractor already put into the department model."""
    return any(s <= x.s < e for s, e in ex.found.values())


def _period_before(text: str, x: _Money, ranges: list[_Range], starts: list[int]) -> _Range | None:
    """The date range written in the same clause just before an amount."""
    i = bisect.bisect_right(starts, x.s) - 1
    if i < 0:
        return None
    r = ranges[i]
    between = text[r.e : x.s]
    return r if len(between) <= 30 and not re.search(r"[;。]|\d+(?:\.\d+)?\s*(?:亿\s*元|万\s*元|元)", between) else None


def _months(r: _Range) -> int | None:
    """Whole calendar months of a period that runs from a 1st to a month's end."""
    if r.start.day != 1 or r.end.day != calendar.monthrange(r.end.year, r.end.month)[1] or r.end < r.start:
        return None
    return (r.end.year - r.start.year) * 12 + r.end.month - r.start.month + 1


_PAID = re.compile(r"已(?:全部|完成)?(?:支付|付款|拨付)|已完成支付")
_PAY_DATE = re.compile(
    r"(?:支付|付款|结算|拨付)(?:日期|时间)?\s*(?:为|是|于|在)?\s*(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2}|元|正)\s*月"
    r"|于\s*(?P<y2>(?:19|20)\d{2})\s*年\s*(?P<m2>\d{1,2}|元|正)\s*月[^。;]{0,8}(?:支付|付款)"
    r"|(?P<next>次年|下一年度|下年度|下年)\s*(?P<m3>\d{1,2}|元|正)\s*月[^。;]{0,8}(?:支付|付款)"
    r"|(?:支付|付款)(?:日期|时间)?\s*(?:为|是|于|在)?\s*(?P<next2>次年|下一年度|下年度|下年)"
)
_PLANNED = re.compile(r"(?:拟|计划|预计|将|待)\s*$")


def _pay_year(m: re.Match, fiscal_year: int) -> int:
    """The year a payment-date mention names (次年 is the year after the fiscal year)."""
    if m["next"] or m["next2"]:
        return fiscal_year + 1
    return int(m["y"] or m["y2"])


def _late_payments(text: str, fiscal_year: int, start: int = 0, end: int | None = None) -> list[re.Match]:
    """Payment dates after the fiscal year, unless the sentence says it is only planned (拟/计划/预计)."""
    out = []
    for m in _PAY_DATE.finditer(text, start, len(text) if end is None else end):
        if _pay_year(m, fiscal_year) > fiscal_year and not _PLANNED.search(text[max(0, m.start() - 6) : m.start()]):
            out.append(m)
    return out


def cross_year_payment_checks(report: ReportText, year: int | None) -> list[CheckResult]:
    """A payment dated after the fiscal year is flagged as cross-year (warn)."""
    if year is None:
        return []
    out = []
    for pm in _late_payments(report.text, year):
        paid = _pay_year(pm, year)
        out.append(
            CheckResult(
                id=f"payment.cross_year.L{report.line_of(pm.start())}",
                title="支付日期在本预算年度内",
                status=Status.warn,
                message=f"跨年度支付: “{pm.group(0)}”晚于 {year} 年度（{year} 年 12 月 31 日之后），该笔费用应在次年列支或作为应付",
                expected=year,
                observed=paid,
                difference=paid - year,
                unit="年",
                evidence=(_context(report, pm.start(), pm.end(), 30),),
                reason=Reason.cross_year_payment,
            )
        )
    return out


@dataclass(frozen=True)
class _Fees:
    """A fee for a whole period and the fees of its parts, as one statement of the report writes them."""

    report: ReportText
    lst: _List
    whole: _Range
    parts: tuple[_Range, ...]
    unit: str
    fiscal_year: int

    @property
    def line(self) -> int:
        """The line of the whole-period amount."""
        return self.report.line_of(self.lst.total.s)

    @property
    def pairs(self) -> list[tuple[_Range, _Money]]:
        """(period, amount) for each part."""
        return list(zip(self.parts, self.lst.parts, strict=True))

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Quotes of the whole-period amount and of each part, in that order."""
        r = self.report
        return (r.evidence(self.whole.s, self.lst.total.e), *(r.evidence(p.s, m.e) for p, m in self.pairs))


def _period_list(report: ReportText, lst: _List, periods: list[_Range], year: int | None) -> list[CheckResult]:
    """Every check on a whole-period fee and its parts: sum, coverage, fee per month, payment dates."""
    unit = lst.total.unit if all(p.unit == lst.total.unit for p in lst.parts) else "万元"
    fees = _Fees(report, lst, periods[0], tuple(periods[1:]), unit, year or periods[0].end.year)
    return [*period_sum_check(fees), *period_coverage_check(fees), *monthly_rate_check(fees), *payment_claim_check(fees)]


def period_sum_check(f: _Fees) -> list[CheckResult]:
    """The fee for the whole period equals the sum of the fees of its parts."""
    r = balance(
        f"periods.sum.L{f.line}",
        "全期金额 = 各期间金额之和",
        (f"{f.whole.start:%Y-%m-%d}~{f.whole.end:%Y-%m-%d} 全期", convert(f.lst.total.value, f.unit)),
        [(f"{p.start:%m-%d}~{p.end:%m-%d}", convert(m.value, f.unit)) for p, m in f.pairs],
        unit=f.unit,
        evidence=f.evidence,
        tolerance=_tolerance(f.lst, f.unit),
    )
    return [replace(r, reason=Reason.ok if r.passed else Reason.period_sum_mismatch)]


def period_coverage_check(f: _Fees) -> list[CheckResult]:
    """The parts, end to end, with no gap or overlap, make the whole period."""
    issues = [i.message for i in period_issues([Period(p.start, p.end, f"{p.start:%m-%d}~{p.end:%m-%d}") for p in f.parts])]
    first, last = min(p.start for p in f.parts), max(p.end for p in f.parts)
    if first != f.whole.start or last != f.whole.end:
        issues.append(f"各期间覆盖 {first}~{last}，全期为 {f.whole.start}~{f.whole.end}")
    return [
        CheckResult(
            id=f"periods.coverage.L{f.line}",
            title="各期间首尾相接并覆盖全期",
            status=Status.fail if issues else Status.passed,
            message="；".join(issues) if issues else f"各期间首尾相接，覆盖 {f.whole.start}~{f.whole.end}",
            unit="天",
            evidence=f.evidence,
            reason=Reason.period_gap_overlap if issues else Reason.ok,
        )
    ]


def monthly_rate_check(f: _Fees) -> list[CheckResult]:
    """The fee per month implied by each whole-month part is the same (warn when it is not)."""
    monthly = [(p, convert(m.value, "元") / k) for p, m in f.pairs if (k := _months(p))]
    if len(monthly) < 2:
        return []
    cfg = checks.rules()["monthly_rate"]
    lo, hi = min(v for _, v in monthly), max(v for _, v in monthly)
    diff = q2(hi - lo)
    ok = diff <= Decimal(cfg["tolerance_yuan"])
    listing = "；".join(f"{p.start:%m-%d}~{p.end:%m-%d} 每月 {amount(q2(v))} 元" for p, v in monthly)
    return [
        CheckResult(
            id=f"periods.monthly_rate.L{f.line}",
            title="各期间月均费用一致",
            status=Status.passed if ok else Status(cfg["status"]),
            message=f"各期间月均费用一致（{listing}）"
            if ok
            else f"各期间月均费用不一致: {listing}；相差 {amount(diff)} 元/月，请核对合同单价或期间",
            expected=q2(lo),
            observed=q2(hi),
            difference=diff,
            tolerance=Decimal(cfg["tolerance_yuan"]),
            unit="元/月",
            evidence=f.evidence[1:],
            reason=Reason.ok if ok else Reason.rate_difference,
        )
    ]


def payment_claim_check(f: _Fees) -> list[CheckResult]:
    """A “全期已支付” claim that a payment date after the fiscal year contradicts (fail).

    The late payment date itself is reported by :func:`cross_year_payment_checks`.
    """
    text, fy = f.report.text, f.fiscal_year
    late = _late_payments(text, fy, f.lst.total.s, _sentence_end(text, f.lst.parts[-1].e, 300) + 1)
    out: list[CheckResult] = []
    if not _PAID.search(text, f.whole.s, f.lst.total.e + 6):
        return out
    claim = f.report.evidence(f.whole.s, f.lst.total.e)
    whole = f"{f.whole.start}~{f.whole.end}"
    out.append(
        CheckResult(
            id=f"payment.claim.L{f.line}",
            title="“全期已支付”的表述与支付日期相符",
            status=Status.fail if late else Status.passed,
            message=(
                f"表述与数字矛盾: 称 {whole} 费用“已支付” {amount(convert(f.lst.total.value, f.unit))} {f.unit}，"
                f"但同段写明“{late[0].group(0)}”，在 {fy} 年度之后"
                if late
                else f"称 {whole} 费用已支付，同段未见 {fy} 年度之后的支付日期"
            ),
            unit=f.unit,
            evidence=(claim, _context(f.report, late[0].start(), late[0].end(), 30)) if late else (claim,),
            reason=Reason.claim_contradicted if late else Reason.ok,
        )
    )
    return out


# -- percentages and enumerations


def percent_checks(report: ReportText, ex: Extraction, params: Any = None) -> list[CheckResult]:
    """“编制数据目录 605 个、完成率达 202%”: the rate against 完成值 ÷ 指标值 (target in the sentence or the params)."""
    goals = list(getattr(params, "goals", None) or [])
    out = []
    for i, src in enumerate(ex.goal_sources):
        if "value" not in src:
            continue
        target, where = src.get("target"), "同句"
        if target is None:
            match = next((g for g in goals if g.actual is not None and g.target is not None and g.actual.value == src["value"]), None)
            if match is None:
                continue
            target, where = match.target.value, f"参数文件“{match.name}”"
        if not target:
            continue
        computed = src["value"] / target * 100
        stated = src["pct"]
        step = Decimal(1).scaleb(-max(0, -stated.as_tuple().exponent))
        ok = computed.quantize(step, rounding=ROUND_HALF_UP) == stated
        if src.get("approx") and not ok and computed < stated + step:
            ok = True  # “20 亿余条”: the value is a lower bound
        diff = q2(stated - computed)
        out.append(
            CheckResult(
                id=f"percent.L{src['line']}.{i}",
                title=f"完成率 = 完成值 ÷ 指标值：{src['name']}",
                status=Status.passed if ok else Status.fail,
                message=(
                    f"“{src['name']}”完成率 {stated}% 与 {src['value']}{src['unit']} ÷ 指标值 {target}（{where}）= {q2(computed)}% 相符"
                    if ok
                    else f"完成率不符: 报告 {stated}% ≠ {src['value']} ÷ {target}（{where}）= {q2(computed)}%（报告{'多' if diff > 0 else '少'} {abs(diff)} 个百分点）"
                ),
                expected=q2(computed),
                observed=stated,
                difference=diff,
                tolerance=step / 2,
                unit="%",
                evidence=(Evidence(src["quote"], src["line"]),),
                reason=Reason.ok if ok else Reason.percent_mismatch,
            )
        )
    return out


_ENUM = re.compile(r"(?P<deng>等)?[ \t]{0,3}(?<![\d.])(?P<n>\d{1,3})\s*(?P<u>个|项|家|场|批|类|所|座|条)")


def enumeration_checks(report: ReportText) -> list[CheckResult]:
    """“A、B、C 和 D 等 4 个”: the items listed against the count stated."""
    text = report.text
    out = []
    for m in _ENUM.finditer(text):
        head = text[max(0, m.start() - 200) : m.start()]
        if not head or "、" not in head[-120:]:
            continue
        head = re.sub(r";\s*\d{1,2}、", "、", head)  # OCR: a stray enumerator inside the list
        head = re.sub(r"(?:^|(?<=[\s>]))(?:[一二三四五六七八九十]{1,3}|\d{1,2})、", "。", head)  # “四、” headings end a clause
        clause = re.split(r"[,;:。\n]", head)[-1]
        if "、" not in clause or re.search(r"\d\s*(?:个|项|家|场|批|亿|万|%)", clause):
            continue
        items = [x for x in clause.split("、") if x.strip()]
        items[-1:] = [x for x in re.split(r"和|及|与|以及", items[-1]) if x.strip()] if items else []
        listed, n = len(items), int(m["n"])
        if m["deng"] and listed < n:
            continue  # “等 N 个” with fewer named: an “etc.”, nothing to count
        ok = listed == n
        s = m.start() - len(clause)
        out.append(
            CheckResult(
                id=f"enumeration.L{report.line_of(m.start())}",
                title="列举项数 = 所称个数",
                status=Status.passed if ok else Status.warn,
                message=(
                    f"列举 {listed} 项，与所称 {n}{m['u']}相符"
                    if ok
                    else f"列举项数不符: 所称 {n}{m['u']} ≠ 列举 {listed} 项（{'多' if listed > n else '少'} {abs(listed - n)} 项）"
                ),
                expected=n,
                observed=listed,
                difference=listed - n,
                tolerance=0,
                unit=m["u"],
                evidence=(report.evidence(s, m.end()),),
                reason=Reason.ok if ok else Reason.count_mismatch,
            )
        )
    return out


# --------------------------------------------------------------------------- the audit


def audit(report: ReportText, params: Any = None) -> tuple[Extraction, Suite]:
    """Extract a report's figures and run every check on them.

    Args:
        report: a prepared :class:`ReportText` (see :func:`read_report`).
        params: an optional ``DepartmentParams`` for the same report; its goals
            supply 指标值 that the text leaves out (e.g. for “605 个、完成率达 202%”).

    Returns:
        ``(extraction, suite)``: what was found, and every finding. A text with no
        recognised figure gives a fail, never a pass.
    """
    ex = extract(report)
    ranges = _ranges(report.text, ex.year)
    lists = list_checks(report, ex, ranges)  # first: it may supersede an identity (see IDENTITY_OF)
    suite = Suite()
    suite.extend(_not_found(ex))
    if ex.found:
        suite.extend(r for r in checks.department_checks(ex.model).results if r.id not in ex.superseded)
    suite.extend(date_checks(report, ex.year))
    suite.extend(period_reversed_checks(report, ranges))
    suite.extend(lists)
    suite.extend(cross_year_payment_checks(report, ex.year))
    suite.extend(percent_checks(report, ex, params))
    suite.extend(enumeration_checks(report))
    return ex, suite


def audit_file(path: str | Path, params: Any = None) -> tuple[ReportText, Extraction, Suite]:
    """Read a report file and audit it (see :func:`audit`); bad input raises ``InputError``."""
    report = read_report(path)
    ex, suite = audit(report, params)
    return report, ex, suite


def find_params(report_path: str | Path) -> Path | None:
    """The department params file whose ``source_report`` is this report, beside it or one folder up.

    Project params (ppp, cloud_lease…) quote the same report but carry no
    department figures, so only ``notebook: department`` files qualify.
    """
    from .errors import XtevalError
    from .schema import load_yaml

    target = Path(report_path).resolve()
    for folder in (target.parent, target.parent.parent):
        for candidate in sorted(folder.glob("*.yaml")):
            try:
                data = load_yaml(candidate)
            except XtevalError:
                continue
            if not isinstance(data, dict) or data.get("notebook") != "department":
                continue
            src = data.get("source_report")
            if isinstance(src, str) and (candidate.parent / src).resolve() == target:
                return candidate
    return None


# --------------------------------------------------------------------------- findings page

TEMPLATE = Path(__file__).parent / "templates" / "findings.html.j2"


def _highlight(report: ReportText | None, ev: Evidence, pad: int = 60) -> str:
    """The quote marked in its line, with up to ``pad`` characters either side; all else escaped."""
    mark = f"<mark>{html.escape(ev.quote)}</mark>"
    if report is None or ev.line is None or not 1 <= ev.line <= len(report.line_starts):
        return mark
    text, starts = report.text, report.line_starts
    s = starts[ev.line - 1]
    e = starts[ev.line] - 1 if ev.line < len(starts) else len(text)
    i = text.find(ev.quote, s, e)
    if i < 0:
        return mark
    lo, hi = max(s, i - pad), min(e, i + len(ev.quote) + pad)
    before, after = text[lo:i], text[i + len(ev.quote) : hi]
    return ("…" if lo > s else "") + html.escape(before) + mark + html.escape(after) + ("…" if hi < e else "")


def render_html(suite: Suite, report: ReportText | None = None, title: str = "报告勾稽检查") -> str:
    """A self-contained findings page: grouped by status, each quote highlighted in its line, no external request."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent), autoescape=True)
    groups = [
        (s, [(r, [(e, _highlight(report, e)) for e in r.evidence]) for r in suite.by_status(s)])
        for s in (Status.fail, Status.warn, Status.passed)
    ]
    page = env.get_template(TEMPLATE.name).render(
        title=title,
        source=str(report.path) if report and report.path else "",
        encoding=report.encoding if report else "",
        counts=suite.counts,
        groups=groups,
        rules_version=checks.rules()["version"],
        fmt=_fmt,
    )
    from .fonts import embed_font

    return embed_font(page)


def _fmt(v: Any) -> str:
    """A number for the findings page: an amount with its decimals, else as written."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return amount(v) if v == v.quantize(Decimal("0.000001")) else str(q2(v))
    return str(v)
