"""The 自评表 as text: the funds block and the indicator rows of a 项目支出绩效自评表, read as a table.

However the form arrived (cells split by ``|``, tabs, runs of spaces, one cell per line, or the
whole form collapsed into one line), it is read as a sequence of cells. The funds block's
column words (年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分 — or 年初预算, 调整后预算数,
预算执行数, 预算执行率, 权重, 得分) give the order of the columns, and each row word
(年度资金总额, 其中：当年财政拨款, 上年结转资金…) takes the numbers after it in that order. An
indicator row is a name followed by its 指标值, 完成值, 分值 and 得分 (with 指标性质 and 度量单位
columns where the form has them). The words are the kind YAML's ``form`` section.

The 三公经费支出决算表 of a 部门决算, pasted as text, is read by :func:`read_three_public_table`:
its header's 预算数/决算数 words and the form's fixed column order (``three_public_table`` in
``kinds/fields.yaml``) give each figure of its one row of numbers its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..money import D
from .engine import Document, Fact
from .formcells import _NATURE, _RE, Cell, _clean, _emit, _number, _unit_of, cells
from .glued import _Glued, _glued_funds_row, _glued_indicators, _glued_total, _unglued
from .kinds import vocabulary

_NATURE_WORDS = {"定性": "qualitative", "正向": "positive", "反向": "reverse", "等于": "equal", "定量": None}


def read_form(doc: Document, form: dict[str, Any], indicators: bool = True) -> None:
    """Add the facts and goals of a 自评表 to ``doc`` (funds block, indicator rows, 总分)."""
    cs = cells(doc) if indicators else cells(doc, near=form["_words"])
    columns, rows = form["_columns"], form["_rows"]
    longest = 24  # a column or row word is short: a longer cell is prose, decided without a regular expression
    # each cell's column and row word, once per distinct text (a form repeats its cells' texts, 0.00 above all)
    column_seen: dict[str, str | None] = {}
    row_seen: dict[str, str | None] = {}

    def column_of(text: str) -> str | None:
        if text not in column_seen:
            short = len(text) <= longest and _RE.han.search(text)
            column_seen[text] = next((k for k, pats in columns.items() if any(p.match(text) for p in pats)), None) if short else None
        return column_seen[text]

    def row_of(text: str) -> str | None:
        if text not in row_seen:
            t = _clean(text) if len(text) <= longest + 4 and _RE.han.search(text) else None
            row_seen[text] = next((k for k, pats in rows.items() if any(p.match(t) for p in pats)), None) if t is not None else None
        return row_seen[text]

    glued = _unglued(cs, form, column_of, header_only=not indicators)
    if glued and not indicators:
        _glued_headless(doc, glued, form, column_of)  # a funds table's cells touching: its one row with no word
        glued = None
    if glued:
        cs = glued
    state = _Glued()  # in a collapsed form: the 年度资金总额 row's figures, and what is left of the budget of splits
    order: list[str] = []
    i = 0
    indicator_at = None
    while i < len(cs):
        text = cs[i].text
        joined = text + cs[i + 1].text if i + 1 < len(cs) else ""
        col = column_of(text)
        if col is None and joined and column_of(joined) and not column_of(cs[i + 1].text):
            col, i = column_of(joined), i + 1  # a header cell broken in two (年初 / 预算数)
        if col:
            if order and col == order[0] and len(order) > 2:
                order = []
            if col not in order:
                order.append(col)
            i += 1
            continue
        row = row_of(text)
        if row is not None and order and glued:
            i = _glued_funds_row(doc, cs, i, row, order, state)
            continue
        if row is not None and order:
            i = _funds_row(doc, cs, i + 1, row, order, form.get("fields"))
            continue
        if form.get("headless") and len(order) >= 2 and _RE.num.match(text) and cs[i - 1].line < cs[i].line:
            # the header row, then a row of numbers with no row word (一张只有一行的预算情况表)
            i = _funds_row(doc, cs, i, "", order, form.get("fields"))
            order = []
            continue
        if indicators and any(p.match(text) for p in form["_indicator_header"]):
            indicator_at = i
            break
        i += 1
    if glued:
        _glued_total(doc, cs, form)
        _glued_indicators(doc, form, state)
        # In a collapsed form the prose reader takes a run of digits for one number (项目计划总投资1048万元
        # is 分值 10 and 指标值 48): a field the form's arithmetic gave is the form's alone.
        given = {f.field for f in doc.facts if f.cell}
        doc.facts = [f for f in doc.facts if f.cell or f.field not in given]
    elif indicator_at is not None and indicators:
        _indicators(doc, cs, indicator_at, form)
    if indicators:
        _level1_points(doc, form)


def _glued_headless(doc: Document, cs: list[Cell], form: dict[str, Any], column_of: Callable[[str], str | None]) -> None:
    """The one row of a funds table whose cells touch and whose row has no word (年初预算数…执行率得分(分) and the
    run of digits right after them), split by the form's arithmetic; its fields are then the form's alone (the
    prose reader took a run of digits, or another rate of the text, for one of them)."""
    if not form.get("headless"):
        return
    order: list[str] = []
    for i, cell in enumerate(cs):
        col = column_of(cell.text)
        if col:
            order = [] if order and col == order[0] else order
            order += [col] if col not in order else []
            continue
        if len(order) >= 2 and _after_header(cs, i, len(order), column_of):
            before = len(doc.facts)
            head = next((c for c in cs[max(0, i - len(order) - 1) : i] if column_of(c.text)), None)
            _glued_funds_row(doc, cs, i - 1, "", order, _Glued(), form.get("fields"), head)
            given = {f.field for f in doc.facts[before:]}
            doc.facts = [f for f in doc.facts if f.cell or f.field not in given]
            return


def _after_header(cs: list[Cell], i: int, n: int, column_of: Callable[[str], str | None]) -> bool:
    """Whether ``cs[i]`` is a run of digits right after the ``n`` column words of a header, cell after cell (with at
    most one mark an OCR left between them and the run: a letter, a dash)."""
    if not _RE.glued_run.fullmatch(cs[i].text):
        return False
    k = i - 1
    if k >= 0 and len(cs[k].text) <= 2 and not _RE.han.search(cs[k].text) and not _RE.glued_run.search(cs[k].text):
        k -= 1
    return k + 1 >= n and all(column_of(c.text) for c in cs[k + 1 - n : k + 1])


def _funds_row(doc: Document, cs: list[Cell], i: int, row: str, order: list[str], fields: dict[str, str] | None = None) -> int:
    """The numbers after a row word, column by column; returns where the row ends.

    ``fields`` names the field of each column (a department's 预算情况 table); by default a column is
    ``project.<row>.<column>``.
    """
    k = 0
    prefix = "project." + (f"{row}." if row else "")
    while i < len(cs) and k < len(order):
        text = cs[i].text
        if _RE.placeholder.match(text):
            k, i = k + 1, i + 1
            continue
        if not _RE.num.match(text):
            break
        col = order[k]
        if text.endswith("%") and col != "execution_rate" and "execution_rate" in order[k:]:
            k = order.index("execution_rate", k)  # a percentage is the rate: the cells before it were left empty
            col = order[k]
        value = _number(text)
        if row and col in ("execution_weight", "execution_score"):
            k, i = k + 1, i + 1  # a source row has no weight or score of its own
            continue
        if col == "execution_rate" and not text.endswith("%") and value is not None and value <= 1 and "." in text:
            value = value * 100  # 执行率 written as a fraction: 1 or 0.95
        unit = _unit_of(col)
        if value is not None:
            _emit(doc, fields[col] if fields and col in fields else prefix + col, cs[i], value, unit)
        k, i = k + 1, i + 1
    return i


# --------------------------------------------------------------------------- a collapsed form
# A form copied from a web page or a document site's dump often comes as one run of text with its
# cells touching: 年度资金总额:4845.61095.00%9.5 for 48, 45.6, 10, 95.00% and 9.5. Its words are cut
# out where they stand, and a run of digits is split into the row's figures only when exactly one
# split fits the arithmetic the form itself states (执行率 = B ÷ A, 得分 ≤ 分值, a source ≤ its total).
# Anything else is left unread: a figure is never guessed.


def _level1_points(doc: Document, form: dict[str, Any]) -> None:
    """The points the form gives its 一级指标 (产出指标(50分)…), when one whole set of them stands in it, each once."""
    found = [(m["word"], m) for m in form["_level1_points"].finditer(doc.report.text)]
    words = [w for w, _ in found]
    for level1_set in form.get("level1_sets") or ():
        if sorted(words) == sorted(level1_set):
            for word, m in found:
                line = doc.report.line_of(m.start())
                doc.facts.append(
                    Fact("score.level1_weight", Decimal(m["points"]), "分", line, m[0], m.start(), m.end(), name=word, cell=True)
                )
            return


def _split_value(text: str) -> tuple[str | None, Decimal | None, str]:
    """A 指标值 or 完成值 cell: (comparator kind, number, unit), or (None, None, text) for a qualitative value."""
    m = _RE.comparator.match(text)
    if not m:
        return None, None, text
    return _NATURE.get(m["cmp"] or ""), _number(m["num"]), m["unit"]


def _indicators(doc: Document, cs: list[Cell], start: int, form: dict[str, Any]) -> None:
    """Indicator rows after the header, and the 总分 row."""
    level1_words, level2_words = form["_level1"], form["_level2"]
    header = _RE.header_words
    level1 = level2 = None
    i, no_actual = _header(cs, start, level1_words + level2_words)
    while i < len(cs):
        text = cs[i].text
        if len(text) > 15 and text.endswith("。"):
            break  # a sentence: the prose after the table
        if any(p.match(text) for p in form["_total_row"]):
            nums = [c for c in cs[i + 1 : i + 4] if _RE.num.match(c.text)]
            if len(nums) >= 2:
                _emit(doc, "project.score_max", nums[0], _number(nums[0].text), "分")
                _emit(doc, "project.score", nums[1], _number(nums[1].text), "分")
            elif len(nums) == 1:
                # one figure: the score, where the form scores its rows; in a form that scores nothing (权重 filled, 得分
                # left blank) it is the 权重 column's total, the blank 得分 cell having dropped out of the dump
                scored = any(g.get("score") is not None for g in doc.goals) or any(f.field == "project.execution_score" for f in doc.facts)
                _emit(doc, "project.score" if scored else "project.score_max", nums[0], _number(nums[0].text), "分")
            break
        if any(p.match(text) for p in level1_words):
            level1, i = text, i + 1
            continue
        if any(p.match(text) for p in level2_words) and len(text) <= 10:
            level2, i = text, i + 1
            continue
        joined = text + cs[i + 1].text if i + 1 < len(cs) else ""
        if joined and len(joined) <= 10 and any(p.match(joined) for p in level2_words):
            level2, i = joined, i + 2  # a level-2 cell broken over two lines (社会效益 / 指标)
            continue
        if (
            _RE.han.search(text)
            and not _RE.num.match(text)
            and not (header.fullmatch(text) or len(text) <= 6 and header.search(text) or _RE.reason_words.search(text))
            and not _RE.unnamed_indicator.fullmatch(text)
            and not _RE.unit_word.match(text)  # a 度量单位 cell (页, 台) left over from a row not read is no indicator's name
        ):
            j = _indicator(doc, cs, i, level1, level2, no_actual, form["_level_openers"])
            i = j if j > i else i + 1
            continue
        i += 1


def _header(cs: list[Cell], start: int, rows: list[re.Pattern]) -> tuple[int, bool]:
    """The index after an indicator header's cells, and whether it has a progress column (实施进度) but no 完成值 column.

    Such a form states each indicator's 指标值 and how far it went, never the value reached: its rows have no actual.
    """
    i, words = start, []
    while i < len(cs) and len(cs[i].text) <= 8 and (_RE.header_words.search(cs[i].text) or _RE.progress_column.fullmatch(cs[i].text)):
        if any(p.match(cs[i].text) for p in rows):
            break  # the first row's 产出指标 / 数量指标
        words.append(cs[i].text)
        i += 1
    progress = any(_RE.progress_column.fullmatch(w) for w in words)
    no_actual = progress and not any(_RE.actual_column.search(w) for w in words)
    return (i if no_actual else start), no_actual


def _indicator(
    doc: Document, cs: list[Cell], i: int, level1: str | None, level2: str | None, no_actual: bool = False, levels: list = ()
) -> int:
    """One indicator row starting at its name cell; returns the index after it (or ``i`` if it is none)."""
    name = cs[i]
    j = i + 1
    nature = None
    if j < len(cs) and (cs[j].text in _NATURE or cs[j].text in _NATURE_WORDS):
        nature = _NATURE.get(cs[j].text) or _NATURE_WORDS.get(cs[j].text)
        j += 1
    if j + 1 >= len(cs):
        return i
    target_cell = cs[j]
    j += 1
    if no_actual:
        return _targeted(doc, cs, name, target_cell, j, level1, level2, nature)
    unit_cell = None
    if j < len(cs) and _RE.unit_word.match(cs[j].text) and _RE.num.match(target_cell.text):
        unit_cell, j = cs[j], j + 1
    actual_cell = cs[j] if j < len(cs) else None
    if actual_cell is None or actual_cell.line - name.line > 3 and "\n\n" not in doc.report.text[name.start : actual_cell.start]:
        return i
    j += 1
    if (at := _target_at(name.text)) is not None:
        return _name_with_target(doc, cs, name, at, i, level1, level2, levels)
    if _target_at(actual_cell.text) is not None:
        return i  # the next row's name and value (科目调整次数≤10次) where the 完成值 would be: no column is known
    cmp_kind, target, t_unit = _split_value(target_cell.text)
    _, actual, a_unit = _split_value(actual_cell.text)
    if target is None and actual is None and nature != "qualitative":
        if not (target_cell.text and actual_cell.text and not _RE.num.match(actual_cell.text)):
            return i
    nums = []
    while j < len(cs) and len(nums) < 2 and _RE.num.match(cs[j].text) and cs[j].line - actual_cell.line <= 4:
        nums.append(cs[j])
        j += 1
    unit = (unit_cell.text if unit_cell else "") or t_unit or a_unit
    kind = nature or cmp_kind or ("qualitative" if target is None else "positive")
    goal = {
        "name": _RE.indicator_number.sub("", name.text),
        "level1": level1,
        "level2": level2,
        "kind": kind,
        "unit": unit.strip(),
        "target": target if target is not None else target_cell.text,
        "actual": actual if actual is not None else actual_cell.text,
        "line": actual_cell.line,
        "target_line": target_cell.line,
        "quote": doc.report.quote(name.start, actual_cell.end),
        "start": name.start,
    }
    if nums and not 0 <= (_number(nums[0].text) or 0) <= 100:
        nums = []  # a 分值 is a share of the form's 100 points: a larger number is a value the row's words did not place
    if nums:
        goal["weight"] = _number(nums[0].text)
        goal["weight_line"] = nums[0].line
    if len(nums) > 1:
        goal["score"] = _number(nums[1].text)
    doc.goals.append(goal)
    last = nums[-1] if nums else actual_cell
    if any(c in "|\t" for c in doc.report.text[doc.report.line_starts[last.line - 1] : last.start]):
        while j < len(cs) and cs[j].line == last.line:  # the rest of the row: 偏差原因 and padding
            j += 1
    return j


def _target_at(text: str) -> int | None:
    """Where the 指标值 starts in a cell of words then a comparator and a number (足额保障率=100%, 科目调整次数≤10次: a
    name run into its value), else None."""
    at = min((k for k in (text.find(c) for c in _COMPARATORS) if k > 0), default=-1)
    return at if at > 0 and _RE.han.search(text[:at]) and _split_value(text[at:])[1] is not None else None


_COMPARATORS = "≥≤=﹦<>≧≦"


def _name_with_target(doc: Document, cs: list[Cell], name: Cell, at: int, i: int, level1, level2, levels) -> int:
    """A row whose name cell holds its 指标值 (足额保障率=100%): the goal and its target; the bare numbers after it
    (完成值, 权重 or 得分, their blank cells dropped) are left unread, as no column can be told. Level words the cell
    opens with (产出指标数量指标足额保障率) are its row's levels, not its name."""
    cmp_kind, target, unit = _split_value(name.text[at:])
    words = name.text[:at]
    for _ in range(2):  # 一级 then 二级
        opening = next((m for p in levels if (m := p.match(words)) and 0 < m.end() < len(words)), None)
        if opening is None:
            break
        words = words[opening.end() :]
    doc.goals.append(
        {
            "name": _RE.indicator_number.sub("", words),
            "level1": level1,
            "level2": level2,
            "kind": cmp_kind or "positive",
            "unit": unit.strip(),
            "target": target,
            "actual": None,
            "line": name.line,
            "target_line": name.line,
            "quote": doc.report.quote(name.start, name.end),
            "start": name.start,
        }
    )
    j = i + 1
    while j < len(cs) and _RE.num.match(cs[j].text) and not _RE.han.search(cs[j].text):
        j += 1
    return j


def _targeted(doc: Document, cs: list[Cell], name: Cell, target_cell: Cell, j: int, level1, level2, nature) -> int:
    """An indicator row of a form without a 完成值 column: its 指标值, and its progress cell (已完成100%) passed over."""
    if _RE.han.search(target_cell.text) and _RE.progress_cell.search(target_cell.text):
        return j - 1  # no 指标值 in this row
    cmp_kind, target, t_unit = _split_value(_RE.target_lead.sub("", target_cell.text))
    kind = nature or cmp_kind or ("qualitative" if target is None else "positive")
    if target is not None and _RE.ceiling_word.search(t_unit):
        kind = "reverse"  # 24万元以内
    doc.goals.append(
        {
            "name": _RE.indicator_number.sub("", name.text),
            "level1": level1,
            "level2": level2,
            "kind": kind,
            "unit": _RE.ceiling_word.sub("", t_unit).strip() if target is not None else "",
            "target": target if target is not None else target_cell.text,
            "actual": None,
            "line": target_cell.line,
            "target_line": target_cell.line,
            "quote": doc.report.quote(name.start, target_cell.end),
            "start": name.start,
        }
    )
    if j < len(cs) and _RE.progress_cell.search(cs[j].text):
        j += 1
    return j


def read_indicator_table(doc: Document) -> None:
    """The indicator rows of a 自评表 embedded in a prose report; an indicator already read from the prose is kept once."""
    from .kinds import kinds

    form = kinds()["selfeval_table"].form
    before = list(doc.goals)
    doc.goals = []
    cs = cells(doc)
    start = next((i for i, c in enumerate(cs) if any(p.match(c.text) for p in form["_indicator_header"])), None)
    if start is not None:
        _indicators(doc, cs, start, form)
    # a row whose cells are pieces of a bracket (策(25 | 分)): a table set with spaces inside its cells (相关性(5 分)),
    # cut at each space, is no indicator row
    table = [g for g in doc.goals if all(_whole(v) for v in (g["name"], g.get("unit"), g["target"], g["actual"]))]
    doc.goals = before + [g for g in table if not any(g["actual"] == b["actual"] and g["target"] == b["target"] for b in before)]


def _whole(value: Any) -> bool:
    """A cell that opens as many brackets as it closes (a number, or no text, is whole)."""
    if not isinstance(value, str):
        return True
    return value.count("(") + value.count("（") == value.count(")") + value.count("）")


# --------------------------------------------------------------------------- the 三公 table


def read_three_public_table(doc: Document) -> None:
    """The 三公经费支出决算表 pasted as text: each of its figures as a fact, by the form's columns.

    The layouts, the column order and the optional 机关运行经费 column are the vocabulary's
    ``three_public_table`` (see ``kinds/fields.yaml``). A table whose header or row of figures
    does not fit is left unread: the prose around it is read as before.
    """
    spec = vocabulary()["three_public_table"]
    report, text = doc.report, doc.report.text
    starts = report.line_starts
    for title in spec["_title"].finditer(text):
        first = report.line_of(title.start())  # 1-based
        modes: list[str] = []
        header_text, unit = "", "万元"
        for n in range(first + 1, min(len(starts), first + spec["lines"]) + 1):
            lo, hi = starts[n - 1], starts[n] - 1 if n < len(starts) else len(text)
            line_cells = [Cell(m.group(0), m.start(), m.end(), n) for m in _RE.cell.finditer(text, lo, hi)]
            if not line_cells:
                continue
            if m := _RE.unit_note.search(text, lo, hi):
                unit = m[1]
            words = [spec["modes"][c.text] for c in line_cells if c.text in spec["modes"]]
            if len(words) >= 2:
                modes = words
            if modes and all(_RE.num.match(c.text) for c in line_cells):
                if [c.text for c in line_cells] == [str(k) for k in range(1, len(line_cells) + 1)]:
                    continue  # the 栏次 row (1, 2, 3 … under each column) of the central form
                _three_public_row(doc, spec, modes, line_cells, header_text, unit)
                break
            header_text += text[lo:hi] + "\n"


def _three_public_row(doc: Document, spec: dict[str, Any], modes: list[str], row: list[Cell], header: str, unit: str) -> None:
    """Emit the facts of the table's row of figures, when the header's layout and the row's length fit."""
    items = spec["items"]
    if len(set(modes)) != 2:
        return  # both 预算数 and 决算数 must be named
    if len(modes) == 2 * len(items) and modes.count(modes[0]) == len(items):  # 预算数/决算数 over every column
        columns = [(mode, items[modes[:j].count(mode)]) for j, mode in enumerate(modes)]
    elif len(modes) == 2:  # a 预算数 block, then a 决算数 block
        columns = [(modes[j // len(items)], items[j % len(items)]) for j in range(2 * len(items))]
    else:
        return
    extra = spec["extra"]
    cells_ = list(row)
    extra_cell = None
    if extra["word"] in header:  # the header names the 机关运行经费 column: the row must fill it too
        if len(cells_) != len(columns) + 1:
            return
        # the 机关运行经费 column stands where the header names it: before the 三公 columns or after them
        three_public = header.find("三公")
        extra_cell = cells_.pop(0) if 0 <= header.find(extra["word"]) < three_public else cells_.pop()
    if len(cells_) != len(columns):
        return
    words = {v: k for k, v in spec["modes"].items()}  # control → 预算数
    facts = [
        (f"three_public.{mode}.{item}", f"{spec['names'][item]}{words[mode]}", cell)
        for (mode, item), cell in zip(columns, cells_, strict=True)
    ]
    if extra_cell is not None:
        facts.append((extra["field"], extra["name"], extra_cell))
    for field_id, label, cell in facts:
        if doc.kind is not None and not doc.kind.uses(field_id):
            continue
        value = _number(cell.text)
        if value is not None:
            _emit(doc, field_id, cell, D(f"{value}{unit}"), "万元", label=label)
