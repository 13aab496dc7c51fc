"""Reading a report: decode it whatever its encoding, refuse what is not a report, normalise it line by line.

:func:`read_source` reads a file once into a :class:`~xteval.files.SourceDocument` (plain text in
UTF-8 or GB18030, which covers GBK; .docx; a PDF's text layer; a scan by OCR) and refuses what is
not a report: missing, a directory, empty, binary. Everything that reads a report takes that one
document: the quote check of a params file's ``seed`` figures and :func:`prepared`, which gives
the audit its :class:`ReportText`. :func:`prepare` normalises each line (full-width forms, ``<p>``
tags, OCR page numbers such as a stray ``4.26`` line) while keeping line numbers.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..checks import Evidence
from ..errors import InputError
from ..files import SourceDocument
from ..money import fold, other_script_digit
from .kinds import patterns


@dataclass(frozen=True)
class ReportText:
    """A report's text: as decoded, normalised line by line, and where each line starts."""

    raw: str
    text: str  # normalised; the same number of lines as ``raw``
    encoding: str = "utf-8"
    path: Path | None = None
    line_starts: tuple[int, ...] = ()
    raw_chars: int | None = None  # the whole text's length, set when only its beginning was read (see :func:`within_figure_budget`)
    source: SourceDocument | None = None  # the document as read, when it was read from a file

    def line_of(self, offset: int) -> int:
        """The 1-based line of an offset in :attr:`text`."""
        return bisect.bisect_right(self.line_starts, offset)

    def quote(self, start: int, end: int) -> str:
        """The text between two offsets, on one line, for evidence."""
        return " ".join(self.text[start:end].split())  # every run of whitespace as one space, none at the ends

    def evidence(self, start: int, end: int) -> Evidence:
        """Evidence for the text between two offsets."""
        return Evidence(self.quote(start, end), self.line_of(start))


def read_source(path: str | Path) -> SourceDocument:
    """Read a report once, whatever it arrived as: plain text, .docx, a PDF's text layer, or a scanned PDF.

    Args:
        path: a report: plain text (UTF-8 with or without BOM, GBK or GB18030), a .docx, a saved
            web page (.html/.htm), an .xlsx or .xls workbook, or a PDF. A PDF without a text layer is read by OCR when the ``ocr`` extra is installed.

    Returns:
        The :class:`~xteval.files.SourceDocument`, as read (see :func:`prepared` for the audit's text).

    Raises:
        InputError: the file is missing, a directory, not a regular file, too large,
            unreadable, empty or binary, an old .doc, an encrypted or corrupt .docx, workbook or PDF,
            a hostile web page or workbook (past a cap),
            or a scanned PDF without the ``ocr`` extra.
    """
    return files.read_source(path, scan=_ocr)


def _ocr(path: Path, data: bytes) -> tuple[str, ...]:
    from .ocr import read_scanned_pages  # the OCR stack loads only for a scan

    return read_scanned_pages(path, data)


def prepared(document: SourceDocument) -> ReportText:
    """The audit's text of a document read once: cut to the figure budget, then normalised (:func:`prepare`)."""
    kept = within_figure_budget(document.text)
    report = prepare(kept, path=document.path, encoding=document.how)
    return dataclasses.replace(report, raw_chars=len(document.text) if len(kept) < len(document.text) else None, source=document)


def read_report(report: str | Path | SourceDocument) -> ReportText:
    """A report file (or a document already read) as the audit's normalised text: :func:`read_source`, then :func:`prepared`."""
    return prepared(report if isinstance(report, SourceDocument) else read_source(report))


# --------------------------------------------------------------------------- the figure budget

DEFAULT_FIGURE_BUDGET = 120_000
FIGURE_BUDGET_ENV = "XTEVAL_MAX_FIGURES"  # raises or lowers the budget for one run
_DIGITS = re.compile(r"\d+")


def figure_budget() -> int:
    """The most numbers read from one report: 120,000 unless ``XTEVAL_MAX_FIGURES`` says otherwise.

    The work of reading a report grows with its numbers (a label, a sentence and a section for
    each). A real report holds hundreds to a few thousand; a 10 MB text of ten stacked reports
    about 90,000. A text with more is a data dump or a hostile file, and reading all of it
    would take minutes: its beginning is read and checked, and the result says so.
    """
    raw = os.environ.get(FIGURE_BUDGET_ENV, "")
    try:
        budget = int(raw) if raw.strip() else DEFAULT_FIGURE_BUDGET
    except ValueError:
        budget = DEFAULT_FIGURE_BUDGET
    return max(1_000, budget)


_CUT = re.compile(r"[\n。]")


