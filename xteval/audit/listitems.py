"""A list's owner and its first item in one label: 项目支出包括委员活动经费 36.3 万元.

A mixin of the engine's reader (:class:`.engine._Reader`). Where a list word stands inside the words before a figure,
the words before it name the list's owner (项目支出, stated earlier) and the words after it the item the figure is
of: the figure is the owner's first item, as the items after it are, never the owner's own amount. Its phrasing is
YAML (``engine.list_inside`` in ``kinds/fields.yaml``).
"""

from __future__ import annotations

import itertools
from typing import Any

from .kinds import patterns
from .scanner import Token

_RE = patterns("engine")
OWNER_LOOKBACK = 200  # facts read before a list's first item among which its owner's figure is looked for


class ListItemReading:
    """Reads a figure whose label holds its list's owner and its item; ``doc``, ``m``, ``state``, ``_fields`` and
    ``_item_or_unread`` are the reader's."""

    doc: Any
    m: Any
    state: dict[str, Any]

    def first_item(self, tok: Token, label: str, context: str) -> bool:
        """True when the figure was read (or left) as the first item of the list its label opens."""
        inner = _RE.list_inside.match(label)
        if inner is None or tok.in_brackets:
            return False
        owner = self._fields(inner["owner"], context, aside=True)
        if len(owner) != 1 or not self.m.vocab["parts_of"].get(owner[0]):
            return False
        self.state["owner_field"], self.state["owner_kw"] = owner[0], inner["kw"]
        # the owner's figure is stated shortly before its list: looked for among the last facts only (a long text of
        # such labels with no owner figure would otherwise search every fact read, once a label)
        recent = itertools.islice(reversed(self.doc.facts), OWNER_LOOKBACK)
        self.state["owner"] = next((f.seq for f in recent if f.field == owner[0]), None)
        self._item_or_unread(tok, inner["name"], context)
        return True
