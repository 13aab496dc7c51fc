"""Scanned PDFs: render each page and read it with RapidOCR (the optional ``ocr`` extra).

rapidocr-onnxruntime ships its Chinese detection and recognition models inside its wheel
(Apache-2.0), so OCR runs offline. Without the extra a scanned PDF is bad input: exit 2 and
one line saying how to install it. OCR text is laid out again as lines: boxes whose vertical
extents overlap form one line, read left to right, with a tab where a wide gap separates
two cells (so a scanned table reads like a table pasted as text).

What a scanned budget report needs, measured by ``bench/ocr.py`` (the README gives the numbers):
recognition is most of the cost, and it grows with the square of the height a line is scaled
to, so lines are recognised at :data:`REC_HEIGHT` px, one at a time (larger batches are padded
to their widest line and allocate afresh on every run: more system time, not less). Detection
finds 10.5 pt lines as well on the page scaled down to :data:`DETECT_SIDE` px tall (which
RapidOCR brings back up to :data:`DETECT_ACROSS` px across: on 20 pages this read more figures
than scaling straight to 736 across, 0.977 against 0.968) as on the full rendering, which is
still what each line is cut from. The angle classifier is not run on every line: a scanner feeds
pages upright or, now and then, upside down, so a few of each page's widest lines are classified
and a page they find upside down is turned and read again. Each engine runs on one thread (ONNX
Runtime's thread pool spins in system time); the pages of a longer scan are read by one process
per core instead, each with its own engine. Each engine's detection and recognition models have their
per-layer arithmetic folded into their convolutions (:mod:`.ocr_models`): a quarter less CPU, the same text.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

from ..errors import InputError
from ..files import OCR_INSTALL
from .ocr_models import fold_engine

THREADS_ENV = "XTEVAL_OCR_THREADS"  # processes reading the pages of one scan at once (default: every core)
SCALE = 2.0  # 144 dpi: enough for 10.5 pt Chinese body text, and one A4 page stays under the time budget
DETECT_SIDE = 960  # detection sees the page scaled to this longer side (area-averaged): 10.5 pt lines ~12 px high
DETECT_ACROSS = 736  # ... and RapidOCR brings its shorter side up to this (A4: 736 × 1024), its default
REC_HEIGHT = 32  # px a line is scaled to for recognition (the model's own 48 costs 2.5 times as much, reads no better)
REC_MIN_WIDTH = 4 * REC_HEIGHT  # a short line is padded to this width, not to 10 heights (3-10 % less work, the same text)
TEXT_SCORE = 0.5  # a recognised line below this confidence is dropped (RapidOCR's default)
ORIENTATION_SAMPLE = 5  # lines per page the angle classifier sees; most of them upside down turns the page
UPSIDE_DOWN = 0.9  # the classifier's confidence for "180" that counts as a vote (RapidOCR's cls_thresh)
PARALLEL_FROM = 4  # pages: a shorter scan is read in this process (a helper costs ~2 s of CPU to start; 3 pages gained no time)
MAX_PAGES = 200
SECONDS_ENV = "XTEVAL_OCR_SECONDS"  # raises or lowers the OCR time cap of one document
MAX_SECONDS = 900  # a scan that takes longer is refused, not left to run for half an hour
BLANK = 250  # a rendered page whose darkest pixel is lighter than this holds no text: it is not sent to OCR


@functools.lru_cache(maxsize=1)
def _engine():
    """One RapidOCR engine per process, on one thread (loading the models takes a second)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise InputError(f"是扫描件（无文字层），需要 OCR，请安装：{OCR_INSTALL} (scanned PDF: install the ocr extra)") from None
    engine = RapidOCR(
        print_verbose=False,
        use_cls=False,  # run on a sample of lines by _read_page, not on every line
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        text_score=TEXT_SCORE,
        det_limit_type="min",
        det_limit_side_len=DETECT_ACROSS,
        min_side_len=1,  # a line is cut at its rendered size and scaled once, to REC_HEIGHT
        rec_batch_num=1,
        rec_img_shape=[3, REC_HEIGHT, REC_MIN_WIDTH],
    )
    fold_engine(engine)  # the models' per-layer arithmetic folded into their convolutions: a quarter less CPU
    return engine


def read_scanned_pages(path: Path, data: bytes) -> tuple[str, ...]:
    """The text of a scanned PDF, page by page, by OCR.

    Raises:
        InputError: the ``ocr`` extra is not installed, the PDF cannot be rendered, it has
            more pages than :data:`MAX_PAGES`, or reading it passes the time cap; one line naming the file.
    """
    # a page OCR reads nothing from (a blank one among them) adds no page, as before pages were kept
    pages = tuple("\n".join(lines) for lines in read_pages(path, data) if lines)
    if not "".join(pages).strip():
        raise InputError("扫描件中未识别出文字 (OCR found no text)", file=path)
    return pages


def read_pages(path: Path, data: bytes) -> list[list[str]]:
    """The lines of each page of a scanned PDF, in page order (a blank page has none).

    A scan of :data:`PARALLEL_FROM` pages or more is read by one process per core (or
    ``XTEVAL_OCR_THREADS``): this one and helpers that end with the call. The text does not
    depend on how many read it.

    Raises:
        InputError: as :func:`read_scanned_pages`.
    """
    try:
        _engine()  # the install hint before any page is rendered, and the models loaded once per process
    except InputError as exc:
        exc.file = str(path)
        raise
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    deadline = time.monotonic() + _seconds()
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise InputError(f"扫描件超过 {MAX_PAGES} 页，拒绝 OCR (scanned PDF too long)", file=path)
        processes = min(_processes(), count)
        if processes < 2 or count < PARALLEL_FROM:
            return [_read_in_time(pdf, i, path, deadline) for i in range(count)]
        return _read_in_parallel(pdf, data, path, processes, deadline)
    finally:
        pdf.close()


