"""OCR of scans: the pages of a longer scan read in parallel give the text read one after another, and an
upside-down page (a sheet fed the wrong way round) is still read. No timing here: bench/ocr.py measures."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, needs
from document_forms import make_scan

from xteval.audit import ocr, ocr_models, read_document
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


def _models() -> dict[str, bytes]:
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    return {section: Path(config[section]["model_path"]).read_bytes() for section in ("Det", "Rec")}


def _run(model: bytes, array):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: array})[0]


@pytest.mark.parametrize(("section", "shape"), [("Det", (1, 3, 96, 128)), ("Rec", (1, 3, 32, 256))])
def test_the_folded_models_compute_what_the_shipped_ones_do(section, shape):
    import numpy as np

    model = _models()[section]
    assert ocr_models.encode(ocr_models.fields(model)) == model  # the wire format read and written back, byte for byte
    folded, folds = ocr_models.fold(model)
    # every convolution's affine step and hard-swish of PPLCNetV3 folded (28 of each in both models)
    assert folds["conv+affine"] >= 20 and folds["hard-swish"] >= 20 and folds["affine+conv"] >= 10, folds
    assert len(folded) < len(model)  # the folded-away constants are gone, not kept beside the new weights
    pixels = np.random.default_rng(23).uniform(-1, 1, shape).astype(np.float32)  # as RapidOCR normalises a page
    shipped, mine = _run(model, pixels), _run(folded, pixels)
    assert shipped.shape == mine.shape
    assert np.abs(shipped - mine).max() < 1e-4  # float rounding only, at the borders of padded convolutions too
    if section == "Rec":
        assert (shipped.argmax(axis=-1) == mine.argmax(axis=-1)).all()  # the same character at every step


def test_a_model_that_cannot_be_folded_is_refused_or_left_as_it_is():
    with pytest.raises(ValueError):
        ocr_models.fold(b"\x3a\x05ab")  # a graph field cut short
    with pytest.raises(ValueError):
        ocr_models.fold(b"\x0f")  # an unknown wire type
    no_graph = ocr_models.encode([(1, 0, 8)])  # a model of one field (its IR version), no graph
    with pytest.raises(ValueError):
        ocr_models.fold(no_graph)


def test_the_engine_reads_with_the_folded_models(monkeypatch):
    seen = []

    def folding(engine):  # the sessions RapidOCR made, then those the engine keeps
        shipped = (engine.text_det.infer.session, engine.text_rec.session.session)
        folds = ocr_models.fold_engine(engine)
        seen.append((shipped, (engine.text_det.infer.session, engine.text_rec.session.session), folds))
        return folds

    monkeypatch.setattr(ocr, "fold_engine", folding)
    ocr._engine.cache_clear()
    try:
        engine = ocr._engine()
    finally:
        ocr._engine.cache_clear()  # the next test loads its own, as it would have
    (shipped, folded, folds), *rest = seen
    assert not rest and folds["conv+affine"] >= 40 and folds["hard-swish"] >= 40
    assert all(new is not old for new, old in zip(folded, shipped, strict=True))
    assert (engine.text_det.infer.session, engine.text_rec.session.session) == folded
