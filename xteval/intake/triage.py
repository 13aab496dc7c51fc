"""The triage index of an intake (``index.html``) and its export of every finding (``findings.xlsx``).

The index answers the evaluator's first question, which documents need me: one row per document with
its unit, year, kind, 不符 and 提示 counts, pages and a link to its findings page; documents that
could not be read stand with their one-line reason. It is one offline file: inline CSS, a few lines of
inline script to sort by a column and filter by text or kind (without the script the table still reads),
and the Chinese font subset embedded. Every text on it comes from someone else's file and is escaped.

The export holds every 不符 and 提示 of every document, one row each, with the document's columns; a text
cell is always text (a quote that starts with ``=`` never becomes a formula).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files import write_atomic, write_with
from ..files.rowbook import SHEET_ROWS, Sheet, write_rows
from ..render.fonts import cjk_chars, link_font, subset_key, subset_woff
from ..render.labels import in_words
from ..render.sanitize import clip
from .store import Stored

INDEX_NAME = "index.html"
EXPORT_NAME = "findings.xlsx"
STATUS_TEXT = {"fail": "不符", "warn": "提示"}
FONT_NAME = "xteval-cjk.woff"  # the one font subset the pages of an intake share, in docs/
_UNSAFE = re.compile(r"[^\w.-]+")


def page_stem(name: str) -> str:
    """A file name's stem made safe for a page name: word characters (Chinese included), dots and dashes."""
    return _UNSAFE.sub("_", Path(name).stem)[:60].strip("._") or "document"


@dataclass(frozen=True)
class Row:
    """One document of the intake as the index shows it: where it was found, and its stored reading."""

    name: str  # the path as given under its intake root
    doc: Stored


_CSS = """
body{font-family:"XtevalCJK","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{font-size:1.4em}.meta{color:#555;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#e9eef7;cursor:pointer}td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.unreadable td{background:#fdd;color:#900}td.fails{background:#f8d7da;color:#842029;font-weight:bold}
.tools{margin:.6em 0}.tools input,.tools select{font:inherit;padding:2px 4px}
@media print{.tools{display:none}body{margin:0;max-width:none}thead{display:table-header-group}tr{break-inside:avoid}}
"""
_SCRIPT = """
(function(){var t=document.getElementById('docs'),b=t.tBodies[0],q=document.getElementById('q'),k=document.getElementById('k');
function f(){var s=q.value.trim(),v=k.value;for(var r of b.rows){var ok=(!s||r.textContent.indexOf(s)>=0)&&(!v||r.dataset.kind===v);r.style.display=ok?'':'none';}}
q.addEventListener('input',f);k.addEventListener('change',f);
Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
var num=th.dataset.num==='1',d=th.dataset.dir==='asc'?'desc':'asc';th.dataset.dir=d;
var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var a=x.cells[i].dataset.v||x.cells[i].textContent,c=y.cells[i].dataset.v||y.cells[i].textContent;
var r=num?(parseFloat(a)||0)-(parseFloat(c)||0):a.localeCompare(c,'zh');return d==='asc'?r:-r;});rows.forEach(function(r){b.appendChild(r);});});});})();
"""
_COLUMNS = (("文件", 0), ("单位", 0), ("年度", 1), ("文档类型", 0), ("不符", 1), ("提示", 1), ("页数", 1), ("结果", 0))


def _cells(row: Row) -> str:
    e = lambda v: html.escape(clip(str(v)))  # noqa: E731
    d = row.doc
    if d.status != "ok":
        return (
            f"<td>{e(row.name)}</td><td></td><td></td><td></td><td class=num data-v=-1></td><td class=num></td>"
            f"<td class=num></td><td>无法读取：{e(d.reason)}</td>"
        )
    fails = f'<td class="num fails" data-v={d.fails}>{d.fails}</td>' if d.fails else "<td class=num data-v=0>0</td>"
    return (
        f"<td>{e(row.name)}</td><td>{e(d.unit or '未识别')}</td><td class=num>{d.year or ''}</td>"
        f"<td>{e(d.kind_title or '未识别（按部门整体报告读取）')}</td>{fails}<td class=num>{d.warns}</td>"
        f'<td class=num>{d.pages or "—"}</td><td><a href="docs/{html.escape(d.page_name)}.html">检查结果</a></td>'
    )


