"""One document of an intake, read and checked in a worker process: what the store keeps, and its pages.

The worker imports the reader once (the pool's processes stay warm across documents) and returns plain
data: the parent writes the pages and the store, so a worker never leaves a file half-written.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..audit import audit_file, read_source, render_html
from ..audit.reconcile import figure_records
from ..errors import InputError, one_line
from ..files import read_input, sha256_bytes
from ..render.fonts import cjk_chars, link_font
from .triage import FONT_NAME

FINDING_STATUSES = ("fail", "warn")  # a pass is not a finding: the index and the export list these


def leave_with(parent_pid: int) -> None:
    """End this worker as soon as the intake that started it ends, however it ends (even ``kill -9``).

    A pool worker's parent is the forkserver, and the queue it waits on is held open by its siblings,
    so nothing else tells it the intake is gone: it watches the intake through a pidfd (immune to pid
    reuse). It writes nothing, so it can leave at once.
    """
    import os
    import select
    import threading

    try:
        pidfd = os.pidfd_open(parent_pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        return  # no pidfd (not Linux): the pool's own shutdown still ends the worker on a clean exit

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(0)

    threading.Thread(target=watch, name="xteval-intake-watchdog", daemon=True).start()


def read_one(path: str, stem: str) -> dict[str, Any]:
    """Read and check one report; never raises for the document's own faults (they are its result)."""
    started = time.process_time()
    try:
        document = read_source(path)
    except InputError as exc:  # stored by its content too, so an unchanged bad file is not read again
        return {"status": "unreadable", "reason": exc.reason, "sha256": _content_hash(path), "seconds": time.process_time() - started}
    try:
        report, extraction, suite = audit_file(document)
    except InputError as exc:
        return {"status": "unreadable", "reason": exc.reason, "sha256": document.sha256, "seconds": time.process_time() - started}
    except Exception as exc:  # a fault in xteval itself: the document is listed with it, the intake goes on
        reason = f"xteval 内部错误，请报告 (internal error: {one_line(f'{type(exc).__name__}: {exc}')})"
        return {"status": "unreadable", "reason": reason, "sha256": document.sha256, "seconds": time.process_time() - started}
    doc = extraction.document
    figures = [r.to_dict() for r in figure_records(doc)]
    checks = suite.to_dicts()
    model = extraction.model
    unit = getattr(getattr(model, "unit", None), "name", None)
    page_name = f"{stem}-{document.sha256[:10]}"
    # each page embedding its own subset costs seconds of fontTools a page: the pages share one (FONT_NAME)
    page = link_font(render_html(suite, report, title=f"报告勾稽检查：{Path(path).name}", embed=False), FONT_NAME)
    # Serialised here, once: the page's JSON and the store hold the same figures, and a string crosses to the intake
    # for nothing where lists of dicts are pickled and unpickled.
    figures_json = _compact(figures)
    head = {"report": Path(path).name, "kind": doc.kind.id if doc.kind else None, "counts": suite.counts, "checks": checks}
    record_json = _compact(head)[:-1] + ',"figures":' + figures_json + "}"  # {"report":…,"checks":[…],"figures":[…]}
    return {
        "status": "ok",
        "sha256": document.sha256,
        "kind": doc.kind.id if doc.kind else None,
        "kind_title": doc.kind.title if doc.kind else None,
        "unit": unit if unit and unit != "未注明" else None,
        "year": extraction.year or doc.year,
        "pages": len(document.pages) or None,
        "fails": suite.counts.get("fail", 0),
        "warns": suite.counts.get("warn", 0),
        "passes": suite.counts.get("pass", 0),
        "figure_count": len(figures),
        "page_name": page_name,
        "findings_json": _compact([_finding(c) for c in checks if c.get("status") in FINDING_STATUSES]),
        "figures_json": figures_json,
        "html": page,
        "chars": cjk_chars(page),
        "json": record_json,
        "seconds": time.process_time() - started,
    }


def _compact(value: Any) -> str:
    """JSON without spaces, non-ASCII as itself (the C encoder: 6 ms a document less than indented)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _content_hash(path: str) -> str | None:
    """The file's content hash when it can be read as bytes within the caps (a FIFO, a huge or missing file has none)."""
    try:
        return sha256_bytes(read_input(path))
    except (OSError, InputError):
        return None


def _finding(check: dict[str, Any]) -> dict[str, Any]:
    """The part of a check record the index, the export and the year summary show: status, id, message, reason, first line and quote."""
    evidence = check.get("evidence") or [{}]
    first = evidence[0] if isinstance(evidence[0], dict) else {}
    return {
        "status": check.get("status"),
        "id": check.get("id"),
        "title": check.get("title"),
        "message": check.get("message"),
        "reason": check.get("reason"),
        "line": first.get("line"),
        "quote": first.get("quote"),
    }
