"""Reports as they arrive: .docx, text PDF, scanned PDF (OCR), traditional characters, and bad input.

Bad input is tested through the CLI: exit 2, one line naming the file, nothing written, quickly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import needs
from document_forms import FONT, make_docx, make_pdf, make_scan

from xteval import files
from xteval.audit import read_document, read_report
from xteval.cli import main

CORPUS = Path(__file__).parent / "fixtures" / "documents"
SANITATION = CORPUS / "project_selfeval" / "shandong-yiling-sanitation-2023.txt"


def _figures(report) -> dict[str, set]:
    out: dict[str, set] = {}
    for f in read_document(report).facts:
        out.setdefault(f.field, set()).add(f.value)
    return out


def test_a_docx_reads_paragraphs_and_tables_in_order(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("一、收入支出决算总体情况说明")
    table = d.add_table(rows=2, cols=3)
    for i, cell in enumerate(["项目", "年初预算数", "全年执行数"]):
        table.rows[0].cells[i].text = cell
    for i, cell in enumerate(["年度资金总额", "86.00", "90.62"]):
        table.rows[1].cells[i].text = cell
    d.add_paragraph("本年收入合计1,978.36万元。")
    d.save(tmp_path / "r.docx")
    text = files.read_document(tmp_path / "r.docx")
    assert text.split("\n") == [
        "一、收入支出决算总体情况说明",
        "项目\t年初预算数\t全年执行数",
        "年度资金总额\t86.00\t90.62",
        "本年收入合计1,978.36万元。",
    ]


def test_a_pdf_rejoins_a_label_broken_at_the_right_margin(tmp_path):
    text = (
        "2023年财政拨款收、支总计各是1,851.02，1,851.02万元。"
        + "其中，年初财政拨款结转和结余48.87万元，本年财政拨款收入1,802.15万元，本年财政拨款支出1,808.46万元。" * 2
    )
    pdf = make_pdf(text, tmp_path / "r.pdf", size=12)
    raw = files.read_document(pdf)
    assert raw.count("\n") == 0 and "本年财政拨款收入1,802.15万元" in raw
    figures = _figures(read_report(pdf))
    assert figures["income.fiscal_appropriation"] == {__import__("decimal").Decimal("1802.15")}


def test_a_scanned_pdf_is_read_by_ocr(tmp_path):
    needs("rapidocr_onnxruntime", "ocr")
    lines = SANITATION.read_text(encoding="utf-8").split("\n")
    text = "\n".join(lines[:2] + lines[16:18])  # the title (it tells the kind) and the funds paragraph
    scan = make_scan(text, tmp_path / "scan.pdf")
    with pytest.raises(files.ScannedDocument):
        files.read_document(scan)  # no text layer
    report = read_report(scan)
    assert report.encoding == "ocr"
    figures = _figures(report)
    from decimal import Decimal

    assert figures["project.initial_budget"] == {Decimal("1860.00")}
    assert figures["project.full_year_budget"] == {Decimal("1920.00")}
    assert figures["project.executed"] == {Decimal("1903.56")}
    assert figures["project.execution_rate"] == {Decimal("99.14")}


def test_traditional_characters_read_like_simplified(tmp_path):
    simplified = "2023年度本部门收入合计392.60万元，其中财政拨款收入388.20万元（年初预算362.70万元，年中追加25.50万元），其他收入4.40万元。"
    traditional = (
        "2023年度本部門收入合計392.60萬元，其中財政撥款收入388.20萬元（年初預算362.70萬元，年中追加25.50萬元），其他收入4.40萬元。"
    )
    (tmp_path / "s.txt").write_text(simplified, encoding="utf-8")
    (tmp_path / "t.txt").write_text(traditional, encoding="utf-8")
    assert _figures(read_report(tmp_path / "t.txt")) == _figures(read_report(tmp_path / "s.txt"))


# --------------------------------------------------------------------------- bad input, through the CLI


def _empty(tmp):
    p = tmp / "empty.txt"
    p.write_bytes(b"")
    return p


def _binary(tmp):
    p = tmp / "blob.txt"
    p.write_bytes(bytes(range(256)) * 64)
    return p


def _encrypted(tmp):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("noto", fname=str(FONT))
    pdf.fonts["noto"].ttfont.recalcBBoxes = False  # as document_forms.make_pdf: the full font's boxes hold
    pdf.set_font("noto", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "总收入 100 万元")
    pdf.set_encryption(owner_password="o", user_password="u")
    pdf.output(str(tmp / "locked.pdf"))
    return tmp / "locked.pdf"


def _corrupt_docx(tmp):
    good = make_docx("总收入 100 万元", tmp / "good.docx").read_bytes()
    p = tmp / "broken.docx"
    p.write_bytes(good[: len(good) // 2])
    return p


def _corrupt_pdf(tmp):
    p = tmp / "broken.pdf"
    p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf")
    return p


def _doc(tmp):
    p = tmp / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    return p


def _fifo(tmp):
    p = tmp / "pipe.txt"
    os.mkfifo(p)
    return p


def _huge(tmp):
    p = tmp / "huge.txt"
    line = "总收入 11191.02 万元，其中财政拨款收入 11168.82 万元。\n".encode()
    with p.open("wb") as fh:
        fh.write(line * (100 * 1024 * 1024 // len(line) + 1))
    return p


BAD = [
    ("empty", _empty, "文件为空"),
    ("binary", _binary, "二进制"),
    ("encrypted-pdf", _encrypted, "加密的 PDF"),
    ("corrupt-docx", _corrupt_docx, ".docx"),
    ("corrupt-pdf", _corrupt_pdf, "PDF"),
    ("old-doc", _doc, "另存为 .docx"),
    ("directory", lambda tmp: tmp, "是目录"),
    ("fifo", _fifo, "不是普通文件"),
    ("device", lambda tmp: Path("/dev/zero"), "不是普通文件"),
    ("100-MB-text", _huge, "文件过大"),
]


@pytest.mark.parametrize("command", ["check", "extract"])
@pytest.mark.parametrize(("name", "make", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_exit_2_nothing_written_and_quick(tmp_path, capsys, command, name, make, words):
    path = make(tmp_path)
    out = tmp_path / "out" / ("findings.html" if command == "check" else "draft.yaml")
    args = [command, str(path), "--html" if command == "check" else "-o", str(out)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and captured.err.startswith("xteval: error: ")
    assert words in captured.err and "Traceback" not in captured.err
    assert not out.exists() and not out.parent.exists()


def test_a_scanned_pdf_without_the_ocr_extra_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    from xteval.audit import ocr

    scan = make_scan("总收入 100 万元", tmp_path / "scan.pdf")
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # the extra is not installed
    ocr._engine.cache_clear()
    try:
        assert main(["check", str(scan)]) == 2
    finally:
        ocr._engine.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "扫描件" in err and "pip install 'xteval[ocr]'" in err and str(scan) in err
