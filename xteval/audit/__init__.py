"""Audit a report from its text: read it, extract its figures, check them.

The pipeline reads top to bottom:

1. :func:`read_source` reads the file once, whatever it arrived as (plain text in UTF-8 or
   GBK/GB18030, .docx, a PDF's text layer, a scanned PDF through the ``ocr`` extra), into
   the one document everything else takes (a params file's quote check too), and refuses
   what is not a report: missing, a directory, empty, binary, encrypted, corrupt.
2. :func:`read_report` gives the audit that document's text: a text with more numbers than
   the figure budget is read up to the line of its last budgeted number
   (:func:`~.reading.figure_budget`), and the result says so; :func:`prepare` normalises
   each line (full-width forms, traditional characters, ``<p>`` tags, page numbers) while
   keeping line numbers.
3. :func:`read_document` detects the document kind (``kinds/*.yaml``) and turns every
   number into a fact under a field id (:mod:`.engine`, :mod:`.forms`, :mod:`.goals`).
4. :func:`audit` runs the checks the document's kind declares (``checks:`` in its YAML), each
   found by name in the registry (the entry-point group ``xteval.checks``, see
   :mod:`.registered`): the kind's identities, changes on last year, rates of the budget, shares,
   三公 against control, project execution and scores, indicators and claims in words, figures
   stated twice with different values; for a 部门整体支出 report the checks the department model
   declares, on the model built from the facts (:func:`extract`); and the checks only the text
   allows (dates, periods, “其中” lists, completion rates, “等 N 个”).

Data problems are results (:class:`~xteval.checks.CheckResult`); only input that
cannot be read at all raises :class:`~xteval.errors.InputError`.
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path
from typing import Any

from ..checks import Context, Suite, run
from .coefrows import read_indicator_form
from .engine import Document, extract_facts
from .extraction import Extraction, extract
from .findings import render_html
from .flatforms import read_flattened
from .forms import read_form, read_indicator_table, read_three_public_table
from .goals import read_goals
from .kinds import kinds as known_kinds
from .reading import ReportText, SourceDocument, prepare, prepared, read_report, read_source
from .tables import read_tables

__all__ = [
    "Document",
    "Extraction",
    "ReportText",
    "audit",
    "audit_file",
    "extract",
    "find_params",
    "prepare",
    "prepared",
    "read_document",
    "read_report",
    "read_source",
    "render_html",
]


def read_document(report: ReportText) -> Document:
    """The kind and every figure of a prepared report (facts, and indicators written in prose)."""
    doc = extract_facts(report)
    if "三公" in report.text:
        read_three_public_table(doc)
    if doc.kind is not None and doc.kind.form:
        read_form(doc, doc.kind.form)
        doc.facts.sort(key=lambda f: (f.start, f.field))
    else:
        if doc.kind is not None and doc.kind.funds_table and _has_columns(report.text, doc.kind.funds_table):
            read_form(doc, doc.kind.funds_table, indicators=False)
            doc.facts.sort(key=lambda f: (f.start, f.field))
        read_goals(doc)
        if form := (doc.kind or known_kinds()["dept_selfeval"]).indicator_form:  # a text of no kind is read as this one
            read_indicator_form(doc, form)  # a 部门整体 form's indicator rows, each with its 得分系数
        if "三级指标" in report.text:  # an indicator table inside a prose report (云南 决算-embedded 自评表)
            read_indicator_table(doc)
    tables = list(report.source.tables) if report.source is not None else []
    flat = read_flattened(doc, lambda: {t.line_of(i) for t in tables for i in range(len(t.rows))})
    if tables or flat.tables:
        doc.tables = read_tables(doc, tables + flat.tables)  # a form's cells replace the phrase readings of its lines
    flat.apply(doc, doc.tables)  # a 行次 is never an amount
    return doc


def _has_columns(text: str, table: dict) -> bool:
    """True when at least two of a funds table's column words occur in the text (else there is no such table)."""
    import re

    found = sum(1 for aliases in table["columns"].values() if any(re.search(a, text) for a in aliases))
    return found >= 2


def _checks_of(doc: Document) -> tuple[str, ...]:
    """The checks the document's kind declares; a text of no known kind is read as a 部门整体支出 report (the template the toolkit began with)."""
    kind = doc.kind or known_kinds()["dept_selfeval"]
    return kind.checks


# --------------------------------------------------------------------------- the audit


def audit(report: ReportText, params: Any = None, *, model_checks: bool = True) -> tuple[Extraction, Suite]:
    """Extract a report's figures and run the checks its kind declares (``checks:`` in ``kinds/*.yaml``).

    Args:
        report: a prepared :class:`ReportText` (see :func:`read_report`).
        params: an optional ``DepartmentParams`` for the same report. Its goals
            supply 指标值 that the text leaves out (e.g. for “605 个、完成率达 202%”),
            and every figure found in the text is compared with the params figure
            of the same field (a difference is a finding naming both).
        model_checks: run the department checks (identities, 三公, rates, goals) on
            the figures extracted from the text. The department notebook passes
            False: it has already run them on the params, and a check must not
            run twice; the text then adds only what the text alone gives.

    Returns:
        ``(extraction, suite)``: what was found (``extraction.document`` holds every
        fact and the document kind), and every finding. A text with no recognised
        figure gives a fail, never a pass.
    """
    doc = read_document(report)
    ex = extract(report, doc)
    ctx = Context(doc=doc, model=ex.model, report=report, params=params, extraction=ex, model_checks=model_checks)
    return ex, run(_checks_of(doc), ctx)


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while a report is read and checked.

    Reading allocates one token and a few facts per number and frees none of them until the
    end, so the collector's passes find nothing to free and grow with the heap: a tenth of the
    time on a 10 MB text. Reference counting still frees everything that is not a cycle; the
    few cycles (a token and its scan) go at the first collection after the audit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def audit_file(
    source: str | Path | SourceDocument, params: Any = None, *, model_checks: bool = True
) -> tuple[ReportText, Extraction, Suite]:
    """Read a report file (or take a document already read: :func:`read_source`) and audit it (see :func:`audit`).

    Bad input raises ``InputError``.
    """
    with _cyclic_gc_paused():
        report = read_report(source)
        ex, suite = audit(report, params, model_checks=model_checks)
    return report, ex, suite


def find_params(report_path: str | Path) -> Path | None:
    """The department params file whose ``source_report`` is this report, beside it or one folder up.

    Project params (ppp, cloud_lease…) quote the same report but carry no
    department figures, so only ``notebook: department`` files qualify.
    """
    from ..errors import XtevalError
    from ..params import load_yaml

    target = Path(report_path).resolve()
    for folder in (target.parent, target.parent.parent):
        for candidate in sorted(folder.glob("*.yaml")):
            try:
                data = load_yaml(candidate)
            except XtevalError:
                continue
            if not isinstance(data, dict) or data.get("notebook") != "department":
                continue
            src = data.get("source_report")
            if isinstance(src, str) and (candidate.parent / src).resolve() == target:
                return candidate
    return None
