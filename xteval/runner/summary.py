"""The year summary: every appendix of a year compared across units, from the values each run recorded.

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

from ..money import N, NumberError, fmt, fmt_count, fmt_rate
from ..params import ParamsBase, Provenance, params_path

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
    from .paths import project_root

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
        if _meta(f).get("notebook") == f"{SUMMARY_NOTEBOOK}.ipynb":
            continue
        found.append(f)
    return found


def _meta(path: Path) -> dict[str, Any]:
    """``metadata.xteval`` of an executed notebook, read as the index reads it (capped, never hanging)."""
    from .index import run_meta

    return run_meta(path)


def _num(v: Any) -> Decimal | None:
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
        m = _meta(f)
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
                total=_num(m.get("total")),
                grade=m.get("grade") or None,
                fail=_int(m.get("fail")),
                warn=_int(m.get("warn")),
                reasons={str(k): _int(v) for k, v in (m.get("reasons") or {}).items()},
                failures=[x for x in m.get("failures") or [] if isinstance(x, dict)],
                score_illustrative=bool(m.get("score_illustrative")),
                illustrative=bool(m.get("illustrative")),
                execution_rate=_num(m.get("execution_rate")),
                three_public_actual=_num(m.get("three_public_actual")),
                three_public_control=_num(m.get("three_public_control")),
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


# --------------------------------------------------------------------------- display


def _grade(r: UnitRun) -> str:
    from ..render.labels import grade_text

    return grade_text(r.total, r.grade, r.fail, r.score_illustrative)


def scope_table(items: list[UnitRun], rule: Provenance | None = None):
    """汇总范围: each appendix the summary read, with its status; the caption states where the figures come from."""
    rule = rule or Provenance(derived=SUMMARY_RULE)
    source = {"seed": f"原文“{rule.seed}”", "derived": rule.derived, "illustrative": f"示例数据（{rule.illustrative}）"}[rule.source]
    import pandas as pd

    from ..render.report import styled

    status = {"ok": "已完成", "failed": "运行失败"}
    rows = [
        {
            "序号": fmt_count(i),
            "单位": r.unit,
            "评价对象": r.title,
            "含示例数据": "是" if r.illustrative else "否",
            "状态": status.get(r.status, r.status or "未知"),
            "不符": fmt_count(r.fail),
            "提示": fmt_count(r.warn),
        }
        for i, r in enumerate(items, start=1)
    ]
    return styled(
        pd.DataFrame(rows, columns=["序号", "单位", "评价对象", "含示例数据", "状态", "不符", "提示"]),
        right=("序号", "不符", "提示"),
        caption=f"本年度附件 {len(items)} 份。数据来源：{source}",
        highlight=[r.status == "failed" for r in items],
    )


def ranking_table(items: list[UnitRun]):
    """得分排名: scored units, highest first; the grade never hides a 不符 item or an illustrative basis."""
    import pandas as pd

    from ..render.report import styled

    order = ranked(items)
    rows = [
        {
            "排名": fmt_count(i),
            "单位": r.unit,
            "总分": fmt(r.total),
            "等级": _grade(r).split(" ", 1)[-1],
            "不符": fmt_count(r.fail),
            "提示": fmt_count(r.warn),
            "预算执行率": fmt_rate(r.execution_rate) if r.execution_rate is not None else "—",
        }
        for i, r in enumerate(order, start=1)
    ]
    return styled(
        pd.DataFrame(rows, columns=["排名", "单位", "总分", "等级", "不符", "提示", "预算执行率"]),
        right=("排名", "总分", "不符", "提示", "预算执行率"),
        caption="按单位自评总分排名（财预〔2020〕10号自评表口径）",
        highlight=[r.fail > 0 for r in order],
    )


def grade_table(items: list[UnitRun]):
    """等级分布: how many units have each grade, and how many of those have 不符 items."""
    import pandas as pd

    from ..render.report import styled

    counts = grade_counts(items)
    scored = [r for r in items if r.scored]
    rows = [
        {
            "等级": g,
            "单位数": fmt_count(n),
            "其中有不符项": fmt_count(sum(1 for r in scored if (r.grade or "不定级") == g and r.fail)),
            "其中示例得分": fmt_count(sum(1 for r in scored if (r.grade or "不定级") == g and r.score_illustrative)),
        }
        for g, n in counts.items()
    ]
    return styled(pd.DataFrame(rows), right=("单位数", "其中有不符项", "其中示例得分"), caption="等级分布")


def grade_chart(items: list[UnitRun], year: int):
    """Units per grade, with the part that has 不符 items shown apart."""
    from ..render import charts

    counts = grade_counts(items)
    scored = [r for r in items if r.scored]
    with_fail = [Decimal(sum(1 for r in scored if (r.grade or "不定级") == g and r.fail)) for g in counts]
    clean = [Decimal(n) - f for n, f in zip(counts.values(), with_fail, strict=True)]
    return charts.stacked_columns(
        list(counts),
        [("无不符项", clean), ("有不符项", with_fail)],
        f"{year} 年各等级单位数（个）",
        unit="个",
        colours=("#548235", "#c00000"),
    )


def execution_chart(items: list[UnitRun], year: int):
    """预算执行率 by unit, against 100%."""
    from ..render import charts

    rows = sorted((r for r in items if r.execution_rate is not None), key=lambda r: r.execution_rate)
    return charts.hbars(
        [r.unit for r in rows], [r.execution_rate for r in rows], f"{year} 年各单位预算执行率", unit="%", reference=Decimal(100)
    )


def three_public_table(items: list[UnitRun]):
    """三公经费 by unit and in total against control; a unit over its control is red."""
    import pandas as pd

    from ..render.report import styled

    rows, over = [], []
    units = [r for r in items if r.three_public_actual is not None and r.three_public_control is not None]
    for r in units:
        exceeded = r.three_public_actual > r.three_public_control
        rows.append(_tp_row(r.unit + ("（超控制数）" if exceeded else ""), r.three_public_control, r.three_public_actual))
        over.append(exceeded)
    control = sum((r.three_public_control for r in units), Decimal(0))
    actual = sum((r.three_public_actual for r in units), Decimal(0))
    rows.append(_tp_row(f"合计（{len(units)} 个单位）", control, actual))
    over.append(actual > control)
    return styled(
        pd.DataFrame(rows), right=("控制数", "实际支出", "结余（控制数−实际）", "执行比例"), caption="“三公”经费（万元）", highlight=over
    )


def _tp_row(label: str, control: Decimal, actual: Decimal) -> dict[str, str]:
    return {
        "单位": label,
        "控制数": fmt(control),
        "实际支出": fmt(actual),
        "结余（控制数−实际）": fmt(control - actual),
        "执行比例": fmt_rate(actual / control * 100) if control else "—",
    }


def reasons_table(items: list[UnitRun]):
    """Findings counted by reason code across units: which problems recur."""
    import pandas as pd

    from ..render.labels import reason_label
    from ..render.report import styled

    rows = [
        {"问题类型": reason_label(code), "不符": fmt_count(f), "提示": fmt_count(w), "涉及单位数": fmt_count(u)}
        for code, f, w, u in reason_counts(items)
    ]
    return styled(
        pd.DataFrame(rows, columns=["问题类型", "不符", "提示", "涉及单位数"]),
        right=("不符", "提示", "涉及单位数"),
        caption="各类问题出现次数（按问题类型）",
    )


def failures_html(items: list[UnitRun]):
    """Each unit's 不符 items: a heading per unit and its findings as a numbered list."""
    from html import escape as e

    from ..render.report import Html

    parts = []
    for r in items:
        if not r.fail:
            continue
        shown = r.failures
        more = r.fail - len(shown)
        lis = "".join(f"<li><b>{e(x.get('title', ''))}</b>：{e(x.get('message', ''))}</li>" for x in shown)
        if more > 0:
            lis += f"<li>另有 {more} 项，见该单位附件。</li>"
        parts.append(f'<div class="xt-unit-failures"><h4>{e(r.unit)}（不符 {r.fail} 项）</h4><ol>{lis}</ol></div>')
    if not parts:
        parts.append("<p>本年度各单位附件均无不符项。</p>")
    return Html("".join(parts))


def overview(items: list[UnitRun]):
    """One paragraph: how many appendices, how many scored, how many units with 不符 items, the totals."""
    from html import escape

    from ..render.report import Html

    scored = [r for r in items if r.scored]
    with_fail = [r for r in items if r.fail]
    failed = [r for r in items if r.status == "failed"]
    text = (
        f"本年度汇总附件 {len(items)} 份，其中评分 {len(scored)} 份；"
        f"{len(with_fail)} 个单位的勾稽检查有不符项，合计不符 {sum(r.fail for r in items)} 项、提示 {sum(r.warn for r in items)} 项。"
    )
    if failed:
        text += f"运行失败 {len(failed)} 份（{'、'.join(r.unit or r.name for r in failed)}），其数字未计入。"
    if any(r.score_illustrative for r in scored):
        text += "标“示例”的得分以示例数据计算，仅用于演示方法。"
    return Html(f"<p>{escape(text)}</p>")
