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

A department is scored through ``xteval.department.scoring``, which builds
these tables from its params.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError, InputError
from ..money import N, fmt, half_up
from . import frameworks, methods
from .frameworks import Framework
from .table import COLUMNS, numbers, read_csv, texts

__all__ = ["COLUMNS", "NO_DATA", "ScoreResult", "framework_names", "frame", "frameworks_frame", "read_table", "score_table"]

NO_DATA = "无数据"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScoreResult:
    """A scored table.

    Attributes:
        framework: framework name; ``version`` its version.
        rows: the input columns plus ``points`` (Decimal or None for 无数据) and ``flags`` (list of str).
        subtotals: points by canonical 一级指标, in the framework's order; a 一级指标 whose
            indicators are all 无数据 is left out.
        total: the sum of the scored rows. It is the table's 总分 only when :attr:`complete`;
            otherwise it is the points got out of :attr:`assessed` (可评分值).
        grade: the grade band of the total; None unless :attr:`complete`.
        assessed: the 分值 of the rows that could be scored (可评分值).
        missing: how many indicators are 无数据.
        level1_weights: the 一级指标 分值 used (an open table's own when adjusted; for a
            closed framework whose source table's figure was not read, the 分值 of the rows seen).
        reasons: why there is no 总分 and no grade (无数据 rows, points not taken from a
            published table, parts of the source table not read, a deduction the table does
            not settle); empty when the total is a total.
        warnings: what the evaluator should know but that does not stop scoring (一级
            分值 adjusted away from the framework's defaults).
        level1_unread: the 一级指标 whose 分值 in :attr:`level1_weights` is the sum of the
            rows seen, because the source table's own figure was not read.
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
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    level1_unread: tuple[str, ...] = ()
    grade_basis: str = ""  # the grade bands' basis (the framework's): official, practice or convention

    @property
    def complete(self) -> bool:
        """True when :attr:`total` is the table's 总分: every row scored, every 分值 sourced, the table read whole."""
        return not self.reasons

    @property
    def scaled(self) -> Decimal | None:
        """Total ÷ assessed 分值 × 100: a reference for incomplete tables, not a score."""
        return half_up(self.total / self.assessed * HUNDRED) if self.assessed else None

    def status(self) -> str:
        """One line for a caption or the CLI: 总分 and grade, or 可评分值 and why there is no total."""
        if self.complete:
            return f"总分 {fmt(self.total, sep=False)}，等级 {self.grade or '—'}"
        return f"可评分值 {_plain(self.assessed)} 中得 {fmt(self.total, sep=False)}，不给总分与等级：{'；'.join(self.reasons)}"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape; numbers as decimal strings, 无数据 as null."""
        return {
            "framework": self.framework,
            "version": self.version,
            "total": str(self.total),
            "grade": self.grade,
            "complete": self.complete,
            "assessed": str(self.assessed),
            "missing": self.missing,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "subtotals": {k: str(v) for k, v in self.subtotals.items()},
            "grade_basis": self.grade_basis,
            "rows": [
                {"indicator": i, "score": None if p is None else str(p), "flags": list(f), "basis": b.to_json()}
                for i, p, f, b in zip(self.rows["indicator"], self.rows["points"], self.rows["flags"], self.rows["basis"], strict=True)
            ],
        }

    def dumps(self) -> str:
        """:meth:`to_json` as indented JSON text."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def _plain(v: Decimal) -> str:
    return format(v.normalize(), "f")


def framework_names() -> list[str]:
    """Frameworks that score a table of indicators, open ones (the default ``mof2020-self``) first.

    A closed framework (``dept-common-2013@yueyang`` …) scores only its own
    indicators; the catalogue ``dept-common-2013`` has no points and is not listed;
    PEFA is scored by ``xteval.scoring.pefa``.
    """
    fws = [frameworks.get(n) for n in frameworks.names()]
    return [f.name for f in sorted(fws, key=lambda f: (f.closed, f.name)) if f.kind == "points"]


