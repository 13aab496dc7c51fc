"""Score a table of indicators under a framework: row points and flags, subtotals, total, grade.

The table has the 自评表 columns ``indicator, level1, kind, target, actual,
weight, grade, score`` (``grade`` and ``score`` only for qualitative rows).
:func:`score_table` is the one entry point; it is vectorised (one call of each
scoring method per group of rows, ``Decimal`` arithmetic throughout) and cheap
enough to call on every edit of a what-if panel.

Bad input (a blank 分值, 分值 that do not add up, an unknown kind, a
non-numeric 指标值, t = 0 for a positive indicator, a qualitative row without
a grade or with a score outside its band) raises :class:`InputError` naming
the row and the column. An indicator whose 完成值 is missing is scored
``None`` with the flag 无数据: never 0, never full marks.

For a department, :func:`department_table` builds the goals table scored under
``mof2020-self`` and :func:`common_table` computes the 财预〔2013〕53号 common
indicators (``dept-common-2013``) from a :class:`DepartmentParams`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import frameworks, methods
from .errors import ConfigError, InputError
from .frameworks import Framework
from .schema import DepartmentParams

__all__ = [
    "COLUMNS",
    "NO_DATA",
    "ScoreResult",
    "common_table",
    "department_table",
    "framework_names",
    "read_table",
    "score_department",
    "score_table",
]

COLUMNS = ("indicator", "level1", "kind", "target", "actual", "weight", "grade", "score")
NO_DATA = "无数据"
OVER = "偏离度≥{ratio}%"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScoreResult:
    """A scored table.

    Attributes:
        framework: framework name; ``version`` its version.
        rows: the input columns plus ``points`` (Decimal or None for 无数据) and ``flags`` (list of str).
        subtotals: points by canonical 一级指标, in the framework's order; a 一级指标 whose
            indicators are all 无数据 is left out.
        total: the sum of the scored rows.
        grade: the grade band of the total; None when any indicator is 无数据.
        assessed: the 分值 of the rows that could be scored (= the framework total when none is 无数据).
        missing: how many indicators are 无数据.
    """

    framework: str
    version: str
    rows: pd.DataFrame
    subtotals: dict[str, Decimal]
    total: Decimal
    grade: str | None
    assessed: Decimal
    missing: int
    level1_weights: dict[str, Decimal]

    @property
    def scaled(self) -> Decimal | None:
        """Total ÷ assessed 分值 × 100: a reference for incomplete tables, not a score."""
        return methods.round2(np.array([self.total / self.assessed * HUNDRED], dtype=object))[0] if self.assessed else None

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape; numbers as decimal strings, 无数据 as null."""
        return {
            "framework": self.framework,
            "version": self.version,
            "total": str(self.total),
            "grade": self.grade,
            "assessed": str(self.assessed),
            "missing": self.missing,
            "subtotals": {k: str(v) for k, v in self.subtotals.items()},
            "rows": [
                {"indicator": i, "score": None if p is None else str(p), "flags": list(f)}
                for i, p, f in zip(self.rows["indicator"], self.rows["points"], self.rows["flags"], strict=True)
            ],
        }

    def dumps(self) -> str:
        """:meth:`to_json` as indented JSON text."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def framework_names() -> list[str]:
    """Frameworks that score a table of indicators, open ones (the default ``mof2020-self``) first.

    A closed framework (``dept-common-2013``) scores only its own indicators;
    PEFA is scored by ``xteval.pefa``.
    """
    fws = [frameworks.get(n) for n in frameworks.names()]
    return [f.name for f in sorted(fws, key=lambda f: (f.closed, f.name)) if f.kind == "points"]


# --------------------------------------------------------------------------- parsing


def _row_numbers(df: pd.DataFrame) -> list[int]:
    rows = df.attrs.get("rows")
    return list(rows) if rows is not None else list(range(1, len(df) + 1))


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()) or v is pd.NA


def _to_dec(v: Any) -> Decimal | None:
    """One cell as a Decimal, None when blank; ValueError when not a number."""
    if type(v) is Decimal:
        return v
    if _blank(v):
        return None
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    text = str(v).strip().rstrip("%％").replace(",", "")
    try:
        out = Decimal(text)
    except InvalidOperation:
        raise ValueError(v) from None
    if not out.is_finite():
        raise ValueError(v)
    return out


def _numbers(df: pd.DataFrame, col: str, rows: list[int], file: str | None) -> np.ndarray:
    out = np.empty(len(df), dtype=object)
    values = df[col].tolist() if col in df.columns else [None] * len(df)
    try:
        out[:] = [_to_dec(v) for v in values]
    except ValueError:
        for i, v in enumerate(values):
            try:
                _to_dec(v)
            except ValueError:
                raise InputError(f"不是数值: {v!r} (not a number)", file=file, row=rows[i], field=col) from None
    return out


def _texts(df: pd.DataFrame, col: str) -> list[str | None]:
    if col not in df.columns:
        return [None] * len(df)
    return [None if _blank(v) else str(v).strip() for v in df[col].tolist()]


# --------------------------------------------------------------------------- scoring


def score_table(df: pd.DataFrame, framework: str | Framework = "mof2020-self", *, file: str | Path | None = None) -> ScoreResult:
    """Score a table of indicators under a framework.

    Args:
        df: rows with the :data:`COLUMNS`. Values may be Decimals, ints, or text
            (``"95"``, ``"95%"``, ``"1,200.5"``); blanks are None/NaN/"".
            ``df.attrs["rows"]`` may give the source row number of each row for messages.
        framework: a framework name (see :func:`framework_names`) or a loaded :class:`Framework`.
        file: the file the table came from, named in errors.

    Returns:
        A :class:`ScoreResult`.

    Raises:
        InputError: bad input, naming the row and the column.
        ConfigError: an unknown framework, or a PEFA framework.
    """
    fw = frameworks.get(framework) if isinstance(framework, str) else framework
    if fw.kind != "points":
        raise ConfigError(f"{fw.name} 不是分值评分框架，请用 xteval pefa (not a points framework; use `xteval pefa`)", field="framework")
    file = str(file) if file is not None else None
    df = df.reset_index(drop=True) if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 else df
    rows = _row_numbers(df)
    need = ("indicator", "actual") if fw.closed else ("indicator", "level1", "kind", "target", "actual", "weight")
    missing_cols = [c for c in need if c not in df.columns]
    if missing_cols:
        raise InputError(
            f"缺少列 {', '.join(missing_cols)} (missing columns; expected {', '.join(COLUMNS)})", file=file, field=missing_cols[0]
        )
    names = _texts(df, "indicator")
    for i, n in enumerate(names):
        if n is None:
            raise InputError("指标名称为空 (blank indicator)", file=file, row=rows[i], field="indicator")
    if fw.closed:
        return _score_closed(df, fw, rows, names, file)
    return _score_open(df, fw, rows, names, file)


def _score_open(df: pd.DataFrame, fw: Framework, rows: list[int], names: list[str | None], file: str | None) -> ScoreResult:
    n = len(df)
    alias, kinds = fw.alias_map, fw.kind_map
    level1 = _texts(df, "level1")
    kind = _texts(df, "kind")
    lv = np.empty(n, dtype=object)
    kd = np.empty(n, dtype=object)
    try:
        lv[:] = [alias[x] for x in level1]
    except KeyError:
        i = next(i for i, x in enumerate(level1) if x not in alias)
        raise InputError(
            f"未知一级指标 {level1[i]!r} (unknown level1; known: {', '.join(alias)})", file=file, row=rows[i], field="level1"
        ) from None
    try:
        kd[:] = [kinds[x] for x in kind]
    except KeyError:
        i = next(i for i, x in enumerate(kind) if x not in kinds)
        raise InputError(f"未知类型 {kind[i]!r} (unknown kind; known: {', '.join(kinds)})", file=file, row=rows[i], field="kind") from None
    t = _numbers(df, "target", rows, file)
    a = _numbers(df, "actual", rows, file)
    w = _numbers(df, "weight", rows, file)
    s = _numbers(df, "score", rows, file)
    grades = _texts(df, "grade")
    _first(w == None, rows, file, "weight", "缺少分值 (missing weight)")  # noqa: E711
    _first((w < methods.ZERO).astype(bool), rows, file, "weight", "分值不能为负 (negative weight)")
    qual = (kd == "qualitative").astype(bool)
    quant = ~qual
    _first(quant & (t == None), rows, file, "target", "缺少指标值 (missing target)")  # noqa: E711
    t0 = np.where(t == None, methods.ZERO, t)  # noqa: E711
    pos = (kd == "positive").astype(bool)
    _first(pos & (t0 <= methods.ZERO).astype(bool), rows, file, "target", "正向指标的指标值须大于 0 (positive indicator needs t > 0)")
    _first(
        ((kd == "reverse") & (t0 < methods.ZERO)).astype(bool),
        rows,
        file,
        "target",
        "反向指标的指标值不能为负 (reverse indicator needs t ≥ 0)",
    )
    # 分值 of each 一级指标 must add up to the framework's.
    sums: dict[str, Decimal] = {x.name: Decimal(0) for x in fw.level1}
    first_row: dict[str, int] = {}
    for i, (name, weight) in enumerate(zip(lv, w, strict=True)):
        sums[name] += weight
        first_row.setdefault(name, rows[i])
    for x in fw.level1:
        if sums[x.name] != x.weight:
            diff = sums[x.name] - x.weight
            raise InputError(
                f"一级指标“{x.name}”各行分值之和 {sums[x.name]} ≠ {x.weight}（{'多' if diff > 0 else '少'} {abs(diff)}）"
                "(weights do not sum to the level-1 weight)",
                file=file,
                row=first_row.get(x.name),
                field="weight",
            )
    method_of = {k: spec["method"] for k, spec in fw.kinds.items()}
    params_of = {k: spec.get("params") or {} for k, spec in fw.kinds.items()}
    points = np.empty(n, dtype=object)
    points[:] = None
    flags: list[list[str]] = [[] for _ in range(n)]
    parsed = {"target": t, "actual": a, "weight": w, "score": s}
    if qual.any():
        a = a.copy()
        for i in np.flatnonzero(qual):
            a[i] = _check_qualitative(grades[i], s[i], w[i], rows[i], file)
    has = (a != None).astype(bool)  # noqa: E711
    for k in set(kd.tolist()):
        m = (kd == k).astype(bool) & has
        if not m.any():
            continue
        p = params_of[k]
        pts = methods.limit(methods.get(method_of[k])(a[m], t0[m], w[m], p), p)
        if method_of[k] == "positive" and fw.over_achievement:  # 偏离度 is about exceeding a ≥ target
            pts, over = methods.over_achievement(a[m], t0[m], w[m], pts, fw.over_achievement)
            label = OVER.format(ratio=_pct(fw.over_achievement.get("ratio", "1.3")))
            for i in np.flatnonzero(m)[over]:
                flags[i].append(label)
        points[m] = methods.round2(pts)
    for i in np.flatnonzero(~has):
        flags[i].append(NO_DATA)
    return _result(df, fw, lv, kd, points, flags, w, parsed)


def _pct(ratio: Any) -> str:
    return format((Decimal(str(ratio)) * HUNDRED).normalize(), "f")


def _first(mask: np.ndarray, rows: list[int], file: str | None, col: str, reason: str) -> None:
    mask = np.asarray(mask).astype(bool)
    if mask.any():
        raise InputError(reason, file=file, row=rows[int(np.flatnonzero(mask)[0])], field=col)


def _check_qualitative(grade: str | None, score: Decimal | None, weight: Decimal, row: int, file: str | None) -> Decimal | None:
    """The evaluator's score of a qualitative row, after checking it lies in its grade's band."""
    if grade is None:
        raise InputError(
            f"定性指标缺少等级 (qualitative row without a grade; one of {', '.join(methods.QUALITATIVE_BANDS)})",
            file=file,
            row=row,
            field="grade",
        )
    if grade not in methods.QUALITATIVE_BANDS:
        raise InputError(
            f"未知等级 {grade!r} (unknown grade; one of {', '.join(methods.QUALITATIVE_BANDS)})", file=file, row=row, field="grade"
        )
    if score is None:
        return None  # 无数据: the evaluator has not scored it yet
    lo, hi, closed = methods.qualitative_band(grade, weight)
    if not (lo <= score and (score <= hi if closed else score < hi)):
        right = "]" if closed else ")"
        raise InputError(
            f"得分 {score} 不在“{grade}”的区间 [{lo.normalize():f}, {hi.normalize():f}{right} 内 (score outside its grade band)",
            file=file,
            row=row,
            field="score",
        )
    return score


def _score_closed(df: pd.DataFrame, fw: Framework, rows: list[int], names: list[str | None], file: str | None) -> ScoreResult:
    by_name = {leaf.name: leaf for leaf in fw.leaves} | {leaf.id: leaf for leaf in fw.leaves}
    a = _numbers(df, "actual", rows, file)
    given_t = _numbers(df, "target", rows, file)
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name not in by_name:
            raise InputError(
                f"{fw.name} 没有指标 {name!r} (unknown indicator for this framework)", file=file, row=rows[i], field="indicator"
            )
        leaf = by_name[name]
        if leaf.id in seen:
            raise InputError(f"指标 {name!r} 重复 (duplicate indicator)", file=file, row=rows[i], field="indicator")
        seen[leaf.id] = i
    extra_flags = df["flags"].tolist() if "flags" in df.columns else [[] for _ in range(len(df))]
    out_rows, points, flags = [], [], []
    for leaf in fw.leaves:
        i = seen.get(leaf.id)
        actual = a[i] if i is not None else None
        target = (given_t[i] if i is not None else None) or leaf.target
        f = list(extra_flags[i]) if i is not None and isinstance(extra_flags[i], list) else []
        if actual is None:
            pts = None
            f.append(NO_DATA)
        else:
            t = np.array([target if target is not None else methods.ZERO], dtype=object)
            if leaf.method == "positive" and (target is None or target <= 0):
                raise InputError("正向指标的指标值须大于 0 (positive indicator needs t > 0)", file=file, row=rows[i], field="target")
            raw = methods.get(leaf.method)(np.array([actual], dtype=object), t, np.array([leaf.weight], dtype=object), leaf.params)
            pts = methods.round2(methods.limit(raw, leaf.params))[0]
        out_rows.append(
            {
                "indicator": leaf.name,
                "level1": leaf.level1,
                "kind": leaf.method,
                "target": target,
                "actual": actual,
                "weight": leaf.weight,
                "grade": None,
                "score": None,
            }
        )
        points.append(pts)
        flags.append(f)
    table = pd.DataFrame(out_rows, columns=list(COLUMNS), dtype=object)
    lv = np.array([r["level1"] for r in out_rows], dtype=object)
    kd = np.array([r["kind"] for r in out_rows], dtype=object)
    pts_arr = np.empty(len(points), dtype=object)
    pts_arr[:] = points
    w = np.array([leaf.weight for leaf in fw.leaves], dtype=object)
    return _result(table, fw, lv, kd, pts_arr, flags, w)


def _result(df, fw: Framework, lv, kd, points, flags, w, parsed: dict[str, np.ndarray] | None = None) -> ScoreResult:
    subtotals = {x.name: Decimal("0.00") for x in fw.level1}
    scored: set[str] = set()
    assessed = Decimal(0)
    missing = 0
    for name, p, weight in zip(lv.tolist(), points.tolist(), w.tolist(), strict=True):
        if p is None:
            missing += 1
            continue
        subtotals[name] += p
        scored.add(name)
        assessed += weight
    # A 一级指标 with nothing scored has no subtotal (not 0): its indicators are all 无数据.
    subtotals = {k: v for k, v in subtotals.items() if k in scored}
    total = sum(subtotals.values(), Decimal("0.00"))
    out = df[[c for c in COLUMNS if c in df.columns]].copy()
    for col, values in (parsed or {}).items():
        out[col] = values
    out["level1"] = lv
    out["kind"] = kd
    out["points"] = points
    out["flags"] = flags
    return ScoreResult(
        framework=fw.name,
        version=fw.version,
        rows=out,
        subtotals=subtotals,
        total=total,
        grade=fw.grade(total) if missing == 0 else None,
        assessed=assessed,
        missing=missing,
        level1_weights={x.name: x.weight for x in fw.level1},
    )


# --------------------------------------------------------------------------- department


def execution_rate(p: DepartmentParams) -> Decimal | None:
    """预算执行率 in % = 支出总额 ÷ 财政拨款收入 × 100 (the first definition of ``rules/checks.yaml``), 2 decimals half-up."""
    from .checks import execution_rates

    rates = execution_rates(p)
    if not rates:
        return None
    _, rate = next(iter(rates.values()))
    return methods.round2(np.array([rate], dtype=object))[0]


def department_table(p: DepartmentParams) -> pd.DataFrame:
    """The department's 预算执行率 and goals as a 自评表 table for ``mof2020-self``.

    预算执行率 (分值 10, 指标值 100%) is scored 10 × min(rate, 100%) by the
    positive method; the goals carry their own 分值 (illustrative in the seed params).
    """
    rows = [
        {
            "indicator": "预算执行率",
            "level1": "预算执行率",
            "kind": "positive",
            "target": HUNDRED,
            "actual": execution_rate(p),
            "weight": Decimal(10),
            "grade": None,
            "score": None,
        }
    ]
    for g in p.goals:
        rows.append(
            {
                "indicator": g.name,
                "level1": g.level1,
                "kind": g.kind.value,
                "target": g.target.value if g.target else None,
                "actual": g.actual.value if g.actual else None,
                "weight": g.weight.value if g.weight else None,
                "grade": g.grade,
                "score": g.score.value if g.score else None,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)


def _ratio(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if num is None or den is None or den == 0:
        return None
    return methods.round2(np.array([num / den * HUNDRED], dtype=object))[0]


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None or before == 0:
        return None
    return methods.round2(np.array([(now - before) / before * HUNDRED], dtype=object))[0]


def _v(fig) -> Decimal | None:
    return fig.value if fig is not None else None


def _goal_rate(p: DepartmentParams, level2: str) -> Decimal | None:
    """Share of the goals of one 二级指标 (数量/质量/时效) whose 完成值 meets the 指标值, in %."""
    goals = [g for g in p.goals if (g.level2 or "").startswith(level2) and g.kind.value != "qualitative"]
    if not goals or any(g.target is None or g.actual is None for g in goals):
        return None
    met = 0
    for g in goals:
        a, t = g.actual.value, g.target.value
        met += (a >= t) if g.kind.value == "positive" else (a <= t) if g.kind.value == "reverse" else (a == t)
    return _ratio(Decimal(met), Decimal(len(goals)))


def common_table(p: DepartmentParams, previous: DepartmentParams | None = None) -> pd.DataFrame:
    """The 财预〔2013〕53号 common indicators computed from the department's figures.

    Args:
        p: the department-year.
        previous: the same department's previous year, for the 变动率 indicators.

    Returns:
        A table with ``indicator`` (the ``dept-common-2013`` leaf id), ``actual``
        (the computed rate in %, None when an input is missing: scored 无数据)
        and ``flags`` (why it is missing, or a caveat).
    """
    e, inc, tp = p.expenditure, p.income, p.three_public
    prev_tp = previous.three_public.actual.total.value if previous is not None else None
    prev_carry = previous.carryover.fiscal.value if previous is not None else None
    values: dict[str, tuple[Decimal | None, str]] = {
        "staff_control_rate": (None, "参数文件无在职人员数、编制数"),
        "three_public_change_rate": (_change(tp.actual.total.value, prev_tp), "无上年三公经费" if previous is None else "上年三公经费为 0"),
        "budget_completion_rate": (_ratio(e.total.value, p.budget_header.value), "年度预算金额为 0"),
        "budget_adjustment_rate": (_ratio(inc.midyear_addition.value, inc.initial_budget.value), "年初预算为 0"),
        "payment_progress_rate": (None, "参数文件无分月支付进度"),
        "carryover_rate": (_ratio(p.carryover.fiscal.value, p.budget_header.value), "年度预算金额为 0"),
        "carryover_change_rate": (
            _change(p.carryover.fiscal.value, prev_carry),
            "无上年结转结余" if previous is None else "上年结转结余为 0，变动率无定义",
        ),
        "public_funds_control_rate": (None, "参数文件无公用经费预算数"),
        "three_public_control_rate": (_ratio(tp.actual.total.value, tp.control.total.value), "三公经费控制数为 0"),
        "procurement_rate": (None, "参数文件无政府采购预算与执行数"),
        "completion_rate": (_goal_rate(p, "数量"), "无数量指标或其完成值"),
        "timeliness_rate": (_goal_rate(p, "时效"), "无时效指标或其完成值"),
        "quality_rate": (_goal_rate(p, "质量"), "无质量指标或其完成值"),
        "key_work_rate": (None, "参数文件无重点工作清单"),
    }
    rows = []
    for key, (value, why) in values.items():
        flags = [why] if value is None else []
        if key == "budget_adjustment_rate" and value is not None and p.claims.adjustment_not_counted is not None:
            flags.append("报告称年中追加未记入预算调整数；此处按年中追加计，须核对批复")
        rows.append({"indicator": key, "actual": value, "flags": flags})
    return pd.DataFrame(rows, dtype=object)


def score_department(p: DepartmentParams, framework: str = "mof2020-self", previous: DepartmentParams | None = None) -> ScoreResult:
    """Score a department-year under ``mof2020-self`` (its goals) or ``dept-common-2013`` (common indicators).

    Args:
        p: the department-year.
        framework: a framework name from :func:`framework_names`.
        previous: the previous year, used by ``dept-common-2013``'s 变动率 indicators.

    Returns:
        A :class:`ScoreResult`; the indicator names are the framework's Chinese names.
    """
    fw = frameworks.get(framework)
    where = str(p._path) if p._path else None
    if fw.kind != "points":
        raise ConfigError(f"{fw.name} 不是分值评分框架 (use xteval.pefa)", field="framework")
    table = common_table(p, previous) if fw.closed else department_table(p)
    return score_table(table, fw, file=where)


# --------------------------------------------------------------------------- files


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a ``.csv`` or ``.xlsx`` indicator table; ``attrs["rows"]`` holds each row's line in the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("文件不存在 (file not found)", file=path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from . import selfeval_xlsx

        return selfeval_xlsx.read(path)
    if suffix != ".csv":
        raise InputError("应为 .csv、.xlsx 或部门 .yaml 文件 (expected .csv, .xlsx or a department .yaml)", file=path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("不是 UTF-8 文本 (not UTF-8 text)", file=path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"不是有效的 CSV ({str(exc).splitlines()[0]})", file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    unknown = [c for c in df.columns if c not in COLUMNS]
    if unknown:
        raise InputError(f"未知列 {unknown[0]!r} (unknown column; expected {', '.join(COLUMNS)})", file=path, row=1, field=unknown[0])
    df.attrs["rows"] = list(range(2, len(df) + 2))  # line 1 is the header
    return df


# --------------------------------------------------------------------------- display


def frame(result: ScoreResult) -> pd.DataFrame:
    """The scored table for a notebook: Chinese headers, a 小计 row per 一级指标, then 总分 and 等级.

    Numbers are formatted text (2 decimals for points); 无数据 rows say so.
    """
    from .money import fmt

    def num(v: Decimal | None, places: int = 2) -> str:
        return "" if v is None else format(v.normalize(), "f") if places is None else fmt(v, places, sep=False)

    out = []
    rows = result.rows
    for level1, weight in result.level1_weights.items():
        group = rows[rows["level1"] == level1]
        for _, r in group.iterrows():
            out.append(
                {
                    "一级指标": level1,
                    "指标": r["indicator"],
                    "指标值": num(r.get("target"), None),
                    "完成值": num(r.get("actual"), None) if r["kind"] != "qualitative" else (r.get("grade") or ""),
                    "分值": num(r["weight"], None),
                    "得分": NO_DATA if r["points"] is None else num(r["points"]),
                    "提示": "；".join(f for f in r["flags"] if f != NO_DATA),
                }
            )
        sub = result.subtotals.get(level1)
        out.append(
            {
                "一级指标": level1,
                "指标": "小计",
                "指标值": "",
                "完成值": "",
                "分值": num(weight, None),
                "得分": NO_DATA if sub is None else num(sub),
                "提示": "",
            }
        )
    note = f"{result.missing} 项无数据，可评分值 {num(result.assessed, None)}" if result.missing else ""
    out.append(
        {
            "一级指标": "总分",
            "指标": "",
            "指标值": "",
            "完成值": "",
            "分值": num(sum(result.level1_weights.values(), Decimal(0)), None),
            "得分": num(result.total),
            "提示": note,
        }
    )
    out.append(
        {
            "一级指标": "等级",
            "指标": "",
            "指标值": "",
            "完成值": "",
            "分值": "",
            "得分": result.grade or "不定级",
            "提示": "有无数据项时不定等级" if result.missing else "",
        }
    )
    return pd.DataFrame(out)
