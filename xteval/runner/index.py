"""``outputs/index.html``: one row per run of a batch, read from the executed notebooks' metadata.

The values (score, grade, fail and warn counts…) come from ``metadata.xteval``
of each executed notebook, which the notebooks fill with ``report.record()``;
the page never scrapes HTML. It is one self-contained file: inline CSS, no
scripts and no images; its Chinese font subset is embedded, so it opens offline.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import write_atomic
from ..render.fonts import embed_font

if TYPE_CHECKING:
    from .jobs import Outcome

STATUS_TEXT = {"ok": "成功 ok", "skipped": "未变 skipped", "failed": "失败 failed", "invalid": "输入错误 invalid"}

CSS = """
body{font-family:"XtevalCJK","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td,tr.invalid td{background:#fdd;color:#900}
tr.skipped td{color:#555}
.err{font-family:monospace;font-size:12px;white-space:pre-wrap}
"""


def run_meta(ipynb: str | Path | None) -> dict[str, Any]:
    """``metadata.xteval`` of an executed notebook; empty when there is none or it cannot be read."""
    if not ipynb or not Path(ipynb).is_file():
        return {}
    try:
        # plain JSON: importing nbformat costs more than a whole skipped batch may take
        return dict(json.loads(Path(ipynb).read_text(encoding="utf-8")).get("metadata", {}).get("xteval", {}))
    except (OSError, ValueError):
        return {}


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
        "status": status,
        "seconds": meta.get("seconds", o.seconds) if o.status == "skipped" else round(o.seconds, 1),
        "total": meta.get("total", ""),
        "grade": meta.get("grade", ""),
        "fail": meta.get("fail", ""),
        "warn": meta.get("warn", ""),
        "run_at": meta.get("run_at", ""),
        "error": o.error or meta.get("error") or "",
        "html": _rel(o.job.html, out_dir) if meta else None,
        "ipynb": _rel(o.job.ipynb, out_dir) if meta else None,
        "params": o.job.params_file,
    }


def _rel(path: str | None, base: Path) -> str | None:
    if not path or not Path(path).is_file():
        return None
    return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()


def render(rows: list[dict[str, Any]], title: str = "绩效评价批量运行 Batch runs", font_cache: Path | None = None) -> str:
    e = html.escape
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    bad = sum(r["status"] in ("failed", "invalid") for r in rows)
    head = ["年度", "名称", "单位", "状态", "用时 s", "总分", "等级", "fail", "warn", "运行时间", "链接", "错误"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{len(rows)} runs, {bad} failed or invalid · generated {e(now)}</p>",
        "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>",
    ]
    for r in rows:
        links = " ".join(
            f'<a href="{e(r[k])}">{k}</a>' for k in ("html", "ipynb") if r[k]
        )  # relative links: the folder can be moved or zipped
        cells = [
            e(str(r["year"])),
            f"{e(r['name'])}<br><small>{e(r['params'])}</small>",
            e(str(r["unit"])),
            e(STATUS_TEXT.get(r["status"], r["status"])),
            f'<td class="num">{e(str(r["seconds"]))}',
            f'<td class="num">{e(str(r["total"]))}',
            e(str(r["grade"])),
            f'<td class="num">{e(str(r["fail"]))}',
            f'<td class="num">{e(str(r["warn"]))}',
            e(str(r["run_at"])),
            links,
            f'<span class="err">{e(str(r["error"]))}</span>',
        ]
        tds = "".join(c if c.startswith("<td") else f"<td>{c}" for c in cells)
        tds = tds.replace("<td", "</td><td")[5:] + "</td>"
        out.append(f'<tr class="{e(r["status"])}">{tds}</tr>')
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
