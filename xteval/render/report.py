"""What a notebook cell shows: tables, notices, narrative text and run records.

Notebook cells call these and display the result; nothing here computes a
finding (that is ``checks``) or a score (that is ``scoring``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pandas as pd

from ..money import fmt
from ..params import ParamsBase, iter_provenance, uses_illustrative

RECORD_MIME = "application/vnd.xteval.record+json"

# --------------------------------------------------------------------------- tables


def styled(df: pd.DataFrame, right: tuple[str, ...] = (), caption: str | None = None):
    """A pandas Styler with no index, right-aligned number columns and an optional caption."""
    from .sanitize import clip  # a megabyte-long name or quote is cut, not laid out

    st = df.map(clip).style.format(escape="html").hide(axis="index").set_table_attributes('class="xt-table"')
    cols = [c for c in right if c in df.columns]
    if cols:
        st = st.set_properties(subset=cols, **{"text-align": "right", "white-space": "nowrap"})
    if caption:
        st = st.set_caption(caption)
    return st


def checks_table(suite):
    """A check suite as a table, failures first, statuses coloured."""
    df = suite.to_frame().drop(columns=["id"])
    order = {"不符": 0, "提示": 1, "通过": 2}
    df = df.sort_values("结果", key=lambda s: s.map(order), kind="stable")
    colours = {
        "不符": "background-color:#f8d7da;color:#842029",
        "提示": "background-color:#fff3cd;color:#664d03",
        "通过": "background-color:#d1e7dd;color:#0f5132",
    }
    st = styled(df, right=("应为", "实为", "差额"))
    return st.map(lambda v: colours.get(v, ""), subset=["结果"])


def profile_table(p: ParamsBase):
    """单位概况: name, supervising department, year and what the params cover."""
    rows = [("单位名称", p.unit.name), ("主管部门", p.unit.supervisor), ("评价年度", f"{p.year} 年")]
    header = getattr(p, "budget_header", None)  # a department's 年度预算金额
    if header is not None:
        rows.append(("年度预算金额", f"{fmt(header.value)} 万元"))
    counts = {"seed": 0, "derived": 0, "illustrative": 0}
    for _, prov in iter_provenance(p):
        counts[prov.source] += 1
    rows.append(("数据来源", f"报告原文 {counts['seed']} 项，推算 {counts['derived']} 项，示例 {counts['illustrative']} 项"))
    return styled(pd.DataFrame(rows, columns=["项目", "内容"]))


def provenance_table(p: ParamsBase):
    """Every figure that is not quoted from the report: the rule or the note behind it."""
    rows = [
        {
            "数据项": field_label(p, path),
            "来源": "推算" if prov.source == "derived" else "示例",
            "说明": str(prov.derived or prov.illustrative),
        }
        for path, prov in iter_provenance(p)
        if prov.source != "seed"
    ]
    return styled(pd.DataFrame(rows, columns=["数据项", "来源", "说明"]), caption="非原文数据的来源说明")


def field_label(model, path: str) -> str:
    """A field path such as ``goals[4].target`` in the words of the report: 短信发送量·指标值."""
    labels = []
    node = model
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            node = node[int(part[1:-1])]
            name = getattr(node, "name", None)
            if name:
                labels[-1:] = [f"“{name}”"]
            continue
        info = type(node).model_fields.get(part)
        labels.append((info.description or part).split("（")[0].split("：")[-1].split(" ")[0] if info else part)
        node = getattr(node, part)
    return "·".join(labels)


# --------------------------------------------------------------------------- text

MAX_NARRATIVE = 20_000  # characters shown; longer text is cut with a note


def narrative(text: str | None) -> str:
    """Source-system text as safe HTML: <p> and <br> become paragraphs, all else is stripped or escaped (nh3)."""
    from .sanitize import narrative_html

    return narrative_html(text, MAX_NARRATIVE)


def illustrative_notice(p: ParamsBase) -> str:
    """The visible 示例数据 notice, or an empty string when every figure is seed or derived."""
    if not uses_illustrative(p):
        return ""
    return (
        '<div class="xt-illustrative" role="note" style="border:2px solid #c55a11;background:#fff4e5;'
        'padding:8px 12px;margin:8px 0;font-weight:bold;color:#7a3300">'
        "示例数据：本附件含示例（illustrative）数据，非报告原文，仅用于演示方法，不能作为评价结论依据。"
        "各数据来源见“数据来源说明”。</div>"
    )


def show_html(markup: str) -> None:
    """Display an HTML snippet in a notebook."""
    from IPython.display import HTML, display

    if markup:
        display(HTML(markup))


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


def collect_records(nb) -> dict[str, Any]:
    """Merge every record output of an executed notebook, later ones winning."""
    out: dict[str, Any] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                out.update(data[RECORD_MIME])
    return out
