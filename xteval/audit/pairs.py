"""Two figures of one clause given to two subjects in turn: 收、支总计各是 4125.49、4143.91 万元.

A mixin of the engine's reader (:class:`.engine._Reader`). A label that names two subjects at once (收支总计: the
收入总计 and the 支出总计) gives both the one figure after it, as 收、支总计均为 X 万元 means. Written with 各 or 分别 and
followed by a second figure of the same kind with no words of its own (各是 A、B; 各减少 A，B; 各下降 a%、b%), the two
figures are the two subjects' in the order the label names them. Its phrasings are YAML (``engine.each_pair`` and
``engine.pair_gap`` in ``kinds/fields.yaml``).
"""

from __future__ import annotations

from typing import Any

from .kinds import patterns
from .scanner import Token

_RE = patterns("engine")


class PairReading:
    """Splits a figure read for two subjects when the clause gives each its own; ``doc``, ``by_token`` and ``emit`` are the reader's."""

    doc: Any
    by_token: dict[int, list[Any]]
    paired: set[int]  # tokens already read as the second figure of a pair

    def split_pair(self, tok: Token) -> None:
        facts = self.by_token.get(tok.index) or []
        if len(facts) != 2 or facts[0].value != facts[1].value or not _RE.each_pair.search(tok.raw_label):
            return
        tokens = self.doc.tokens
        nxt = tokens[tok.index + 1] if tok.index + 1 < len(tokens) else None
        if nxt is None or nxt.kind != tok.kind or nxt.unit != tok.unit or nxt.raw_label or not _RE.pair_gap.fullmatch(nxt.between):
            return
        second = facts[1]
        if second.value not in (tok.value, -tok.value):
            return  # a figure worked out from the token (a unit converted): not one to hand on as it stands
        sign = -1 if second.value != tok.value else 1  # 各减少 A、B: both decreases
        emitted = self.doc.facts
        # the fact was emitted just now: found from the end by identity (a search from the start, by equality, would
        # cost a pass over every fact for each pair of a long text, and could take an equal fact read earlier)
        at = next((i for i in range(len(emitted) - 1, max(-1, len(emitted) - 9), -1) if emitted[i] is second), None)
        if at is None:
            return
        del emitted[at]
        self.by_token[tok.index] = [facts[0]]
        self.emit(nxt, second.field, sign * nxt.value, second.unit, owner=second.owner)
        self.paired.add(nxt.index)
