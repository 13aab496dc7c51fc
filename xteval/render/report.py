"""What a notebook cell shows: tables, notices, narrative text and run records.

Notebook cells call these and display the result; nothing here computes a
finding (that is ``checks``) or a score (that is ``scoring``).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import XtevalError
from ..files import read_input
from ..money import fmt
from ..params import ParamsBase, description_name, iter_provenance, uses_illustrative
from .labels import source_label

if TYPE_CHECKING:  # pandas is imported where a table is built: a batch worker only collects records
    import pandas as pd

RECORD_MIME = "application/vnd.xteval.record+json"

# --------------------------------------------------------------------------- tables

KEEP_WHOLE_ROWS = 6  # a table this short stays whole on paper; a longer one breaks between rows, its header repeated
SHORT_CELL = 8  # characters: a column whose every cell is at most this long is kept on one line


def _longest(column: pd.Series) -> int:
    return max((len(str(v)) for v in column if v is not None), default=0)


BREACH_STYLE = "background-color:#f8d7da;color:#842029;font-weight:bold"


def styled(
    df: pd.DataFrame,
    right: tuple[str, ...] = (),
    caption: str | None = None,
    highlight: list[bool] | None = None,
    nowrap: tuple[str, ...] = (),
):
    """A pandas Styler with no index, right-aligned number columns and an optional caption.

    Args:
        df: the table, cells already formatted as text.
        right: number columns: right-aligned, never wrapped.
        caption: the table's caption, as text (escaped here).
        highlight: one flag per row; a flagged row is the figure that breaks a rule
            (a 三公 item over its control, a goal below its target) and is shown red.
        nowrap: other columns that must not wrap (a status, a short code).
    """
    from .sanitize import clip  # a megabyte-long name or quote is cut, not laid out

    # A short table stays whole on paper; a longer one may break between rows (its header repeats).
    keep = " xt-keep" if len(df) <= KEEP_WHOLE_ROWS else ""
    st = df.map(clip).style.format(escape="html").hide(axis="index").set_table_attributes(f'class="xt-table{keep}"')
    cols = [c for c in right if c in df.columns]
    if cols:
        st = st.set_properties(subset=cols, **{"text-align": "right", "white-space": "nowrap"})
    # A column of short texts (a level name, a status, a unit) never wraps: otherwise a long
    # neighbour (a formula, an explanation) squeezes it to one character a line and a table of
    # twenty rows runs over three printed pages.
    short = [c for c in df.columns if c not in cols and _longest(df[c]) <= SHORT_CELL]
    whole = list(dict.fromkeys(c for c in (*nowrap, *short) if c in df.columns))
    if whole:
        st = st.set_properties(subset=whole, **{"white-space": "nowrap"})
    if highlight is not None and any(highlight):
        flags = list(highlight)

        def paint(frame: pd.DataFrame) -> pd.DataFrame:
            import pandas as pd

            out = pd.DataFrame("", index=frame.index, columns=frame.columns)
            for pos, flagged in enumerate(flags[: len(frame)]):
                if flagged:
                    out.iloc[pos, :] = BREACH_STYLE
            return out

        st = st.apply(paint, axis=None)
    if caption:
        import html

        st = st.set_caption(html.escape(clip(caption), quote=False))  # a caption may carry a params file's text
    return st


class Html:
    """A ready HTML snippet that a notebook cell displays as its result."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


COUNT_UNITS = frozenset({"个", "项", "日", "天", "次", "张", "月", "年", "人", "条", "家", "台", "点", "月份"})


def check_value(v, unit: str = "") -> str:
    """One figure of a check row in the page's number style.

    Counts (a unit such as 个 or 日, or an ``int``) are integers with separators;
    amounts keep at least 2 decimals and as many more as they carry (元 held in 万元);
    everything else (%, 分, 小时) has 2 decimals, half-up.
    """
    from ..checks import amount
    from ..money import fmt_count

    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if unit == "年" and Decimal(v) == Decimal(v).to_integral_value() and 1000 <= abs(int(v)) <= 9999:
        return str(int(v))  # a year (2024), not a count: no thousands separator
    if isinstance(v, int) or (unit in COUNT_UNITS and Decimal(v) == Decimal(v).to_integral_value()):
        return fmt_count(v)
    if not isinstance(v, Decimal):
        return str(v)
    if unit in ("元", "万元", "亿元"):
        return amount(v)
    return fmt(v)


