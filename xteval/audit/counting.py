"""Counts in a report's text: 所属独立核算单位 6 个、较上年减少 1 个, 人员编制 | 34, 一级指标 4 个, 分别为 2 辆和 57 辆.

A mixin of the engine's reader (:class:`.engine._Reader`): it reads a count token with the reader's
state (the count before it, the list it opens), its matcher and its ``emit``. Its phrasings are YAML
(``patterns: engine`` and ``cells`` in ``kinds/fields.yaml``), as all of the engine's.
"""

from __future__ import annotations

import re
from typing import Any

from .kinds import patterns
from .scanner import Token

_CELLS = patterns("cells")  # a form's row labels (人员编制) whose figures stand in the next cell
_RE = patterns("engine")


class CountReading:
    """The count readers of the engine's reader; ``m``, ``mod``, ``state``, ``last_count``, ``emit`` and ``_sign`` are the reader's."""

    m: Any
    mod: dict[str, re.Pattern]
    state: dict[str, Any]
    last_count: Any

    def count(self, tok: Token, label: str, context: str) -> None:
        label = self._count_name(tok, label)
        if self._count_change(tok, label, context):
            return
        base = self.state.get("count_base") or (self.last_count if _RE.list_opening.match(tok.sentence) else None)
        if base is not None and "其中" in tok.between and "count_owner" not in self.state:
            self.state["count_owner"] = base.seq  # “共 5 个，其中行政单位 1 个…”: the parts of the count before
        rest = _RE.clause_rest.match(tok.after)
        context = (rest[0] if rest else "") + " " + context  # “共设置 5 个绩效目标”: what is counted stands after the count
        fields, _ = self.m.fields("counts", label or " ", context, tok.unit)
        if not fields and not self._sign(label):  # the noun after it names a count its label does not (年中增加 1 个项目 is a change)
            fields = self.m.counted_after(tok.after.lstrip(), context, tok.unit)
        if fields[:1] == ["count.projects"] and _RE.indicators_after.match(tok.after) and self.m._uses("count.indicators"):
            fields = ["count.indicators"]  # “本项目设定 9 个绩效目标指标”: the project's indicators, not 9 projects
        for f in fields[:1]:
            self.state["count_base"] = self.emit(tok, f, tok.value, tok.unit, owner=self.state.get("count_owner"))

    def _count_name(self, tok: Token, label: str) -> str:
        """“新购及保有分别为 2 辆和 57 辆”: each count of the list takes its own name, in order, in one unit."""
        if _RE.respectively_end.search(tok.raw_label):
            names = [n for n in _RE.name_split.split(label) if n]
            if len(names) >= 2:
                self.state["count_names"] = (names[1:], tok.unit)
                return names[0]
        rest = self.state.get("count_names")
        if rest and rest[0] and rest[1] == tok.unit and _RE.name_gap.fullmatch(label):
            return rest[0].pop(0)
        return label

    def _count_cell(self, tok: Token, label: str) -> bool:
        """A staff form's cell: a whole number alone in its cell (or on its line) right after a row label such as
        人员编制 or 实有人数 (``cells.count_label``), read as that count of 人. A bare number in prose never is."""
        if not label or not _CELLS.count_label.fullmatch(label) or not tok.cell or tok.value != tok.value.to_integral_value():
            return False
        fields, _ = self.m.fields("counts", label, tok.sentence + " " + tok.section, "人")
        for f in fields[:1]:
            self.emit(tok, f, tok.value, "人")
        return bool(fields)

    def _count_change(self, tok: Token, label: str, context: str) -> bool:
        """较上年减少 1 个, 车辆减少 3 辆: a change of a count (``F.change``, signed), never the count itself.

        F is the count its clause names, else the count just before it in the sentence (in the same unit);
        with neither the change is left unread.
        """
        sign = self._sign(label)
        if not sign or not (self.mod["compare"].search(label) or _RE.change_word_end.search(label)):
            return False
        words = re.split(self.mod["increase"].pattern + "|" + self.mod["decrease"].pattern, label)[0]
        words = _RE.versus_last_year.sub("", re.sub(self.mod["compare"].pattern, "", words))
        fields = self.m.fields("counts", words, context, tok.unit)[0] if len(words) >= 2 else []
        base = self.state.get("count_base")
        field_id = fields[0] if fields else base.field if base is not None and base.unit == tok.unit else None
        if field_id and not field_id.startswith("claims."):
            self.emit(tok, field_id + ".change", sign * tok.value, tok.unit)
        return True
