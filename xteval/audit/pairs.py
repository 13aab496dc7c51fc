"""Two figures of one clause given to two subjects in turn: 收、支总计各是 4125.49、4143.91 万元.

A mixin of the engine's reader (:class:`.engine._Reader`). A label that names two subjects at once (收支总计: the
收入总计 and the 支出总计) gives both the one figure after it, as 收、支总计均为 X 万元 means. Written with 各 or 分别 and
followed by a second figure of the same kind with no words of its own (各是 A、B; 各减少 A，B; 各下降 a%、b%), the two
figures are the two subjects' in the order the label names them. Its phrasings are YAML (``engine.each_pair`` and
``engine.pair_gap`` in ``kinds/fields.yaml``).

Changes written in turn after the figures they change (因公出国费 A，公务用车费 B，公务接待费 C。与上年相比，分别减少 x、y、z
万元) are those figures' changes in the order they stand: the last figures of the clause before, or of the sentence
before when the clause opens it, one change each. With fewer figures before than changes, nothing is handed on.
"""

from __future__ import annotations

from typing import Any

from .kinds import patterns
from .scanner import Token

_RE = patterns("engine")
# the fields that state something about another figure (its change, last year's figure, its share, its budget…)
_MODIFIERS = (".change", ".change_rate", ".previous", ".share", ".budget", ".budget_rate", ".budget_diff", ".budget_diff_rate")


class PairReading:
    """Splits a figure read for two subjects when the clause gives each its own; ``doc``, ``by_token`` and ``emit`` are the reader's."""

    doc: Any
    by_token: dict[int, list[Any]]
    paired: set[int]  # tokens already read as the second figure of a pair

    def split_pair(self, tok: Token) -> None:
        facts = self.by_token.get(tok.index) or []
        if len(facts) == 1 and self._changes_in_turn(tok, facts[0]):
            return
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
        at = self._just_emitted(second)
        if at is None:
            return
        del self.doc.facts[at]
        self.by_token[tok.index] = [facts[0]]
        self.emit(nxt, second.field, sign * nxt.value, second.unit, owner=second.owner)
        self.paired.add(nxt.index)

    def _changes_in_turn(self, tok: Token, change: Any) -> bool:
        """分别减少 x、y、z: each change to one of the figures before, in order (see the module's note)."""
        suffix = change.field.rpartition(".")[2]
        if suffix not in ("change", "change_rate") or not _RE.each_pair.search(tok.raw_label):
            return False
        tokens = self.doc.tokens
        chain = [tok]
        while chain[-1].index + 1 < len(tokens):
            nxt = tokens[chain[-1].index + 1]
            if nxt.kind != tok.kind or nxt.unit != tok.unit or nxt.raw_label or not _RE.pair_gap.fullmatch(nxt.between):
                break
            chain.append(nxt)
        subjects = self._figures_before(tok)
        if len(chain) < 2 or len(subjects) < len(chain):
            return False
        at = self._just_emitted(change)
        if at is None:
            return False
        sign = 1 if change.value == tok.value else -1  # 分别减少: all decreases
        del self.doc.facts[at]  # emitted just now, for the one figure before it
        self.by_token[tok.index] = []
        for each, subject in zip(chain, subjects[-len(chain) :], strict=True):
            certain = each is not tok or change.certain
            self.emit(each, f"{subject.field}.{suffix}", sign * each.value, change.unit, certain=certain, name=subject.name)
            self.paired.add(each.index)
        return True

    def _just_emitted(self, fact: Any) -> int | None:
        """Where a fact emitted just now stands among the facts: found from the end by identity (a search from the
        start, by equality, would cost a pass over every fact for each pair of a long text, and could take an equal
        fact read earlier)."""
        emitted = self.doc.facts
        return next((i for i in range(len(emitted) - 1, max(-1, len(emitted) - 9), -1) if emitted[i] is fact), None)

    def _figures_before(self, tok: Token) -> list[Any]:
        """The figures a change in turn may be about, one fact each: those of the sentence so far or, when it has none,
        of the sentence before, back to the nearest money figure that is no such figure (a change, a figure read as
        two facts or as none), which bounds the run."""
        tokens = self.doc.tokens
        i = tok.index - 1
        while i >= 0 and tokens[i].sentence_start == tok.sentence_start and not self._is_base(tokens[i]):
            i -= 1
        if i < 0:
            return []
        start = tokens[i].sentence_start
        out = []
        while i >= 0 and tokens[i].sentence_start == start:
            if tokens[i].kind == "money":
                facts = self.by_token.get(tokens[i].index) or []
                if len(facts) != 1 or not self._is_base(tokens[i]):
                    break
                out.append(facts[0])
            i -= 1
        return out[::-1]

    def _is_base(self, tok: Token) -> bool:
        facts = self.by_token.get(tok.index) or []
        return len(facts) == 1 and not facts[0].field.endswith(_MODIFIERS) and facts[0].field != "threshold" and not tok.in_brackets
