"""The what-if panel: edit 指标值 and 完成值, see scores, total and grade change at once.

Two layers:

- :class:`WhatIf` holds the logic and is tested without a browser: a table of
  indicators (the 自评表 columns ``indicator, level1, kind, target, actual,
  weight, grade, score``), the chosen framework, :meth:`WhatIf.edit` for one
  cell (the text is parsed exactly, a bad entry is refused with a reason and
  changes nothing), :attr:`WhatIf.outcome` with each row's score and flags, the
  subtotals, the total and the grade, and :meth:`WhatIf.export` to the Excel
  自评表.
- :func:`show` draws it with ipywidgets in JupyterLab. In a batch run
  (papermill, ``xteval run``) it displays nothing: :func:`interactive` tells
  the two apart by ``JPY_SESSION_NAME``, which Jupyter Server sets for the
  kernels of the notebooks it opens and papermill/nbclient never set. Were a
  widget displayed anyway, nothing would wait for a browser's reply, and the
  appendix exporter drops widget outputs, so the HTML never shows a widget's
  repr.

Scoring itself is not here: a :class:`Scorer` turns the table into an
:class:`Outcome`. :func:`default_scorer` adapts ``xteval.scoring.engine``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from .department.model import DepartmentParams
from .errors import ConfigError, InputError
from .money import N, NumberError
from .scoring.table import COLUMNS

EDITABLE = ("target", "actual")  # 指标值, 完成值 (quantitative rows)
QUALITATIVE_EDITABLE = ("grade", "score")  # 等级, 评价人得分 (qualitative rows)
LABELS = {
    "indicator": "指标",
    "level1": "一级指标",
    "kind": "类型",
    "target": "指标值",
    "actual": "完成值",
    "weight": "分值",
    "grade": "等级",
    "score": "评价人得分",
}


@dataclass(frozen=True)
class Outcome:
    """A scored table: each row's points and flags, subtotals by 一级指标, the total and the grade."""

    framework: str
    rows: list[dict[str, Any]]  # {"indicator", "score", "flags": [...]}
    subtotals: dict[str, Decimal]
    total: Decimal | None
    grade: str
    errors: list[str] = field(default_factory=list)  # why the table cannot be scored as it stands


class Scorer(Protocol):
    """What the panel needs from a scoring engine."""

    def frameworks(self) -> list[str]:
        """Names of the frameworks the evaluator may choose."""
        ...

    def score(self, table: pd.DataFrame, framework: str) -> Outcome:
        """Score a table with the :data:`COLUMNS` under a framework."""
        ...

    def write_xlsx(self, table: pd.DataFrame, framework: str, path: Path) -> None:
        """Write the scored table as the Excel 自评表."""
        ...


def department_table(p: DepartmentParams) -> pd.DataFrame:
    """The department's 预算执行率 and goals as a 自评表 table (:func:`xteval.api.evaluation.score_table_of`)."""
    from .api.evaluation import score_table_of

    return score_table_of(p)


