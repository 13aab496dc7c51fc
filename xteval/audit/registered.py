"""The audit's checks as registered functions over a :class:`~xteval.checks.Context`.

Each function here is the entry point ``xteval.checks`` names (see ``pyproject.toml``) and the
name a document kind declares in its YAML (``checks: [...]``); the bodies stand in
:mod:`.reconcile` (checks over facts) and :mod:`.text_checks` (checks only the text allows).
What a check needs from the run (a params file, whether the model's checks already ran, the
periods of the text) it reads from the context, so the audit runs the declared list in order
and holds no sequence of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from ..checks import CheckResult, Context, Status
from ..department.checks import department_checks
from . import changes, reconcile, statements, table_checks, text_checks
from .engine import Document
from .extraction import Extraction


def _periods(ctx: Context) -> list[text_checks.DateRange]:
    return ctx.once("periods", lambda: text_checks.ranges(ctx.report.text, ctx.extraction.year))


def _lists(ctx: Context) -> list[CheckResult]:
    """The “其中” lists, read once: reading them records which model identity a fuller list supersedes."""
    return ctx.once("lists", lambda: text_checks.list_checks(ctx.report, ctx.extraction, _periods(ctx), ctx.doc))


def _checks_required(ctx: Context) -> bool:
    """Beside a params file whose figures were checked already, a figure the text lacks is the params' to give."""
    return ctx.params is None or ctx.model_checks


def partly_read(ctx: Context) -> list[CheckResult]:
    """A warn when only the beginning of the text was read."""
    return text_checks.partly_read_checks(ctx.report)


def not_found(ctx: Context) -> list[CheckResult]:
    """Each template figure the text does not give (a model's kind), and a fail when it gives none."""
    _lists(ctx)  # before the model's checks: a list may supersede an identity (see text_checks.IDENTITY_OF)
    read_any = any(f.unit in ("万元", "%", "分") and not f.field.startswith("claims.") for f in ctx.doc.facts)
    return text_checks.not_found_checks(ctx.extraction, read_any) if _checks_required(ctx) else []


def required(ctx: Context) -> list[CheckResult]:
    """Each figure the kind requires that the document does not state."""
    return reconcile.required_checks(ctx.doc) if _checks_required(ctx) else []


def nothing_found(ctx: Context) -> list[CheckResult]:
    """A fail when the document states no figure and no indicator at all (never a pass)."""
    return text_checks.not_found_checks(Extraction(model=None)) if not ctx.doc.facts and not ctx.doc.goals else []


def model(ctx: Context) -> list[CheckResult]:
    """The checks the department model declares, on the model built from the figures found.

    Not run when nothing was found, nor when the caller ran them on its params already; an identity
    that a fuller “其中” list of the text replaces is left out.
    """
    ex = ctx.extraction
    _lists(ctx)
    if not ex.found or not ctx.model_checks:
        return []
    superseded = set(ex.superseded) | _table_held(ctx.doc)
    out = []
    for r in department_checks(ctx.model).results:
        # a check the text's figures cannot feed is not listed as 未执行 here: extract.not_found names each figure
        if r.id in superseded or r.status is Status.skipped:
            continue
        if r.id in ("three_public.control", "three_public.actual"):  # a stated 购置费 is part of the 合计
            r = reconcile.three_public_purchase_total(ctx.doc, r.id.split(".")[1]) or r
        out.append(r)
    return out


def _table_held(doc: Document | None) -> set[str]:
    """The model's 三公 identities a 三公 table holds: its total is a table cell and a 购置费 is stated, which
    the model (接待 + 运行 + 出国) cannot add; the table's own check adds it (:mod:`.table_checks`)."""
    held = set()
    for mode in ("control", "actual"):
        if (
            doc is not None
            and any(f.table for f in doc.get(f"three_public.{mode}.total"))
            and doc.get(f"three_public.{mode}.vehicle_purchase")
        ):
            held.add(f"three_public.{mode}")
    return held


def _over_doc(check: Callable[[Document], list[CheckResult]]) -> Callable[[Context], list[CheckResult]]:
    """A check over a document's facts as a registered check over a :class:`Context` (its ``doc``)."""

    def over_context(ctx: Context) -> list[CheckResult]:
        return check(ctx.doc)

    over_context.__doc__, over_context.__name__ = check.__doc__, check.__name__
    return over_context


identities = _over_doc(reconcile.identity_checks)
three_public = _over_doc(reconcile.three_public_checks)
project = _over_doc(reconcile.project_checks)
goals = _over_doc(reconcile.goal_checks)
ambiguity = _over_doc(reconcile.ambiguity_checks)
change = _over_doc(changes.change_checks)
budget_rate = _over_doc(changes.budget_rate_checks)
share = _over_doc(changes.share_checks)


def source(ctx: Context) -> list[CheckResult]:
    """The text's figures against the params file that transcribes them (only beside a params file)."""
    return text_checks.compare_with_params(ctx.report, ctx.extraction, ctx.params) if ctx.params is not None else []


def dates(ctx: Context) -> list[CheckResult]:
    """Every date mentioned exists."""
    return text_checks.date_checks(ctx.report, ctx.extraction.year)


def periods_reversed(ctx: Context) -> list[CheckResult]:
    """No period ends before it starts."""
    return text_checks.period_reversed_checks(ctx.report, _periods(ctx))


def lists(ctx: Context) -> list[CheckResult]:
    """“其中/包括” lists add up; periods cover their whole; fees per month agree."""
    return _lists(ctx)


def cross_year_payment(ctx: Context) -> list[CheckResult]:
    """A payment dated after the fiscal year."""
    return text_checks.cross_year_payment_checks(ctx.report, ctx.extraction.year)


def percent(ctx: Context) -> list[CheckResult]:
    """“完成率达 N%” against 完成值 ÷ 指标值 (target in the sentence or the params)."""
    return text_checks.percent_checks(ctx.report, ctx.extraction, ctx.params)


def enumeration(ctx: Context) -> list[CheckResult]:
    """“A、B 和 C 等 3 个”: items listed against the count stated."""
    return text_checks.enumeration_checks(ctx.report)


tables = _over_doc(table_checks.within)
tables_across = _over_doc(table_checks.across)
tables_prose = _over_doc(table_checks.prose)


def counted_lists(ctx: Context) -> list[CheckResult]:
    """“设 N 个科室：A、B、C”: the count against the list after it."""
    return statements.counted_list_checks(ctx.report)


def change_words(ctx: Context) -> list[CheckResult]:
    """A change word its figures or its rate contradict (由 A 增加到 B with B < A; 减少 N 万元，增长 Y%)."""
    return statements.change_word_checks(ctx.report)


def listed_parts(ctx: Context) -> list[CheckResult]:
    """“A、B、C 分别为 x、y、z 万元” against the number of names and the sentence's 共计."""
    return statements.listed_parts_checks(ctx.report)