# --------------------------------------------------------------------------- parsing


def _row_numbers(df: pd.DataFrame) -> list[int]:
    rows = df.attrs.get("rows")
    return list(rows) if rows is not None else list(range(1, len(df) + 1))


# --------------------------------------------------------------------------- scoring


def score_table(
    df: pd.DataFrame,
    framework: str | Framework = "mof2020-self",
    *,
    file: str | Path | None = None,
    level1_weights: dict[str, Any] | None = None,
) -> ScoreResult:
    """Score a table of indicators under a framework.

    Args:
        df: rows with the :data:`COLUMNS`. Values may be Decimals, ints, or text
            (``"95"``, ``"95%"``, ``"1,200.5"``); blanks are None/NaN/"".
            ``df.attrs["rows"]`` may give the source row number of each row for messages;
            ``df.attrs["no_data"]`` the positions of rows with nothing to score (a 一级指标 with no
            indicator listed, an indicator without 指标值): each is 无数据 at its 分值, and its
            blank 指标值 or grade is not an error.
            An optional ``level1_weight`` column declares each 一级指标's 分值 (open frameworks).
        framework: a framework name (see :func:`framework_names`) or a loaded :class:`Framework`.
        file: the file the table came from, named in errors.
        level1_weights: 一级指标 → 分值 declared for an open framework (overrides the column).

    Returns:
        A :class:`ScoreResult`.

    Raises:
        InputError: bad input, naming the row and the column.
        ConfigError: an unknown framework, or a PEFA framework.
    """
    fw = frameworks.get(framework) if isinstance(framework, str) else framework
    _points_framework(fw)
    file = str(file) if file is not None else None
    df = df.reset_index(drop=True) if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 else df
    rows = _row_numbers(df)
    need = ("indicator", "actual") if fw.closed else ("indicator", "level1", "kind", "target", "actual", "weight")
    missing_cols = [c for c in need if c not in df.columns]
    if missing_cols:
        raise InputError(
            f"缺少列 {', '.join(missing_cols)} (missing columns; expected {', '.join(COLUMNS)})", file=file, field=missing_cols[0]
        )
    names = texts(df, "indicator")
    for i, n in enumerate(names):
        if n is None:
            raise InputError("指标名称为空 (blank indicator)", file=file, row=rows[i], field="indicator")
    if fw.closed:
        return _score_closed(df, fw, rows, names, file)
    return _score_open(df, fw, rows, names, file, level1_weights)


def _points_framework(fw: Framework) -> None:
    """Refuse a framework that gives no points, naming what to use instead."""
    if fw.kind == "catalogue":
        raise ConfigError(
            f"{fw.name} 是 53 号文的指标目录，不设分值；请选一个公开评分表的版本：{', '.join(frameworks.variants(fw.name))} "
            "(a catalogue has no points; choose a published table's version)",
            field="framework",
        )
    if fw.kind != "points":
        raise ConfigError(f"{fw.name} 不是分值评分框架，请用 xteval pefa (not a points framework; use `xteval pefa`)", field="framework")


def _first(bad: list[bool], rows: list[int], file: str | None, col: str, reason: str) -> None:
    """Raise for the first row where ``bad`` holds, naming its row and column."""
    for i, b in enumerate(bad):
        if b:
            raise InputError(reason, file=file, row=rows[i], field=col)


