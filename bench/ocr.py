"""OCR of scanned A4 pages: CPU per page, where it goes, wall for a 20-page scan, and what is read right.

Run: .venv/bin/python bench/ocr.py [--pages N] [--wall-pages M] [--only NAME,...]

Pages are drawn from the project's own corpus texts (tests/fixtures/documents/, every .txt in
path order) with the scan builder the tests use (``make_scan``: Noto Sans SC 10.5 pt, 40 lines a
page, an image-only PDF). Every configuration runs in its own child process, so its ONNX Runtime
threads and its engine start fresh; its CPU is the child's user + system time (pool workers
included, they are waited for), and the per-page figures exclude loading the models.

Each setting is added to the one before it (today → one thread → no angle classifier → smaller
detection input → ...), so each row shows what one setting moved. Accuracy, against the source
lines of each page after the normalisation xteval applies to OCR text (NFKC, whitespace dropped):

- characters recovered: matched characters (difflib, no junk heuristic) / characters of the source;
- figures recovered: the numbers of the source (multiset) found among the numbers of the OCR text.

The last rows read the same scan through ``xteval.audit.ocr.read_pages`` as the tool does, serially
(XTEVAL_OCR_THREADS=1) with the models as shipped and folded, and in parallel (every core), and the 20-page
scan on every core. The children import this checkout's ``xteval``, not the one installed. Timings,
so measured here and not in a unit test; the load average is printed with them, because other work
on a shared machine slows every wall figure (CPU figures much less).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the scan builder the tests use

CORPUS = ROOT / "tests" / "fixtures" / "documents"
LINES_PER_PAGE = 40  # as make_scan lays them out
BUDGET = {"cpu_per_page": 2.0, "wall_20_pages": 25.0}

# Each configuration adds one setting to the one above it (the engine's constructor keywords, the
# call's use_cls, the page passed as three channels or one, and the longer side of the page detection
# sees, None for the full rendering; RapidOCR brings a shorter side under 736 px up to 736); "today" is
# the engine as xteval built it before issue 23.
_ONE = {"intra_op_num_threads": 1, "inter_op_num_threads": 1}
CONFIGS: dict[str, dict] = {
    "today": {"engine": {}, "use_cls": True, "stack": True, "det_side": None},
    "1 thread": {"engine": _ONE, "use_cls": True, "stack": True, "det_side": None},
    "no angle classifier": {"engine": _ONE, "use_cls": False, "stack": True, "det_side": None},
    "gray input (no stack)": {"engine": _ONE, "use_cls": False, "stack": False, "det_side": None},
    "rec batch 1": {"engine": {**_ONE, "rec_batch_num": 1}, "use_cls": False, "stack": False, "det_side": None},
    "rec height 32": {
        "engine": {**_ONE, "rec_batch_num": 1, "rec_img_shape": [3, 32, 320]},
        "use_cls": False,
        "stack": False,
        "det_side": None,
    },
    "detect on the page 960 px tall": {
        "engine": {**_ONE, "rec_batch_num": 1, "rec_img_shape": [3, 32, 320]},
        "use_cls": False,
        "stack": False,
        "det_side": 960,
    },
    "short lines padded to 4 heights": {
        "engine": {**_ONE, "rec_batch_num": 1, "rec_img_shape": [3, 32, 128]},
        "use_cls": False,
        "stack": False,
        "det_side": 960,
    },
    "models folded (ocr_models)": {
        "engine": {**_ONE, "rec_batch_num": 1, "rec_img_shape": [3, 32, 128]},
        "use_cls": False,
        "stack": False,
        "det_side": 960,
        "fold": True,
    },
    # measured, not kept: more cost or less accuracy
    "(rec batch 16)": {
        "engine": {**_ONE, "rec_batch_num": 16, "rec_img_shape": [3, 32, 320]},
        "use_cls": False,
        "stack": False,
        "det_side": 960,
    },
    "(rec height 24)": {
        "engine": {**_ONE, "rec_batch_num": 1, "rec_img_shape": [3, 24, 96]},
        "use_cls": False,
        "stack": False,
        "det_side": 960,
    },
    "(detect at 512 × 724 px)": {
        "engine": {**_ONE, "rec_batch_num": 1, "rec_img_shape": [3, 32, 128], "det_limit_side_len": 512},
        "use_cls": False,
        "stack": False,
        "det_side": 724,
    },
}


# --------------------------------------------------------------------------- the pages


def corpus_lines() -> list[str]:
    """Every corpus text's lines, wrapped at the scan's width exactly as make_scan wraps them."""
    from document_forms import FONT, _wrap
    from PIL import ImageFont

    dpi = 150
    font = ImageFont.truetype(str(FONT), size=int(dpi * 10.5 / 72))
    width = int(8.27 * dpi) - 2 * int(dpi * 0.8)
    lines: list[str] = []
    for path in sorted(CORPUS.rglob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            lines += _wrap(lambda s: font.getlength(s), line.replace("\t", "    "), width)
    return lines


def build_scan(pages: int, out: Path) -> list[str]:
    """A scan of ``pages`` full pages of corpus lines; returns each page's source text."""
    from document_forms import make_scan

    lines = [line for line in corpus_lines() if line.strip()]  # a page of text, not of blank lines
    need = pages * LINES_PER_PAGE
    lines = (lines * (need // len(lines) + 1))[:need]
    make_scan("\n".join(lines), out)
    return ["\n".join(lines[i : i + LINES_PER_PAGE]) for i in range(0, need, LINES_PER_PAGE)]


# --------------------------------------------------------------------------- accuracy


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _numbers(text: str) -> Counter:
    return Counter(re.findall(r"\d+(?:[.,]\d+)*", _norm(text)))


def accuracy(sources: list[str], read: list[str]) -> tuple[float, float]:
    """(characters recovered, figures recovered) over all pages, each a share of the source's."""
    chars = matched = figures = found = 0
    for src, got in zip(sources, read, strict=True):
        a, b = _norm(src), _norm(got)
        blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        chars, matched = chars + len(a), matched + sum(block.size for block in blocks)
        want, have = _numbers(src), _numbers(got)
        figures, found = figures + sum(want.values()), found + sum((want & have).values())
    return matched / max(chars, 1), found / max(figures, 1)


# --------------------------------------------------------------------------- one configuration, in a child


def _render(pdf, index: int):
    import numpy as np

    return np.asarray(pdf[index].render(scale=2.0, grayscale=True).to_pil())


def child_config(name: str, scan: Path) -> dict:
    """Read every page with one configuration, timing each stage in CPU seconds (process_time)."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium
    from rapidocr_onnxruntime import RapidOCR

    from xteval.audit.ocr import layout

    cfg = CONFIGS[name]
    engine = RapidOCR(print_verbose=False, **cfg["engine"])
    if cfg.get("fold"):
        from xteval.audit.ocr_models import fold_engine

        fold_engine(engine)
    clock = time.process_time
    pdf = pdfium.PdfDocument(str(scan))
    stages = Counter()
    texts, cpu0, wall0 = [], os.times(), time.perf_counter()
    for i in range(len(pdf)):
        t = clock()
        pixels = _render(pdf, i)
        stages["render"] += clock() - t
        t = clock()
        full = engine.load_img(np.stack([pixels] * 3, axis=-1) if cfg["stack"] else pixels)
        h, w = full.shape[:2]
        ratio = min(1.0, cfg["det_side"] / max(h, w)) if cfg["det_side"] else 1.0
        small = cv2.resize(full, None, fx=ratio, fy=ratio, interpolation=cv2.INTER_AREA) if ratio < 1 else full
        img, ratio_h, ratio_w = engine.preprocess(small)
        record = {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}}
        img, record = engine.maybe_add_letterbox(img, record)
        stages["load"] += clock() - t
        t = clock()
        boxes, _ = engine.auto_text_det(img)
        stages["detection"] += clock() - t
        if boxes is None:
            texts.append("")
            continue
        if ratio < 1:  # lines cut from the full rendering, as xteval does
            boxes = [box / ratio for box in engine._get_origin_points(boxes, record, *small.shape[:2])]
            img, record = full, {}
        crops = engine.get_crop_img_list(img, boxes)
        cls_res = None
        if cfg["use_cls"]:
            t = clock()
            crops, cls_res, _ = engine.text_cls(crops)
            stages["angle classification"] += clock() - t
        t = clock()
        rec, _ = engine.text_rec(crops, False)
        stages["recognition"] += clock() - t
        boxes = engine._get_origin_points(boxes, record, h, w) if record else np.array(boxes)
        result, _ = engine.get_final_res(boxes, cls_res, rec, 0, 0, 0)
        texts.append("\n".join(layout(result or [])))
    cpu1 = os.times()
    pdf.close()
    return {
        "texts": texts,
        "cpu": cpu1.user + cpu1.system - cpu0.user - cpu0.system,
        "user": cpu1.user - cpu0.user,
        "system": cpu1.system - cpu0.system,
        "wall": time.perf_counter() - wall0,
        "stages": dict(stages),
    }


def child_xteval(arg: str, scan: Path) -> dict:
    """Read the scan through xteval's own reader, as `xteval check` does (the engine warm).

    ``arg`` is XTEVAL_OCR_THREADS, and ``,shipped`` after it reads with the models as RapidOCR ships them (not folded).
    """
    threads, _, how = arg.partition(",")
    os.environ["XTEVAL_OCR_THREADS"] = threads
    from xteval.audit import ocr

    if how == "shipped":
        ocr.fold_engine = lambda engine: {}  # this process only: helpers it spawns fold theirs

    ocr._engine()  # warm: loading the models is paid once per process, not per page
    data = scan.read_bytes()
    cpu0, wall0 = os.times(), time.perf_counter()
    pages = ocr.read_pages(scan, data)
    cpu1 = os.times()
    cpu = lambda t: t.user + t.system + t.children_user + t.children_system  # noqa: E731 (pool workers included)
    return {
        "texts": ["\n".join(lines) for lines in pages],
        "cpu": cpu(cpu1) - cpu(cpu0),
        "user": cpu1.user + cpu1.children_user - cpu0.user - cpu0.children_user,
        "system": cpu1.system + cpu1.children_system - cpu0.system - cpu0.children_system,
        "wall": time.perf_counter() - wall0,
        "stages": {},
    }


def run_child(kind: str, arg: str, scan: Path) -> dict:
    """One configuration in a fresh process; adds the whole child's CPU (models loaded included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, __file__, "--child", kind, arg, str(scan)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{kind} {arg}: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out["process_wall"] = time.perf_counter() - wall
    return out


# --------------------------------------------------------------------------- the report


def _row(name: str, out: dict, sources: list[str], base: dict | None) -> None:
    n = len(sources)
    chars, figures = accuracy(sources, out["texts"])
    per_page = out["cpu"] / n
    ratio = f"{per_page / (base['cpu'] / n):5.2f}×" if base else "  1.00×"
    stages = "  ".join(f"{k} {v / n:.2f}" for k, v in sorted(out["stages"].items(), key=lambda kv: -kv[1]))
    print(
        f"{name:>28}: {per_page:6.2f} s CPU/page ({out['user'] / n:.2f} user + {out['system'] / n:.2f} sys) {ratio} of today, "
        f"wall {out['wall'] / n:5.2f} s/page, process {out['process_cpu']:.1f} s CPU; "
        f"characters {chars:.4f}, figures {figures:.4f}" + (f"\n{'':>30}per page: {stages}" if stages else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", type=int, default=4, help="pages of the scan each configuration reads (xteval reads 4 or more in parallel)"
    )
    parser.add_argument("--wall-pages", type=int, default=20, help="pages of the scan read on every core for the wall figure")
    parser.add_argument("--only", default="", help="configurations to run, separated by ; (default: all)")
    args = parser.parse_args()
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        raise SystemExit("the ocr extra is not installed: pip install 'xteval[ocr]'") from None
    only = [s for s in args.only.split(";") if s]
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.pages} A4 pages at 144 dpi from the corpus texts")
    with tempfile.TemporaryDirectory() as tmp:
        scan = Path(tmp) / "scan.pdf"
        sources = build_scan(args.pages, scan)
        base = None
        for name in CONFIGS:
            if only and name not in only:
                continue
            out = run_child("config", name, scan)
            base = base or (out if name == "today" else None)
            _row(name, out, sources, base)
        for threads, label in (("1,shipped", "xteval, serial, models as shipped"), ("1", "xteval, serial"), ("", "xteval, every core")):
            if only and label not in only:
                continue
            _row(label, run_child("xteval", threads, scan), sources, base)
        if args.wall_pages:
            big = Path(tmp) / "big.pdf"
            big_sources = build_scan(args.wall_pages, big)
            out = run_child("xteval", "", big)
            chars, figures = accuracy(big_sources, out["texts"])
            print(
                f"{args.wall_pages}-page scan on every core: {out['wall']:.1f} s wall (budget {BUDGET['wall_20_pages']} s), "
                f"{out['process_wall']:.1f} s with start-up and models; {out['cpu'] / args.wall_pages:.2f} s CPU/page "
                f"(budget {BUDGET['cpu_per_page']} s); characters {chars:.4f}, figures {figures:.4f}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        kind, arg, path = sys.argv[2], sys.argv[3], Path(sys.argv[4])
        result = child_config(arg, path) if kind == "config" else child_xteval(arg, path)
        print(json.dumps(result, ensure_ascii=False))
    else:
        main()
