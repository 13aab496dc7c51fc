"""OCR of scans: the pages of a longer scan read in parallel give the text read one after another, and an
upside-down page (a sheet fed the wrong way round) is still read. No timing here: bench/ocr.py measures."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from conftest import ROOT, needs
from document_forms import make_scan

from xteval.audit import ocr, read_document
from xteval.audit.reading import read_report

CORPUS = ROOT / "tests" / "fixtures" / "documents"
SANITATION = CORPUS / "project_selfeval" / "shandong-yiling-sanitation-2023.txt"
DPI = 150  # as the scan builder's default


@pytest.fixture(autouse=True)
def _ocr():
    needs("rapidocr_onnxruntime", "ocr")


def _figures(report) -> dict[str, set]:
    out: dict[str, set] = {}
    for fact in read_document(report).facts:
        out.setdefault(fact.field, set()).add(fact.value)
    return out


def test_pages_read_in_parallel_give_the_text_read_one_after_another(tmp_path, monkeypatch):
    lines = [line[:12] for line in SANITATION.read_text(encoding="utf-8").split("\n") if line.strip()]  # short: a quick test
    # four pages (make_scan puts 40 lines on a page), the second one blank
    text = "\n".join(lines + [""] * (80 - len(lines)) + lines + [""] * (40 - len(lines)) + lines[:12])
    scan = make_scan(text, tmp_path / "scan.pdf")
    data = scan.read_bytes()
    monkeypatch.setenv(ocr.THREADS_ENV, "1")
    serial = ocr.read_pages(scan, data)
    monkeypatch.setenv(ocr.THREADS_ENV, "2")
    monkeypatch.setattr(ocr, "_cores", lambda: 2)  # two processes even on a machine with one core
    assert ocr.PARALLEL_FROM <= 4  # so that this scan is read by two processes
    parallel = ocr.read_pages(scan, data)
    assert parallel == serial
    assert len(serial) == 4 and serial[1] == [] and serial[0] == serial[2] and serial[3]  # in page order, the blank one empty
    assert multiprocessing.active_children() == []  # no helper outlives the call


def test_an_upside_down_page_is_turned_and_read(tmp_path):
    import pypdfium2 as pdfium

    lines = SANITATION.read_text(encoding="utf-8").split("\n")
    upright = make_scan("\n".join(lines[:2] + lines[16:18]), tmp_path / "upright.pdf")  # the title and the funds paragraph
    pdf = pdfium.PdfDocument(str(upright))
    image = pdf[0].render(scale=DPI / 72).to_pil().rotate(180)  # the sheet fed the wrong way round
    pdf.close()
    turned = tmp_path / "turned.pdf"
    image.save(str(turned), "PDF", resolution=DPI)
    figures = _figures(read_report(turned))
    assert figures["project.full_year_budget"] == {Decimal("1920.00")}
    assert figures["project.executed"] == {Decimal("1903.56")}
    assert figures["project.execution_rate"] == {Decimal("99.14")}
    assert figures == _figures(read_report(upright))


def test_a_daemonic_worker_reads_its_scan_in_its_own_process(monkeypatch):
    monkeypatch.setenv(ocr.THREADS_ENV, "2")  # inherited by the worker: the guard, not the setting, keeps it to one
    monkeypatch.setattr(ocr, "_cores", lambda: 2)
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # a pool's workers are daemonic, as dask's are
        assert pool.apply(ocr._processes) == 1
    assert ocr._processes() == 2
    monkeypatch.setenv(ocr.THREADS_ENV, "8")
    assert ocr._processes() == 2  # never more processes than cores: each holds its own models
