"""The Excel 自评表 in the form of 财预〔2020〕10号 附件 项目支出绩效自评表, and reading it back.

Layout (one sheet, ``自评表``, A4 landscape, columns A–H):

- the title 项目支出绩效自评表 and （YYYY 年度）;
- the header block: 项目名称; 主管部门 | 实施单位;
- the 项目资金（万元） block: 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, rows
  年度资金总额, 其中：当年财政拨款, 上年结转资金, 其他资金; 执行率 and 得分 are live formulas
  (执行率 = ROUND(全年执行数 ÷ 全年预算数, 4), shown 0.00%; 得分 = ROUND(分值 × MIN(执行率, 1), 2));
- 年度总体目标: 预期目标 | 实际完成情况;
- the indicator rows: 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
  偏差原因分析及改进措施, each 一级指标 closed by a 小计 row (live SUM formulas) and the
  whole by 总分 (a live formula: the funds block's 得分 plus every 小计) and 评价等级;
- the signature rows 填表人 | 联系电话 | 填报日期. The central form has none; provinces add them
  to their versions of the form (e.g. 四川's 项目负责人 / 财务负责人 rows), so xteval follows
  that practice and fills them from the evaluation metadata when given.

年度指标值 is written as the reader expects it, direction and unit included (``≥95%``,
``≤12/10万``, ``定性``); 实际完成值 is a number whose cell format shows the unit (or the
grade of a qualitative row). Every cell is written through :func:`put`: text from
someone else's file stays text, never a formula; the only formulas are the ones
this module builds from cell references (:class:`Formula`).

:func:`read` reads that form back into a scoring table (the 预算执行率 row from the funds
block, the direction from 年度指标值), or a plain sheet whose first row is the English
column names ``indicator, level1, kind, target, actual, weight, grade, score``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..money import N, NumberError, half_up
from .table import COLUMNS

__all__ = ["FUNDS_ROWS", "HEADERS", "FormInfo", "Formula", "put", "read", "write"]

SHEET = "自评表"
TITLE = "项目支出绩效自评表"
DEPARTMENT_TITLE = "部门整体支出绩效自评表"
# The department's form: no national form exists (财预〔2020〕10号 publishes the 项目支出 form only, and each
# province prints its own 部门整体 form), so the department's sheet keeps the 10号 columns under its own title
# and names, and says so on its face: a convention of this tool, not an official layout.
DEPARTMENT_FORM_BASIS = (
    "本表为部门整体支出绩效自评表：全国无统一表式（财预〔2020〕10号 附件只规定项目支出绩效自评表），"
    "本工具沿用其栏目编制，属本工具的惯例，非官方表式。"
)
HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
FUNDS_HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
FUNDS_ROWS = ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")
EXECUTION = "预算执行率"  # the 一级指标 that the funds block scores
SUBTOTAL, TOTAL, GRADE = "小计", "总分", "评价等级"
SIGNATURE = ("填表人", "联系电话", "填报日期")
SYMBOL = {"positive": "≥", "reverse": "≤", "equal": "=", "qualitative": "定性"}
KIND_OF = {"≥": "positive", "≤": "reverse", "=": "equal", "＝": "equal"}
WIDTHS = (14, 19, 30, 14, 14, 9, 11, 36)


@dataclass(frozen=True)
class Formula:
    """A formula this module builds from cell references; :func:`put` writes it as a live formula."""

    text: str


@dataclass
class FormInfo:
    """What the 10号 form shows beyond the scored table: header, funds, overall goal, levels, units, signatures.

    Attributes:
        project: 项目名称. supervisor: 主管部门. implementer: 实施单位. year: 年度.
        funds: per row of :data:`FUNDS_ROWS`, (年初预算数, 全年预算数, 全年执行数) in 万元 (None: not given).
        goal_expected / goal_achieved: 年度总体目标 (预期目标, 实际完成情况).
        level2 / unit / deviation: per indicator name, its 二级指标, unit and 偏差原因分析.
        signer / phone / date: the signature rows (填表人, 联系电话, 填报日期).
        note: one line under the form (how the funds block was filled, where figures come from).
    """

    project: str = ""
    title: str = TITLE  # the form's title: 项目支出绩效自评表, or 部门整体支出绩效自评表 for a department
    name_label: str = "项目名称"
    funds_label: str = "项目资金（万元）"
    supervisor: str = ""
    implementer: str = ""
    year: int | None = None
    funds: dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]] = field(default_factory=dict)
    goal_expected: str = ""
    goal_achieved: str = ""
    level2: dict[str, str] = field(default_factory=dict)
    unit: dict[str, str] = field(default_factory=dict)
    deviation: dict[str, str] = field(default_factory=dict)
    signer: str = ""
    phone: str = ""
    date: str = ""
    note: str = ""

    @classmethod
    def for_department(cls, p) -> FormInfo:
        """The form of a department-year (``DepartmentParams``): header, funds, goals and evaluation metadata.

        The funds block uses the same definition as the appendix's 预算执行率 (支出总额 ÷
        财政拨款收入, the first definition of ``rules/checks.yaml``): 全年预算数 is 财政拨款收入
        and 全年执行数 支出总额, so the form's 执行率 formula gives the rate the page shows.
        """
        inc, exp = p.income, p.expenditure
        initial, budget, spent, other = (
            f.value if f is not None else None for f in (inc.initial_budget, inc.fiscal_appropriation, exp.total, inc.other_income)
        )
        goals = [g for g in p.goals]
        expected = "；".join(f"{g.name}{_target_text(g.kind.value, g.target.value if g.target else None, g.unit)}" for g in goals)
        done = []
        for g in goals:
            if g.kind.value == "qualitative":
                done.append(f"{g.name}{g.grade or '未评'}")
            elif g.actual is not None:
                done.append(f"{g.name}{_number_text(g.actual.value)}{g.unit}")
        ev = p.evaluation
        return cls(
            project=p.unit.name,
            title=DEPARTMENT_TITLE,
            name_label="部门（单位）名称",
            funds_label="部门资金（万元）",
            supervisor=p.unit.supervisor or "",
            implementer=p.unit.name,
            year=p.year,
            funds={
                FUNDS_ROWS[0]: (initial, budget, spent),
                FUNDS_ROWS[1]: (initial, budget, None),
            },
            goal_expected=expected,
            goal_achieved="；".join(done),
            level2={g.name: g.level2 or "" for g in goals},
            unit={g.name: g.unit for g in goals},
            signer=(ev.evaluator or "") if ev else "",
            date=ev.date.isoformat() if ev and ev.date else "",
            note=(
                DEPARTMENT_FORM_BASIS
                + "部门资金：年初预算数取年初预算，全年预算数取财政拨款收入，全年执行数取支出总额，执行率 = 全年执行数 ÷ 全年预算数，"
                "与附件预算执行率同一口径"
                + (f"（其他收入 {_number_text(other)} 万元不计入）" if other is not None else "")
                + "；分月、分来源的执行数报告未载明，留空"
                + ("。" if None not in (initial, budget, spent) else "；参数文件未给出的数字留空。")
            ),
        )


def put(ws, row: int, col: int, value: Any):
    """Write one cell: a number as a number, a :class:`Formula` as a live formula, anything else as text.

    openpyxl turns a string that starts with ``=`` into a live formula; a name
    from someone else's file (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``) must
    stay the text it is, so the cell's data type is set to string. Characters a
    workbook cannot hold (NUL and other control characters) are dropped.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row, col)
    if value is None or (isinstance(value, float) and value != value):
        return cell
    if isinstance(value, Formula):
        cell.value = value.text  # built here from cell references only
        return cell
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        cell.value = value
        return cell
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.data_type = "s"
    return cell


