"""Notebook hygiene and end-to-end runs."""

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from xteval.runner.run import run_params

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_annotated_parameters(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    assert re.search(r"^params_path: str = .+#\s*\S", src, re.M), "parameters need a type and a help comment"


@pytest.fixture(scope="module")
def department_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return run_params(ROOT / "params" / "2023" / "department.yaml", out)


def test_department_html_shows_totals_and_no_code(department_run):
    html = department_run.html.read_text(encoding="utf-8")
    for figure in [
        "11,191.02",
        "11,168.82",
        "1,329.07",
        "9,839.75",
        "22.20",
        "11,188.83",
        "902.33",
        "775.02",
        "127.31",
        "10,286.50",
        "591.26",
        "9,695.24",
    ]:
        assert figure in html, figure
    assert "总收入 = 财政拨款收入 + 其他收入" in html and "通过" in html
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    for code in ("load_params(", "report.show", "import xteval", "from xteval", "params_path"):
        assert code not in body, code
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|jp-InputPrompt|highlight)', body)
    assert not re.search(r'(src|href)="https?://', html)
    assert "@font-face" in html  # the CJK subset travels with the page
    assert "示例数据" in html  # weights are illustrative, so the notice shows


def test_department_notebook_records_metadata(department_run):
    nb = nbformat.read(department_run.ipynb, as_version=4)
    meta = nb.metadata["xteval"]
    # fail counts params checks plus the source report's text audit: the seed text has 3 real fails
    # (9 月 31 日, the lease's full-year fee ≠ its periods, “已支付” contradicted by a 2024 payment date)
    assert meta["status"] == "ok" and meta["year"] == 2023 and meta["fail"] == 3
    assert len(meta["params_hash"]) == 64


def test_plain_papermill_cli_runs_the_notebook(tmp_path):
    out = tmp_path / "out.ipynb"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(ROOT / "notebooks" / "department.ipynb"),
            str(out),
            "-p",
            "params_path",
            str(ROOT / "params" / "2023" / "department.yaml"),
            "--cwd",
            str(ROOT / "notebooks"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "11,191.02" in out.read_text(encoding="utf-8")


def test_charts_have_no_missing_glyphs():
    from xteval.department import charts
    from xteval.params import load_params

    p = load_params(ROOT / "params" / "2023" / "department.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a UserWarning
        for fig in (charts.composition_chart(p), charts.three_public_chart(p)):
            fig.savefig(Path("/dev/null"), format="png")


def test_department_lists_each_check_once_and_records_what_it_shows(department_run):
    """One reconciliation section: the params checks, then only what the report text adds."""
    html = department_run.html.read_text(encoding="utf-8")
    assert html.count("报告勾稽检查") == 0 and "勾稽检查" in html
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S) for r in rows]
    checks = [c for c in cells if len(c) == 8 and c[1].strip() in ("不符", "提示", "通过")]
    shown = [(c[0].strip(), c[6].strip(), c[7].strip()) for c in checks]  # title, message, quote
    assert len(shown) == len(set(shown)), [s for s in shown if shown.count(s) > 1]
    record = department_run.record
    assert record["fail"] == sum(c[1].strip() == "不符" for c in checks) == 3
    assert record["warn"] == sum(c[1].strip() == "提示" for c in checks) == 13