class WhatIf:
    """An editable 自评表 that rescoring follows on every edit.

    Args:
        table: rows with the :data:`COLUMNS` (e.g. :func:`department_table`), scored
            under whichever framework is chosen.
        scorer: the scoring engine; :func:`default_scorer` when omitted.
        framework: the framework to start with; the scorer's first when omitted.
        tables: instead of ``table``, one table per framework (a closed framework such
            as ``dept-common-2013`` scores its own indicators); see :meth:`for_department`.
    """

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        scorer: Scorer | None = None,
        framework: str | None = None,
        *,
        tables: dict[str, pd.DataFrame] | None = None,
        units: dict[str, str] | None = None,
        fails: int = 0,
        illustrative: bool = False,
        form: Any = None,
    ):
        self.units = dict(units or {})  # indicator → unit shown beside 指标值 and 完成值
        self.fails = fails  # 不符 items of the page's 勾稽检查: the score line says so beside the grade
        self.illustrative = illustrative  # the scores rest on illustrative figures (示例)
        self.form = form  # what the exported 自评表 shows beyond the scores (scoring.workbook.FormInfo)
        self.scorer = scorer or default_scorer()
        names = self.scorer.frameworks()
        if not names:
            raise ConfigError("没有可选的评分框架 (no scoring framework available)")
        if tables is None:
            if table is None:
                raise InputError("需要一张指标表 (a table is required)", field="table")
            tables = dict.fromkeys(names, table)
        for t in tables.values():
            missing = [c for c in COLUMNS if c not in t.columns]
            if missing:
                raise InputError(f"缺少列 {', '.join(missing)} (missing columns)", field="table")
        # Frameworks given the same table share one editable copy: an edit shows under each.
        copies: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        for t in tables.values():
            if id(t) not in copies:
                first = t[list(COLUMNS)].reset_index(drop=True).copy()
                copies[id(t)] = (first, first.copy())
        self.originals = {k: copies[id(t)][0] for k, t in tables.items() if k in names}
        self.tables = {k: copies[id(t)][1] for k, t in tables.items() if k in names}
        self._framework = framework or next((n for n in names if n in self.tables), names[0])
        if self._framework not in self.tables:
            raise ConfigError(f"未知评分框架 {self._framework!r} (unknown framework; known: {', '.join(self.tables)})", field="framework")
        self.listeners: list[Callable[[Outcome], None]] = []
        self.outcome = self._score()

    @classmethod
    def for_department(
        cls, p: DepartmentParams, scorer: Scorer | None = None, previous: DepartmentParams | None = None, *, fails: int = 0
    ) -> WhatIf:
        """A panel model for a department-year: its goals for open frameworks, the common indicators for closed ones.

        Args:
            p: the department-year.
            scorer: the scoring engine (:func:`default_scorer` when omitted).
            previous: the previous year, for the 变动率 indicators.
            fails: the 不符 count of the page's 勾稽检查, shown beside the grade.
        """
        from .api.evaluation import panel_tables
        from .department.tables import score_is_illustrative
        from .scoring.workbook import FormInfo

        scorer = scorer or default_scorer()
        tables, units = panel_tables(p, scorer.frameworks(), previous)
        return cls(
            scorer=scorer,
            tables=tables,
            units=units,
            fails=fails,
            illustrative=score_is_illustrative(p),
            form=FormInfo.for_department(p),
        )

    @property
    def table(self) -> pd.DataFrame:
        """The chosen framework's table, as edited."""
        return self.tables[self._framework]

    @property
    def original(self) -> pd.DataFrame:
        """The chosen framework's table as the params file gives it."""
        return self.originals[self._framework]

    @property
    def frameworks(self) -> list[str]:
        return [n for n in self.scorer.frameworks() if n in self.tables]

    @property
    def framework(self) -> str:
        return self._framework

    def choose(self, framework: str) -> Outcome:
        """Switch to another framework (and its table, when it has its own) and rescore."""
        if framework not in self.frameworks:
            raise ConfigError(f"未知评分框架 {framework!r} (unknown framework; known: {', '.join(self.frameworks)})", field="framework")
        self._framework = framework
        return self._update()

    def edit(self, row: int, column: str, text: str | Decimal | int | None) -> str | None:
        """Set one cell and rescore: 指标值 or 完成值 of a quantitative row, 等级 or 得分 of a qualitative one.

        Args:
            row: row position in the table.
            column: ``"target"`` (指标值) or ``"actual"`` (完成值); on a qualitative row
                ``"grade"`` (达成 / 部分达成 / 未达成) or ``"score"`` (the evaluator's score,
                which must lie in its grade's band).
            text: the value as typed (``"95"``, ``"95%"``, ``"1,200.5"``, ``"部分达成"``); blank clears it.

        Returns:
            None when the value was taken; otherwise the reason it was refused
            (the table and the outcome are left as they were).
        """
        if column not in EDITABLE + QUALITATIVE_EDITABLE:
            return f"只能修改指标值、完成值，或定性指标的等级和得分: {column}"
        if not 0 <= row < len(self.table):
            return f"没有第 {row + 1} 行"
        qualitative = self.table.at[row, "kind"] in ("qualitative", "定性")
        if qualitative and column in EDITABLE:
            return "定性指标没有指标值和完成值：请选择等级，并在该等级的分值区间内给分"
        if not qualitative and column in QUALITATIVE_EDITABLE:
            return "只有定性指标可改等级和得分"
        blank = text is None or (isinstance(text, str) and not text.strip())
        if column == "grade":
            return self._edit_grade(row, None if blank else str(text).strip())
        try:
            value = None if blank else N(text)
        except NumberError:
            return f"{LABELS[column]}不是数值：{text}"
        if column == "score" and value is not None:
            reason = self._outside_band(row, self.table.at[row, "grade"], value)
            if reason:
                return reason
        if self.table.at[row, column] == value:
            return None
        self.table.at[row, column] = value
        self._update()
        return None

    def band(self, row: int) -> tuple[Decimal, Decimal, bool] | None:
        """The score band of a qualitative row's grade: (low, high, high included), or None."""
        from .scoring import methods

        grade, weight = self.table.at[row, "grade"], self.table.at[row, "weight"]
        if grade not in methods.QUALITATIVE_BANDS or weight is None:
            return None
        return methods.qualitative_band(grade, N(weight))

    def _outside_band(self, row: int, grade: str | None, score: Decimal) -> str | None:
        from .scoring import methods

        if grade not in methods.QUALITATIVE_BANDS:
            return "请先选择等级"
        lo, hi, closed = methods.qualitative_band(grade, N(self.table.at[row, "weight"]))
        if lo <= score and (score <= hi if closed else score < hi):
            return None
        right = "]" if closed else ")"
        return f"得分 {_text(score)} 不在“{grade}”的区间 [{_text(lo.normalize())}, {_text(hi.normalize())}{right} 内"

    def _edit_grade(self, row: int, grade: str | None) -> str | None:
        from .scoring import methods

        if grade not in methods.QUALITATIVE_BANDS:
            return f"等级应为 {'、'.join(methods.QUALITATIVE_BANDS)} 之一"
        if self.table.at[row, "grade"] == grade:
            return None
        self.table.at[row, "grade"] = grade
        score = self.table.at[row, "score"]
        if score is not None and self._outside_band(row, grade, N(score)):
            self.table.at[row, "score"] = None  # the old score belongs to the old band: 无数据 until re-scored
        self._update()
        return None

    def score_line(self) -> str:
        """Total and grade as the pages write them: 不符 items and an illustrative basis beside the grade."""
        from .render.labels import grade_text

        o = self.outcome
        if o.errors:
            return "不能评分：" + "；".join(o.errors)
        grade = None if (o.grade or "").startswith("—") else o.grade
        return "总分 " + grade_text(o.total, grade, self.fails, self.illustrative)

    def reset(self) -> Outcome:
        """Back to the figures the params file holds."""
        self.table.loc[:, :] = self.original.to_numpy()  # in place: frameworks sharing the table see it too
        return self._update()

    def changed(self) -> list[tuple[int, str, Any, Any]]:
        """Every edited cell: (row, column, original, now)."""
        out = []
        for col in EDITABLE:
            for i, (a, b) in enumerate(zip(self.original[col], self.table[col], strict=True)):
                if a != b:
                    out.append((i, col, a, b))
        return out

    def export(self, path: str | Path) -> Path:
        """Write the edited, scored table to the Excel 自评表 and return its path."""
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            raise InputError("自评表应为 .xlsx 文件 (expected an .xlsx path)", file=path)
        if path.parent and not path.parent.exists():
            raise InputError("目录不存在 (folder not found)", file=path.parent)
        extra = {"form": self.form} if self.form is not None else {}
        self.scorer.write_xlsx(self.table.copy(), self.framework, path, **extra)
        return path

    def _score(self) -> Outcome:
        try:
            return self.scorer.score(self.table.copy(), self.framework)
        except (ConfigError, InputError) as exc:
            # A table the engine refuses (a zero 指标值, weights that do not add up) is
            # shown as the reason, not raised: the evaluator is mid-edit.
            return Outcome(self.framework, [], {}, None, "", [str(exc)])

    def _update(self) -> Outcome:
        self.outcome = self._score()
        for listener in self.listeners:
            listener(self.outcome)
        return self.outcome


