"""The heading tree of a report: 第一部分 / 第一章, 一、, （一）, 1., （1）, as data.

A heading is a line that opens with a heading marker (``text.yaml``'s ``heading``) and is short, or
ends its title without running into a sentence. Its level is its marker's: 第X部分 and 第X章 0, 一、 1,
（一） 2, 1. 3, （1） 4; each heading sits under the nearest heading above it of a lower level. The
scanner of :mod:`xteval.audit` reads the same headings (through :func:`headings` and
:func:`heading_paths`), so a figure's section and a document's sections are one reading.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .words import words


@dataclass(frozen=True)
class Section:
    """One heading of a text and the lines it covers."""

    level: int  # 0 第X部分/第X章, 1 一、, 2 （一）, 3 1., 4 （1）
    marker: str  # as written: 一、 （二） 3.
    title: str
    first_line: int  # 1-based: the heading's line
    last_line: int  # 1-based: the line before the next heading of its level or above (or the text's last)
    parent: int | None  # index in the tuple of the section it sits under


def heading_pattern() -> re.Pattern:
    """The compiled heading pattern (groups ``marker`` and ``title``), for a reader that asks whether a line opens with one."""
    return words().heading


def level(marker: str) -> int:
    """How deep a heading marker nests: 第X部分/第X章 0, 一、 1, （一） 2, 1. 3, （1） 4."""
    if marker.startswith("第"):
        return 0
    if marker[0] in "（(":
        return 4 if marker[1:2].isdigit() else 2
    if marker[0].isdigit():
        return 3
    return 1


def _found(text: str):
    """Each heading as (offset, level, title, marker), in one pass over the text."""
    for m in words().heading.finditer(text):  # a long text has millions of lines: never line by line
        s = m.start()
        e = text.find("\n", s)
        line = text[s : e if e >= 0 else len(text)]
        if len(line) > 60 and "。" in line[:40]:
            # “（二）预算执行情况。2023年…”: a short heading run into its paragraph
            if not (2 <= len(m["title"].strip()) <= 20 and text[m.end("title") : m.end("title") + 1] == "。"):
                continue
        if words().row_figures.search(m["title"]):
            continue  # a table's row (一、“三公”经费合计 21.63 21.63), not a heading
        yield s, level(m["marker"]), m["title"].strip(), m["marker"]


def headings(text: str) -> list[tuple[int, int, str]]:
    """The headings of a text as (offset, level, title)."""
    return [(s, d, t) for s, d, t, _ in _found(text)]


def heading_paths(found: list[tuple[int, int, str]]) -> list[str]:
    """The heading path in force at each heading (``一、… / （一）…``), each under the nearest shallower one, in one pass."""
    open_: dict[int, str] = {}
    out = []
    for _, depth, title in found:
        for d in [d for d in open_ if d >= depth]:
            del open_[d]
        open_[depth] = title
        out.append(" / ".join(open_[d] for d in sorted(open_)))
    return out


def sections(text: str) -> tuple[Section, ...]:
    """The heading tree of a text: each heading with its level, marker, title, the lines it covers and its parent."""
    found = list(_found(text))
    if not found:
        return ()
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    lines = [bisect.bisect_right(starts, s) for s, *_ in found]
    total = len(starts)
    out: list[Section] = []
    stack: list[int] = []  # open sections, shallowest first
    ends = [total] * len(found)
    for i, (_, depth, _, _) in enumerate(found):
        while stack and found[stack[-1]][1] >= depth:
            ends[stack.pop()] = lines[i] - 1
        stack.append(i)
    parents: list[int | None] = []
    stack = []
    for _, depth, _, _ in found:
        while stack and found[stack[-1]][1] >= depth:
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(len(parents) - 1)
    for i, (_, depth, title, marker) in enumerate(found):
        out.append(Section(depth, marker, title, lines[i], max(lines[i], ends[i]), parents[i]))
    return tuple(out)