def _score_open(
    df: pd.DataFrame, fw: Framework, rows: list[int], names: list[str | None], file: str | None, declared: dict[str, Any] | None
) -> ScoreResult:
    n = len(df)
    alias, kinds = fw.alias_map, fw.kind_map
    level1 = texts(df, "level1")
    kind = texts(df, "kind")
    for i in range(n):
        if level1[i] not in alias:
            raise InputError(
                f"未知一级指标 {level1[i]!r} (unknown level1; known: {', '.join(alias)})", file=file, row=rows[i], field="level1"
            )
        if kind[i] not in kinds:
            raise InputError(f"未知类型 {kind[i]!r} (unknown kind; known: {', '.join(kinds)})", file=file, row=rows[i], field="kind")
    lv = [alias[x] for x in level1]
    kd = [kinds[x] for x in kind]
    t = numbers(df, "target", rows, file)
    a = numbers(df, "actual", rows, file)
    w = numbers(df, "weight", rows, file)
    s = numbers(df, "score", rows, file)
    grades = texts(df, "grade")
    zero = methods.ZERO
    _first([x is None for x in w], rows, file, "weight", "缺少分值 (missing weight)")
    _first([x < zero for x in w], rows, file, "weight", "分值不能为负 (negative weight)")
    no_data = set(df.attrs.get("no_data", ()))
    quant = [k != "qualitative" and i not in no_data for i, k in enumerate(kd)]
    _first([q and x is None for q, x in zip(quant, t, strict=True)], rows, file, "target", "缺少指标值 (missing target)")
    t0 = [zero if x is None else x for x in t]
    _first(
        [q and k == "positive" and x <= zero for q, k, x in zip(quant, kd, t0, strict=True)],
        rows,
        file,
        "target",
        "正向指标的指标值须大于 0 (positive indicator needs t > 0)",
    )
    _first(
        [q and k == "reverse" and x < zero for q, k, x in zip(quant, kd, t0, strict=True)],
        rows,
        file,
        "target",
        "反向指标的指标值不能为负 (reverse indicator needs t ≥ 0)",
    )
    weights, warnings = _level1_weights(df, fw, lv, w, rows, file, declared)
    method_of = {k: methods.get(spec["method"]) for k, spec in fw.kinds.items()}
    params_of = {k: spec.get("params") or {} for k, spec in fw.kinds.items()}
    positive_of = {k: spec["method"] == "positive" for k, spec in fw.kinds.items()}
    over_rule = fw.over_achievement
    points: list[Decimal | None] = [None] * n
    flags: list[list[str]] = [[] for _ in range(n)]
    for i in range(n):
        k = kd[i]
        if i in no_data:  # nothing to score (a 一级指标 without indicators, an indicator without 指标值): 无数据
            flags[i].append(NO_DATA)
            continue
        actual = a[i] if quant[i] else _check_qualitative(grades[i], s[i], w[i], rows[i], file)
        if actual is None:
            flags[i].append(NO_DATA)
            continue
        p = params_of[k]
        pts = methods.limit(method_of[k](actual, t0[i], w[i], p), p)
        if positive_of[k] and over_rule:  # 偏离度 is about exceeding a ≥ target
            pts, over = methods.over_achievement(actual, t0[i], pts, over_rule, w[i])
            if over:
                flags[i].append(over)
        points[i] = half_up(pts)
    parsed = {"target": t, "actual": a, "weight": w, "score": s}
    return _result(df, fw, lv, kd, points, flags, w, parsed, weights=weights, warnings=warnings)


