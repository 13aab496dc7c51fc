"""Reading a report: decode it whatever its encoding, refuse what is not a report, normalise it line by line.

:func:`read_report` decodes a file (UTF-8, else GB18030, which covers GBK) and
refuses what is not a report: missing, a directory, empty, binary.
:func:`prepare` normalises each line (full-width forms, ``<p>`` tags, OCR page
numbers such as a stray ``4.26`` line) while keeping line numbers.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..checks import Evidence
from ..files import read_text


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
        InputError: the file is missing, a directory, not a regular file, too large,
            unreadable, empty or binary.
    """
    path = Path(path)
    raw, encoding = read_text(path)  # a FIFO, a device, a file over the size cap or a binary file is refused
    return prepare(raw, path=path, encoding=encoding)


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
