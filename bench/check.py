"""Time `xteval check` on a 10 MB text, a 100-page text PDF and one scanned A4 page, and print the seconds.

Run: .venv/bin/python bench/check.py [MEGABYTES]

The issue's budgets (issue 11): a 10 MB text in ≤ 5 s, a 100-page text PDF in ≤ 10 s, one
scanned A4 page with OCR in ≤ 15 s on one core. Texts: the seed repeated (realistic), the seed
as one line with no line breaks, and adversarial texts that could make a scanner slow (long
digit runs, endless “、” lists, “其中” chains, a number on every other line, completion
rates and excess claims, the costliest numbers to read, up to the figure budget). The OCR page runs
with one ONNX Runtime thread and the process pinned to one core where the system allows it.
Then fifteen hostile shapes at two sizes, with the ratio of their times (linear growth gives
the ratio of the sizes). Timings, so measured here and not in a unit test; the machine's load average is printed with
them, because other work on a shared machine slows every figure.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the PDF and scan builders the tests use

from xteval.audit import audit_file  # noqa: E402

SEED = ROOT / "params" / "2023" / "sources" / "xiangtan-bigdata-2023.txt"
CORPUS = ROOT / "tests" / "fixtures" / "documents"
BUDGET = {"text": 5.0, "pdf": 10.0, "ocr": 15.0}


def _fill(unit: bytes, size: int) -> bytes:
    return (unit * (size // len(unit) + 1))[:size]


def cases(size: int) -> dict[str, bytes]:
    seed = SEED.read_bytes()
    return {
        "seed repeated": _fill(seed, size),
        "seed, one line": _fill(seed.replace(b"\n", b" "), size),
        "digits": _fill(b"1234567890", size),
        "enumeration": _fill("甲、乙、".encode(), size - 20) + "等 3 个".encode(),
        "qizhong chain": _fill("合计 12.5 万元，其中 ".encode(), size),
        "blank lines": _fill(b"1\n\n\n\n\n\n\n\n\n\n", size),
        # the costliest numbers to read (a goal each) until the figure budget stops the reading
        "completion rates": _fill("完成率达 99%，".encode(), size),
        "excess claims": _fill("420条超过原有指标300条，".encode(), size),
    }


def _timed(path: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    _, _, suite = audit_file(path)
    return time.perf_counter() - start, suite.counts


def texts(megabytes: float, tmp: Path) -> dict[str, float]:
    size = int(megabytes * 1024 * 1024)
    out = {}
    for name, data in cases(size).items():
        path = tmp / "big.txt"
        text = data.decode("utf-8", "ignore")  # a cut through a character at the end is dropped
        path.write_text(text, encoding="utf-8")
        seconds, counts = _timed(path)
        out[f"text: {name}"] = seconds
        print(f"{'text: ' + name:>24}: {len(data) / 1024 / 1024:.1f} MB in {seconds:.2f} s (budget {BUDGET['text']} s) {counts}")
    return out


# Shapes a hostile text could take, each a unit repeated: reading must grow with the length and
# no faster. Each is timed at SCALE_SIZES and the ratio printed: 4.0 for a fourfold size is linear.
SHAPES = {
    "其中 alone": "其中",
    "open brackets": "（收入 5 万元",
    "close brackets": "）",
    "dates": "2023年9月31日至2023年10月1日，",
    "page numbers": "- 3 -\n正文\n",
    "tabs": "\t1\t",
    "headings": "一、收入 3 万元\n",
    "enumerators": "1、",
    "completion rates": "完成率达 99%，",
    "no punctuation": "财政拨款收入支出决算",
    "excess claims": "420条超过原有指标300条",
    "payment dates": "支付日期为2024年元月",
    "date ranges": "1月1日至3月31日",
    "等 N 个": "甲、乙等 3 个",
    "colon labels": "收入：5 ",
    "pairs in turn": "收、支总计各是1.50，2.50万元。",
    "list owner and item": "项目支出包括甲乙经费5万元。",
    "科目 figures on one line": "一般公共服务支出(类)人大事务(款)行政运行(项)：支出决算为5.00万元，完成预算99%，",
    "changes in turn": "甲费1万元，乙费2万元。分别减少0.1万元、0.2万元、",
}
SCALE_SIZES = (0.5, 2.0)  # MB: under the figure budget for every shape but the densest


def scaling(tmp: Path) -> dict[str, float]:
    """Seconds at each size and their ratio, per shape; prints one line each."""
    out = {}
    for name, unit in SHAPES.items():
        seconds = []
        for mb in SCALE_SIZES:
            path = tmp / "shape.txt"
            path.write_text(unit * int(mb * 1024 * 1024 / len(unit.encode())), encoding="utf-8")
            seconds.append(_timed(path)[0])
        out[f"scale: {name}"] = seconds[1] / seconds[0]
        print(
            f"{'scale: ' + name:>24}: {SCALE_SIZES[0]} MB {seconds[0]:.2f} s, {SCALE_SIZES[1]} MB {seconds[1]:.2f} s, ratio {seconds[1] / seconds[0]:.1f} (linear: {SCALE_SIZES[1] / SCALE_SIZES[0]:.1f})"
        )
    return out


def pdf_100_pages(tmp: Path) -> float:
    from document_forms import make_pdf

    # the corpus texts, one after another, until the PDF has 100 A4 pages
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*/*.txt"))]
    body = "\n".join(texts * 4)
    pdf = make_pdf(body, tmp / "long.pdf")
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    pages = len(doc)
    doc.close()
    while pages < 100:
        body += "\n" + "\n".join(texts)
        pdf = make_pdf(body, tmp / "long.pdf")
        doc = pdfium.PdfDocument(str(pdf))
        pages = len(doc)
        doc.close()
    seconds, counts = _timed(pdf)
    print(f"{'text PDF':>24}: {pages} pages in {seconds:.2f} s (budget {BUDGET['pdf']} s) {counts}")
    return seconds


def ocr_one_page(tmp: Path) -> float | None:
    from document_forms import make_scan

    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        print(f"{'scanned A4 page':>24}: skipped, the ocr extra is not installed (pip install 'xteval[ocr]')")
        return None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    from xteval.audit import ocr

    os.environ[ocr.THREADS_ENV] = "1"
    ocr._engine.cache_clear()
    lines = (CORPUS / "final_accounts" / "sichuan-songling-school-2023.txt").read_text(encoding="utf-8").split("\n")[30:60]
    scan = make_scan("\n".join(lines), tmp / "scan.pdf")
    start = time.perf_counter()
    audit_file(scan)
    seconds = time.perf_counter() - start
    print(f"{'scanned A4 page':>24}: 1 page, {len(lines)} lines, OCR and check in {seconds:.2f} s on one core (budget {BUDGET['ocr']} s)")
    return seconds


def main(megabytes: float = 10) -> dict[str, float | None]:
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        out = texts(megabytes, Path(tmp))
        out.update(scaling(Path(tmp)))
        out["pdf"] = pdf_100_pages(Path(tmp))
        out["ocr"] = ocr_one_page(Path(tmp))
    return out


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