def _level1_weights(
    df: pd.DataFrame, fw: Framework, lv: list[str], w: list[Decimal], rows: list[int], file: str | None, declared: dict[str, Any] | None
) -> tuple[dict[str, Decimal], tuple[str, ...]]:
    """The 一级指标 分值 an open table uses, and a warning when they differ from the framework's defaults.

    The 分值 are the declared ones (argument or ``level1_weight`` column), else
    each 一级指标's rows' sum. Declared 分值 that the rows do not add up to, 分值
    that do not add up to the framework total, or any difference from the
    defaults when the framework is not ``adjustable``, raise :class:`InputError`.
    """
    sums: dict[str, Decimal] = {x.name: Decimal(0) for x in fw.level1}
    first_row: dict[str, int] = {}
    for i, (name, weight) in enumerate(zip(lv, w, strict=True)):
        sums[name] += weight
        first_row.setdefault(name, rows[i])
    given = _declared(df, fw, lv, rows, file) if declared is None else {fw.alias_map.get(k, k): N(v) for k, v in declared.items()}
    for name, weight in given.items():
        if name not in sums:
            raise InputError(f"未知一级指标 {name!r} (unknown level1)", file=file, field="level1_weight")
        if sums[name] != weight:
            diff = sums[name] - weight
            raise InputError(
                f"一级指标“{name}”各行分值之和 {sums[name]} ≠ {weight}（{'多' if diff > 0 else '少'} {abs(diff)}）"
                "(weights do not sum to the level-1 weight)",
                file=file,
                row=first_row.get(name),
                field="weight",
            )
    weights = {x.name: given.get(x.name, sums[x.name]) for x in fw.level1}
    changed = [(x, weights[x.name]) for x in fw.level1 if weights[x.name] != x.weight]
    where = next((first_row[x.name] for x, _ in changed if x.name in first_row), None)
    total = sum(weights.values(), Decimal(0))
    parts = "、".join(f"{x.name} {_plain(v)}（默认 {_plain(x.weight)}）" for x, v in changed)
    if fw.total is not None and total != fw.total:
        diff = total - fw.total
        raise InputError(
            f"一级指标分值合计 {_plain(total)} ≠ {_plain(fw.total)}（{'多' if diff > 0 else '少'} {_plain(abs(diff))}）：{parts} "
            "(level-1 weights do not add up to the total)",
            file=file,
            row=where,
            field="weight",
        )
    if not changed:
        return weights, ()
    if not fw.adjustable:
        raise InputError(f"{fw.name} 的一级指标分值不可调整：{parts} (level-1 weights are fixed)", file=file, row=where, field="weight")
    diffs = "、".join(
        f"{x.name} {_plain(v)}（默认 {_plain(x.weight)}，{'多' if v > x.weight else '少'} {_plain(abs(v - x.weight))}）" for x, v in changed
    )
    return weights, (f"一级指标分值与{fw.title}的原则性设置不同：{diffs}；合计仍为 {_plain(total)}，须在报告中说明调整理由",)


def _declared(df: pd.DataFrame, fw: Framework, lv: list[str], rows: list[int], file: str | None) -> dict[str, Decimal]:
    """一级指标 分值 from an optional ``level1_weight`` column: one value per 一级指标, written on any of its rows."""
    if "level1_weight" not in df.columns:
        return {}
    out: dict[str, Decimal] = {}
    for i, v in enumerate(numbers(df, "level1_weight", rows, file)):
        if v is None:
            continue
        if lv[i] in out and out[lv[i]] != v:
            raise InputError(
                f"一级指标“{lv[i]}”的分值前后不一：{_plain(out[lv[i]])} 与 {_plain(v)} (conflicting level-1 weight)",
                file=file,
                row=rows[i],
                field="level1_weight",
            )
        out[lv[i]] = v
    return out


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


SETTLED_PARTIAL = frozenset({"stated", "worked-example", "whole-units"})  # a step rule whose part-step count the table settles


