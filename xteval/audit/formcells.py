"""The cells of a 自评表 read as text, shared by its readers (:mod:`.forms`, :mod:`.glued`): a cell with its
place, the number a cell holds, and a form's fact emitted with its cell as evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .engine import Document, Fact
from .kinds import patterns

_RE = patterns("forms")  # its phrasings (fields.yaml), each named by its key where it is matched
_NATURE = {"≥": "positive", "≧": "positive", ">": "positive", "≤": "reverse", "≦": "reverse", "<": "reverse", "=": "equal", "﹦": "equal"}


@dataclass
class Cell:
    text: str
    start: int
    end: int
    line: int


def cells(doc: Document, near: re.Pattern | None = None) -> list[Cell]:
    """Every cell (a run of text between whitespace or ``|``) of the report, in order.

    With ``near``, only the cells within a few lines of where the pattern occurs (a table in a long
    prose report is a few lines; reading the whole report cell by cell would cost more than the table).
    """
    report = doc.report
    text = report.text
    if near is None:
        return [Cell(m.group(0), m.start(), m.end(), report.line_of(m.start())) for m in _RE.cell.finditer(text)]
    out: list[Cell] = []
    end = 0
    for hit in near.finditer(text):
        lo = max(end, report.line_starts[max(0, report.line_of(hit.start()) - 4)])
        last = min(len(report.line_starts), report.line_of(hit.start()) + 12)
        hi = report.line_starts[last] if last < len(report.line_starts) else len(text)
        if hi <= lo:
            continue
        out += [Cell(m.group(0), m.start(), m.end(), report.line_of(m.start())) for m in _RE.cell.finditer(text, lo, hi)]
        end = hi
    return out


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.rstrip("%").replace(",", "").replace("−", "-"))
    except InvalidOperation:
        return None


def _clean(text: str) -> str:
    return _RE.list_lead.sub("", text).strip("：:")


def _unit_of(column: str) -> str:
    """The unit of a funds-block column: 执行率 in %, 分值 and 得分 in points, the rest in 万元."""
    return "%" if column == "execution_rate" else "分" if column in ("execution_weight", "execution_score") else "万元"


def _emit(doc: Document, field: str, cell: Cell, value: Decimal, unit: str, label: str | None = None, **extra) -> Fact:
    f = Fact(field, value, unit, cell.line, cell.text, cell.start, cell.end, label=label or field, cell=True, **extra)
    doc.facts.append(f)
    return f