def _quote(r) -> str:
    parts = [f"原文第 {e.line} 行：{e.quote}" if e.line else f"原文：{e.quote}" for e in r.evidence[:2]]
    return "；".join(parts)


def checks_table(suite, caption: str | None = None) -> Html:
    """A check suite as an evaluator reads it: 不符 first, then 提示, then every 通过 folded into one counted row.

    Each row gives the expected and observed figures, the difference and its unit in
    the page's number style, the explanation and, in smaller type under it, the quote
    from the report. The 结果 column never wraps. The rule version is not repeated
    here: the page's footer shows it once.

    Args:
        suite: a :class:`xteval.checks.Suite`.
        caption: the table's caption; by default the counts.

    Returns:
        The table (an :class:`Html` snippet). Rows with class ``xt-fail`` / ``xt-warn``
        are exactly the counted 不符 / 提示 findings; ``xt-skip`` rows (未执行) are the checks
        that could not run, each naming the figures it lacks (not findings, not counted).
    """
    from html import escape as e

    from .labels import in_words
    from .sanitize import clip

    order = {"fail": 0, "warn": 1, "skip": 2}
    shown = sorted((r for r in suite.results if r.status.value in order), key=lambda r: order[r.status.value])
    passed = [r for r in suite.results if r.status.value == "pass"]
    c = suite.counts
    skipped = sum(r.status.value == "skip" for r in suite.results)
    caption = caption or f"勾稽检查结果：不符 {c['fail']} 项，提示 {c['warn']} 项，通过 {c['pass']} 项" + (
        f"；未执行 {skipped} 项（缺少所需数字）" if skipped else ""
    )
    head = ["检查项", "结果", "应为", "实为", "差额", "单位", "说明与原文"]
    out = [f'<table class="xt-table xt-checks"><caption>{e(caption)}</caption><thead><tr>']
    out += [f'<th class="{"xt-status" if h == "结果" else ""}">{e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for r in shown:
        quote = _quote(r)
        cells = [
            f'<td class="xt-check">{e(clip(in_words(r.title)))}</td>',
            f'<td class="xt-status">{e(r.status.label)}</td>',
            *(f'<td class="xt-num">{e(check_value(v, r.unit))}</td>' for v in (r.expected, r.observed, r.difference)),
            f'<td class="xt-unit">{e(r.unit)}</td>',
            f'<td class="xt-msg">{e(clip(in_words(r.message)))}'
            + (f'<div class="xt-quote">{e(clip(quote))}</div>' if quote else "")
            + "</td>",
        ]
        out.append(f'<tr class="xt-{r.status.value}">' + "".join(cells) + "</tr>")
    if passed:
        names = "；".join(dict.fromkeys(in_words(r.title) for r in passed))
        out.append(
            '<tr class="xt-pass"><td class="xt-check">其余各项</td><td class="xt-status">通过</td>'
            f'<td class="xt-msg" colspan="5">共 {len(passed)} 项：{e(clip(names))}</td></tr>'
        )
    if not suite.results:
        out.append('<tr><td colspan="7">无检查项</td></tr>')
    out.append("</tbody></table>")
    return Html("".join(out))


def profile_table(p: ParamsBase):
    """单位概况: name, supervising department, year and what the params cover."""
    rows = [("单位名称", p.unit.name), ("主管部门", p.unit.supervisor or "未注明"), ("评价年度", f"{p.year} 年")]
    header = getattr(p, "budget_header", None)  # a department's 年度预算金额
    if header is not None:
        rows.append(("年度预算金额", f"{fmt(header.value)} 万元"))
    counts = {"seed": 0, "derived": 0, "illustrative": 0}
    for _, prov in iter_provenance(p):
        counts[prov.source] += 1
    given = "，".join(f"{source_label(k)} {n} 项" for k, n in counts.items() if n)  # a kind of source with no figure is not named
    rows.append(("数据来源", given or "参数文件未给出任何数字"))
    import pandas as pd

    return styled(pd.DataFrame(rows, columns=["项目", "内容"]))


def provenance_table(p: ParamsBase):
    """Every figure that is not quoted from the report: the rule or the note behind it."""
    rows = [
        {
            "数据项": field_label(p, path),
            "来源": source_label(prov.source),
            "说明": "示例数据" if prov.illustrative is True else str(prov.derived or prov.illustrative),
        }
        for path, prov in iter_provenance(p)
        if prov.source != "seed"
    ]
    import pandas as pd

    return styled(pd.DataFrame(rows, columns=["数据项", "来源", "说明"]), caption="非原文数据的来源说明", nowrap=("来源",))


_CJK = re.compile(r"[\u3400-\u9fff]")


def _label(description: str | None, name: str) -> str:
    """The Chinese name in a field description (:func:`xteval.params.description_name`), its first word on a page:
    ``子项目清单 CSV：name,…`` → 子项目清单."""
    head = description_name(description, name)
    words = [w for w in head.split(" ") if _CJK.search(w)] or [head]
    return words[0]


def field_label(model, path: str) -> str:
    """A field path such as ``goals[4].target`` in the words of the report: “短信发送量”·指标值."""
    labels = []
    node = model
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            node = node[int(part[1:-1])]
            name = getattr(node, "name", None) or getattr(node, "label", None)
            if name:
                labels[-1:] = [f"“{name}”"]
            continue
        info = type(node).model_fields.get(part)
        labels.append(_label(info.description, part) if info else part)
        node = getattr(node, part)
    return "·".join(labels)


# --------------------------------------------------------------------------- text

MAX_NARRATIVE = 20_000  # characters shown; longer text is cut with a note


def narrative(text: str | None) -> str:
    """Source-system text as safe HTML: <p> and <br> become paragraphs, all else is stripped or escaped (nh3)."""
    from .sanitize import narrative_html

    return narrative_html(text, MAX_NARRATIVE)


ILLUSTRATIVE_NOTICE = (
    '<div class="xt-illustrative" role="note">'
    "示例数据：本附件含示例数据（非报告原文），仅用于演示方法，不能作为评价结论依据；"
    "以示例数据计算的得分和等级标有“示例”。各项数据的来源见“数据来源说明”。</div>"
)


def titled_text(title: str, text: str | None) -> str:
    """A small heading over a narrative field, or nothing when the field is empty (a heading never stands alone)."""
    from html import escape

    from .sanitize import paragraphs

    if not paragraphs(text)[0]:
        return ""
    return f"<h4>{escape(title)}</h4>" + narrative(text)


def illustrative_notice(p: ParamsBase | bool) -> str:
    """The visible 示例数据 notice, or an empty string when every figure is seed or derived.

    Args:
        p: a params model (its figures are looked at), or a flag computed elsewhere
            (the year summary shows the notice when any unit it summarises is illustrative).
    """
    shown = p if isinstance(p, bool) else uses_illustrative(p)
    return ILLUSTRATIVE_NOTICE if shown else ""


def verdict_box(total, grade, counts: dict[str, int], illustrative: bool = False, what: str = "绩效评分", unscored: str = "") -> Html:
    """The appendix's score line: total and grade beside the reconciliation's 不符 count (never hidden).

    Args:
        total: the total score, or None when the page scores nothing.
        grade: its grade (None: 不定级).
        counts: the 勾稽检查 counts (``fail``, ``warn``, ``pass``).
        illustrative: the score rests on illustrative figures (marked 示例).
        what: what was scored, e.g. 单位自评（财预〔2020〕10号）.
        unscored: what the score line says when there is no score (e.g. every indicator is 无数据).
    """
    from html import escape as e

    from .labels import grade_text

    fail, warn = counts.get("fail", 0), counts.get("warn", 0)
    lines = []
    if total is not None or grade:
        lines.append(f"<div><b>{e(what)}：</b>{e(grade_text(total, grade, fail, illustrative))}</div>")
    elif unscored:
        lines.append(f"<div><b>{e(what)}：</b>{e(unscored)}</div>")
    tone = "xt-verdict-fail" if fail else "xt-verdict-warn" if warn else "xt-verdict-ok"
    lines.append(
        f"<div><b>勾稽检查：</b>不符 {fail} 项，提示 {warn} 项，通过 {counts.get('pass', 0)} 项。"
        + ("不符项须核实后再定等级。" if fail else "")
        + "</div>"
    )
    return Html(f'<div class="xt-verdict {tone}" role="note">' + "".join(lines) + "</div>")


def show_html(markup) -> None:
    """Display an HTML snippet in a notebook."""
    from IPython.display import HTML, display

    if markup:
        display(HTML(str(markup)))


def begin(p: ParamsBase, default_title: str) -> None:
    """The first cell of every appendix: record the title block's values and show the 示例数据 notice.

    Records ``unit``, ``supervisor``, ``year``, ``title``, ``evaluation`` (评价机构,
    评价人, 评价日期 set in the params file) and ``illustrative`` into the executed
    notebook's metadata, where the page template and the batch index read them.
    """
    from .. import rules
    from ..params import input_hashes, params_sha256

    record(
        # the bytes this kernel read: the runner compares them with what it planned and hashed, so a file
        # swapped in and restored during the run cannot put one file's figures under another's checksum
        loaded={"params": params_sha256(p), "data": input_hashes(p)},
        unit=p.unit.name,
        supervisor=p.unit.supervisor or "未注明",
        year=p.year,
        title=p.title or default_title,
        evaluation=p.evaluation.to_record() if p.evaluation else {},
        illustrative=uses_illustrative(p),
        rules_version=rules.version(),
    )
    show_html(illustrative_notice(p))


# --------------------------------------------------------------------------- run records


def record(**values: Any) -> None:
    """Record values (score, grade, counts…) for the runner to put in the notebook's metadata.

    The runner collects every output of this MIME type into
    ``metadata.xteval`` of the executed notebook, so an index page never has
    to scrape HTML. Values must be JSON-ready (Decimals become strings).
    """
    from IPython.display import display

    clean = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
    display({RECORD_MIME: clean, "text/plain": ""}, raw=True)


MAX_RECORDED_FINDINGS = 50  # 不符 items kept per run for the year summary; the count is always exact


def record_checks(suite) -> None:
    """Record a check suite for the batch index and the year summary.

    ``fail`` and ``warn`` are the counts the page's table shows; ``reasons`` counts
    the 不符 and 提示 findings by reason code (``sum_mismatch``…), so the year summary
    can show which problems recur across units; ``failures`` lists the 不符 items
    (title and message), at most :data:`MAX_RECORDED_FINDINGS`.
    """
    from collections import Counter

    found = [r for r in suite.results if r.status.value in ("fail", "warn")]
    reasons = Counter(f"{r.status.value}:{r.reason.value}" for r in found)
    failures = [{"title": r.title, "message": r.message} for r in found if r.status.value == "fail"]
    record(
        fail=suite.counts["fail"],
        warn=suite.counts["warn"],
        passed=suite.counts["pass"],
        reasons=dict(sorted(reasons.items())),
        failures=failures[:MAX_RECORDED_FINDINGS],
    )


def collect_records(nb) -> dict[str, Any]:
    """Merge every record output of an executed notebook, later ones winning."""
    out: dict[str, Any] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                out.update(data[RECORD_MIME])
    return out


def run_meta(ipynb: str | Path | None) -> dict[str, Any]:
    """The run records (``metadata.xteval``) of an executed notebook, as the runner stored them; empty when there is none or it cannot be read."""
    if not ipynb or not Path(ipynb).is_file():
        return {}
    try:
        # plain JSON: importing nbformat costs more than a whole skipped batch may take;
        # read_input: whatever sits at that name now, a FIFO there must not hang the index
        meta = json.loads(read_input(ipynb).decode("utf-8")).get("metadata", {}).get("xteval", {})
        return dict(meta) if isinstance(meta, dict) else {}
    except (XtevalError, ValueError, AttributeError, RecursionError):
        return {}
