"""The kinds of table a document may hold, as data: ``kinds/tables/forms.yaml`` loaded into frozen records.

Each kind (a 部门决算 公开 form, the 三公 table, a 自评表) carries the words that recognise it, its column
words and the pieces each sets (预算数 → ``mode: control``), its row words and the field template each row
fills. :mod:`.tables` reads a document's tables through them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..money import fold
from ..params import load_yaml

FILE = Path(__file__).resolve().parent / "kinds" / "tables" / "forms.yaml"
MAX_CELL = 200  # characters of a cell that are read (a form's cell is short; the rest is prose or noise)


@dataclass(frozen=True)
class Words:
    """One column or row entry of a kind: the words (or pattern) it matches and the pieces it sets."""

    words: frozenset[str] = frozenset()
    pattern: re.Pattern | None = None
    set: tuple[tuple[str, str], ...] = ()
    id: str = ""
    label: bool = False
    side: str | None = None
    if_unset: bool = False
    unit: str = ""
    negate: bool = False
    function: bool = False
    year: bool = False

    def pieces(self) -> dict[str, str]:
        return dict(self.set)


@dataclass(frozen=True)
class TableKind:
    """One form: how it is recognised, read and checked."""

    id: str
    title: str
    source: str
    subject: str
    markers: dict[str, int]
    not_markers: tuple[str, ...]
    columns: tuple[Words, ...]
    rows: tuple[Words, ...]
    fields: dict[str, str]
    only: dict[str, dict[str, tuple[str, ...]]]
    values: dict[str, dict[str, str]]
    rename: dict[str, str]
    defaults: dict[str, str]
    checks: tuple[dict[str, Any], ...]
    stop: frozenset[str]
    sides: tuple[str, ...]
    count_units: dict[str, str]
    carry: tuple[str, ...] = ()  # pieces a row passes on to the rows under it (一、按单位基本性质 → its 行政单位, 事业单位)
    listed: bool = False  # the form lists every part of its totals: a part it leaves blank or does not print is none

    def column(self, word: str, year: re.Pattern) -> Words | None:
        """The column entry a cleaned header word is, if any (a year column by the shared ``year`` pattern)."""
        for e in self.columns:
            if word in e.words or e.pattern is not None and e.pattern.search(word) or e.year and year.match(word):
                return e
        return None


def _words(entry: dict[str, Any], common: Common) -> Words:
    pattern = entry.get("pattern")
    return Words(
        words=frozenset(common.clean(str(w)) for w in entry.get("words") or ()),
        pattern=re.compile(pattern) if pattern else None,
        set=tuple((str(k), str(v)) for k, v in (entry.get("set") or {}).items()),
        id=str(entry.get("id", "")),
        label=bool(entry.get("label")),
        side=entry.get("side"),
        if_unset=bool(entry.get("if_unset")),
        unit=str(entry.get("unit", "")),
        negate=bool(entry.get("negate")),
        function=bool(entry.get("function")),
        year=bool(entry.get("year")),
    )


@dataclass(frozen=True)
class Common:
    """The words every form shares: how a cell is cleaned, what a 科目, a code, a unit and a blank look like."""

    cleaner: re.Pattern
    gloss: re.Pattern
    top: re.Pattern
    sub: re.Pattern
    code: re.Pattern
    code_lead: re.Pattern
    function: re.Pattern
    unit: re.Pattern
    year: re.Pattern
    blank: frozenset[str]
    furniture: frozenset[str]
    not_amounts: frozenset[str]

    def clean(self, text: str) -> str:
        return self.cleaner.sub("", fold(text[:MAX_CELL]).strip())


@dataclass(frozen=True)
class Forms:
    version: str
    threshold: int
    common: Common
    kinds: tuple[TableKind, ...]


@functools.cache
def forms() -> Forms:
    """``kinds/tables/forms.yaml``, compiled once."""
    doc = load_yaml(FILE)
    try:
        c = doc["common"]
        common = Common(
            *(re.compile(str(c[k])) for k in ("clean", "gloss", "top", "sub", "code", "code_lead", "function", "unit", "year")),
            blank=frozenset(str(b) for b in c["blank"]),
            furniture=frozenset(str(f) for f in c["furniture"]),
            not_amounts=frozenset(str(f) for f in c["not_amounts"]),
        )
        kinds = tuple(_kind(k, common) for k in doc["kinds"])
        return Forms(str(doc["version"]), int(doc["threshold"]), common, kinds)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"表式定义无效 (invalid table kinds: {exc})", file=FILE) from None


def _kind(k: dict[str, Any], common: Common) -> TableKind:
    only = {
        str(r): {str(p): tuple(v if isinstance(v, list) else [v]) for p, v in spec.items()} for r, spec in (k.get("only") or {}).items()
    }
    return TableKind(
        id=str(k["id"]),
        title=str(k["title"]),
        source=str(k["source"]),
        subject=str(k.get("subject") or ""),
        markers={table_key(str(w)): int(v) for w, v in k["markers"].items()},
        not_markers=tuple(table_key(str(w)) for w in k.get("not_markers") or ()),
        columns=tuple(_words(e, common) for e in k["columns"]),
        rows=tuple(_words(e, common) for e in k["rows"]),
        fields={str(r): str(t) for r, t in k["fields"].items()},
        only={r: {p: tuple(str(x) for x in v) for p, v in spec.items()} for r, spec in only.items()},
        values={str(p): {str(a): str(b) for a, b in m.items()} for p, m in (k.get("values") or {}).items()},
        rename={str(a): str(b) for a, b in (k.get("rename") or {}).items()},
        defaults={str(a): str(b) for a, b in (k.get("defaults") or {}).items()},
        checks=tuple(k.get("checks") or ()),
        stop=frozenset(common.clean(str(w)) for w in k.get("stop") or ()),
        sides=tuple(str(s) for s in k.get("sides") or ()),
        count_units={str(a): str(b) for a, b in (k.get("count_units") or {}).items()},
        carry=tuple(str(c) for c in k.get("carry") or ()),
        listed=bool(k.get("listed")),
    )


@functools.lru_cache(maxsize=16384)  # a form's header words recur in every table of a long document
def table_key(text: str, gloss: re.Pattern | None = None) -> str:
    """Text reduced for marker matching: folded, no whitespace, no quotes (nor pinyin glosses, given ``gloss``)."""
    text = fold(text)
    if gloss is not None:
        text = gloss.sub("", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "“”\"‘’'《》")