# --------------------------------------------------------------------------- scoring engine


def default_scorer() -> Scorer:
    """The project's scoring engine (``xteval.scoring.engine``) behind the :class:`Scorer` interface."""
    return _EngineScorer()


class _EngineScorer:
    """Adapter from ``xteval.scoring.engine`` to :class:`Scorer`."""

    def frameworks(self) -> list[str]:
        from .scoring import engine

        return list(engine.framework_names())

    def score(self, table: pd.DataFrame, framework: str) -> Outcome:
        from .api import score

        result = score(table, framework)
        data = result.to_json() if hasattr(result, "to_json") else result
        return Outcome(
            framework=data["framework"],
            rows=data["rows"],
            subtotals={k: Decimal(str(v)) for k, v in data["subtotals"].items()},
            total=N(str(data["total"])) if data.get("total") is not None else None,
            grade=data.get("grade") or "—（含无数据指标，不评等级）",
        )

    def write_xlsx(self, table: pd.DataFrame, framework: str, path: Path, form: Any = None) -> None:
        from .files import write_with
        from .scoring import engine, workbook

        result = engine.score_table(table, framework)
        write_with(path, lambda tmp: workbook.write(result, tmp, form))  # a private temporary: no planted name is followed


# --------------------------------------------------------------------------- widgets


