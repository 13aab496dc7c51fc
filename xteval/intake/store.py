"""The results store of an intake: SQLite in the output folder, no server.

One row per document read, keyed by the content hash of its file and the version of the reader (the
sources and YAML of the modules that read and check a report, :func:`reader_version`): a rerun reads
only what is new or changed, and a change of the rules reads everything again. A second table records
the files of the last intake by path, with their size and modification time, so a rerun knows an
unchanged file without reading it.

Each document is committed on its own, in WAL mode: an intake killed midway keeps every document
already stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import WriteError
from ..files import RESULTS_STORE

STORE_NAME = RESULTS_STORE  # the year summary reads it too (``documents`` in its params)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents(
  sha256 TEXT NOT NULL, reader TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
  kind TEXT, kind_title TEXT, unit TEXT, year INTEGER, pages INTEGER,
  fails INTEGER NOT NULL DEFAULT 0, warns INTEGER NOT NULL DEFAULT 0, passes INTEGER NOT NULL DEFAULT 0,
  figure_count INTEGER NOT NULL DEFAULT 0, page_name TEXT NOT NULL DEFAULT '', findings TEXT NOT NULL DEFAULT '[]',
  figures TEXT NOT NULL DEFAULT '[]', seconds REAL NOT NULL DEFAULT 0, chars TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (sha256, reader));
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
  path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL);
"""
# The modules whose code or data decide what a report reads as: a change to any of them is a new reader.
_READER_PARTS = ("audit", "files", "rules", "checks.py", "money.py", "dates.py", "yamlio.py", "intake/worker.py", "intake/store.py")


@cache
def reader_version() -> str:
    """A hash of the package version and every source and YAML file that reads or checks a report."""
    from .. import __version__

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for part in _READER_PARTS:
        base = root / part
        files = sorted(p for p in (base.rglob("*") if base.is_dir() else [base]) if p.suffix in (".py", ".yaml") and p.is_file())
        for p in files:
            digest.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Stored:
    """One document's row: what the triage index and the export show."""

    sha256: str
    status: str  # ok, unreadable
    reason: str = ""
    kind: str | None = None
    kind_title: str | None = None
    unit: str | None = None
    year: int | None = None
    pages: int | None = None
    fails: int = 0
    warns: int = 0
    passes: int = 0
    figure_count: int = 0
    page_name: str = ""
    seconds: float = 0.0
    chars: str = ""  # the CJK characters its page shows: the shared font covers them


class Store:
    """The intake's SQLite file: documents by (content hash, reader), files by path."""

    def __init__(self, folder: Path):
        self.path = folder / STORE_NAME
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)  # autocommit: each write is its own transaction
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise WriteError(f"结果库无法打开或已损坏，请删除后重试 (results store unusable: {exc})", file=self.path) from None
        self.reader = reader_version()

    def close(self) -> None:
        self.db.close()

    def known(self, path: str, size: int, mtime_ns: int, inode: int) -> str | None:
        """The content hash of a file unchanged since the last intake (same size, time and inode), else None."""
        row = self.db.execute("SELECT sha256, size, mtime_ns, inode FROM files WHERE path=?", (path,)).fetchone()
        return row[0] if row and tuple(row[1:]) == (size, mtime_ns, inode) else None

    def get(self, sha256: str) -> Stored | None:
        """The stored reading of a content under this reader, or None; its findings stay in the store (:meth:`findings`)."""
        cur = self.db.execute(
            "SELECT sha256, status, reason, kind, kind_title, unit, year, pages, fails, warns, passes, figure_count,"
            " page_name, seconds, chars FROM documents WHERE sha256=? AND reader=?",
            (sha256, self.reader),
        )
        row = cur.fetchone()
        if row is None:
            return None
        *head, seconds, chars = row
        return Stored(*head, seconds=seconds, chars=chars)

    def findings(self, sha256: str) -> list[dict[str, Any]]:
        """A stored document's 不符 and 提示."""
        row = self.db.execute("SELECT findings FROM documents WHERE sha256=? AND reader=?", (sha256, self.reader)).fetchone()
        return json.loads(row[0]) if row else []

    def put(self, doc: Stored, findings: str, figures: str, path: str, stat: tuple[int, int, int]) -> None:
        """Store one document's reading and the file it came from, in one transaction.

        ``findings`` and ``figures``: their JSON, as the worker wrote it (:func:`~xteval.intake.worker.read_one`).
        """
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.sha256, self.reader, doc.status, doc.reason, doc.kind, doc.kind_title, doc.unit, doc.year, doc.pages,
                 doc.fails, doc.warns, doc.passes, doc.figure_count, doc.page_name,
                 findings, figures, doc.seconds, doc.chars),
            )  # fmt: skip
            self.remember(path, doc.sha256, stat)

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def remember(self, path: str, sha256: str, stat: tuple[int, int, int]) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)", (path, sha256, *stat))

    def _transaction(self):
        db = self.db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind, exc, tb):
                db.execute("COMMIT" if kind is None else "ROLLBACK")

        return _Tx()

    def figures(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Every stored document's figures under this reader (the year summary's source of unit figures)."""
        for sha, figures in self.db.execute("SELECT sha256, figures FROM documents WHERE reader=? AND status='ok'", (self.reader,)):
            yield sha, json.loads(figures)


def year_documents(folder: Path, year: int) -> list[dict[str, Any]]:
    """The documents of a year an intake stored in ``folder`` (read under this reader, status ok), read-only.

    The year summary shows them beside the units' appendices. Each is a dict of ``unit``, ``kind_title``,
    ``fails``, ``warns``, ``page_name``, ``findings`` and ``figures`` (the figure records: ``id``, ``observed``).

    Raises:
        InputError: the folder holds no results store, or a link in its place, or a store SQLite cannot read.
    """
    from ..errors import InputError

    path = Path(folder) / STORE_NAME
    if path.is_symlink() or not path.is_file():
        raise InputError(f"不是批量检查的输出目录（其中没有 {STORE_NAME}） (no results store)", file=folder)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT unit, kind_title, fails, warns, page_name, findings, figures FROM documents"
                " WHERE reader=? AND status='ok' AND year=? ORDER BY unit, page_name",
                (reader_version(), int(year)),
            ).fetchall()
        finally:
            db.close()
        keys = ("unit", "kind_title", "fails", "warns", "page_name")
        return [{**dict(zip(keys, row[:5], strict=True)), "findings": json.loads(row[5]), "figures": json.loads(row[6])} for row in rows]
    except (sqlite3.DatabaseError, ValueError) as exc:  # a damaged file, or JSON that is not the store's
        raise InputError(f"结果库无法读取或已损坏 (results store unreadable: {type(exc).__name__})", file=path) from None
