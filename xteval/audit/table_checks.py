"""The checks of tables read as forms (:mod:`.tables`), through the same check records as every other check.

Each identity of a form cites its cells (表名 / 行 / 列) with both values, the difference and its direction
(:func:`xteval.checks.balance`):

- **within a table** (its kind's ``checks:`` in ``kinds/tables/forms.yaml``): a total column against its
  part columns in every row (合计 = 基本支出 + 项目支出; 基本支出 = 人员经费 + 公用经费), a total row against
  the rows under it in every column (合计 = the 类 rows; a 类 = its 款), a rate column against its
  决算/预算 columns, and identities between the fields the table states (三公: 合计 = 出国 + 接待 + 用车购置及
  运行费, and 用车购置及运行费 = 购置费 + 运行费 — never the total without a 购置费 the table or text states);
- **between tables**: one field stated by two tables (the 总表's 本年收入合计 and the 收入决算表's 合计; the
  财政拨款总表's 一般公共预算财政拨款 and the 一般公共预算财政拨款支出决算表's 合计) must agree;
- **against the prose**: a figure the text states in a sentence and the table in a cell is one fact; two
  values are a finding citing the cell and the sentence.

Tolerance: exact at the precision the table states (a table in 元 to the fen: 0.01 元; a table in 万元 to two
decimals: what rounding of each stated figure explains); a rate within half a unit of its last digit.
A row left unread is listed (a record, never a fail).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Any

from .. import checks
from ..checks import CheckResult, Evidence, Reason, Status
from ..money import UNITS, ZERO, N, NumberError, half_up
from .engine import Document, Fact
from .tables import Cell, ReadRow, ReadTable, cell_field, top_rows

_KEYS = ("col", "part")  # the pieces that name a column within its group (合计, 基本支出…)


def _ev(table: ReadTable, cell: Cell) -> Evidence:
    return Evidence(f"{table.where(cell)}：{cell.text}", cell.line)


def _tolerance(table: ReadTable, cells: list[Cell]) -> Decimal:
    """What rounding of the stated figures explains: nothing for a table in 元 stated to the fen, else half a
    unit of each figure's last stated decimal (in the table's unit), in 万元."""
    factor = UNITS[table.unit]
    total = ZERO
    for c in cells:
        if table.unit == "元" and c.places >= 2:
            continue
        total += Decimal(1).scaleb(-c.places) / 2 * factor
    return total


def _balance(id: str, title: str, table: ReadTable, total: Cell, parts: list[Cell], *, complete: bool = True) -> CheckResult:
    r = checks.balance(
        id,
        title,
        (f"{total.row.label or table.name}·{total.column.name}", total.value),
        [(f"{p.row.label or ''}·{p.column.name}".strip("·"), p.value) for p in parts],
        evidence=[_ev(table, total), *(_ev(table, p) for p in parts)],
        tolerance=_tolerance(table, [total, *parts]),
    )
    if r.status is Status.fail and not complete:
        r = replace(r, status=Status.warn, message=r.message + "（所列各项可能不全，请核对）")
    return r


def _slug(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in "./")[:24] or "row"


# --------------------------------------------------------------------------- within a table


def _column_key(table: ReadTable, cell: Cell) -> tuple[str, tuple]:
    """(the column's name within its group, the group): 基本支出 within 决算数; 合计 within 预算数."""
    pieces = {**table.kind.defaults, **cell.column.pieces}
    pieces.pop("year", None)
    key = ".".join(pieces[k] for k in _KEYS if k in pieces)
    return key, tuple(sorted((k, v) for k, v in pieces.items() if k not in _KEYS))


def _column_checks(table: ReadTable, spec: dict[str, Any]) -> list[CheckResult]:
    """A total column against its part columns, in every read row and every column group."""
    out = []
    present = {_column_key(table, c)[0] for row in table.rows for c in row.cells.values()}
    keyed = {c.column.index: _column_key(table, c) for row in table.rows for c in row.cells.values()}
    alternatives = [alt for alt in spec["parts"] if sum(k in present for k in alt) >= 2]
    if spec["total"] not in present or not alternatives:
        return out
    alt = max(alternatives, key=lambda a: sum(k in present for k in a))
    for row in table.rows:
        groups: dict[tuple, dict[str, Cell]] = {}
        for index, cell in row.cells.items():
            key, group = keyed[index]
            if cell.money:
                groups.setdefault(group, {})[key] = cell
        for cells in groups.values():
            total = cells.get(spec["total"])
            parts = [cells[k] for k in alt if k in cells]
            if total is None or not parts or len(parts) + 1 < 2:
                continue
            field_id = cell_field(table, total)
            id = f"table.{table.kind.id}.{_slug(row.label)}.{spec['total']}"
            title = f"{table.name}：{row.label or '（无行名）'} {total.column.name} = " + " + ".join(p.column.name for p in parts)
            out.append(_balance(f"identity.{field_id}.columns" if field_id else id, title, table, total, parts))
    return out


def _row_checks(table: ReadTable, spec: dict[str, Any]) -> list[CheckResult]:
    """A total row against the rows under it, in every money column (and each 类 against its 款)."""
    out = []
    by_side: dict[str, list[ReadRow]] = {}
    for row in table.rows:
        by_side.setdefault(row.side, []).append(row)
    for rows in by_side.values():
        totals = [r for r in rows if r.id == spec["total"] or r.pieces.get("field") == spec["total"]]
        members = [r for r in rows if r.id == spec["parts"] and r not in totals]
        if not totals or not members:
            continue
        parts = top_rows(members) if spec["parts"] == "function" else members
        if len(parts) < 2 and spec["parts"] != "function":
            continue
        for total in totals:
            out += _rows_against(table, total, parts, "" if spec["parts"] == "function" else f".{spec['parts']}")
        if spec["parts"] == "function":
            for parent in members:
                children = [
                    r for r in members if r.code and parent.code and len(r.code) == len(parent.code) + 2 and r.code.startswith(parent.code)
                ]
                if children:
                    out += _rows_against(table, parent, children, "")
    return out


def _rows_against(table: ReadTable, total: ReadRow, parts: list[ReadRow], which: str) -> list[CheckResult]:
    out = []
    for index, cell in total.cells.items():
        if not cell.money:
            continue
        cells = [p.cells[index] for p in parts if index in p.cells]
        if not cells:
            continue
        field_id = cell_field(table, cell)
        id = f"identity.{field_id}.rows{which}" if field_id else f"table.{table.kind.id}.{_slug(total.label)}.{_slug(cell.column.name)}"
        title = (
            f"{table.name}：{cell.column.name} {total.label or '合计'} = "
            + " + ".join(p.label for p in parts[:6])
            + (" …" if len(parts) > 6 else "")
        )
        out.append(_balance(id, title, table, cell, cells))
    return out


def _rate_checks(table: ReadTable, spec: dict[str, Any]) -> list[CheckResult]:
    """A rate column (完成率, 执行率) against 决算 ÷ 预算 in the same row and group, at its stated decimals."""
    names = spec["rate"]
    out = []
    for row in table.rows:
        groups: dict[tuple, dict[str, Cell]] = {}
        for cell in row.cells.values():
            pieces = {**table.kind.defaults, **cell.column.pieces}
            for piece in ("measure", "col"):
                if pieces.get(piece) in names.values():
                    rest = tuple(sorted((k, v) for k, v in pieces.items() if k != piece))
                    groups.setdefault(rest, {})[pieces[piece]] = cell
        for cells in groups.values():
            rate, actual, budget = (cells.get(names[k]) for k in ("rate", "actual", "budget"))
            if rate is None or actual is None or budget is None or budget.value == 0:
                continue
            stated = rate.value * 100 if "%" not in rate.text and rate.value <= 1 and "." in rate.text else rate.value
            computed = actual.value / budget.value * 100
            where = f"{table.name}：{row.label or '（无行名）'}"
            out.append(
                checks.rate(
                    f"table.{table.kind.id}.{_slug(row.label)}.rate",
                    f"{where} {rate.column.name} = {actual.column.name} ÷ {budget.column.name}",
                    stated,
                    computed,
                    agree=f"{where} {rate.column.name} {stated}% 与 {actual.value} ÷ {budget.value} 相符",
                    differ=f"{where} {rate.column.name} 为 {stated}%，但 {actual.column.name} ÷ {budget.column.name} = {computed:.4f}%",
                    evidence=[_ev(table, rate), _ev(table, actual), _ev(table, budget)],
                )
            )
    return out


def _stated(table: ReadTable) -> dict[str, Fact]:
    """Each field the table states once (a field stated with two values is no figure to check)."""
    seen: dict[str, list[Fact]] = {}
    for f in table.facts:
        if f.name is None:
            seen.setdefault(f.field, []).append(f)
    return {k: fs[0] for k, fs in seen.items() if len({f.value for f in fs}) == 1}


def _field_checks(table: ReadTable, spec: dict[str, Any], doc: Document) -> list[CheckResult]:
    """Identities between the fields a table states (三公: 合计 = 出国 + 接待 + 用车购置及运行费); a part the
    table leaves out and the text states once is taken from the text (a 购置费 is never left out)."""
    stated = _stated(table)
    each = spec.get("each") or {}
    names = list(each)
    out = []
    for combo in itertools.product(*(each[n] for n in names)):
        fill = dict(zip(names, (str(v) for v in combo), strict=True))
        field_id = str(spec["total"]).format(**fill)
        total = stated.get(field_id)
        if total is None:
            continue
        alts = [[str(p).format(**fill) for p in alt] for alt in spec["parts"]]
        known = {p: stated.get(p) or doc.one(p) for alt in alts for p in alt}
        alt = max(alts, key=lambda a: (sum(known[p] is not None for p in a), len(a)))
        parts = [known[p] for p in alt if known[p] is not None]
        if len(parts) < 2 or not any(p.table for p in parts):
            continue
        title = f"{table.name}：{field_id} = " + " + ".join(alt)
        complete = len(parts) == len(alt) or (table.kind.listed and not table.unread)  # every row of the form read
        out.append(_balance_facts(f"identity.{field_id}", title, table, total, parts, complete=complete))
    return out


def _fact_ev(f: Fact) -> Evidence:
    return Evidence(f"{f.table}：{f.quote}" if f.table else f.quote, f.line)


def _balance_facts(id: str, title: str, table: ReadTable, total: Fact, parts: list[Fact], *, complete: bool) -> CheckResult:
    places = [p.value for p in (total, *parts)]
    tol = ZERO if table.unit == "元" and all(_places(v) >= 6 for v in places) else checks.rounding_tolerance(places)
    r = checks.balance(
        id,
        title,
        (total.label, total.value),
        [(p.label if p.table else f"正文{p.label}", p.value) for p in parts],
        unit=total.unit,
        evidence=[_fact_ev(total), *(_fact_ev(p) for p in parts)],
        tolerance=tol,
    )
    if r.status is Status.fail and not complete:
        r = replace(r, status=Status.warn, message=r.message + "（所列各项可能不全，请核对）")
    return r


def _half(table: ReadTable, f: Fact) -> Decimal:
    """Half a unit of the last decimal a table cell states, in the fact's unit (万元 for money)."""
    try:
        places = _places(N(f.quote))
    except (NumberError, ValueError):
        places = 2
    return Decimal(1).scaleb(-places) / 2 * (UNITS[table.unit] if f.unit == "万元" else 1)


def _change_rate_checks(table: ReadTable, doc: Document) -> list[CheckResult]:
    """A 增减% the table states against its own this-year and last-year cells (2016年 / 2015年 / 增减% rows),
    when no 增减额 is stated: within what the rounding of both figures allows, else a fail."""
    stated = _stated(table)
    out = []
    for field_id, rate in stated.items():
        base = field_id.removesuffix(".change_rate")
        cur, prev = stated.get(base), stated.get(base + ".previous")
        if base == field_id or cur is None or prev is None or prev.value <= 0 or doc.get(base + ".change"):
            continue
        hc, hp, hr = _half(table, cur), _half(table, prev), _half(table, rate)
        low = (cur.value - hc - (prev.value + hp)) / (prev.value + hp) * 100
        high = (cur.value + hc - (prev.value - hp)) / (prev.value - hp) * 100 if prev.value > hp else None
        computed = (cur.value - prev.value) / prev.value * 100
        ok = high is None or rate.value + hr >= low and rate.value - hr <= high
        rng = f"{half_up(low)}%～{half_up(high)}%" if high is not None else ""
        out.append(
            checks.rate(
                f"change_rate.{base}",
                f"{table.name}：{base} 增减率 = (本年 − 上年) ÷ 上年",
                rate.value,
                computed,
                agree=f"增减率相符: ({checks.amount(cur.value)} − {checks.amount(prev.value)}) ÷ {checks.amount(prev.value)} = {half_up(computed)}%",
                differ=f"增减率不符: 表中为 {rate.value}%，但 ({checks.amount(cur.value)} − {checks.amount(prev.value)}) ÷ {checks.amount(prev.value)} = "
                f"{half_up(computed)}%（按所列数字的舍入，可能范围 {rng}）",
                evidence=[_fact_ev(rate), _fact_ev(cur), _fact_ev(prev)],
                status=Status.passed if ok else Status.fail,
                reason=Reason.change_mismatch,
            )
        )
    return out


def within(doc: Document) -> list[CheckResult]:
    """Every identity of every recognised table, as its kind declares them; and the rows left unread."""
    out: list[CheckResult] = []
    for table in doc.tables:
        for spec in table.kind.checks:
            if "columns" in spec:
                out += _column_checks(table, spec["columns"])
            elif "rows" in spec:
                out += _row_checks(table, spec["rows"])
            elif "rate" in spec:
                out += _rate_checks(table, spec)
            elif "total" in spec:
                out += _field_checks(table, spec, doc)
        out += _change_rate_checks(table, doc)
        out += _unread(table)
    return out


def _unread(table: ReadTable) -> list[CheckResult]:
    """A row the form's words could not place: a 提示 to read it by hand (its figures were checked by nothing), never a 不符."""
    return [
        checks.note(
            f"table.unread.{table.kind.id}.L{line}",
            f"{table.name}：未读取的行",
            f"{table.name} 第 {line} 行{f'“{label[:30]}”' if label else ''}未读取：{reason}；请人工核对",
            status=Status.warn,
            reason=Reason.unread,
            evidence=(Evidence(label[:60], line),),
        )
        for line, label, reason in table.unread
    ]


# --------------------------------------------------------------------------- between tables, and against the prose


def _same(a: Fact, b: Fact) -> bool:
    return (
        a.unit == b.unit
        and a.name == b.name
        and (not a.subject or not b.subject or a.subject == b.subject or a.field.startswith("three_public."))
    )


def _places(v: Decimal) -> int:
    return max(0, -v.as_tuple().exponent)


def _agreement(id: str, title: str, a: Fact, b: Fact, what: str) -> CheckResult:
    """Two statements of one figure: equal (a pass), within what rounding of the coarser explains (a warn), else a fail."""
    diff = b.value - a.value
    coarse = min(_places(a.value.normalize()) if a.value else 2, _places(b.value.normalize()) if b.value else 2)
    tol = Decimal(1).scaleb(-coarse) / 2 if a.unit == b.unit else ZERO
    status = Status.passed if diff == 0 else Status.warn if abs(diff) <= tol else Status.fail
    first, second = a.table or f"第 {a.line} 行：{a.quote}", b.table or f"第 {b.line} 行：{b.quote}"
    msg = (
        f"{what}一致: {first} 与 {second} 均为 {checks.amount(a.value)} {a.unit}"
        if diff == 0
        else f"{what}不一致: {first} 为 {checks.amount(a.value)}，{second} 为 {checks.amount(b.value)} {a.unit}（{checks.direction(diff, a.unit)}）"
    )
    return CheckResult(
        id=id,
        title=title,
        status=status,
        message=msg,
        expected=a.value,
        observed=b.value,
        difference=diff,
        tolerance=tol,
        unit=a.unit,
        evidence=(
            Evidence(f"{a.table}：{a.quote}" if a.table else a.quote, a.line),
            Evidence(f"{b.table}：{b.quote}" if b.table else b.quote, b.line),
        ),
        reason=Reason.ok if diff == 0 else Reason.document_mismatch,
    )


def across(doc: Document) -> list[CheckResult]:
    """One field stated by two recognised tables (总表 against 收入/支出决算表, 财政拨款总表 against 一般公共预算支出表)."""
    first: dict[tuple[str, str | None], Fact] = {}
    out = []
    for table in doc.tables:
        own: dict[tuple[str, str | None], Fact] = {}
        for f in table.facts:
            own.setdefault(f.key, f)
        for key, f in own.items():
            other = first.get(key)
            if other is None:
                first[key] = f
            elif other.table.split(" / ")[0] != f.table.split(" / ")[0] and other.unit == f.unit:
                out.append(_agreement(f"table.across.{f.path}", f"表间核对：{f.path}", other, f, "两表同一数字"))
    return out


def prose(doc: Document) -> list[CheckResult]:
    """A figure stated in a table and in a sentence of the text: one fact; two values are a finding citing both."""
    table_facts: dict[tuple[str, str | None], Fact] = {}
    for table in doc.tables:
        for f in table.facts:
            table_facts.setdefault(f.key, f)
    out, done = [], set()
    for f in doc.facts:
        if f.table or f.unit in ("claim", "date") or f.key in done:
            continue
        cell = table_facts.get(f.key)
        if cell is None or not _same(cell, f):
            continue
        done.add(f.key)
        r = _agreement(f"ambiguous.{f.path}", f"表格与正文一致：{f.path}", cell, f, "表格与正文")
        out.append(r if r.status is not Status.passed else replace(r, id=f"table.prose.{f.path}"))
    return out
