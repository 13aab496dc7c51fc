"""Hostile text, second round: characters that hide, reorder or disguise what a report or a params file says.

Each case goes through the CLI: a correct reading (the character removed, the figure read as a
reader means it) or one line and exit 2 naming the file and the line; never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_PARAMS, SEED_REPORT, variant

from xteval import cli

XTEVAL = str(Path(sys.executable).parent / "xteval")

# A 决算说明 of an invented unit, in our own words: a total and its two parts on each side.
REPORT = """示例中心2023年度部门决算情况说明
一、收入支出决算总体情况
2023年度收入总计{income}万元，其中：财政拨款收入800.00万元，{other}200.00万元。
2023年度支出总计950.00万元，其中：基本支出600.00万元，项目支出350.00万元。
"""


def figures(path: Path, capsys) -> dict[str, str]:
    code = cli.main(["check", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    data = json.loads(out)
    return {r["id"].split(".L")[0].removeprefix("figure."): r["observed"] for r in data if r["id"].startswith("figure.")}


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066"])
def test_an_invisible_character_inside_a_number_or_a_label_is_removed_not_obeyed(tmp_path, capsys, hidden):
    plain = tmp_path / "plain.txt"
    plain.write_text(REPORT.format(income="1,000.00", other="其他收入"), encoding="utf-8")
    planted = tmp_path / "planted.txt"
    planted.write_text(REPORT.format(income=f"1,{hidden}000.00", other=f"其他{hidden}收入"), encoding="utf-8")
    want = figures(plain, capsys)
    assert want["income.grand_total"] == "1000.00" and want["income.other_income"] == "200.00"
    assert figures(planted, capsys) == want


def test_a_digit_of_another_script_is_refused_naming_the_line(tmp_path, capsys):
    path = tmp_path / "bengali.txt"
    path.write_text(REPORT.format(income="1,000.00", other="其他收入").replace("800.00", "৪00.00"), encoding="utf-8")
    assert cli.main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "第 3 行" in err and "U+09EA" in err and str(path) in err


def test_a_circled_list_marker_is_not_read_into_the_amount(tmp_path, capsys):
    path = tmp_path / "markers.txt"
    text = REPORT.format(income="1,000.00", other="其他收入").replace("其中：财政", "其中：①财政").replace("，其他收入", "，②其他收入")
    text = text.replace("其中：基本支出", "其中：❶基本支出").replace("，项目支出", "，❷项目支出")
    path.write_text(text, encoding="utf-8")
    got = figures(path, capsys)
    assert got["income.fiscal_appropriation"] == "800.00" and got["income.other_income"] == "200.00"
    assert got["expenditure.basic"] == "600.00" and got["expenditure.project"] == "350.00"


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_a_line_break_yaml_obeys_inside_a_comment_is_refused(tmp_path, capsys, char):
    text = SEED_PARAMS.read_text(encoding="utf-8")
    path = variant(tmp_path, "p.yaml", ("\nunit:", f"\n# 备注{char}year: 1999\nunit:"))
    assert path.read_text(encoding="utf-8").count(char) == 1 and text.count(char) == 0
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"U+{ord(char):04X}" in err and "line " in err
    assert not (tmp_path / "out").exists()


def test_a_bidi_control_in_a_unit_name_is_refused(tmp_path, capsys):
    text = SEED_PARAMS.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.strip().startswith("name:")).split("name:", 1)[1].strip()
    path = variant(tmp_path, "p.yaml", (f"name: {name}", f"name: \u202e{name}"))
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "U+202E" in err and "\u202e" not in err


def test_terminal_controls_in_a_file_name_are_shown_escaped(tmp_path, capsys):
    path = tmp_path / "r\x1b]0;title\x07\x1b[2J\rx.txt"
    assert cli.main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\x07" not in err and "\r" not in err
    assert "\\x1b[2J" in err and "文件不存在" in err


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([XTEVAL, *args], capture_output=True, env={**os.environ, **env}, timeout=300, check=False)


def test_an_ascii_terminal_gets_utf8_not_a_traceback(tmp_path):
    proc = _run(["check", str(SEED_REPORT)], PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C")
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr and "文档类型".encode() in proc.stdout


def test_a_gbk_file_name_is_read_and_shown_escaped(tmp_path):
    folder = os.fsencode(tmp_path)
    name = folder + b"/\xd6\xd0\xce\xc4.txt"  # 中文 in GBK, as a Windows zip unpacks it on Linux
    with open(name, "wb") as fh:
        fh.write(REPORT.format(income="1,000.00", other="其他收入").encode("utf-8"))
    proc = _run(["check", os.fsdecode(name)], PYTHONIOENCODING="ascii")
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr and b"\\xd6\\xd0" in proc.stdout
    missing = _run(["check", os.fsdecode(folder + b"/\xd6\xd0-missing.txt")])
    assert missing.returncode == 2 and missing.stderr.count(b"\n") == 1 and b"\\xd6\\xd0-missing.txt" in missing.stderr


def test_dollar_signs_in_a_chart_label_are_text_not_mathtext():
    """A unit or project name with two $ would be parsed as mathtext (and fail on a bad formula): it is drawn as written."""
    import io
    from decimal import Decimal

    from xteval.render import charts

    name = r"某$\frac{中心$ 2023"
    fig = charts.grouped_bars([name, "乙"], [("预算", [Decimal(1), Decimal(2)])], title=name)
    fig.savefig(io.BytesIO(), format="png")  # drawing is where mathtext would raise
    assert any(t.get_text() == name for t in fig.findobj(lambda a: hasattr(a, "get_text")))


def test_a_utf8_report_with_a_gbk_phrase_is_refused_naming_its_line(tmp_path, capsys):
    text = REPORT.format(income="1,000.00", other="其他收入")
    lines = text.splitlines(keepends=True)
    mixed = tmp_path / "mixed.txt"
    mixed.write_bytes("".join(lines[:3]).encode("utf-8") + lines[3].encode("gbk"))
    assert cli.main(["check", str(mixed)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "row 4" in err and "UTF-8" in err and str(mixed) in err
    whole = tmp_path / "gbk.txt"  # a report wholly in GBK is read as GBK, as before
    whole.write_bytes(text.encode("gbk"))
    assert figures(whole, capsys)["expenditure.project"] == "350.00"


# --------------------------------------------------------------------------- containers that lie about their size


def _lying_zip(path: Path, members: dict[str, bytes], lie: str, declared: int = 10, method: int | None = None) -> Path:
    """A zip whose central directory declares ``declared`` bytes for member ``lie`` while its stream inflates to all of it."""
    import struct
    import zipfile

    with zipfile.ZipFile(path, "w", method if method is not None else zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    raw = bytearray(path.read_bytes())
    at = raw.find(b"PK\x01\x02")  # the first entry of the central directory
    while at != -1:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_len].decode() == lie:
            struct.pack_into("<I", raw, at + 24, declared)  # uncompressed size
        at = raw.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(raw))
    return path


def _docx_parts(body: bytes) -> dict[str, bytes]:
    ns = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": b"<w:document " + ns + b"><w:body>" + body + b"</w:body></w:document>",
    }


def _bounded_run(args: list[str]) -> subprocess.CompletedProcess:
    """The CLI in a process that may not map more than 2 GiB: a reader that inflates a bomb dies, it does not swap."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([XTEVAL, *args], capture_output=True, preexec_fn=limit, timeout=600, check=False)


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        (
            "lying-deflate",
            lambda p: _lying_zip(p, _docx_parts(b"<w:p/>" * 4_000_000), "word/document.xml"),
            ("大于其声明的大小", "已损坏"),
        ),
        ("bzip2", lambda p: _lying_zip(p, _docx_parts(b"<w:p/>" * 10), "nothing", method=12), ("压缩方式",)),
        ("many-paragraphs", lambda p: _lying_zip(p, _docx_parts(b"<w:p/>" * 300_000), "nothing"), ("段落",)),
    ],
)
def test_a_docx_that_lies_about_its_size_is_refused_while_it_inflates(tmp_path, name, make, words):
    path = make(tmp_path / f"{name}.docx")
    assert path.stat().st_size < 1_000_000
    proc = _bounded_run(["check", str(path)])
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and any(w in err for w in words) and "Traceback" not in err, err


