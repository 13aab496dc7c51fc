"""``xteval.evaluate``: everything a notebook shows for one unit-year, computed once.

A notebook's first cell calls :func:`evaluate` and the evaluation's ``opening`` (:mod:`.department`, :mod:`.projects`); every
section after it is one attribute of the evaluation and one :func:`show`, so any cell can be run
again on its own. The checks run once: on the params, then (when the params name a source
report) the checks only the report's text allows, on the document the params' quote check read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..checks import Suite
from ..params import ParamsBase, load_params, params_source, resolve
from .sections import Evaluation


def evaluate(params: str | Path | ParamsBase) -> Any:
    """Everything a notebook shows for one unit or project: its checks, scores, tables and charts' data.

    Args:
        params: a params file (or params loaded already); its ``notebook`` key decides what is evaluated.

    Returns:
        For ``notebook: department`` a :class:`DepartmentEvaluation`; for a project or the year
        summary its evaluation (:mod:`xteval.api.projects`); for another notebook an
        :class:`Evaluation` with the params and no checks.
    """
    p = params if isinstance(params, ParamsBase) else load_params(params)
    if p.notebook == "department":
        from .department import DepartmentEvaluation

        return DepartmentEvaluation(p, department_suite(p))
    from .projects import EVALUATIONS

    if p.notebook in EVALUATIONS:
        return EVALUATIONS[p.notebook].of(p)
    return Evaluation(p, Suite())


def department_suite(p: ParamsBase) -> Suite:
    """The department checks on the params, then the checks only the source report's text allows (each check once)."""
    from ..audit import audit_file
    from ..department.checks import department_checks

    suite = department_checks(p)
    if p.source_report:
        document = params_source(p) or resolve(p, p.source_report)  # the document the quote check read: not read again
        _, _, text_suite = audit_file(document, p, model_checks=False)
        suite.extend(only_new(suite, text_suite.results))
    return suite


def only_new(suite: Suite, results: list) -> list:
    """The text's findings that the params' checks have not found already: one finding, one row.

    A 不符 or 提示 of the text with the same status, 应为, 实为 and 差额 as one of the params' is the same
    finding (the params' figures are the text's, quoted): the text's own version of an identity over the
    same figures is not listed again.
    """
    seen = {_finding(r) for r in suite.results if r.status.value in ("fail", "warn")}
    return [r for r in results if r.status.value not in ("fail", "warn") or _finding(r) not in seen]


def _finding(r) -> tuple:
    return (r.status.value, r.expected, r.observed, r.difference, r.unit)


def score_table_of(p: ParamsBase):
    """A department's 预算执行率 and goals as a 自评表 table (the columns of ``xteval.scoring.table.COLUMNS``)."""
    from ..department import scoring as department

    return department.department_table(p)


def panel_tables(p: ParamsBase, names: list[str], previous: ParamsBase | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The what-if panel's table for each framework, and each indicator's unit.

    An open framework scores the department's goals (:func:`~xteval.scoring.department.department_table`);
    a closed one (``dept-common-2013@…``) its own common indicators.
    """
    from ..department import scoring as department
    from ..scoring import engine, frameworks
    from ..scoring.table import COLUMNS

    tables: dict[str, Any] = {}
    units = {g.name: g.unit for g in p.goals} | {"预算执行率": "%"}
    for name in names:
        fw = frameworks.get(name)
        if fw.closed:
            tables[name] = engine.score_table(department.common_table(p, previous), name).rows[list(COLUMNS)]
            units |= {leaf.name: leaf.unit for leaf in fw.leaves}
        else:
            tables[name] = score_table_of(p)
    return tables, units
