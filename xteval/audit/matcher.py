"""Labels to field ids: the aliases of ``kinds/fields.yaml`` matched against the words before a figure.

The longest alias that ends near the figure wins (一般公共预算财政拨款收入 is not 财政拨款收入); 三公 figures
take their part and mode from the clause or the sentence. Only the document kind's field groups are used.
:mod:`.engine` calls it for every figure it reads.
"""

from __future__ import annotations

import re

from .kinds import Kind, vocabulary
from .subjects import heading_mode

NEAR = 10  # a label ends at most this many characters before its figure's lead words
_TP_WORDS = ("公务", "出国", "三公", "车辆", "接待", "公车")  # a label with none of these is no 三公 part outside a 三公 text
_PART_GROUP = {"vehicle_total": "vehicle", "vehicle_purchase": "vehicle"}  # the 公务用车 items are one of the three

# The matcher's caches, shared by every document of one kind read with one vocabulary: a year's documents
# repeat their labels, and an intake worker read each of them afresh (a third of a small document's reading).
# Keyed by the objects' ids, which stay valid because the value holds the objects; bounded like each cache.
_SHARED: dict[tuple[int, int], tuple[object, object, dict[str, dict]]] = {}


# the words after a field's name that say only that its figure is the actual one (基本支出决算数): the name decides
_ACTUAL_SUFFIXES = ("决算总额", "决算金额", "决算数", "决算")


def _best(label: str, patterns: list[re.Pattern]) -> tuple[int, int] | None:
    """The best alias match in a label: (length, end) of the longest that ends within NEAR of the end."""
    best = None
    for pat in patterns:
        if pat.pattern in (".*", "^$"):  # a catch-all (the unit decides): the weakest match
            if pat.pattern == ".*" or not label:
                best = best or (0, len(label))
            continue
        for m in pat.finditer(label):
            if len(label) - m.end() <= NEAR and m.end() > m.start():
                cand = (m.end() - m.start(), m.end())
                if best is None or cand > best:
                    best = cand
    return best


def _bounded(cache: dict) -> dict:
    """A cache emptied when it grows past 20,000 entries (a hostile text need not repeat its labels)."""
    if len(cache) > 20000:
        cache.clear()
    return cache


