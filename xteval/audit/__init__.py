"""Audit a self-evaluation report from its text: read it, extract its figures, check them.

The pipeline reads top to bottom:

1. :func:`read_report` decodes the file (UTF-8, else GB18030, which covers GBK)
   and refuses what is not a report: missing, a directory, empty, binary.
2. :func:`prepare` normalises each line (full-width forms, ``<p>`` tags, OCR
   page numbers such as a stray ``4.26`` line) while keeping line numbers.
3. :func:`extract` finds the figures of the 部门整体支出绩效自评报告 template
   (收入, 支出, 三公经费, 结转结余, 预算执行率, 绩效目标…) by their labels and
   builds a department model from them. A figure it cannot find stays ``None``
   and is listed as not found; it is never guessed.
4. :func:`audit` runs every department check of :mod:`xteval.checks` on that
   model, plus the checks only the text allows: dates that do not exist,
   periods and their sums, cross-year payments, “其中” lists, percentages next
   to the numbers they come from, and “等 N 个” enumerations.

Data problems are results (:class:`~xteval.checks.CheckResult`); only input that
cannot be read at all raises :class:`~xteval.errors.InputError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..checks import Suite
from ..department.checks import department_checks
from .extraction import Extraction, extract
from .findings import render_html
from .reading import ReportText, prepare, read_report
from .text_checks import (
    compare_with_params,
    cross_year_payment_checks,
    date_checks,
    enumeration_checks,
    list_checks,
    not_found_checks,
    percent_checks,
    period_reversed_checks,
    ranges,
)

__all__ = ["Extraction", "ReportText", "audit", "audit_file", "extract", "find_params", "prepare", "read_report", "render_html"]

# --------------------------------------------------------------------------- the audit


def audit(report: ReportText, params: Any = None, *, model_checks: bool = True) -> tuple[Extraction, Suite]:
    """Extract a report's figures and check them.

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
        ``(extraction, suite)``: what was found, and every finding. A text with no
        recognised figure gives a fail, never a pass.
    """
    ex = extract(report)
    periods = ranges(report.text, ex.year)
    lists = list_checks(report, ex, periods)  # first: it may supersede an identity (see IDENTITY_OF)
    suite = Suite()
    if params is None or model_checks:
        suite.extend(not_found_checks(ex))  # beside a params file, a figure the text lacks is the params' to give
    if ex.found and model_checks:
        suite.extend(r for r in department_checks(ex.model).results if r.id not in ex.superseded)
    if params is not None:
        suite.extend(compare_with_params(report, ex, params))
    suite.extend(date_checks(report, ex.year))
    suite.extend(period_reversed_checks(report, periods))
    suite.extend(lists)
    suite.extend(cross_year_payment_checks(report, ex.year))
    suite.extend(percent_checks(report, ex, params))
    suite.extend(enumeration_checks(report))
    return ex, suite


def audit_file(path: str | Path, params: Any = None, *, model_checks: bool = True) -> tuple[ReportText, Extraction, Suite]:
    """Read a report file and audit it (see :func:`audit`); bad input raises ``InputError``."""
    report = read_report(path)
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
