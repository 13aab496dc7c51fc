"""The year summary's model: its params, and the values each unit's run recorded (its tables: ``xteval.summary.tables``).

A summary is declared by a params file whose ``notebook`` is ``summary``
(``params/2023/summary.yaml``). ``xteval batch`` runs it once per year after the
unit runs; ``xteval run`` runs it alone on whatever the output folder holds.
It reads each executed notebook's ``metadata.xteval`` (written by the runner
from ``report.record`` outputs: score, grade, 不符 and 提示 counts, reason codes,
不符 items, 预算执行率, 三公经费), never the HTML.

Where the executed notebooks are: ``<output folder>/<year>/*.ipynb``. The output
folder is the one the runner writes to, passed as the environment variable
``XTEVAL_OUTPUT_DIR`` (the runner sets it for the summary's kernel); run with
plain papermill, it is ``outputs/`` in the project root. It is chosen by the
runner, never by the params file: a params file cannot make the summary read
anything outside the output folder.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field

from ..money import N, NumberError
from ..params import ParamsBase, Provenance, params_path, project_root
from ..render.report import run_meta

SUMMARY_NOTEBOOK = "summary"
OUTPUT_ENV = "XTEVAL_OUTPUT_DIR"
GRADES = ("优", "良", "中", "差")


SUMMARY_RULE = "本汇总的全部数字由本年度各单位已运行附件记录的数值汇总得出（笔记本元数据，不读取网页），本文件不填写任何数字"


class SummaryParams(ParamsBase):
    """A year summary: which runs of the year it covers, and the rule its figures are derived by.

    The summary states no figure of its own: every number it shows is derived from what the
    units' executed appendices recorded. ``figures_rule`` says so, as the provenance of the
    whole page (the params rule: every figure is seed, derived or illustrative); ``xteval new``
    carries it to the next year as a rule.
    """

    include: list[str] = Field(
        default_factory=list, description="汇总的 notebook 类型，如 [department]；留空为本年度全部附件（汇总本身除外）"
    )
    figures_rule: Provenance = Field(Provenance(derived=SUMMARY_RULE), description="汇总数字的来源（derived：汇总规则）")
    documents: str | None = Field(
        None,
        description="批量检查（xteval check … --out 目录）的输出目录，相对本参数文件、须在参数目录内；"
        "给出时，该目录结果库中本年度的文档检查结果一并汇总（不符、提示、预算执行率、三公经费）",
    )


@dataclass
class UnitRun:
    """What one executed appendix recorded, as the summary uses it."""

    name: str  # the params file stem
    notebook: str
    unit: str
    title: str
    status: str
    total: Decimal | None = None
    grade: str | None = None
    fail: int = 0
    warn: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    score_illustrative: bool = False
    illustrative: bool = False
    execution_rate: Decimal | None = None
    three_public_actual: Decimal | None = None
    three_public_control: Decimal | None = None
    error: str | None = None

    @property
    def scored(self) -> bool:
        """A completed run with a total score (a failed run's partial record is not counted)."""
        return self.total is not None and self.status == "ok"


def output_dir(p: ParamsBase) -> Path:
    """The output folder the runner writes to (``XTEVAL_OUTPUT_DIR``), else ``outputs/`` in the project root."""
    given = os.environ.get(OUTPUT_ENV, "").strip()
    if given:
        return Path(given)
    where = params_path(p)
    return project_root(where) / "outputs" if where else Path("outputs")


def inputs(out_dir: Path, year: int | str) -> list[Path]:
    """The executed notebooks of a year a summary reads (every ``.ipynb`` but the summaries and temporary files)."""
    folder = Path(out_dir) / str(year)
    if not folder.is_dir():
        return []
    found = []
    for f in sorted(folder.glob("*.ipynb")):
        if f.name.startswith(".") or not f.is_file() or f.is_symlink():
            continue  # a run in progress (.x.running.ipynb), or a link planted in the output folder
        if run_meta(f).get("notebook") == f"{SUMMARY_NOTEBOOK}.ipynb":
            continue
        found.append(f)
    return found


def number_or_none(v: Any) -> Decimal | None:
    """A recorded figure as a Decimal (by the one constructor), or None when absent or not a number."""
    if v is None or v == "":
        return None
    try:
        return N(v)
    except NumberError:
        return None


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def runs(p: SummaryParams) -> list[UnitRun]:
    """The year's executed appendices, in file order, as recorded; filtered by ``include``."""
    out = []
    for f in inputs(output_dir(p), p.year):
        m = run_meta(f)
        notebook = str(m.get("notebook", "")).removesuffix(".ipynb")
        if p.include and notebook not in p.include:
            continue
        out.append(
            UnitRun(
                name=f.stem,
                notebook=notebook,
                unit=str(m.get("unit", "")),
                title=str(m.get("title", "")),
                status=str(m.get("status", "")),
                total=number_or_none(m.get("total")),
                grade=m.get("grade") or None,
                fail=_int(m.get("fail")),
                warn=_int(m.get("warn")),
                reasons={str(k): _int(v) for k, v in (m.get("reasons") or {}).items()},
                failures=[x for x in m.get("failures") or [] if isinstance(x, dict)],
                score_illustrative=bool(m.get("score_illustrative")),
                illustrative=bool(m.get("illustrative")),
                execution_rate=number_or_none(m.get("execution_rate")),
                three_public_actual=number_or_none(m.get("three_public_actual")),
                three_public_control=number_or_none(m.get("three_public_control")),
                error=m.get("error") or None,
            )
        )
    return out


def completed(items: list[UnitRun]) -> list[UnitRun]:
    """The runs that finished: only their figures are summed and counted."""
    return [r for r in items if r.status == "ok"]


def ranked(items: list[UnitRun]) -> list[UnitRun]:
    """Scored runs, highest total first (ties by fewer 不符 items, then by name)."""
    return sorted((r for r in items if r.scored), key=lambda r: (-r.total, r.fail, r.unit))


def grade_counts(items: list[UnitRun]) -> dict[str, int]:
    """How many scored units have each grade; 不定级 for a score without a grade (无数据 items)."""
    c = Counter(r.grade or "不定级" for r in items if r.scored)
    return {g: c.get(g, 0) for g in (*GRADES, "不定级")}


def reason_counts(items: list[UnitRun]) -> list[tuple[str, int, int, int]]:
    """Findings by reason code across units: (code, 不符 count, 提示 count, units concerned), most frequent first."""
    fails: Counter[str] = Counter()
    warns: Counter[str] = Counter()
    units: dict[str, set[str]] = {}
    for r in items:
        for key, n in r.reasons.items():
            status, _, code = key.partition(":")
            (fails if status == "fail" else warns)[code] += n
            units.setdefault(code, set()).add(r.name)
    rows = [(code, fails[code], warns[code], len(units[code])) for code in units]
    return sorted(rows, key=lambda x: (-x[1], -x[2], -x[3], x[0]))


def record(p: SummaryParams, items: list[UnitRun]) -> dict[str, Any]:
    """What the summary records for the batch index: the counts it summarises, marked as a summary."""
    return {"summary": True, "units": len(items), "units_failed": sum(r.status == "failed" for r in items)}
