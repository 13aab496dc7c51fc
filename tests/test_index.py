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
    rows = re.findall(r'<tr class="(\w+)(?: findings)?">', page)  # findings: a run with 不符 items
    assert rows == [cls] and shown in page
    assert page.count(f'<tr class="{cls} error">') == (1 if error else 0)  # an error is a row of its own under its run
    assert ('href="2023/x.html"' in page) == bool(meta)  # links only to outputs that exist


def test_index_is_chinese_failures_first_and_the_grade_shows_its_failures(tmp_path, monkeypatch):
    from xteval.render import localtime

    monkeypatch.setenv("XTEVAL_TZ", "Asia/Shanghai")
    localtime.zone_name.cache_clear()
    out = tmp_path / "outputs"
    page = write_index(
        out,
        [
            _outcome(out, "a", "ok", year=2023, unit="甲", total="97.77", grade="优", fail=3, warn=1, run_at="2026-11-25T08:27:16+00:00"),
            _outcome(out, "b", "ok", year=2023, unit="乙", total="100.00", grade="优", fail=0, score_illustrative=True),
            _outcome(out, "c", "failed", "cell 2: ValueError: x", year=2023, status="failed"),
        ],
    ).read_text(encoding="utf-8")
    assert "<h1>绩效评价批量运行</h1>" in page and "<title>绩效评价批量运行</title>" in page
    assert "97.77 优（另有不符 3 项，待核实）" in page and "100.00 优（示例）" in page
    names = re.findall(r'<tr class="[^"]*"><td>2023</td><td>2023/(\w)\.yaml</td>', page)
    assert names == ["c", "a", "b"]  # the failed run, then the one with 不符 items, then the rest
    assert "2026年11月25日 16:27" in page and "北京时间" in page
    localtime.zone_name.cache_clear()
    for latin in ("Batch", "runs", "fail<", "warn<", "ok<", "T08:27"):
        assert latin not in page, latin


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
