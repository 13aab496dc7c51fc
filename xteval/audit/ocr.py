"""Scanned PDFs: render each page and read it with RapidOCR (the optional ``ocr`` extra).

rapidocr-onnxruntime ships its Chinese detection and recognition models inside its wheel
(Apache-2.0), so OCR runs offline. Without the extra a scanned PDF is bad input: exit 2 and
one line saying how to install it. OCR text is laid out again as lines: boxes whose vertical
extents overlap form one line, read left to right, with a tab where a wide gap separates
two cells (so a scanned table reads like a table pasted as text).
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

from ..errors import InputError
from ..files import OCR_INSTALL

THREADS_ENV = "XTEVAL_OCR_THREADS"  # threads for OCR (default: ONNX Runtime's own choice, every core)
SCALE = 2.0  # 144 dpi: enough for 10.5 pt Chinese body text, and one A4 page stays under the time budget
MAX_PAGES = 200
SECONDS_ENV = "XTEVAL_OCR_SECONDS"  # raises or lowers the OCR time cap of one document
MAX_SECONDS = 900  # a scan that takes longer is refused, not left to run for half an hour
BLANK = 250  # a rendered page whose darkest pixel is lighter than this holds no text: it is not sent to OCR


@functools.lru_cache(maxsize=1)
def _engine():
    """One RapidOCR engine per process (loading the models takes a second)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise InputError(f"是扫描件（无文字层），需要 OCR，请安装：{OCR_INSTALL} (scanned PDF: install the ocr extra)") from None
    threads = os.environ.get(THREADS_ENV, "").strip()
    if threads.isdigit() and int(threads) > 0:
        return RapidOCR(print_verbose=False, intra_op_num_threads=int(threads), inter_op_num_threads=1)
    return RapidOCR(print_verbose=False)


def read_scanned_pages(path: Path, data: bytes) -> tuple[str, ...]:
    """The text of a scanned PDF, page by page, by OCR.

    Raises:
        InputError: the ``ocr`` extra is not installed, the PDF cannot be rendered, or it has
            more pages than :data:`MAX_PAGES`; one line naming the file.
    """
    try:
        engine = _engine()
    except InputError as exc:
        exc.file = str(path)
        raise
    import numpy as np
    import pypdfium2 as pdfium

    from ..files import pdf_page  # one page loader, with its caps, for both readers of a PDF

    pdf = pdfium.PdfDocument(data)
    started, cap = time.monotonic(), _seconds()
    try:
        if len(pdf) > MAX_PAGES:
            raise InputError(f"扫描件超过 {MAX_PAGES} 页，拒绝 OCR (scanned PDF too long)", file=path)
        pages: list[str] = []
        for i in range(len(pdf)):
            pixels = np.asarray(pdf_page(pdf, i, path).render(scale=SCALE, grayscale=True).to_pil())
            if pixels.size == 0 or pixels.min() >= BLANK:
                continue  # a blank page: nothing to read, and OCR would spend seconds finding that out
            result, _ = engine(np.stack([pixels] * 3, axis=-1))
            lines = layout(result or [])
            if lines:  # a page OCR reads nothing from adds no line (as before pages were kept)
                pages.append("\n".join(lines))
            if time.monotonic() - started > cap:
                reason = f"OCR 超过 {cap:.0f} 秒（读到第 {i + 1} 页），拒绝 (OCR time cap; {SECONDS_ENV} raises it)"
                raise InputError(reason, file=path)
    finally:
        pdf.close()
    if not "".join(pages).strip():
        raise InputError("扫描件中未识别出文字 (OCR found no text)", file=path)
    return tuple(pages)


def _seconds() -> float:
    """The OCR time cap of one document: :data:`MAX_SECONDS` unless ``XTEVAL_OCR_SECONDS`` says otherwise."""
    value = os.environ.get(SECONDS_ENV, "").strip()
    return float(value) if value.isdigit() and int(value) > 0 else float(MAX_SECONDS)


def layout(boxes: list) -> list[str]:
    """OCR boxes ``[[corners], text, score]`` as lines of text, top to bottom and left to right."""
    items = []
    for corners, text, _score in boxes:
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        items.append((min(ys), max(ys), min(xs), max(xs), text))
    items.sort()
    rows: list[list[tuple]] = []
    for it in items:
        top, bottom = it[0], it[1]
        if rows:
            r_top = min(x[0] for x in rows[-1])
            r_bottom = max(x[1] for x in rows[-1])
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap > 0.5 * min(bottom - top, r_bottom - r_top):
                rows[-1].append(it)
                continue
        rows.append([it])
    out = []
    for row in rows:
        row.sort(key=lambda x: x[2])
        height = max(x[1] - x[0] for x in row)
        line = row[0][4]
        for prev, cur in zip(row, row[1:], strict=False):
            line += ("\t" if cur[2] - prev[3] > 1.5 * height else "") + cur[4]
        out.append(line)
    return out