def index_page(rows: Sequence[Row], title: str, meta: str) -> str:
    """The index as an HTML string: documents with 不符 first, then by name."""
    ordered = sorted(rows, key=lambda r: (r.doc.status == "ok", -r.doc.fails, -r.doc.warns, r.name))
    kinds = sorted({r.doc.kind_title for r in rows if r.doc.kind_title})
    head = "".join(f"<th data-num={n}>{h}</th>" for h, n in _COLUMNS)
    body = "".join(
        f'<tr class="{"ok" if r.doc.status == "ok" else "unreadable"}" data-kind="{html.escape(r.doc.kind_title or "")}">{_cells(r)}</tr>'
        for r in ordered
    )
    options = "".join(f"<option>{html.escape(k)}</option>" for k in kinds)
    unread = sum(r.doc.status != "ok" for r in rows)
    with_fails = sum(r.doc.status == "ok" and r.doc.fails > 0 for r in rows)
    page = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="meta">共 {len(rows)} 份文档：有不符 {with_fails} 份，无法读取 {unread} 份。{html.escape(meta)}'
        f'全部问题另见 <a href="{EXPORT_NAME}">{EXPORT_NAME}</a>。</p>'
        f'<div class="tools">筛选：<input id="q" placeholder="文件名、单位、年度"> 文档类型：<select id="k"><option value="">全部</option>{options}</select>'
        f"（点击表头排序）</div>"
        f'<table id="docs"><colgroup><col style="width:22%"><col style="width:18%"><col style="width:6%"><col style="width:16%">'
        f'<col style="width:6%"><col style="width:6%"><col style="width:6%"><col style="width:20%"></colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><script>{_SCRIPT}</script></body></html>"
    )
    return link_font(page, f"docs/{FONT_NAME}")


def write_index(folder: Path, rows: Sequence[Row], title: str, meta: str, font_key: str | None) -> tuple[Path, str]:
    """Write the index, and the font its pages share when the characters they show changed; returns the font's key."""
    path = folder / INDEX_NAME
    page = index_page(rows, title, meta)
    chars = "".join(sorted(set(cjk_chars(page)).union(*(r.doc.chars for r in rows))))
    key = subset_key(chars)
    font = folder / "docs" / FONT_NAME
    if key != font_key or not font.is_file():
        write_atomic(font, subset_woff(chars))
    write_atomic(path, page)
    return path, key


def write_export(folder: Path, rows: Sequence[Row], findings: Callable[[str], list[dict]], max_rows: int = SHEET_ROWS) -> Path:
    """Every finding of every document as one workbook sheet, and the documents on a second.

    ``findings(sha256)`` gives a document's findings (from the store): they are never all in memory at once, and
    each row is written as it comes (:mod:`xteval.files.rowbook`; every text stays text, never a formula).
    """
    ordered = sorted(rows, key=lambda r: r.name)

    def found():
        yield ["文件", "单位", "年度", "文档类型", "结果", "检查项", "说明", "行号", "原文"]
        room, left = max_rows - 2, 0  # the header, and one row to say what did not fit
        for r in ordered:
            d = r.doc
            for f in findings(d.sha256) if d.status == "ok" else ():
                if room <= 0:
                    left += 1
                    continue
                room -= 1
                status = STATUS_TEXT.get(f.get("status"), "")
                title, message = (in_words(f.get(k) or "") for k in ("title", "message"))  # ids in the report's words, as on the page
                yield [r.name, d.unit, d.year, d.kind_title, status, title, message, f.get("line"), f.get("quote")]
        if left:
            yield [f"另有 {left} 条未列出：超过一张工作表的行数上限，请看各文档的检查页（docs/）"]

    def documents():
        yield ["文件", "单位", "年度", "文档类型", "不符", "提示", "页数", "状态"]
        for r in ordered:
            d = r.doc
            yield [
                r.name,
                d.unit,
                d.year,
                d.kind_title,
                d.fails,
                d.warns,
                d.pages,
                "已读取" if d.status == "ok" else f"无法读取：{d.reason}",
            ]

    sheets = [
        Sheet("全部问题", (28, 24, 8, 22, 8, 30, 60, 8, 60), found()),
        Sheet("文档", (28, 24, 8, 22, 8, 8, 8, 40), documents()),
    ]
    path = folder / EXPORT_NAME
    write_with(path, lambda tmp: write_rows(tmp, sheets))
    return path
