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

A department is scored through ``xteval.scoring.department``, which builds
these tables from its params.
"""

from __future__ import annotations

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

__all__ = ["COLUMNS", "NO_DATA", "ScoreResult", "framework_names", "frame", "read_table", "score_table"]

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
        return half_up(self.total / self.assessed * HUNDRED) if self.assessed else None

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
    names = texts(df, "indicator")
    for i, n in enumerate(names):
        if n is None:
            raise InputError("指标名称为空 (blank indicator)", file=file, row=rows[i], field="indicator")
    if fw.closed:
        return _score_closed(df, fw, rows, names, file)
    return _score_open(df, fw, rows, names, file)


def _first(bad: list[bool], rows: list[int], file: str | None, col: str, reason: str) -> None:
    """Raise for the first row where ``bad`` holds, naming its row and column."""
    for i, b in enumerate(bad):
        if b:
            raise InputError(reason, file=file, row=rows[i], field=col)


def _score_open(df: pd.DataFrame, fw: Framework, rows: list[int], names: list[str | None], file: str | None) -> ScoreResult:
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
    quant = [k != "qualitative" for k in kd]
    _first([q and x is None for q, x in zip(quant, t, strict=True)], rows, file, "target", "缺少指标值 (missing target)")
    t0 = [zero if x is None else x for x in t]
    _first(
        [k == "positive" and x <= zero for k, x in zip(kd, t0, strict=True)],
        rows,
        file,
        "target",
        "正向指标的指标值须大于 0 (positive indicator needs t > 0)",
    )
    _first(
        [k == "reverse" and x < zero for k, x in zip(kd, t0, strict=True)],
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
    method_of = {k: methods.get(spec["method"]) for k, spec in fw.kinds.items()}
    params_of = {k: spec.get("params") or {} for k, spec in fw.kinds.items()}
    positive_of = {k: spec["method"] == "positive" for k, spec in fw.kinds.items()}
    over_rule = fw.over_achievement
    over_label = OVER.format(ratio=_pct(over_rule.get("ratio", "1.3"))) if over_rule else ""
    points: list[Decimal | None] = [None] * n
    flags: list[list[str]] = [[] for _ in range(n)]
    for i in range(n):
        k = kd[i]
        actual = a[i] if quant[i] else _check_qualitative(grades[i], s[i], w[i], rows[i], file)
        if actual is None:
            flags[i].append(NO_DATA)
            continue
        p = params_of[k]
        pts = methods.limit(method_of[k](actual, t0[i], w[i], p), p)
        if positive_of[k] and over_rule:  # 偏离度 is about exceeding a ≥ target
            pts, over = methods.over_achievement(actual, t0[i], pts, over_rule)
            if over:
                flags[i].append(over_label)
        points[i] = half_up(pts)
    parsed = {"target": t, "actual": a, "weight": w, "score": s}
    return _result(df, fw, lv, kd, points, flags, w, parsed)


def _pct(ratio: Any) -> str:
    return format((N(ratio) * HUNDRED).normalize(), "f")


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
    a = numbers(df, "actual", rows, file)
    given_t = numbers(df, "target", rows, file)
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
            if leaf.method == "positive" and (target is None or target <= 0):
                raise InputError("正向指标的指标值须大于 0 (positive indicator needs t > 0)", file=file, row=rows[i], field="target")
            t = target if target is not None else methods.ZERO
            pts = half_up(methods.limit(methods.get(leaf.method)(actual, t, leaf.weight, leaf.params), leaf.params))
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
    return _result(table, fw, lv, kd, points, flags, w)


def _result(
    df, fw: Framework, lv: list, kd: list, points: list, flags: list, w: list, parsed: dict[str, list] | None = None
) -> ScoreResult:
    subtotals = {x.name: Decimal("0.00") for x in fw.level1}
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
    out = df[[c for c in COLUMNS if c in df.columns]].copy()
    for col, values in (parsed or {}).items():
        out[col] = pd.Series(values, index=out.index, dtype=object)
    out["level1"] = pd.Series(lv, index=out.index, dtype=object)
    out["kind"] = pd.Series(kd, index=out.index, dtype=object)
    out["points"] = pd.Series(points, index=out.index, dtype=object)
    out["flags"] = pd.Series(flags, index=out.index, dtype=object)
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


# --------------------------------------------------------------------------- files


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a ``.csv`` or ``.xlsx`` indicator table; ``attrs["rows"]`` holds each row's line in the file."""
    from ..files import read_input

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from . import workbook

        read_input(path)  # a regular file under the size cap, before openpyxl opens it by name
        return workbook.read(path)
    if suffix != ".csv":
        raise InputError("应为 .csv、.xlsx 或部门 .yaml 文件 (expected .csv, .xlsx or a department .yaml)", file=path)
    return read_csv(path)


# --------------------------------------------------------------------------- display


def frame(result: ScoreResult) -> pd.DataFrame:
    """The scored table for a notebook: Chinese headers, a 小计 row per 一级指标, then 总分 and 等级.

    Numbers are formatted text (2 decimals for points); 无数据 rows say so.
    """

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