def _processes() -> int:
    """How many processes read one scan: every core this process may use, or fewer if ``XTEVAL_OCR_THREADS`` says so.

    One in a daemonic process (a pool's or a dask worker): it may not start processes of its own.
    """
    import multiprocessing as mp

    if mp.current_process().daemon:
        return 1
    cores = _cores()
    value = os.environ.get(THREADS_ENV, "").strip()
    return min(int(value), cores) if value.isdigit() and int(value) > 0 else cores  # more would wait for a core, each with its models


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _read_in_time(pdf, index: int, path: Path, deadline: float) -> list[str]:
    """Page ``index``'s lines; past the deadline, the OCR time cap's one line."""
    lines = _read_page(pdf, index, path)
    if time.monotonic() > deadline:
        cap = _seconds()
        reason = f"OCR 超过 {cap:.0f} 秒（读到第 {index + 1} 页），拒绝 (OCR time cap; {SECONDS_ENV} raises it)"
        raise InputError(reason, file=path)
    return lines


def _read_page(pdf, index: int, path: Path) -> list[str]:
    """One page rendered at :data:`SCALE` and read: its lines, top to bottom (none for a blank page, the engine not even loaded)."""
    import numpy as np

    from ..files import pdf_page  # one page loader, with its caps, for both readers of a PDF

    bitmap = pdf_page(pdf, index, path).render(scale=SCALE, grayscale=True)
    pixels = bitmap.to_numpy().reshape(bitmap.height, bitmap.width).copy()  # its own memory: the bitmap's is freed with it
    if pixels.size == 0 or pixels.min() >= BLANK:
        return []  # a blank page: nothing to read, and OCR would spend seconds finding that out
    engine = _engine()
    boxes, crops = _detect(engine, pixels)
    if crops and _upside_down(engine, crops):
        boxes, crops = _detect(engine, np.ascontiguousarray(pixels[::-1, ::-1]))
    return layout(_recognise(engine, boxes, crops))


def _detect(engine, pixels) -> tuple[list, list]:
    """The text boxes of a page (corners in the page's pixels) and each line cut out of the full rendering."""
    import cv2
    import numpy as np

    ratio = min(1.0, DETECT_SIDE / max(pixels.shape))
    small = cv2.resize(pixels, None, fx=ratio, fy=ratio, interpolation=cv2.INTER_AREA) if ratio < 1 else pixels
    found, _ = engine(small, use_det=True, use_cls=False, use_rec=False)
    if not found:
        return [], []
    boxes = [np.array(box, dtype=np.float32) / ratio for box in found]
    return boxes, engine.get_crop_img_list(pixels, boxes)


def _upside_down(engine, crops: list) -> bool:
    """Whether most of a page's widest lines read upside down to the angle classifier."""
    sample = sorted(crops, key=lambda crop: -crop.shape[1])[:ORIENTATION_SAMPLE]
    votes = 0
    for crop in sample:
        (label, score), *_ = engine(crop, use_det=False, use_cls=True, use_rec=False)[0]
        votes += label == "180" and score > UPSIDE_DOWN
    return votes > len(sample) / 2


def _recognise(engine, boxes: list, crops: list) -> list:
    """``[[corners], text, score]`` of each line recognised with confidence, one line per run."""
    out = []
    for box, crop in zip(boxes, crops, strict=True):
        read, _ = engine(crop, use_det=False, use_cls=False, use_rec=True)
        if read and read[0][1] >= TEXT_SCORE:
            out.append([box.tolist(), read[0][0], read[0][1]])
    return out


def _read_in_parallel(pdf, data: bytes, path: Path, processes: int, deadline: float) -> list[list[str]]:
    """Every page, read by this process and ``processes - 1`` helpers, each taking the next unread page.

    The helpers are spawned (a fork would copy this process's threads' locks) and the pool is
    terminated on leaving, on error too: no helper outlives the call.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    count = len(pdf)
    claimed = ctx.Value("i", 0)
    pages: dict[int, list[str]] = {}
    with ctx.Pool(processes - 1, initializer=_helper_start, initargs=(data, str(path), claimed, count, deadline)) as pool:
        helpers = [pool.apply_async(_helper_read) for _ in range(processes - 1)]
        pages.update(_read_claimed(pdf, path, claimed, count, deadline))
        for helper in helpers:
            pages.update(helper.get())
    return [pages[i] for i in range(count)]


def _read_claimed(pdf, path: Path, claimed, count: int, deadline: float) -> dict[int, list[str]]:
    """The pages this process claims, one after another, until none is left."""
    read = {}
    while True:
        with claimed.get_lock():
            index = claimed.value
            if index >= count:
                return read
            claimed.value = index + 1
        read[index] = _read_in_time(pdf, index, path, deadline)


_HELPER: dict = {}  # in a helper process: its open PDF and what it shares with the caller


def _helper_start(data: bytes, path: str, claimed, count: int, deadline: float) -> None:
    """A helper's start: the PDF open (the engine is loaded with the first page that is not blank).

    A failure is kept for the task, never raised here: a pool restarts a worker whose initializer raises, forever.
    """
    try:
        import pypdfium2 as pdfium

        _HELPER.update(pdf=pdfium.PdfDocument(data), path=Path(path), claimed=claimed, count=count, deadline=deadline)
    except Exception as exc:  # raised again by _helper_read, in the caller
        _HELPER["error"] = exc


def _helper_read() -> dict[int, list[str]]:
    if "error" in _HELPER:
        raise _HELPER["error"]
    h = _HELPER
    return _read_claimed(h["pdf"], h["path"], h["claimed"], h["count"], h["deadline"])


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
