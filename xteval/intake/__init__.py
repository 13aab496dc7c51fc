"""A year's documents at once: ``xteval check PATH... --out DIR``.

Every report under the paths (any format ``check`` reads) is read and checked in warm worker processes,
across the cores: the reader is imported once per worker, not once per file. Each document gets a findings
page and its JSON under ``DIR/docs/``; the triage index (``DIR/index.html``) and the export of every
finding (``DIR/findings.xlsx``) are rebuilt from the results store (``DIR/xteval-results.sqlite``).

A rerun reads only new or changed documents: a file whose size, time and inode are those of the last
intake, and whose reading under the current reader is stored, is not read again. An intake killed midway
keeps every document it stored; the next one goes on from there.

Nothing is written outside ``DIR``; a document that cannot be read is a row of the index with its reason.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, WriteError
from ..files import LINK_REFUSED, write_atomic
from .store import STORE_NAME, Store, Stored, reader_version
from .triage import EXPORT_NAME, INDEX_NAME, Row, page_stem, write_export, write_index

__all__ = ["EXPORT_NAME", "INDEX_NAME", "STORE_NAME", "IntakeSummary", "collect", "intake", "reader_version"]

READABLE = (".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx", ".xls")
MAX_DOCUMENTS = 100_000  # a year of a province's units is some thousands


@dataclass
class Found:
    """A file the intake will show: its name under its root, its path, and its stat (or why it is refused)."""

    name: str
    path: Path
    stat: tuple[int, int, int] = (0, 0, 0)
    refused: str = ""


@dataclass
class IntakeSummary:
    rows: list[Row] = field(default_factory=list)
    read: int = 0  # documents read in this intake (the rest came from the store)
    index: Path | None = None
    export: Path | None = None

    @property
    def fails(self) -> int:
        return sum(r.doc.status == "ok" and r.doc.fails > 0 for r in self.rows)

    @property
    def unreadable(self) -> int:
        return sum(r.doc.status != "ok" for r in self.rows)


def collect(paths: Sequence[str | Path], out: Path) -> list[Found]:
    """Every report file under the paths, in order; a missing path is refused before any work (exit 2).

    Links are not followed: a linked file or folder inside a tree is listed as refused, with the reason.
    Files inside the output folder and hidden files are not reports of the intake.
    """
    found: list[Found] = []
    out_abs = Path(os.path.abspath(out))
    for given in map(Path, paths):
        if not given.exists() and not given.is_symlink():
            raise InputError("不存在 (no such file or folder)", file=given)
        if given.is_symlink():
            found.append(Found(given.name, given, refused=LINK_REFUSED))
        elif given.is_dir():
            found += _walk(given, out_abs)
        else:
            found.append(_found(given.name, given))
        if len(found) > MAX_DOCUMENTS:
            raise InputError(f"文件超过 {MAX_DOCUMENTS:,} 份，请分批处理 (too many documents)", file=given)
    return found


def _walk(root: Path, out_abs: Path) -> list[Found]:
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and Path(os.path.abspath(here / d)) != out_abs)
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in READABLE:
                continue
            path = here / name
            found.append(_found((path.relative_to(root.parent)).as_posix(), path))
        for d in [d for d in dirs if (here / d).is_symlink()]:  # os.walk lists a linked folder but does not enter it
            found.append(Found((here / d).relative_to(root.parent).as_posix(), here / d, refused=LINK_REFUSED))
    return found


def _found(name: str, path: Path) -> Found:
    info = path.lstat()
    if path.is_symlink() or info.st_nlink > 1:
        return Found(name, path, refused=LINK_REFUSED)
    return Found(name, path, (info.st_size, info.st_mtime_ns, info.st_ino))


def intake(
    paths: Sequence[str | Path], out: str | Path, *, jobs: int | None = None, force: bool = False,
    progress: Callable[[int, int, str], None] | None = None, executor: str = "local", scheduler: str | None = None,
) -> IntakeSummary:  # fmt: skip
    """Read and check every report under the paths into ``out`` (see the module's docstring).

    Args:
        paths: files and folders.
        out: the output folder (created); the store, the pages, the index and the export live in it.
        jobs: worker processes (default: the cores); 1 reads in this process.
        force: read every document again, whatever the store holds.
        progress: called after each document read, with (done, total, name).
        executor: ``local`` (a warm process pool here) or ``dask`` (:mod:`.scaled`: a cluster, as the batch).
        scheduler: with ``dask``, the address of a running scheduler (default: a local cluster).

    Raises:
        InputError: a path does not exist. WriteError: the output folder cannot be written.
    """
    if executor not in ("local", "dask"):
        raise InputError(f"未知 executor {executor!r} (local or dask)", field="--executor")
    out = Path(out)
    found = collect(paths, out)
    try:
        (out / "docs").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建输出目录 (cannot create: {exc.strerror})", file=out) from None
    store = Store(out)
    try:
        summary = IntakeSummary()
        rows: dict[int, Row] = {}
        todo = _plan(found, store, out, force, rows)
        summary.read = len(todo)
        for done, (i, result) in enumerate(_read(todo, found, jobs, executor, scheduler), 1):
            rows[i] = Row(found[i].name, _keep(result, found[i], store, out))
            if progress is not None:
                progress(done, len(todo), found[i].name)
        summary.rows = [rows[i] for i in range(len(found))]
        summary.index, summary.export = out / INDEX_NAME, out / EXPORT_NAME
        shown = _fingerprint(store.reader, summary.rows)
        if summary.read or shown != store.meta("shown") or not (summary.index.is_file() and summary.export.is_file()):
            meta = f"读取规则版本 {store.reader[:8]}；文档未变时沿用已存结果，只读取新增或改动的文档。"
            _, font_key = write_index(out, summary.rows, "文档检查索引", meta, store.meta("font"))
            store.set_meta("font", font_key)
            write_export(out, summary.rows, store.findings)
            store.set_meta("shown", shown)
        return summary
    finally:
        store.close()


def _fingerprint(reader: str, rows: list[Row]) -> str:
    """What the index and the export show, as a hash: an unchanged rerun leaves both as they are."""
    import hashlib

    digest = hashlib.sha256(reader.encode())
    for r in rows:
        digest.update(f"{r.name}\0{r.doc.sha256}\0{r.doc.status}\0{r.doc.reason}\n".encode())
    return digest.hexdigest()


def _plan(found: list[Found], store: Store, out: Path, force: bool, rows: dict[int, Row]) -> list[int]:
    """The documents to read; the others' rows are filled from the store (or their refusal)."""
    todo = []
    for i, f in enumerate(found):
        if f.refused:
            rows[i] = Row(f.name, Stored("", "unreadable", f.refused))
            continue
        sha = None if force else store.known(str(f.path.resolve()), *f.stat)
        stored = store.get(sha) if sha else None
        if stored is not None and (stored.status != "ok" or (out / "docs" / f"{stored.page_name}.html").is_file()):
            rows[i] = Row(f.name, stored)
        else:
            todo.append(i)
    return todo


def _read(todo: list[int], found: list[Found], jobs: int | None, executor: str = "local", scheduler: str | None = None):
    """(index, result) of each document to read, as they finish: in this process, in a warm pool, or on dask."""
    if not todo:
        return  # nothing to read: the reader is not even imported
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if executor == "dask":
        from .scaled import read_on_dask

        yield from read_on_dask([(i, str(found[i].path), page_stem(found[i].path.name)) for i in todo], jobs, scheduler)
        return
    from .worker import leave_with, read_one

    if jobs == 1:
        for i in todo:
            yield i, read_one(str(found[i].path), page_stem(found[i].path.name))
        return
    import concurrent.futures as cf

    from ..runner.executors import forkserver

    context = forkserver(["xteval.intake.worker"])  # the reader is imported once, in the server
    waiting = iter(todo)
    pending: dict[cf.Future, int] = {}
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=leave_with, initargs=(os.getpid(),)) as pool:
        try:
            while True:
                # a few documents in flight per worker: results are taken as they come, so memory stays flat
                for i in itertools.islice(waiting, jobs * 4 - len(pending)):
                    pending[pool.submit(read_one, str(found[i].path), page_stem(found[i].path.name))] = i
                if not pending:
                    return
                finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    yield pending.pop(future), future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _keep(result: dict, f: Found, store: Store, out: Path) -> Stored:
    """Write a document's pages, then store its reading (so a stored document always has its pages)."""
    fields = {k: result.get(k) for k in Stored.__dataclass_fields__ if k in result}
    doc = Stored(**{**fields, "sha256": result.get("sha256") or "", "reason": result.get("reason") or ""})
    if doc.status == "ok":
        base = out / "docs" / doc.page_name
        write_atomic(base.with_name(base.name + ".html"), result["html"])
        write_atomic(base.with_name(base.name + ".json"), result["json"])
    if doc.sha256:  # a file that could not even be read has no content hash to key it
        store.put(doc, result.get("findings_json") or "[]", result.get("figures_json") or "[]", str(f.path.resolve()), f.stat)
    return doc  # its findings and figures live in the store only: the intake's memory stays flat


def print_summary(summary: IntakeSummary, stream=None) -> None:
    stream = stream or sys.stdout
    print(
        f"{len(summary.rows)} 份文档：本次读取 {summary.read} 份；有不符 {summary.fails} 份，无法读取 {summary.unreadable} 份",
        file=stream,
    )
    print(f"索引：{summary.index}", file=stream)
    print(f"全部问题：{summary.export}", file=stream)
