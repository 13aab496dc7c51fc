"""``outputs/index.html``: one row per run of a batch, read from the executed notebooks' metadata.

The values (score, grade, fail and warn counts…) come from ``metadata.xteval``
of each executed notebook, which the notebooks fill with ``report.record()``;
the page never scrapes HTML. It is one self-contained file: inline CSS, no
scripts and no images; its Chinese font subset is embedded, so it opens offline.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import write_atomic
from ..render.fonts import embed_font
from ..render.labels import grade_text
from ..render.localtime import show_time, zone_name
from ..render.report import run_meta
from ..render.sanitize import clip

if TYPE_CHECKING:
    from .jobs import Outcome

STATUS_TEXT = {"ok": "成功", "skipped": "未变（沿用上次结果）", "failed": "运行失败", "invalid": "输入错误"}
ZONE_TEXT = {
    "Asia/Shanghai": "北京时间",
    "Asia/Chongqing": "北京时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Macau": "澳门时间",
    "Asia/Taipei": "台北时间",
}

# The table fits the A4 text width (180 mm) in print with many rows: fixed column widths,
# long names and errors wrap anywhere, numbers never wrap. In print it is 2 px narrower than
# the text width: at 100% its collapsed right border falls half outside the page and is clipped.
CSS = """
body{font-family:"XtevalCJK","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em;margin:.2em 0}
.meta{color:#555;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#e9eef7}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.grade{white-space:normal}
tr.failed td,tr.invalid td{background:#fdd;color:#900}
tr.findings td.fails{background:#f8d7da;color:#842029;font-weight:bold}
tr.skipped td{color:#555}
small{color:#666}
.mark{display:inline-block;padding:0 .3em;border:1px solid #c55a11;color:#7a3300;font-size:12px;font-weight:bold}
.err{font-size:12px;white-space:pre-wrap}
@page{size:A4;margin:15mm 12mm}
@media print{body{margin:0;max-width:none}table{font-size:9pt;width:calc(100% - 2px)}thead{display:table-header-group}tr{break-inside:avoid}}
"""
COLUMNS = (  # header, width
    ("年度", "6%"),
    ("参数文件", "13%"),
    ("单位与对象", "19%"),
    ("状态", "8%"),
    ("总分与等级", "15%"),
    ("不符", "6%"),
    ("提示", "6%"),
    ("用时（秒）", "7%"),
    ("运行时间", "10%"),
    ("文件", "10%"),
)


def row(o: Outcome, out_dir: Path) -> dict[str, Any]:
    """The values shown for one run; a skipped run shows its last run's metadata."""
    meta = {} if o.status == "invalid" else run_meta(o.job.ipynb)
    status = o.status
    if status == "skipped" and meta.get("status") == "failed":
        status = "failed"  # a skipped run is only ever a successful one; guard anyway
    return {
        "year": meta.get("year", o.job.year),
        "name": o.job.name.split("/", 1)[-1],
        "unit": meta.get("unit", ""),
        "title": meta.get("title", ""),
        "status": status,
        "seconds": meta.get("seconds", o.seconds) if o.status == "skipped" else round(o.seconds, 1),
        "total": meta.get("total", ""),
        "grade": meta.get("grade", ""),
        "score_illustrative": bool(meta.get("score_illustrative")),
        "illustrative": bool(meta.get("illustrative")),
        "fail": meta.get("fail", ""),
        "warn": meta.get("warn", ""),
        "run_at": meta.get("run_at", ""),
        "error": o.error or meta.get("error") or "",
        "html": _rel(o.job.html, out_dir) if meta else None,
        "ipynb": _rel(o.job.ipynb, out_dir) if meta else None,
        "params": o.job.params_file,
        "summary": bool(meta.get("summary")),
    }


def _rel(path: str | None, base: Path) -> str | None:
    if not path or not Path(path).is_file():
        return None
    return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()


def _rank(r: dict[str, Any]) -> tuple:
    """Failures first (a run that failed or could not start), then runs with 不符 items, then the rest."""
    bad = r["status"] in ("failed", "invalid")
    fails = r["fail"] if isinstance(r["fail"], int) else 0
    return (0 if bad else 1 if fails else 2, -fails, str(r["year"]), r["summary"], r["name"])


def _short(params_file: str) -> str:
    """``params/2023/department.yaml`` → ``2023/department.yaml``: the year folder and the file."""
    parts = Path(params_file).parts
    return "/".join(parts[-2:])


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value or "")


def render(rows: list[dict[str, Any]], title: str = "绩效评价批量运行", font_cache: Path | None = None) -> str:
    """The index page: one row per run, failures first, every figure in Chinese and local time."""

    def e(value: Any) -> str:  # every cell is cut to MAX_CELL characters before it is laid out
        return html.escape(clip(str(value)))

    rows = sorted(rows, key=_rank)
    now = show_time(dt.datetime.now().astimezone())
    zone = ZONE_TEXT.get(zone_name(), "")
    n = {s: sum(r["status"] == s for r in rows) for s in STATUS_TEXT}
    counts = "，".join(f"{STATUS_TEXT[s].split('（')[0]} {n[s]} 项" for s in STATUS_TEXT if n[s] or s in ("ok", "failed"))
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">共 {len(rows)} 项：{e(counts)}。生成于 {e(now)}{f"（{zone}）" if zone else ""}。'
        "总分旁注明勾稽检查的不符项数；以示例数据计算的得分标“示例”。</p>",
        "<table><colgroup>" + "".join(f'<col style="width:{w}">' for _, w in COLUMNS) + "</colgroup>",
        "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h, _ in COLUMNS) + "</tr></thead><tbody>",
    ]
    for r in rows:
        links = "<br>".join(
            f'<a href="{e(r[k])}">{label}</a>' for k, label in (("html", "附件"), ("ipynb", "运行记录")) if r[k]
        )  # relative links: the folder can be moved or zipped
        mark = ' <span class="mark">示例</span>' if r["illustrative"] and "示例" not in str(r["unit"]) else ""
        done = r["status"] in ("ok", "skipped")  # a failed run's record is partial: no grade, no counts shown as findings
        grade = (
            grade_text(r["total"], r["grade"] or None, r["fail"], r["score_illustrative"]) if done and (r["total"] or r["grade"]) else ""
        )
        who = f"{e(str(r['unit']))}{mark}" + (f"<br><small>{e(str(r['title']))}</small>" if r["title"] else "")
        fails = r["fail"] if isinstance(r["fail"], int) and done else 0
        cells = [
            f"<td>{e(str(r['year']))}</td>",
            f"<td>{e(_short(r['params']))}</td>",
            f"<td>{who}</td>",
            f"<td>{e(STATUS_TEXT.get(r['status'], r['status']))}</td>",
            f'<td class="grade">{e(grade)}</td>',
            f'<td class="num fails">{e(_count(r["fail"]))}</td>',
            f'<td class="num">{e(_count(r["warn"]))}</td>',
            f'<td class="num">{e(str(r["seconds"]))}</td>',
            f"<td>{e(show_time(r['run_at']))}</td>",
            f"<td>{links}</td>",
        ]
        cls = r["status"] + (" findings" if fails else "")
        out.append(f'<tr class="{e(cls)}">' + "".join(cells) + "</tr>")
        if r["error"]:
            out.append(
                f'<tr class="{e(r["status"])} error"><td colspan="{len(COLUMNS)}"><span class="err">错误：{e(str(r["error"]))}</span></td></tr>'
            )
    out.append("</tbody></table></body></html>")
    # Every status's text is in the subset, shown or not: the index of a first batch and of
    # the unchanged batch after it (成功 → 未变) then share one cached subset.
    return embed_font("\n".join(out), font_cache, also=" ".join(STATUS_TEXT.values()))


def write_index(out_dir: str | Path, outcomes: list[Outcome]) -> Path:
    """Write ``<out>/index.html`` atomically and return its path."""
    out_dir = Path(out_dir)
    path = out_dir / "index.html"
    # The subset is cached beside the batch state: an unchanged batch builds no font.
    write_atomic(path, render([row(o, out_dir) for o in outcomes], font_cache=out_dir / ".state" / "fonts"))
    return path