def _text(value: Any) -> str:
    return "" if value is None else (format(value, "f") if isinstance(value, Decimal) else str(value))


def interactive() -> bool:
    """True in a kernel that Jupyter Server started for an open notebook (JupyterLab), False in batch.

    ``XTEVAL_PANEL=1`` or ``0`` overrides the guess (e.g. ``1`` for editors that
    run kernels without Jupyter Server).
    """
    forced = os.environ.get("XTEVAL_PANEL", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return bool(os.environ.get("JPY_SESSION_NAME"))


def default_export(p: DepartmentParams | None = None) -> Path:
    """Where 导出自评表 writes by default: ``outputs/<year>/<params name>-自评表.xlsx`` in the project root.

    Never under ``notebooks/``: notebooks are committed without outputs, and a
    workbook beside them would be committed by accident.
    """
    from .params import params_path, project_root

    source = params_path(p) if p is not None else None
    root = project_root(source if source else Path.cwd() / "notebook.ipynb")
    if source is None:
        return root / "outputs" / "自评表.xlsx"
    return root / "outputs" / str(p.year) / f"{source.stem}-自评表.xlsx"


def show(
    model: WhatIf | DepartmentParams,
    export_to: str | Path | None = None,
    *,
    force: bool = False,
    fails: int = 0,
):
    """Display the panel in JupyterLab and return the widget; in batch runs show nothing.

    Args:
        model: a :class:`WhatIf`, or department params to build one from.
        export_to: the file 导出自评表 writes; by default :func:`default_export` (under ``outputs/``).
        force: display even when :func:`interactive` says this is a batch run.
        fails: the 不符 count of the page's 勾稽检查 (shown beside the grade, as on the page).

    Returns:
        The top-level ipywidgets container (already displayed), or None when
        nothing was displayed.
    """
    if not (force or interactive()):
        return None
    import ipywidgets as w
    from IPython.display import display

    params = model if isinstance(model, DepartmentParams) else None
    if params is not None:
        try:
            model = WhatIf.for_department(params, fails=fails)
        except (ConfigError, InputError) as exc:
            display(w.HTML(f"<b>评分面板不可用</b>：{_esc(str(exc))}"))
            return None
    elif fails:
        model.fails = fails
    export_to = Path(export_to) if export_to is not None else default_export(params)

    panel = _Widgets(model, export_to).panel
    panel._xteval_model = model  # for tests and for the evaluator's own cells
    display(panel)
    return panel


class _Widgets:
    """The panel's widgets over one :class:`WhatIf`: a framework choice, the grid, the score line, export and reset."""

    def __init__(self, model: WhatIf, export_to: Path):
        import ipywidgets as w

        self.model = model
        self.state: dict[str, Any] = {}
        framework = w.Dropdown(options=[(_framework_title(n), n) for n in model.frameworks], value=model.framework, description="评分框架")
        framework.layout.width = "520px"
        framework.style.description_width = "initial"
        self.summary = w.HTML()
        self.message = w.HTML()
        self.path = w.Text(value=str(export_to), description="导出到", layout=w.Layout(width="520px"))
        export = w.Button(description="导出自评表", icon="download")
        reset = w.Button(description="恢复原值")
        model.listeners.append(self.refresh)
        framework.observe(self.on_framework, names="value")
        export.on_click(self.on_export)
        reset.on_click(self.on_reset)
        grid = _grid(model, self.state)
        self.refresh(model.outcome)
        self.panel = w.VBox(
            [
                w.HTML("<h4>评分试算（修改指标值、完成值或定性指标的等级和得分后即时重新评分）</h4>"),
                framework,
                grid,
                self.summary,
                w.HBox([self.path, export, reset]),
                self.message,
            ]
        )

    def refresh(self, outcome: Outcome) -> None:
        model, state = self.model, self.state
        if len(state["scores"]) != len(model.table):
            return  # the framework changed; the new grid refreshes itself
        by_name = {r["indicator"]: r for r in outcome.rows}
        for i, name in enumerate(model.table["indicator"]):
            r = by_name.get(name, {})
            state["scores"][i].value = _esc(_text(r.get("score")) if r.get("score") is not None else ("无数据" if r else ""))
            state["flags"][i].value = _esc("；".join(r.get("flags", [])))
        for (i, col), box in state["inputs"].items():
            if col == "score" and box.value != _text(model.table.at[i, "score"]):
                box.value = _text(model.table.at[i, "score"])  # a grade change cleared a score outside the new band
        for i, hint in state["hints"].items():
            band = model.band(i)
            hint.value = _esc(f"分（{_text(band[0].normalize())}–{_text(band[1].normalize())}）" if band else "分")
        if outcome.errors:
            self.summary.value = f'<span style="color:#842029">{_esc(model.score_line())}</span>'
        else:
            subs = "，".join(f"{k} {_text(v)}" for k, v in outcome.subtotals.items())
            tone = "#842029" if model.fails else "inherit"
            self.summary.value = f'<b style="color:{tone}">{_esc(model.score_line())}</b>（{_esc(subs)}）'

    def on_framework(self, change) -> None:
        self.model.choose(change["new"])
        children = list(self.panel.children)
        children[2] = _grid(self.model, self.state)
        self.panel.children = tuple(children)
        self.refresh(self.model.outcome)

    def on_export(self, _) -> None:
        target = Path(self.path.value)
        try:
            if target.resolve().parent.name == "notebooks":
                raise InputError("自评表不写入 notebooks/ 目录，请导出到 outputs/", file=target)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.message.value = f"已导出 {_esc(str(self.model.export(target)))}"
        except (InputError, ConfigError, OSError) as exc:
            self.message.value = f'<span style="color:#842029">{_esc(str(exc))}</span>'

    def on_reset(self, _) -> None:
        model = self.model
        model.reset()
        for (i, col), box in self.state["inputs"].items():
            box.value = _text(model.table.at[i, col]) if col != "grade" else model.table.at[i, col]
            box.layout.border = ""
        for reason in self.state["reasons"]:
            reason.value = ""


def _grid(model: WhatIf, state: dict[str, Any]):
    """One row per indicator: 指标值 and 完成值 editable, or a qualitative row's 等级 and 得分; the reason beside a refused entry."""
    import ipywidgets as w

    heads = ("指标", "一级指标", "指标值", "", "完成值", "", "分值", "得分", "提示", "")
    cells: list[w.Widget] = [w.HTML(f"<b>{h}</b>") for h in heads]
    state.update(inputs={}, scores=[], flags=[], reasons=[], hints={})
    for i, row in model.table.iterrows():
        i = int(i)
        name = _text(row["indicator"])
        reason = w.HTML()
        state["reasons"].append(reason)
        cells += [w.HTML(_esc(name)), w.HTML(_esc(_text(row["level1"])))]
        cells += _row_inputs(model, state, i, row, reason)
        cells.append(w.HTML(_esc(_text(row["weight"]))))
        state["scores"].append(w.HTML())
        state["flags"].append(w.HTML())
        cells += [state["scores"][-1], state["flags"][-1], reason]
    columns = "minmax(150px, 2fr) 90px 115px 60px 115px 90px 50px 60px minmax(100px, 1fr) minmax(140px, 1fr)"
    return w.GridBox(cells, layout=w.Layout(grid_template_columns=columns, grid_gap="2px 6px"))


def _row_inputs(model: WhatIf, state: dict[str, Any], i: int, row, reason) -> list:
    """A row's editable cells: a qualitative row's 等级 and 得分, else its 指标值 and 完成值 with their unit."""
    import ipywidgets as w

    from .scoring import methods

    if row["kind"] in ("qualitative", "定性"):
        grade = w.Dropdown(options=list(methods.QUALITATIVE_BANDS), value=row["grade"] or None, layout=w.Layout(width="110px"))
        grade.observe(_on_edit(model, i, "grade", reason), names="value")
        score = w.Text(value=_text(row["score"]), layout=w.Layout(width="110px"), continuous_update=False)
        score.observe(_on_edit(model, i, "score", reason), names="value")
        state["inputs"][(i, "grade")], state["inputs"][(i, "score")] = grade, score
        state["hints"][i] = w.HTML()
        return [grade, w.HTML("等级"), score, state["hints"][i]]
    cells = []
    for col in EDITABLE:
        box = w.Text(value=_text(row[col]), layout=w.Layout(width="110px"), continuous_update=False)
        box.observe(_on_edit(model, i, col, reason), names="value")
        state["inputs"][(i, col)] = box
        cells += [box, w.HTML(_esc(model.units.get(_text(row["indicator"]), "")))]
    return cells


def _framework_title(name: str) -> str:
    """A framework by its Chinese title (its name when it has none)."""
    try:
        from .scoring import frameworks

        return frameworks.get(name).title
    except Exception:  # a stand-in scorer's framework is not a shipped file
        return name


def _on_edit(model: WhatIf, row: int, column: str, reason: Any = None):
    def handler(change) -> None:
        why = model.edit(row, column, change["new"])
        owner = change["owner"]
        owner.layout.border = "1px solid #c00" if why else ""
        if hasattr(owner, "tooltip"):
            owner.tooltip = why or ""
        if reason is not None:  # the reason is written beside the box, not only in a tooltip
            reason.value = f'<span style="color:#c00">{_esc(why)}</span>' if why else ""

    return handler


def _esc(text: str) -> str:
    import html

    return html.escape(text)
