"""outputs/index.html: rows from notebook metadata, failures red, self-contained, escaped."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from xteval.runner.batch import Job, Outcome
from xteval.runner.index import write_index


def _executed(path: Path, **meta) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["xteval"] = meta
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    path.with_suffix(".html").write_text("<html></html>", encoding="utf-8")
    return str(path)


def _outcome(out: Path, name: str, state: str, error: str | None = None, **meta) -> Outcome:
    ipynb = _executed(out / "2023" / f"{name}.ipynb", **meta) if meta else str(out / "2023" / f"{name}.ipynb")
    job = Job(f"params/2023/{name}.yaml", f"2023/{name}", "2023", ipynb, str(Path(ipynb).with_suffix(".html")))
    return Outcome(job, state, 1.25, error)


@pytest.mark.parametrize(
    ("status", "meta", "error", "shown", "cls"),
    [
        ("ok", {"year": 2023, "unit": "湘潭", "total": "91.5", "grade": "优", "fail": 0, "warn": 2}, None, "91.5", "ok"),
        ("skipped", {"year": 2023, "seconds": 3.4, "fail": 1, "warn": 0}, None, "3.4", "skipped"),
        ("failed", {"year": 2023, "status": "failed"}, "cell 13: InputError: gone.txt", "gone.txt", "failed"),
        ("invalid", {}, "p.yaml: year: 应为整数 <b>", "&lt;b&gt;", "invalid"),
    ],
)
def test_one_row_per_run_from_metadata(tmp_path, status, meta, error, shown, cls):
    out = tmp_path / "outputs"
    path = write_index(out, [_outcome(out, "x", status, error, **meta)])
    page = path.read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="(\w+)">', page)
    assert rows == [cls] and shown in page
    assert ('href="2023/x.html"' in page) == bool(meta)  # links only to outputs that exist


def test_failed_rows_are_red_and_the_page_is_self_contained(tmp_path):
    out = tmp_path / "outputs"
    page = write_index(
        out,
        [
            _outcome(out, "a", "ok", year=2023, total="88", grade="良"),
            _outcome(out, "b", "failed", "cell 2: ValueError: x", year=2023, status="failed"),
        ],
    ).read_text(encoding="utf-8")
    assert re.search(r"tr\.failed td[^{]*\{[^}]*background:#fdd", page)
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page) and "@import" not in page