def within_figure_budget(raw: str, budget: int | None = None) -> str:
    """A decoded text, cut after the sentence or line that holds its ``budget``-th number.

    The whole text when it holds no more numbers than the budget. The cut falls at the first
    line break or 。 after that number, so every kept line keeps its number.
    """
    budget = budget or figure_budget()
    last = next(itertools.islice(_DIGITS.finditer(raw), budget - 1, None), None)
    if last is None:
        return raw
    end = _CUT.search(raw, last.end())
    return raw[: end.start() if end else last.end()]


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>\n]{0,80}>")
# (each opens with a space and looks back after it: a pattern that opens with a look-behind or an anchor is tried
# at every character of a text, one that opens with a character is searched in C)
_CELL_GAP = re.compile(r"[^\S\n\t](?<=\S[^\S\n\t])[^\S\n\t]+(?=\S)")  # two or more spaces between two filled characters
_SPACES = re.compile(r"[^\S\n\t]+")  # any whitespace but the line break and the tab (a cell separator)
_EDGES = re.compile(r" (?:(?<=^ )|(?=$))", re.M)  # a space that opens or ends a line
_PAGE_NOISE = re.compile(r"^(?:[-—–]? ?\d{1,4}(?:\.\d{1,3})? ?[-—–]?|第 ?\d{1,4} ?页(?: ?共 ?\d{1,4} ?页)?|\d{1,4} ?/ ?\d{1,4})$", re.M)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")


def _unescape(m: re.Match) -> str:
    """An HTML entity as its character; one that would break a line becomes a space."""
    out = html.unescape(m.group(0))
    return " " if "\n" in out or "\r" in out else out  # an entity must not add a line


_CELLS = patterns("cells")  # a staff form's row labels (人员编制): the lone number under one is its cell
_BARE_NUMBER = re.compile(r"^\d{1,4}(?:\.\d{1,3})?$")


def _drop_page_numbers(text: str) -> str:
    """Blank the lines that are page furniture (``- 3 -``, ``第 2 页``, a lone ``4.26`` between paragraphs).

    A line holding only a number is a page number, unless the nearest filled line before or
    after it holds only a number too: then it is a run of cells (a table pasted one cell per
    line) and stays; so does a whole number under a staff form's row label (人员编制, 实有人数: its cell,
    ``cells.count_label`` in ``kinds/fields.yaml``). Only the lines the page-number pattern matches are looked at, so a text of
    millions of lines costs one regex pass. (Neighbours are read as they were, not as blanked:
    on a prepared text, whose lines have no edge spaces, a blanked neighbour was never a cell.)
    """
    drop = []
    for m in _PAGE_NOISE.finditer(text):
        if _BARE_NUMBER.match(m.group(0)):
            above = _filled_line_before(text, m.start())
            if _is_cell_line(above) or _is_cell_line(_filled_line_after(text, m.end())):
                continue  # a cell among cells
            if above is not None and m.group(0).isdigit() and _CELLS.count_label.fullmatch(above.strip()):
                continue  # the figure of a form's row label above it (人员编制 / 21)
        drop.append(m.span())
    if not drop:
        return text
    pieces, done = [], 0
    for s, e in drop:
        pieces.append(text[done:s])
        done = e
    pieces.append(text[done:])
    return "".join(pieces)


def _is_cell_line(line: str | None) -> bool:
    return line is not None and bool(_BARE_NUMBER.match(line.strip().rstrip("%")))


_FILLED_LINE = re.compile(r"^[^\S\n]*\S[^\n]*", re.M)


def _filled_line_before(text: str, start: int) -> str | None:
    """The nearest line above ``start`` (a line start) that holds more than whitespace."""
    end = start - 1  # the line break that ends the line above
    while end > 0:
        lo = max(0, end - 256)  # look back a window at a time, so blank lines cost C, not Python
        head = text[lo:end].rstrip()
        if head:
            last = lo + len(head)  # just after the last character that is not whitespace
            return text[text.rfind("\n", 0, last) + 1 : text.find("\n", last)]
        end = lo
    return None


def _filled_line_after(text: str, end: int) -> str | None:
    """The nearest line below ``end`` (a line end) that holds more than whitespace."""
    m = _FILLED_LINE.search(text, end + 1)
    return m.group(0) if m else None


def prepare(raw: str, *, path: Path | None = None, encoding: str = "utf-8") -> ReportText:
    """Normalise a decoded text (NFKC, traditional characters folded, no tags or entities, no page-number lines), keeping its line numbers.

    Works on the whole text at once, never across a line break, so the line of
    every offset is the line of the raw text.

    Raises:
        InputError: a decimal digit of another script (Bengali ৪ looks like 8 and is 4): refused, never folded.
    """
    foreign = other_script_digit(raw)
    if foreign is not None:
        digit = foreign.group()
        line = raw.count("\n", 0, foreign.start()) + 1
        reason = f"第 {line} 行有其他文字的数字 {digit!r}（U+{ord(digit):04X}），形似阿拉伯数字而数值不同，不能可靠读取 (a digit of another script)"
        raise InputError(reason, file=path)
    lines = raw.splitlines()
    text = fold("\n".join(lines))
    if text.count("\n") != max(0, len(lines) - 1):  # NFKC made a line break: go line by line
        text = "\n".join(fold(x).replace("\n", " ") for x in lines)
    text = _TAG.sub(" ", text)
    if "&" in text:
        text = _ENTITY.sub(_unescape, text)
    text = _CELL_GAP.sub("\t", text)  # a run of spaces between two cells of a table pasted as text: a cell separator
    text = _SPACES.sub(" ", text)
    text = _EDGES.sub("", text)
    text = _drop_page_numbers(text)
    starts = tuple(itertools.accumulate(map(len, text.split("\n")), lambda acc, n: acc + n + 1, initial=0))[:-1]
    return ReportText(raw=raw, text=text, encoding=encoding, path=path, line_starts=starts)