class Matcher:
    """Label → field ids, for one document kind."""

    def __init__(self, kind: Kind | None, document_mode: str = "actual"):
        # the 三公 mode of a figure no word and no heading decides: the document's own (subjects.document_mode)
        self.kind, self.document_mode = kind, document_mode
        self.vocab = vocabulary()
        self.mod = self.vocab["_mod"]
        self.tp = self.vocab["three_public"]
        key = (id(self.vocab), id(kind))
        if key not in _SHARED:
            if len(_SHARED) > 32:
                _SHARED.clear()
            _SHARED[key] = (self.vocab, kind, {"uses": {}, "scope": {}, "fields": {}, "after": {}, "share": {}, "tp": {}})
        self._caches = _SHARED[key][2]

    def _uses(self, field_id: str) -> bool:
        cache = self._caches["uses"]
        if field_id not in cache:
            cache[field_id] = self.kind is None or self.kind.uses(field_id)
        return cache[field_id]

    def _scoped(self, group: str, context: str) -> tuple[bool, ...]:
        """Which entries of a group the context admits (their ``within`` / ``not_within``), cached by context."""
        cache = _bounded(self._caches["scope"])
        key = (group, context)
        if key not in cache:
            cache[key] = tuple(
                (e["_within"] is None or bool(e["_within"].search(context))) and (e["_not"] is None or not e["_not"].search(context))
                for e in self.vocab[group]
            )
        return cache[key]

    def fields(self, group: str, label: str, context: str, unit: str = "") -> tuple[list[str], str]:
        """The field ids a label names in a vocabulary group, and what follows the alias in the label.

        Cached by label, unit and the entries the context admits: a long report repeats its labels.
        """
        scope = self._scoped(group, context)
        cache = _bounded(self._caches["fields"])
        key = (group, label, unit, scope)
        if key not in cache:
            cache[key] = self._fields_uncached(group, label, unit, scope)
            head = label.removesuffix(next((w for w in _ACTUAL_SUFFIXES if label.endswith(w)), ""))
            if head != label:  # 基本支出决算: the 基本支出's figure, not a 支出决算 (the total) that shares its 支出
                named, rest = self._fields_uncached(group, head, unit, scope)
                if named and not rest:
                    cache[key] = named, label[len(head) :]
        fields, rest = cache[key]
        return list(fields), rest

    def _fields_uncached(self, group: str, label: str, unit: str, scope: tuple[bool, ...]) -> tuple[list[str], str]:
        best, best_key, rest = [], None, ""
        for entry, admitted in zip(self.vocab[group], scope, strict=True):
            fields = [f for f in entry["_fields"] if self._uses(f)]
            if not fields or not admitted:
                continue
            if unit and entry.get("units") and unit not in entry["units"]:
                continue
            m = _best(label, entry["_re"])
            if m is None:
                continue
            key = (m[0] + (2 if entry["_within"] is not None else 0), m[1])
            if best_key is None or key > best_key:
                best, best_key, rest = fields, key, label[m[1] :]
        return best, rest

    def counted_after(self, after: str, context: str, unit: str) -> list[str]:
        """The count field the noun right after a count names (“对 17 个项目开展自评”, “下属 3 个二级单位”): its ``after`` words."""
        scope = self._scoped("counts", context)
        cache = _bounded(self._caches["after"])
        key = (after, unit, scope)
        if key not in cache:
            cache[key] = next(
                (
                    [f for f in entry["_fields"] if self._uses(f)]
                    for entry, admitted in zip(self.vocab["counts"], scope, strict=True)
                    if admitted and entry["_after"] is not None and unit in entry.get("units", (unit,)) and entry["_after"].match(after)
                ),
                [],
            )
        return list(cache[key])

    def alias_share(self, label: str) -> float:
        """How much of a label its best money alias covers (1.0: the label is the alias)."""
        cache = _bounded(self._caches["share"])
        if label not in cache:
            cache[label] = self._alias_share(label)
        return cache[label]

    def _alias_share(self, label: str) -> float:
        best = 0
        for entry in self.vocab["money"]:
            m = _best(label, entry["_re"])
            if m and m[1] == len(label):
                best = max(best, m[0])
        return best / len(label) if label else 0.0

    heading = ""  # the heading path of the figure being read (set by the reader)

    def budget_text(self, section: str) -> bool:
        """True where the text states budgets (a 预算 explanation's section, or a page whose title says 预算): there a
        figure's budget is what the sentence is about, and its share and change (占 Y%，比上年增加 Z) are the budget's."""
        return heading_mode(section, self.document_mode) == "control"

    def _names_every_part(self, sentence: str) -> bool:
        """True when the clause a figure ends (the sentence up to it, from its last ，or ；) names all three 三公
        items, 出国, 公务用车 and 接待, and gives them no figures in turn (分别, 各): their sum is the figure."""
        clause = sentence[max(sentence.rfind(c) for c in "，,；;。：:") + 1 :]
        if "分别" in clause or "各" in clause:
            return False
        groups = {_PART_GROUP.get(name, name) for name, pats in self.tp["_parts"].items() for p in pats if p.search(clause)}
        return {"overseas", "vehicle", "reception"} <= groups

    def part_in(self, text: str) -> str | None:
        """The 三公 part named last in a text (a sentence before its figure); the total when 三公经费 is named after
        every part (“因公出国费、公务接待费、公务用车购置及运行费（“三公”经费）决算总额”: the list, then its name)."""
        best, where = None, -1
        for name, pats in [*self.tp["_parts"].items(), ("total", self.tp["_total"])]:
            for pat in pats:
                for m in pat.finditer(text):
                    if (m.end(), m.end() - m.start()) > (where, 0):
                        best, where = name, m.end()
        return best

    def _tp_part(self, label: str) -> tuple[str | None, tuple[int, int] | None]:
        """The 三公 part a label names and where its alias ends (a long report repeats its labels: cached)."""
        cache = _bounded(self._caches["tp"])
        if label not in cache:
            part, where = None, None
            for name, pats in self.tp["_parts"].items():
                m = _best(label, pats)
                if m and (where is None or m > where):
                    part, where = name, m
            tm = _best(label, self.tp["_total"])
            if tm and (where is None or tm[0] > where[0] and tm[1] >= where[1]):
                part, where = "total", tm
            cache[label] = (part, where)
        return cache[label]

    def three_public(self, label: str, context: str, state: dict, aside: bool = False) -> str | None:
        """A 三公 field (``three_public.<mode>.<part>``) when the label or its sentence is about 三公."""
        if not self._uses("three_public.actual.total"):
            return None
        if self.tp["marker"] not in context and not state.get("tp_part") and not any(k in label for k in _TP_WORDS):
            return None  # nothing about 三公 here (the common case: decided without a regular expression)
        part, where = self._tp_part(label)
        if part not in (None, "total") and self._names_every_part(context.split(" ")[0]):
            part = "total"  # 因公出国费、公务用车购置及运行费和公务接待费的预算数 X: the three together
        rest = label[where[1] :] if where else label
        in_context = self.tp["marker"] in context or state.get("tp_part")
        if part is None:
            if not in_context or len(label) > 14:
                return None
            if not (self.tp["_control"].search(rest) or self.tp["_actual"].search(rest)):
                return None
            if not self.tp["_mode_label_rest"].fullmatch(self.tp["_actual"].sub("", self.tp["_control"].sub("", label))):
                return None  # a noun of its own beside the mode word (车辆保障开支): not the part the sentence names
            part = state.get("tp_part") or self.part_in(context.split(" ")[0][-80:]) or "total"
        mode = None
        control, actual = self.tp["_control"].search(rest), self.tp["_actual"].search(rest)
        if where and not control and not actual:  # 实际支出“三公”经费 X: the mode word before the name
            before = self.tp["_heading_noise"].sub("", label[: where[1] - where[0]])
            control, actual = self.tp["_control"].search(before), self.tp["_actual"].search(before)
        control = control or (not actual and self.tp["_control_lead"].match(label))
        if control and (not actual or "预算" in rest):
            mode = "control"
        elif actual:
            mode = "actual"
        if where is None and not aside and mode and state.get("tp_mode") and mode != state["tp_mode"] and state.get("tp_total"):
            part = "total"  # “控制数 X，其中…；实际支出 Y，其中…”: after a total and its parts, a new mode starts at the total
        # 2010年“三公”经费财政拨款预算中，因公出国费 X: the sentence's words before its first figure say which it states
        opening = heading_mode(context.split(" ")[0], "") if not (mode or state.get("tp_mode")) else ""
        mode = mode or state.get("tp_mode") or opening or heading_mode(self.heading, self.document_mode)
        state["tp_part"], state["tp_mode"] = part, mode
        if part == "total":
            state["tp_total"] = True
        return f"three_public.{mode}.{part}"
