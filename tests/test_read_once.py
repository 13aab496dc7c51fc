"""One reading: a report followed through ``xteval check`` is opened once, and a scan is read by OCR once.

The params file's quote check of its ``seed`` figures, the extraction, the audit and ``--against``
all take the one document read at the start. Opens are counted at ``os.open`` (every read of an
input goes through :func:`xteval.files.read_input`, which opens the file so), by resolved path.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import SEED_REPORT, variant

from xteval.cli import main


@pytest.fixture
def opens(monkeypatch) -> Counter:
    """How many times each file was opened, by resolved path."""
    counted: Counter = Counter()
    real_open = os.open

    def counting_open(path, *args, **kwargs):
        counted[str(Path(os.fsdecode(path)).resolve())] += 1
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    return counted


def test_check_with_params_and_against_opens_each_report_once(tmp_path, opens, capsys):
    params = variant(tmp_path, "department.yaml")  # its source_report: sources/xiangtan-bigdata-2023.txt, copied beside it
    report = tmp_path / "sources" / SEED_REPORT.name
    other = tmp_path / "other.txt"
    other.write_text(SEED_REPORT.read_text(encoding="utf-8").replace("基本支出", "基本支出 ", 1), encoding="utf-8")

    code = main(["check", str(report), "--params", str(params), "--against", str(other), "--json"])

    records = json.loads(capsys.readouterr().out)
    assert code == 1  # the seed report has real fails
    assert any(r["id"].startswith("figure.") for r in records)
    assert any(r["id"].startswith("against.") for r in records)  # --against ran on the other document
    assert any(r["id"].startswith("params.") or "参数" in r["message"] for r in records)  # the params were used
    assert opens[str(report.resolve())] == 1, opens
    assert opens[str(other.resolve())] == 1, opens
    assert opens[str(params.resolve())] == 1, opens


def _blank_pdf(path: Path) -> Path:
    """A PDF with no text layer: only OCR reads it."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.output(str(path))
    return path


def test_a_scanned_source_report_is_read_by_ocr_once(tmp_path, opens, monkeypatch, capsys):
    from xteval.audit import ocr

    (tmp_path / "sources").mkdir()
    scan = _blank_pdf(tmp_path / "sources" / "scan.pdf")
    params = variant(tmp_path, "department.yaml", ("source_report: sources/xiangtan-bigdata-2023.txt", "source_report: sources/scan.pdf"))
    calls = []

    def stub_ocr(path, data):  # what OCR would read from the scan: the seed report's text, on two pages
        calls.append(Path(path).resolve())
        lines = SEED_REPORT.read_text(encoding="utf-8").split("\n")
        return ("\n".join(lines[:20]), "\n".join(lines[20:]))

    monkeypatch.setattr(ocr, "read_scanned_pages", stub_ocr)

    code = main(["check", str(scan), "--params", str(params)])

    out, err = capsys.readouterr()
    assert code == 1, err
    assert "识别出的数字" in out and f"指标值取自 {params}" in out
    assert calls == [scan.resolve()]  # one OCR, shared by the quote check and the audit
    assert opens[str(scan.resolve())] == 1, opens


def test_the_library_check_reads_once_and_says_what_it_found(tmp_path, opens):
    import xteval

    params = variant(tmp_path, "department.yaml")
    report = tmp_path / "sources" / SEED_REPORT.name
    alone = xteval.check(report)  # no params file is ever found on its own: the text alone
    assert alone.params_file is None
    opens.clear()
    found = xteval.check(report, params=params)

    assert found.params_file == params
    assert found.kind.id == "dept_selfeval" and found.counts["fail"] == 3 and len(found.figures) == 44
    assert found.report.source is not None and found.report.source.is_file(report)
    data = found.to_dict()
    assert data["counts"] == found.counts and len(data["figures"]) == 44
    assert opens[str(report.resolve())] == 1, opens


def test_evaluate_audits_the_document_the_params_read(tmp_path, opens):
    import xteval

    params = variant(tmp_path, "department.yaml")
    report = tmp_path / "sources" / SEED_REPORT.name
    ev = xteval.evaluate(params)

    assert ev.checks.counts["fail"] == 3  # the department checks and the text's own checks, each once
    assert opens[str(report.resolve())] == 1, opens