def test_an_xlsx_with_a_cell_at_the_last_address_is_refused(tmp_path):
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    parts = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": sheet}
    path = _lying_zip(tmp_path / "far.xlsx", parts, "nothing")
    proc = _bounded_run(["score", str(path)])
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "XFD1048576" in err, err


# --------------------------------------------------------------------------- PDF resources


def _raw_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF written object by object, with its cross-reference table (for shapes no PDF library writes)."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _page(media: bytes, content: bytes = b"") -> list[bytes]:
    stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [" + media + b"] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, stream, font]


@pytest.mark.parametrize(
    ("name", "objects", "words"),
    [
        ("huge-page", _page(b"0 0 14400 14400"), "超过 A0"),
        ("million-pt", _page(b"0 0 1000000 1000000"), "超过 A0"),
        (
            "dense-page",
            _page(b"0 0 2384 3370", b"BT /F1 1 Tf 10 3300 Td " + (b"(" + b"8" * 4_000 + b") Tj 0 -1.2 Td ") * 80 + b"ET"),
            "个字符",
        ),
        (
            "page-tree-cycle",
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            ],
            "已损坏",
        ),
    ],
)
def test_a_pdf_that_would_exhaust_the_reader_is_one_line(tmp_path, name, objects, words):
    path = _raw_pdf(tmp_path / f"{name}.pdf", objects)
    proc = _bounded_run(["check", str(path)])
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and words in err and "Traceback" not in err, err


def test_two_hundred_blank_pages_are_not_sent_to_ocr(tmp_path, monkeypatch):
    from conftest import needs

    needs("rapidocr_onnxruntime", "ocr")
    from fpdf import FPDF

    from xteval.audit import ocr, read_report
    from xteval.errors import InputError

    pdf = FPDF()
    for _ in range(200):
        pdf.add_page()
    path = tmp_path / "blank.pdf"
    pdf.output(str(path))
    calls = []
    real = ocr._engine

    def counting():  # asked for once up front (the install check), then by each page with ink on it
        calls.append(1)
        return real()

    monkeypatch.setattr(ocr, "_engine", counting)
    monkeypatch.setenv(ocr.THREADS_ENV, "1")  # read in this process, so every page would reach the counted engine
    with pytest.raises(InputError, match="未识别出文字"):
        read_report(path)
    assert calls == [1]  # only the up-front check: every page was seen to be blank before any OCR


# --------------------------------------------------------------------------- sizes in params


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("x:\n" + "- 1\n" * 4_300_000, "文件过大"),  # 17.2 MB: refused before it is parsed
        ("x: [" + "1, " * 60_000 + "1]\n", "条目超过 50,000 个"),  # 180 KB of one flow list
    ],
    ids=["bytes", "nodes"],
)
def test_a_params_file_too_large_to_be_one_is_refused_before_it_is_read_whole(tmp_path, capsys, body, says):
    path = tmp_path / "huge.yaml"
    path.write_text("notebook: department\n" + body, encoding="utf-8")
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and str(path) in err
