"""The 科目 of a 决算说明's detailed section: 一般公共服务(类)人大事务(款)行政运行(项)：支出决算为 X 万元，完成预算 Y%.

A mixin of the engine's reader (:class:`.engine._Reader`). The 财政拨款支出决算具体情况 of a 部门决算说明 states each
项级科目 in turn: its path of 类, 款 and 项, then its 年初预算 and 支出决算 (either may be left out) and how much of
its budget it spent. Such a figure is the 科目's (``expenditure.function_item``, named by its path as written), never
the section's total, which the words “支出决算为” alone would name. The rate and the difference from the budget
that follow are the 科目's, by the reader's base. A path names a 科目 on the figure's own line, or in the heading
just above it. Its phrasings are YAML (``engine.class_item_*`` in ``kinds/fields.yaml``).
"""

from __future__ import annotations

from typing import Any

from .kinds import patterns
from .scanner import Token

_RE = patterns("engine")
_LEVELS = ("(类)", "(款)", "(项)")
PATH_REACH = 240  # characters before a figure in which its 科目 path may stand (a path of three levels runs to 100)


class ClassItemReading:
    """Reads a 科目's figure; ``doc``, ``m``, ``state``, ``base`` and ``emit`` are the reader's."""

    doc: Any
    m: Any
    state: dict[str, Any]

    def class_item(self, tok: Token, label: str) -> bool:
        """True when the figure is a 科目's 支出决算 or 预算 (emitted here)."""
        if not _RE.class_item_figure.fullmatch(label) or not self.m._uses("expenditure.function_item"):
            return False
        path = self._class_path(tok)
        if path is None:
            return False
        budget = "预算" in label and "决算" not in label
        fact = self.emit(tok, "expenditure.function_item" + (".budget" if budget else ""), tok.value, "万元", name=path)
        if not budget and not tok.in_brackets:
            self.state["base"] = [fact]
        return True

    def base_name(self, field_id: str) -> str | None:
        """The name of the named part (a 科目, a 功能分类 item) a modifier of ``field_id`` is about: its change is that
        part's, not one of the field's changes at large (which two parts' changes would make ambiguous)."""
        return next((f.name for f in self.base() if f.field == field_id and f.name), None)

    def _class_path(self, tok: Token) -> str | None:
        """The 科目 path on the token's line before it, else in its nearest heading; None when neither names one."""
        text = self.doc.report.text
        lo = max(0, tok.start - PATH_REACH)  # a line of a long text without breaks is read this far back only
        cut = text.rfind("\n", lo, tok.start)
        line = text[cut + 1 if cut >= 0 else lo : tok.start]
        for where in (line, tok.section.rsplit(" / ", 1)[-1]):
            if any(level in where for level in _LEVELS):
                found = list(_RE.class_item_path.finditer(where))
                if found:
                    return _RE.class_item_lead.sub("", found[-1].group(0))
        return None
