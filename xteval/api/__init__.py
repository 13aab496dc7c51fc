"""The library: what the ``xteval`` command, the notebooks and the what-if panel call.

- :func:`check` a report (read once) → :class:`Findings`: every check record and every figure found;
- :func:`extract` a params draft from a report → :class:`Draft`;
- :func:`score` an indicator table or department params under a framework → a score with its
  rows, subtotals, total, grade and reasons;
- :func:`evaluate` params → everything a notebook shows for the unit or project, one attribute per
  section, each shown by :func:`show`.

``import xteval`` exposes the four as ``xteval.check`` … on first use, so importing the package
loads none of this.
"""

from .evaluation import evaluate
from .findings import Draft, Findings, check, extract
from .scores import score
from .sections import Evaluation, show

__all__ = ["DepartmentEvaluation", "Draft", "Evaluation", "Findings", "check", "evaluate", "extract", "score", "show"]


def __getattr__(name: str):
    # the department's evaluation imports its tables and charts (pandas, matplotlib): loaded on first use
    if name == "DepartmentEvaluation":
        from .department import DepartmentEvaluation

        return DepartmentEvaluation
    raise AttributeError(f"module 'xteval.api' has no attribute {name!r}")