def _number_text(v: Decimal | None) -> str:
    if v is None:
        return ""
    return f"{v.normalize():,f}" if v == v.to_integral_value() or abs(v.as_tuple().exponent) <= 2 else f"{half_up(v, 2):,f}"


def _target_text(kind: str | None, target: Decimal | None, unit: str) -> str:
    """年度指标值 as the form writes it: ``≥95%``, ``≤12/10万``, ``定性``; a closed framework's target has no sign."""
    if kind == "qualitative":
        return "定性"
    if target is None:
        return "—"
    return f"{SYMBOL.get(kind or '', '')}{_number_text(target)}{unit}"


def _unit_format(unit: str) -> str:
    """A cell format that shows a number with its unit (``General"亿条"``); the cell stays a number."""
    if not unit:
        return "General"
    safe = unit.replace('"', "")
    return f'General"{safe}"'


def _under(kind: str, target: Decimal | None, actual: Decimal | None) -> bool:
    if target is None or actual is None:
        return False
    return (kind == "positive" and actual < target) or (kind == "reverse" and actual > target) or (kind == "equal" and actual != target)


def write(result, path: str | Path, form: FormInfo | None = None) -> Path:
    """Write a :class:`xteval.scoring.engine.ScoreResult` as the 10号 自评表.

    Args:
        result: the scored table (``xteval.scoring.engine.score_table``).
        path: the ``.xlsx`` file to write (written to a temporary file, then renamed).
        form: what the form shows beyond the scores (:meth:`FormInfo.for_department`);
            blank cells where it is not given.

    Returns:
        The path written.
    """
    from openpyxl import Workbook

    from ..files import write_with
    from . import frameworks

    form = form or FormInfo()
    fw = frameworks.get(result.framework)
    wb = Workbook()
    sheet = _Sheet(wb.active)
    sheet.ws.title = SHEET
    _title_rows(sheet, form)
    _funds_rows(sheet, result, form)
    _goal_rows(sheet, form)
    r, subtotals = _indicator_rows(sheet, result, form, fw)
    last = _closing_rows(sheet, result, form, fw, r, subtotals)
    _page_setup(sheet.ws, last)
    wb.properties.title = form.title
    wb.properties.creator = "xteval"
    return write_with(Path(path), wb.save)  # a private temporary folder, then a rename: no planted name is followed