def _score_closed(df: pd.DataFrame, fw: Framework, rows: list[int], names: list[str | None], file: str | None) -> ScoreResult:
    # A table of catalogue measures (xteval.department.scoring.common_table) is matched by measure id and
    # may hold measures this table does not score; any other table names indicators by id or name.
    by_measure = df.attrs.get("indicator") == "measure"
    if by_measure:
        by_name = {leaf.measure: leaf for leaf in fw.leaves}
        skip = {m.id for m in frameworks.get(fw.extends).measures} - set(by_name) if fw.extends else set()
    else:
        by_name = (
            {leaf.measure: leaf for leaf in fw.leaves} | {leaf.name: leaf for leaf in fw.leaves} | {leaf.id: leaf for leaf in fw.leaves}
        )
        skip = set()
    a = numbers(df, "actual", rows, file)
    given_t = numbers(df, "target", rows, file)
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in skip:
            continue
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
    unsourced, unsettled = [], []
    for leaf in fw.leaves:
        i = seen.get(leaf.id)
        actual = a[i] if i is not None else None
        target = (given_t[i] if i is not None else None) or leaf.target
        f = list(extra_flags[i]) if i is not None and isinstance(extra_flags[i], list) else []
        if not leaf.sourced:
            f.append(f"分值为{BASIS_LABELS.get(leaf.basis, leaf.basis)}，未取自公开评分表")
            unsourced.append(leaf.name)
        if actual is None:
            pts = None
            f.append(NO_DATA)
        else:
            if leaf.method == "positive" and (target is None or target <= 0):
                raise InputError("正向指标的指标值须大于 0 (positive indicator needs t > 0)", file=file, row=rows[i], field="target")
            t = target if target is not None else methods.ZERO
            pts = half_up(methods.limit(methods.get(leaf.method)(actual, t, leaf.weight, leaf.params), leaf.params))
            if leaf.method == "step" and leaf.partial_basis not in SETTLED_PARTIAL:
                note = _partial_note(leaf, actual, t)
                if note:
                    f.append(note)
                    unsettled.append(leaf.name)
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
    lv = [r["level1"] for r in out_rows]
    kd = [r["kind"] for r in out_rows]
    w = [leaf.weight for leaf in fw.leaves]
    reasons = []
    if unsourced:
        reasons.append(f"{len(unsourced)} 项分值未取自公开评分表（{'、'.join(unsourced)}）")
    reasons += list(fw.gaps)
    if unsettled:
        reasons.append(f"{'、'.join(unsettled)} 不足一步的部分如何扣分原表未写明，且影响得分")
    weights = {
        x.name: x.weight if x.weight is not None else sum((leaf.weight for leaf in fw.leaves if leaf.level1 == x.name), Decimal(0))
        for x in fw.level1
    }
    unread = tuple(x.name for x in fw.level1 if x.weight is None)
    return dataclasses.replace(_result(table, fw, lv, kd, points, flags, w, weights=weights, reasons=tuple(reasons)), level1_unread=unread)


BASIS_LABELS = {"illustrative": "示例", "unverified": "未经核实", "convention": "本工具约定"}


def _partial_note(leaf, actual: Decimal, t: Decimal) -> str:
    """The flag for a step rule whose result depends on how the table counts a part step, or ''."""
    alts = methods.step_alternatives(actual, t, leaf.weight, leaf.params)
    if len(set(alts.values())) == 1:
        return ""
    chosen = methods.partial_mode(leaf.params)
    others = "，".join(f"{methods.PARTIAL_LABELS[m]} {fmt(v, sep=False)}" for m, v in alts.items())
    return f"原表“{leaf.wording}”未写明不足一步如何计；此处{methods.PARTIAL_LABELS[chosen]}（{others}）"


def _result(
    df,
    fw: Framework,
    lv: list,
    kd: list,
    points: list,
    flags: list,
    w: list,
    parsed: dict[str, list] | None = None,
    *,
    weights: dict[str, Decimal],
    reasons: tuple[str, ...] = (),
    warnings: tuple[str, ...] = (),
) -> ScoreResult:
    subtotals = {name: Decimal("0.00") for name in weights}
    scored: set[str] = set()
    assessed = Decimal(0)
    missing = 0
    for name, p, weight in zip(lv, points, w, strict=True):
        if p is None:
            missing += 1
            continue
        subtotals[name] += p
        scored.add(name)
        assessed += weight
    # A 一级指标 with nothing scored has no subtotal (not 0): its indicators are all 无数据.
    subtotals = {k: v for k, v in subtotals.items() if k in scored}
    total = sum(subtotals.values(), Decimal("0.00"))
    if missing:
        reasons = (f"{missing} 项无数据", *reasons)
    out = df[[c for c in COLUMNS if c in df.columns]].copy()
    for col, values in (parsed or {}).items():
        out[col] = pd.Series(values, index=out.index, dtype=object)
    out["level1"] = pd.Series(lv, index=out.index, dtype=object)
    out["kind"] = pd.Series(kd, index=out.index, dtype=object)
    out["points"] = pd.Series(points, index=out.index, dtype=object)
    out["flags"] = pd.Series(flags, index=out.index, dtype=object)
    leaves = {leaf.name: leaf for leaf in fw.leaves}
    basis = [
        frameworks.method_basis(fw, kind=k, leaf=leaves.get(name) if fw.leaves else None)
        for k, name in zip(kd, out["indicator"], strict=True)
    ]
    out["basis"] = pd.Series(basis, index=out.index, dtype=object)
    return ScoreResult(
        framework=fw.name,
        version=fw.version,
        rows=out,
        subtotals=subtotals,
        total=total,
        grade=fw.grade(total) if not reasons else None,
        assessed=assessed,
        missing=missing,
        level1_weights=weights,
        reasons=reasons,
        warnings=warnings,
        grade_basis=fw.basis,
    )


