"""``xteval check PATH... --out DIR``: a folder of documents at once, kept in a results store.

Each test reads the project's own corpus (tests/fixtures/documents): what the intake says of each
document must be what ``xteval check`` says of it alone; a rerun reads only what changed; an intake
stopped midway resumes from its store; nothing is written outside the output folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from conftest import needs
from openpyxl import load_workbook

import xteval
from xteval.intake import EXPORT_NAME, INDEX_NAME, STORE_NAME, intake
from xteval.intake.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "documents"
XTEVAL = str(Path(sys.executable).with_name("xteval"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Eight documents of four kinds in two sub-folders, as a bureau receives them."""
    inbox = tmp_path / "inbox"
    for kind in ("dept_selfeval", "final_accounts", "project_selfeval", "selfeval_table"):
        (inbox / kind).mkdir(parents=True)
        for src in sorted((CORPUS / kind).glob("*.txt"))[:2]:
            shutil.copy(src, inbox / kind / src.name)
    return inbox


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def stored(out: Path) -> int:
    """Documents in the store; 0 while the intake has not yet made it (its file may exist before its tables)."""
    db = sqlite3.connect(f"file:{out / STORE_NAME}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def test_each_document_reads_as_check_reads_it_alone(folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    summary = intake([folder], out, jobs=2)
    assert len(summary.rows) == 8 and summary.read == 8 and summary.unreadable == 0
    for row in summary.rows:
        alone = xteval.check(folder.parent / row.name)
        assert (row.doc.fails, row.doc.warns, row.doc.passes) == (alone.counts["fail"], alone.counts["warn"], alone.counts["pass"]), (
            row.name
        )
        assert row.doc.kind == (alone.kind.id if alone.kind else None)
        assert len(Store(out).findings(row.doc.sha256)) == alone.counts["fail"] + alone.counts["warn"]
        page = out / "docs" / f"{row.doc.page_name}.html"
        record = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))  # one JSON, its figures as the store's
        assert record["counts"] == alone.counts and len(record["checks"]) == len(alone.suite.results)
        assert record["figures"] == dict(Store(out).figures())[row.doc.sha256] and len(record["figures"]) == row.doc.figure_count
    index = (out / INDEX_NAME).read_text(encoding="utf-8")
    assert index.count("<tr class=") == 8 and all(row.name in index for row in summary.rows)
    assert "http://" not in index and "https://" not in index  # offline: no external request


def test_the_export_lists_every_finding_as_text(folder: Path, tmp_path: Path):
    planted = folder / "final_accounts" / "公式.txt"
    # a document whose line starts with "=": its quote must stay text in the export
    planted.write_text('=HYPERLINK("x") 本年收入合计100万元，其中财政拨款收入60万元，其他收入30万元。\n', encoding="utf-8")
    out = tmp_path / "out"
    summary = intake([folder], out, jobs=1)
    wb = load_workbook(out / EXPORT_NAME)
    found, docs = wb["全部问题"], wb["文档"]
    rows = list(found.iter_rows(min_row=2))
    assert len(rows) == sum(r.doc.fails + r.doc.warns for r in summary.rows) > 0
    assert any(str(c.value).startswith("=HYPERLINK") for row in rows for c in row)  # the planted line is there…
    assert all(c.data_type != "f" for row in found.iter_rows() for c in row)  # …and never a live formula
    assert docs.max_row == 1 + len(summary.rows)
    assert {r[4].value for r in rows} <= {"不符", "提示"}
    ids = re.compile(r"\b[a-z_]+\.[a-z_]+")  # a field id (income.total) is shown in the report's words, as on the page
    assert not [r[c].value for r in rows for c in (5, 6) if r[c].value and ids.search(r[c].value)]
    assert all(isinstance(r[7].value, int) for r in rows if r[7].value is not None)  # 行号 a number, sortable
    assert found.freeze_panes == "A2" and found.column_dimensions["G"].width == 60  # the header stays in view