INDICATOR_HEADER = 12  # the row of the indicator table's header, repeated on every printed page


class _Sheet:
    """The 自评表 sheet being written: every cell boxed, and the form's styles."""

    def __init__(self, ws):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = ws
        thin = Side(style="thin", color="000000")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.bold = Font(bold=True)
        self.head_fill = PatternFill("solid", fgColor="DDEBF7")

    def cell(self, r: int, c: int, v: Any, *, fmt=None, align=None, font=None, fill=None):
        """A boxed cell written through :func:`put` (centred unless ``align`` says otherwise)."""
        x = put(self.ws, r, c, v)
        x.border, x.alignment = self.box, align or self.centre
        if fmt:
            x.number_format = fmt
        if font:
            x.font = font
        if fill:
            x.fill = fill
        return x

    def head(self, r: int, c: int, v: Any):
        """A label cell of the form: bold on the header colour."""
        return self.cell(r, c, v, font=self.bold, fill=self.head_fill)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Merge a block, boxing each of its cells first so the merged border is whole."""
        for rr in range(r1, r2 + 1):
            for cc in range(c1, c2 + 1):
                self.ws.cell(rr, cc).border = self.box
        self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _title_rows(sheet: _Sheet, form: FormInfo) -> None:
    """Rows 1–4: the title, the year, 项目名称 (部门（单位）名称), 主管部门 and 实施单位."""
    from openpyxl.styles import Font

    ws = sheet.ws
    put(ws, 1, 1, form.title).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = sheet.centre
    ws.merge_cells("A1:H1")
    put(ws, 2, 1, f"（{form.year} 年度）" if form.year else "（    年度）").alignment = sheet.centre
    ws.merge_cells("A2:H2")
    sheet.head(3, 1, form.name_label)
    sheet.cell(3, 2, form.project, align=sheet.left)
    sheet.merge(3, 2, 3, 8)
    sheet.head(4, 1, "主管部门")
    sheet.cell(4, 2, form.supervisor, align=sheet.left)
    sheet.merge(4, 2, 4, 4)
    sheet.head(4, 5, "实施单位")
    sheet.cell(4, 6, form.implementer, align=sheet.left)
    sheet.merge(4, 6, 4, 8)


def _funds_rows(sheet: _Sheet, result, form: FormInfo) -> None:
    """Rows 5–9, 项目资金（万元） (部门资金 for a department): the amounts, and 执行率 and 得分 as live formulas (or the table's rate when it gives no amounts)."""
    sheet.head(5, 1, form.funds_label)
    sheet.merge(5, 1, 9, 1)
    sheet.cell(5, 2, "", fill=sheet.head_fill)
    for j, h in enumerate(FUNDS_HEADERS, start=3):
        sheet.head(5, j, h)
    execution = result.rows[result.rows["level1"] == EXECUTION]
    weight = result.level1_weights.get(EXECUTION)
    for i, label in enumerate(FUNDS_ROWS):
        r = 6 + i
        sheet.cell(r, 2, label, align=sheet.left)
        initial, budget, spent = form.funds.get(label, (None, None, None))
        for j, v in ((3, initial), (4, budget), (5, spent)):
            sheet.cell(r, j, v, fmt="#,##0.00")
        rate = Formula(f'=IF(AND(ISNUMBER(D{r}),ISNUMBER(E{r})),IF(D{r}<>0,ROUND(E{r}/D{r},4),""),"")')
        if i == 0 and (budget is None or spent is None) and not execution.empty and execution.iloc[0]["actual"] is not None:
            rate = half_up(execution.iloc[0]["actual"] / 100, 4)  # the table gives the rate, not the amounts
        sheet.cell(r, 7, rate, fmt="0.00%")
        if i == 0:
            sheet.cell(r, 6, weight, fmt="0.00")
            scored_like_form = execution.empty or execution.iloc[0]["target"] in (None, Decimal(100))
            if weight is not None and scored_like_form:
                score = Formula(f'=IF(ISNUMBER(G{r}),ROUND(F{r}*MIN(G{r},1),2),"")')
            else:
                score = execution.iloc[0]["points"] if weight is not None else None
            sheet.cell(r, 8, score, fmt="0.00")
        else:
            sheet.cell(r, 6, "—")
            sheet.cell(r, 8, "—")


def _goal_rows(sheet: _Sheet, form: FormInfo) -> None:
    """Rows 10–11, 年度总体目标: 预期目标 beside 实际完成情况, the row as tall as the longer text needs."""
    sheet.head(10, 1, "年度总体目标")
    sheet.merge(10, 1, 11, 1)
    sheet.head(10, 2, "预期目标")
    sheet.merge(10, 2, 10, 5)
    sheet.head(10, 6, "实际完成情况")
    sheet.merge(10, 6, 10, 8)
    sheet.cell(11, 2, form.goal_expected, align=sheet.left)
    sheet.merge(11, 2, 11, 5)
    sheet.cell(11, 6, form.goal_achieved, align=sheet.left)
    sheet.merge(11, 6, 11, 8)
    # about 36 characters a line across B–E and F–H at these widths; 16 points a line
    sheet.ws.row_dimensions[11].height = max(32, 16 * (1 + max(len(form.goal_expected), len(form.goal_achieved)) // 34))


def _indicator_rows(sheet: _Sheet, result, form: FormInfo, fw) -> tuple[int, list[int]]:
    """The header row and, per 一级指标 (预算执行率 aside: the funds block scores it), its rows and a 小计 row.

    Returns:
        The next free row and the row of each 小计.
    """
    for j, h in enumerate(HEADERS, start=1):
        sheet.head(INDICATOR_HEADER, j, h)
    r = INDICATOR_HEADER + 1
    rows = result.rows
    leaves = {leaf.name: leaf for leaf in fw.leaves}
    subtotal_rows = []
    for level1 in result.level1_weights:
        if level1 == EXECUTION:
            continue
        group = rows[rows["level1"] == level1]
        if group.empty:
            continue
        start = r
        for _, row in group.iterrows():
            _indicator_row(sheet, r, row, form, leaves.get(row["indicator"]), fw.closed)
            r += 1
        sheet.cell(r, 3, SUBTOTAL, font=sheet.bold)
        sheet.cell(r, 2, "")
        sheet.cell(r, 4, "")
        sheet.cell(r, 5, "")
        sheet.cell(r, 6, Formula(f"=SUM(F{start}:F{r - 1})"), fmt="0.00", font=sheet.bold)
        sheet.cell(r, 7, Formula(f"=SUM(G{start}:G{r - 1})"), fmt="0.00", font=sheet.bold)
        sheet.cell(r, 8, "")
        sheet.cell(start, 1, level1, font=sheet.bold)
        sheet.merge(start, 1, r, 1)
        subtotal_rows.append(r)
        r += 1
    return r, subtotal_rows


def _indicator_row(sheet: _Sheet, r: int, row, form: FormInfo, leaf, closed: bool) -> None:
    """One indicator: its levels, 年度指标值 (with direction unless the framework is closed) and unit, 完成值, 分值, 得分, why it falls short."""
    name = row["indicator"]
    kind = row["kind"] if not closed else None
    unit = form.unit.get(name, leaf.unit if leaf else "")
    qualitative = row["kind"] == "qualitative"
    # 偏差原因分析 is the evaluator's to write: only what the params give goes in the cell. What the tool
    # noticed (short of the target, far above it) is a note on the 得分 cell, for the evaluator to answer.
    hints = [f + "，指标值可能设定偏低，须说明原因" if f.startswith("偏离度") else f for f in row["flags"] if f != "无数据"]
    if not qualitative and _under(row["kind"], row.get("target"), row.get("actual")):
        hints.append("完成值低于年度指标值，请填写偏差原因")
    sheet.cell(r, 2, form.level2.get(name, leaf.level2 if leaf else ""))
    sheet.cell(r, 3, name, align=sheet.left)
    sheet.cell(r, 4, _target_text(kind, row.get("target"), unit) if not qualitative else "定性")
    if qualitative:
        sheet.cell(r, 5, row.get("grade"))
    else:
        sheet.cell(r, 5, row.get("actual"), fmt=_unit_format(unit))
    sheet.cell(r, 6, row["weight"], fmt="0.00")
    score = sheet.cell(r, 7, "无数据" if row["points"] is None else row["points"], fmt="0.00")
    if hints:
        score.comment = _note("；".join(hints))
    sheet.cell(r, 8, form.deviation.get(name, ""), align=sheet.left)


def _note(text: str):
    """A cell note (comment) of the tool's, sized to be read."""
    from openpyxl.comments import Comment

    note = Comment(text, "xteval")
    note.width, note.height = 300, 90
    return note


def _closing_rows(sheet: _Sheet, result, form: FormInfo, fw, r: int, subtotal_rows: list[int]) -> int:
    """总分 (a live sum of the funds block's 得分 and every 小计), 评价等级, the signature row and the framework's source.

    Returns:
        The last row written.
    """
    sheet.head(r, 1, TOTAL)
    sheet.merge(r, 1, r, 5)
    sheet.cell(r, 6, Formula("=SUM(" + ",".join(["F6", *(f"F{x}" for x in subtotal_rows)]) + ")"), fmt="0.00", font=sheet.bold)
    sheet.cell(r, 7, Formula("=SUM(" + ",".join(["H6", *(f"G{x}" for x in subtotal_rows)]) + ")"), fmt="0.00", font=sheet.bold)
    sheet.cell(r, 8, f"{result.missing} 项无数据，可评分值 {result.assessed}" if result.missing else "", align=sheet.left)
    r += 1
    total_row = r - 1
    sheet.head(r, 1, GRADE)
    sheet.merge(r, 1, r, 5)
    sheet.cell(r, 6, "")
    sheet.cell(r, 7, _grade_formula(fw, total_row, INDICATOR_HEADER + 1), font=sheet.bold)
    sheet.cell(r, 8, "有无数据项时不定等级" if result.missing else "", align=sheet.left)
    r += 1
    # Signature rows: a convention of provincial versions of the form, not of the central 10号 附件.
    for c, (label, value) in zip((1, 3, 5), zip(SIGNATURE, (form.signer, form.phone, form.date), strict=True), strict=True):
        sheet.head(r, c, label)
        sheet.cell(r, c + 1, value)
    sheet.merge(r, 6, r, 8)
    r += 1
    from .frameworks import version_label

    footer = f"评分框架：{fw.title}（版本 {version_label(fw.name, result.version)}）；依据：{fw.source}。" + _bases_text(result) + form.note
    put(sheet.ws, r, 1, footer).alignment = sheet.left
    sheet.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
    sheet.ws.row_dimensions[r].height = 90
    return r


def _grade_formula(fw, total_row: int, first_row: int) -> Formula | str:
    """评价等级 as a live formula of 总分 by the framework's bands, 不定级 while any 得分 reads 无数据.

    An evaluator who edits a 得分 sees the 总分 and the 等级 follow it; a fixed 等级 beside a live
    总分 would contradict the sheet it stands on.
    """
    if not fw.grades:
        return "不定级"
    bands = [(low, grade) for low, grade in fw.grades]
    expr = f'"{bands[-1][1]}"'
    for low, grade in reversed(bands[:-1]):
        expr = f'IF(G{total_row}>={low},"{grade}",{expr})'
    return Formula(f'=IF(COUNTIF(G{first_row}:G{total_row - 1},"无数据")>0,"不定级",{expr})')


def _bases_text(result) -> str:
    """The bases of the methods the rows were scored by, once each, and of the grade bands: the workbook's own note."""
    seen: dict[str, str] = {}
    for kind, basis in zip(result.rows["kind"], result.rows["basis"], strict=True):
        seen.setdefault(basis.text(), KIND_WORDS.get(kind, kind))
    methods = "；".join(f"{kind}：{text}" for text, kind in seen.items())
    from .frameworks import BASIS_WORDS

    grade = BASIS_WORDS.get(result.grade_basis, result.grade_basis)
    return f"计分方法的依据——{methods}。等级档次的依据：{grade}。"


KIND_WORDS = {
    "positive": "正向指标",
    "reverse": "反向指标",
    "equal": "等于型指标",
    "qualitative": "定性指标",
    "step": "按步扣分",
    "band": "分档",
}


def _page_setup(ws, last_row: int) -> None:
    """Column widths, and printing: A4 landscape, one page wide, the indicator header on every page, page numbers."""
    from openpyxl.utils import get_column_letter

    for j, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{INDICATOR_HEADER}:{INDICATOR_HEADER}"  # the indicator header repeats on every printed page
    ws.print_area = f"A1:H{last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = None


# --------------------------------------------------------------------------- reading


def _num(v: Any) -> Any:
    """A number cell as an exact Decimal (openpyxl reads numbers as int or float); text stays text."""
    return N(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


_TARGET = re.compile(r"^\s*(?P<op>[≥≤=＝])?\s*(?P<num>[-+]?[\d,]+(?:\.\d+)?)\s*(?P<unit>.*)$")


def _parse_target(text: Any, where: dict) -> tuple[str | None, Decimal | None]:
    """年度指标值 → (kind, target): ``≥95%`` → (positive, 95); ``定性`` → (qualitative, None); a bare number has no kind."""
    if text is None or (isinstance(text, str) and text.strip() in ("", "—")):
        return None, None
    if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
        return None, N(text)
    s = str(text).strip()
    if s == "定性":
        return "qualitative", None
    m = _TARGET.match(s)
    if not m:
        raise InputError(f"年度指标值无法识别: {s!r} (expected e.g. ≥95%, ≤12, =100 or 定性)", **where)
    try:
        value = N(m["num"])
    except NumberError:
        raise InputError(f"年度指标值不是数值: {s!r} (not a number)", **where) from None
    return KIND_OF.get(m["op"] or ""), value


def _find(grid: list[list[Any]], test) -> int | None:
    return next((i for i, row in enumerate(grid) if test([("" if v is None else str(v).strip()) for v in row])), None)


def read(path: str | Path, data: bytes | None = None) -> pd.DataFrame:
    """Read a 自评表 (or a plain sheet with the English columns) into a scoring table.

    Args:
        path: an ``.xlsx`` file: the form :func:`write` produces (formulas or their values),
            or a sheet whose first row is ``indicator, level1, kind, target, actual, weight, grade, score``.
        data: the file's bytes when the caller has read them (through ``files.read_input``);
            the workbook is read from these, never by opening ``path`` a second time.

    Returns:
        A DataFrame with the ``xteval.scoring.table.COLUMNS``; ``attrs["rows"]`` holds each row's sheet row number.

    Raises:
        InputError: not a readable workbook, or neither layout is found (the message names the row and the column).
    """
    path = Path(path)
    grid = _grid(path, data)
    first = [str(v).strip() if v is not None else "" for v in grid[0]]
    if first and first[0] in COLUMNS:
        return _read_plain(grid, first, path)
    header = _form_header(grid, path)
    records, numbers = [], []
    funds = _find(grid, lambda row: len(row) > 1 and row[1] == FUNDS_ROWS[0])
    if funds is not None:
        rec = _execution_row(grid[funds], path, funds + 1)
        if rec is not None:
            records.append(rec)
            numbers.append(funds + 1)
    for i, rec in _indicator_records(grid, header, path):
        records.append(rec)
        numbers.append(i)
    df = pd.DataFrame(records, columns=list(COLUMNS), dtype=object)
    df.attrs["rows"] = numbers
    return df


def _grid(path: Path, data: bytes | None) -> list[list[Any]]:
    """The cell values of the 自评表 sheet (else the first), row by row; a file that is not a workbook is refused first."""
    import io

    from openpyxl import load_workbook

    from ..files import check_office_zip, read_input

    data = read_input(path) if data is None else data
    check_office_zip(path, data, ".xlsx", "[Content_Types].xml")  # corrupt or a zip bomb: refused before openpyxl unpacks it
    try:
        wb = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(f"不是可读的 xlsx 文件 ({type(exc).__name__})", file=path) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    if not grid:
        raise InputError("工作表为空 (empty sheet)", file=path)
    return grid


def _form_header(grid: list[list[Any]], path: Path) -> int:
    """The index of the indicator table's header row, whose columns must be the form's :data:`HEADERS` in order."""
    from openpyxl.utils import get_column_letter

    header = _find(grid, lambda row: row[:1] == ["一级指标"])
    if header is None:
        raise InputError(
            f"找不到指标表头（一级指标、二级指标、三级指标…）(no header row; expected {', '.join(HEADERS)} or {', '.join(COLUMNS)})",
            file=path,
            row=1,
        )
    names = [str(v).strip() if v is not None else "" for v in grid[header]]
    for j, want in enumerate(HEADERS):
        got = names[j] if j < len(names) else ""
        if got != want:
            raise InputError(
                f"列名应为 {want!r}，实为 {got!r} (wrong columns; expected {', '.join(HEADERS)})",
                file=path,
                row=header + 1,
                field=f"{get_column_letter(j + 1)} 列",
            )
    return header


def _indicator_records(grid: list[list[Any]], header: int, path: Path):
    """Each indicator row under the header, as (sheet row number, scoring-table record), up to 总分; 小计 rows are skipped."""
    level1 = None
    for i, values in enumerate(grid[header + 1 :], start=header + 2):
        values = (values + [None] * 8)[:8]
        if all(v is None for v in values):
            continue
        a, _, c, d, e, f, g, _h = values
        if a in (TOTAL, GRADE, *SIGNATURE):
            break
        if c is None or c == SUBTOTAL:
            continue
        level1 = a if a is not None else level1  # merged cells: only the first holds the name
        kind, target = _parse_target(d, {"file": path, "row": i, "field": "D 列"})
        qualitative = kind == "qualitative"
        yield (
            i,
            {
                "indicator": c,
                "level1": level1,
                "kind": kind,
                "target": target,
                "actual": None if qualitative else _num(e) if not isinstance(e, str) else e,
                "weight": _num(f),
                "grade": e if qualitative else None,
                "score": (_num(g) if not isinstance(g, str) else None) if qualitative else None,
            },
        )


def _execution_row(values: list[Any], path: Path, row: int) -> dict[str, Any] | None:
    """The 预算执行率 row from the funds block: its 分值 and the rate (the formula's inputs, or the value written)."""
    values = (values + [None] * 8)[:8]
    _, _, _, budget, spent, weight, rate, _ = values
    if weight in (None, "", "—"):
        return None  # a framework without 预算执行率 (dept-common-2013)
    actual = None
    if isinstance(rate, int | float | Decimal) and not isinstance(rate, bool):
        actual = half_up(N(rate) * 100, 2)
    elif isinstance(budget, int | float) and isinstance(spent, int | float) and budget:
        actual = half_up(half_up(N(spent) / N(budget), 4) * 100, 2)  # as the form's ROUND(E/D, 4) does
    return {
        "indicator": EXECUTION,
        "level1": EXECUTION,
        "kind": "positive",
        "target": Decimal(100),
        "actual": actual,
        "weight": _num(weight),
        "grade": None,
        "score": None,
    }


def _read_plain(grid: list[list[Any]], names: list[str], path: Path) -> pd.DataFrame:
    """A sheet whose first row is the English column names."""
    from openpyxl.utils import get_column_letter

    for j, got in enumerate(names):
        if got and got not in COLUMNS:
            raise InputError(
                f"未知列 {got!r} (unknown column; expected {', '.join(COLUMNS)})", file=path, row=1, field=get_column_letter(j + 1)
            )
    records, numbers = [], []
    for i, values in enumerate(grid[1:], start=2):
        if all(v is None for v in values):
            continue
        row = dict(zip(names, values, strict=False))
        records.append({c: _num(row.get(c)) for c in COLUMNS})
        numbers.append(i)
    df = pd.DataFrame(records, columns=list(COLUMNS), dtype=object)
    df.attrs["rows"] = numbers
    return df