# --------------------------------------------------------------------------- files


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a ``.csv`` or ``.xlsx`` indicator table; ``attrs["rows"]`` holds each row's line in the file."""
    from ..files import read_input

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from . import workbook

        return workbook.read(path, read_input(path))  # the bytes checked are the bytes read: no second open by name
    if suffix != ".csv":
        raise InputError("应为 .csv、.xlsx 或部门 .yaml 文件 (expected .csv, .xlsx or a department .yaml)", file=path)
    return read_csv(path)


# --------------------------------------------------------------------------- display


def frame(result: ScoreResult) -> pd.DataFrame:
    """The scored table for a notebook: Chinese headers, a 小计 row per 一级指标, then 总分 and 等级.

    Numbers are formatted text (2 decimals for points); 无数据 rows say so. When the
    result is not complete the last rows say 可评分值 instead of 总分, and why.
    """

    def num(v: Decimal | None, places: int | None = 2) -> str:
        return "" if v is None else _plain(v) if places is None else fmt(v, places, sep=False)

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
                    "依据": frameworks.BASIS_WORDS.get(r["basis"].basis, r["basis"].basis),
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
                "分值": num(weight, None) + ("（原表未见，此为所见各行之和）" if level1 in result.level1_unread else ""),
                "得分": NO_DATA if sub is None else num(sub),
                "提示": "",
            }
        )
    blank = {"指标": "", "指标值": "", "完成值": ""}
    if result.complete:
        out.append(
            {
                "一级指标": "总分",
                **blank,
                "分值": num(sum(result.level1_weights.values(), Decimal(0)), None),
                "得分": num(result.total),
                "提示": "",
            }
        )
        out.append({"一级指标": "等级", **blank, "分值": "", "得分": result.grade or "—", "提示": ""})
    else:
        why = "；".join(result.reasons)
        out.append(
            {"一级指标": "可评分值", **blank, "分值": num(result.assessed, None), "得分": num(result.total), "提示": f"不是总分：{why}"}
        )
        out.append({"一级指标": "等级", **blank, "分值": "", "得分": "不定级", "提示": "不给总分时不定等级"})
    return pd.DataFrame(out).fillna("")  # 小计, 总分 and 等级 rows have no 依据: blank, never “nan”


def frameworks_frame(names: list[str]) -> pd.DataFrame:
    """The frameworks a page uses: version, source document, and where the points come from."""
    rows = []
    for name in names:
        fw = frameworks.get(name)
        rows.append(
            {
                "评分框架": fw.title,  # the page is Chinese: the framework's title, not its file name
                "版本": frameworks.version_label(name),
                # the URL is in the framework file: an unbreakable URL would widen the printed page;
                # an English-language source gives its Chinese citation (source_zh) on the page
                "依据": fw.raw.get("source_zh") or fw.source,
                "分值来源": frameworks.points_basis(fw),
            }
        )
    return pd.DataFrame(rows)