def test_a_rerun_reads_only_what_changed(folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = intake([folder], out, jobs=1)
    written = {p: p.stat().st_mtime_ns for p in (out / INDEX_NAME, out / EXPORT_NAME)}
    again = intake([folder], out, jobs=1)
    assert again.read == 0 and [r.doc for r in again.rows] == [r.doc for r in first.rows]
    assert {p: p.stat().st_mtime_ns for p in written} == written  # nothing changed: nothing rewritten
    changed = folder / "dept_selfeval" / sorted(os.listdir(folder / "dept_selfeval"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补记：本年收入合计12.00万元。\n", encoding="utf-8")
    assert intake([folder], out, jobs=1).read == 1
    assert "补记" not in (out / INDEX_NAME).read_text(encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in written} != written  # one document changed: the index is rebuilt
    assert intake([folder], out, jobs=1, force=True).read == 8
    (out / "docs" / f"{first.rows[3].doc.page_name}.html").unlink()  # a page deleted by hand is written again
    assert intake([folder], out, jobs=1).read == 1


def test_an_interrupted_intake_keeps_what_it_stored(folder: Path, tmp_path: Path):
    out = tmp_path / "out"

    def stop_after_three(done: int, total: int, name: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        intake([folder], out, jobs=1, progress=stop_after_three)
    assert stored(out) == 3
    assert intake([folder], out, jobs=1).read == 5


def test_a_killed_intake_resumes_without_reading_stored_documents_again(folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [XTEVAL, "check", str(folder), "--out", str(out), "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while proc.poll() is None and not ((out / STORE_NAME).exists() and stored(out) >= 1):
            time.sleep(0.05)  # a wait, not a deadline: the kill lands whenever the first document is stored
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    before = stored(out)
    assert before >= 1
    resumed = intake([folder], out, jobs=1)
    assert resumed.read == 8 - before and stored(out) == 8


def test_unreadable_documents_and_links_are_rows_with_their_reason(folder: Path, tmp_path: Path):
    (folder / "损坏.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "link.txt").symlink_to(next((folder / "dept_selfeval").iterdir()))
    (folder / "notes.bin").write_bytes(b"\x00\x01")  # not a report's suffix: not taken
    out = tmp_path / "out"
    before = tree(folder)
    done = subprocess.run([XTEVAL, "check", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "无法读取 2 份" in done.stdout
    index = (out / INDEX_NAME).read_text(encoding="utf-8")
    assert "文件已损坏" in index and "是链接" in index
    assert tree(folder) == before  # nothing written beside the documents


def test_usage_errors_are_one_line_and_exit_2(folder: Path, tmp_path: Path):
    for argv in (
        ["check", str(tmp_path / "missing"), "--out", str(tmp_path / "o1")],
        ["check", str(folder)],  # a folder needs --out
        ["check", str(folder), "--out", str(tmp_path / "o2"), "--json"],
        ["check", str(folder), "--out", str(tmp_path / "o3"), "--jobs", "0"],
        ["check", str(sorted(CORPUS.glob("dept_selfeval/*.txt"))[0]), "--executor", "dask"],  # one file
        ["check", str(folder), "--out", str(tmp_path / "o4"), "--executor", "dask", "--scheduler", "not an address"],
    ):
        done = subprocess.run([XTEVAL, *argv], capture_output=True, text=True, timeout=600)
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("xteval: error:"), done.stderr
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_the_output_folder_inside_the_inbox_is_not_read(folder: Path):
    out = folder / "结果"
    first = intake([folder], out, jobs=1)
    again = intake([folder], out, jobs=1)
    assert len(first.rows) == len(again.rows) == 8 and again.read == 0


def test_one_file_without_out_behaves_as_before(tmp_path: Path):
    report = ROOT / "params" / "2023" / "sources" / "xiangtan-bigdata-2023.txt"
    done = subprocess.run([XTEVAL, "check", str(report)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 1 and done.stdout.startswith("文档类型：部门整体支出绩效自评报告")
    assert list(tmp_path.iterdir()) == []


def test_the_pages_share_one_font_that_covers_every_character_they_show(folder: Path, tmp_path: Path):
    from fontTools.ttLib import TTFont

    from xteval.render.fonts import cjk_chars

    out = tmp_path / "out"
    intake([folder], out, jobs=1)
    font = out / "docs" / "xteval-cjk.woff"
    covered = {chr(c) for c in TTFont(font).getBestCmap()}
    pages = [*sorted((out / "docs").glob("*.html")), out / INDEX_NAME]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "base64" not in text and 'url("' in text  # linked, not embedded
        assert set(cjk_chars(text)) <= covered, page.name
    (folder / "dept_selfeval" / "鑫淼犇骉.txt").write_text("本年收入合计12.00万元。\n", encoding="utf-8")  # its name is on its page
    intake([folder], out, jobs=1)  # a new document with new characters: the shared font grows to cover them
    assert set("鑫淼犇骉") <= {chr(c) for c in TTFont(font).getBestCmap()}


def test_kill_9_of_a_parallel_intake_leaves_no_worker(folder: Path, tmp_path: Path):
    from processes import tagged, wait_gone

    tag = f"XTEVAL_INTAKE_TEST={os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    for copy in range(1, 30):  # enough documents that the kill lands mid-intake, however fast the machine
        for src in sorted(folder.rglob("*.txt"))[:8]:
            shutil.copy(src, src.with_name(f"{copy}-{src.name}"))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [XTEVAL, "check", str(folder), "--out", str(out), "--jobs", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while proc.poll() is None and len(tagged(tag)) < 3:  # the intake, its forkserver and a worker
            time.sleep(0.05)
        proc.kill()
        assert proc.wait(timeout=600) == -signal.SIGKILL  # killed mid-intake, not finished
    finally:
        if proc.poll() is None:
            proc.kill()
    # the workers watch the intake and leave with it; the forkserver and its tracker follow them
    assert wait_gone(tagged(tag), timeout=600) == []


def test_a_dask_intake_gives_what_the_local_one_gives_and_resumes_from_the_same_store(folder: Path, tmp_path: Path):
    """Issue 23 item 4: the intake on a dask cluster (a LocalCluster here) as the batch runs on one."""
    needs("distributed", "dask")
    local = intake([folder], tmp_path / "local", jobs=2)
    out = tmp_path / "dask"
    # a second cluster on the machine holds the port dask's HTTP server would take by default: no warning for it
    with socket.socket() as taken, warnings.catch_warnings(record=True) as caught:
        with contextlib.suppress(OSError):  # taken already: as good
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        warnings.simplefilter("always")
        on_dask = intake([folder], out, jobs=2, executor="dask")
    assert not [w for w in caught if "8787" in str(w.message)]
    assert on_dask.read == 8
    assert [(r.name, r.doc.sha256, r.doc.fails, r.doc.warns, r.doc.passes) for r in on_dask.rows] == [
        (r.name, r.doc.sha256, r.doc.fails, r.doc.warns, r.doc.passes) for r in local.rows
    ]
    assert all((out / "docs" / f"{r.doc.page_name}.html").is_file() for r in on_dask.rows)
    assert intake([folder], out, jobs=1).read == 0  # the store is the store, whoever read into it


def test_a_new_reader_version_reads_every_document_again(folder: Path, tmp_path: Path, monkeypatch):
    """The store is keyed by content and by the version of the rules and kinds that read it."""
    from xteval.intake import store

    out = tmp_path / "out"
    assert intake([folder], out, jobs=1).read == 8
    assert intake([folder], out, jobs=1).read == 0
    monkeypatch.setattr(store, "reader_version", lambda: "a-new-reader")
    again = intake([folder], out, jobs=1)
    assert again.read == 8 and all(r.doc.status == "ok" for r in again.rows)


def test_a_long_tmpdir_does_not_break_the_parallel_intake(folder: Path, tmp_path: Path):
    """The forkserver's Unix socket lives under TMPDIR and a socket path must fit in 107 bytes: a long
    TMPDIR (a deep home, a CI runner's work folder) was an internal error, exit 3, before any document."""
    deep = tmp_path / ("临时目录" * 8) / ("t" * 40)
    deep.mkdir(parents=True)
    assert len(os.fsencode(str(deep))) > 107  # the forkserver listener's path could not fit under it
    out = tmp_path / "out"
    r = subprocess.run(
        [XTEVAL, "check", str(folder), "--out", str(out), "--jobs", "2"],
        env={**os.environ, "TMPDIR": str(deep)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode in (0, 1), r.stderr  # 1: the folder's documents have findings
    assert "internal error" not in r.stderr
    assert len(list((out / "docs").glob("*.html"))) == 8


def test_findings_past_a_sheets_rows_are_counted_in_a_last_row(folder: Path, tmp_path: Path):
    from xteval.intake.triage import write_export

    out = tmp_path / "out"
    summary = intake([folder], out, jobs=1)
    total = sum(r.doc.fails + r.doc.warns for r in summary.rows)
    write_export(out, summary.rows, Store(out).findings, max_rows=12)
    rows = [[c.value for c in row] for row in load_workbook(out / EXPORT_NAME)["全部问题"].iter_rows()]
    assert len(rows) == 12 and rows[-1][0] == f"另有 {total - 10} 条未列出：超过一张工作表的行数上限，请看各文档的检查页（docs/）"
