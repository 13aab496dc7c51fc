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

NOTEBOOKS = sorted((ROOT / "xteval" / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_annotated_parameters(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    assert re.search(r"^params_path: str = .+#\s*\S", src, re.M), "parameters need a type and a help comment"


MAX_CODE_LINES = 30


def _code_lines(cell) -> list[str]:
    return [x for x in "".join(cell["source"]).splitlines() if x.strip() and not x.strip().startswith("#")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_thin_notebooks_call_the_library_and_each_cell_runs_again_on_its_own(path):
    """At most 30 code lines; xteval reached through ``xteval``/``xteval.api`` (and the panel); every name bound once.

    A section cell binds no name at all, so running it again after a first run shows the same
    thing: it only reads what the first cells bound.
    """
    import ast

    code = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert sum(len(_code_lines(c)) for c in code) <= MAX_CODE_LINES
    bound: list[str] = []
    for cell in code:
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert module in ("xteval", "xteval.api"), module
                bound += [a.asname or a.name for a in node.names]
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.append(node.id)
    assert len(bound) == len(set(bound)), bound


@pytest.fixture(scope="module")
def department_run(tmp_path_factory, forked_kernels):
    """The seed department run as a batch worker runs it (a kernel forked from the warm template, see conftest): the
    module's two runs fork theirs, where each started a kernel that imported the notebook stack afresh. The plain
    kernel's run stays tested below by papermill's own command."""
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
            str(ROOT / "xteval" / "notebooks" / "department.ipynb"),
            str(out),
            "-p",
            "params_path",
            str(ROOT / "params" / "2023" / "department.yaml"),
            "--cwd",
            str(ROOT / "xteval" / "notebooks"),
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
    """One reconciliation section: the params checks, then only what the report text adds; 通过 folded into a count."""
    html = department_run.html.read_text(encoding="utf-8")
    assert html.count("报告勾稽检查") == 0 and "勾稽检查" in html
    table = html.split('<table class="xt-table xt-checks">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="xt-(fail|warn|pass)">(.*?)</tr>', table, flags=re.S)
    cells = [(status, re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)) for status, body in rows]
    shown = [(c[0].strip(), c[6].strip()) for status, c in cells if status != "pass"]  # title, message with its quote
    assert len(shown) == len(set(shown)), [s for s in shown if shown.count(s) > 1]
    statuses = [status for status, _ in rows]
    assert statuses == sorted(statuses, key=("fail", "warn", "pass").index) and statuses.count("pass") == 1  # severity order
    record = department_run.record
    assert record["fail"] == statuses.count("fail") == 3
    assert record["warn"] == statuses.count("warn") == 13
    folded = cells[-1][1][2]
    assert f"共 {record['passed']} 项" in folded and record["passed"] > 10
    assert "规则版本" not in table  # the rule version is shown once, in the footer
    assert sum(record["reasons"].values()) == record["fail"] + record["warn"]
    assert [f["title"] for f in record["failures"]] == [re.sub(r"<[^>]+>", "", c[0]) for s, c in cells if s == "fail"]


def test_counts_are_integers_and_the_status_never_wraps(department_run):
    html = department_run.html.read_text(encoding="utf-8")
    table = html.split('<table class="xt-table xt-checks">', 1)[1].split("</table>", 1)[0]
    goal_count = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S) if "目标个数" in r or "绩效目标个数" in r)
    nums = re.findall(r'<td class="xt-num">([^<]*)</td>', goal_count)
    assert nums == ["8", "7", "-1"] or nums == ["7", "8", "1"], nums  # 个: integers, not 8.00
    assert "white-space: nowrap" in html.split("table.xt-checks td.xt-status", 1)[1][:400]


def test_the_score_line_shows_the_failures_beside_the_grade(department_run):
    html = department_run.html.read_text(encoding="utf-8")
    verdict = html.split('class="xt-verdict', 1)[1].split("</div></div>", 1)[0]
    assert "100.00 优（示例；另有不符 3 项，待核实）" in verdict and "不符 3 项，提示 13 项" in verdict
    assert department_run.record["score_illustrative"] is True


def test_the_three_public_row_over_its_control_is_highlighted(tmp_path, forked_kernels):
    """A unit that overspent its 三公 control and claimed it had not: the row is red and the grade says 不符."""
    from conftest import PARAMS

    result = run_params(PARAMS / "2023" / "dept-health.yaml", tmp_path)
    html = result.html.read_text(encoding="utf-8")
    cell = re.search(r'<td[^>]*id="(T_\w+_row(\d+)_col0)"[^>]*>合计（超控制数）</td>', html)
    assert cell, "the 合计 row over its control is not marked"
    styled_ids = re.findall(r"((?:#T_\w+_row\d+_col\d+,?\s*)+)\{([^}]*)\}", html, flags=re.S)
    red = {i for ids, rule in styled_ids if "#f8d7da" in rule for i in re.findall(r"T_\w+_row\d+_col\d+", ids)}
    assert cell.group(1) in red  # the breaking figure is red in its own table
    table = cell.group(1).rsplit("_row", 1)[0]
    rows = {int(i.rsplit("_row", 1)[1].split("_")[0]) for i in red if i.startswith(table + "_row")}
    assert rows == {0, 1, 3}  # 公务接待费 15.10 > 12.00 and 用车 20.60 > 20.00 and 合计; 出国出境费 0 = 0 is not
    assert "（示例；另有不符" in html and result.record["fail"] >= 2


# The acronyms a Chinese page may print, and what PEFA itself writes in Latin letters: its score letters
# (A, B, C, D, with D* for insufficient information) and its two aggregation methods (M1, M2).
LATIN_ALLOWED = {"PEFA", "PPP", "PI", "IT", "A", "B", "C", "D", "M1", "M2"}


def _visible_text(html: str) -> str:
    """What a reader sees: the page's text without scripts, styles and the provenance footer (file names, checksums)."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.hidden = [], 0

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style", "footer")

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style", "footer")

        def handle_data(self, data):
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_a_page_prints_no_latin_word_beyond_its_acronyms(department_run):
    """Framework versions show their Chinese names, notes say 本工具 for the tool: no file id or English word reaches a reader."""
    import re

    text = _visible_text(department_run.html.read_text(encoding="utf-8"))
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", text))
    assert words <= LATIN_ALLOWED, sorted(words - LATIN_ALLOWED)
    assert "岳阳市表 2018 年第 1 版" in text and "yueyang" not in text
