"""A year's documents at once: ``xteval check DIR --out OUT`` against a loop of single-file checks.

Builds N text documents of 2–20 KB by varying the project's own corpus (tests/fixtures/documents: each
text repeated to its size, with its figures scaled so no two documents are alike), then measures, side
by side in one run:

- a cold intake of N documents, against a loop of single-file ``xteval check`` calls (timed on a sample
  of the documents and scaled to N: the loop costs the same per file);
- an unchanged rerun;
- the CPU per document: each worker's process time for its document, from the results store, and the
  intake process's own;
- the peak memory of the intake at N/10 and at N documents.

Usage: python bench/intake.py [N]   (default 1000)
"""

from __future__ import annotations

import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "documents"
XTEVAL = str(Path(sys.executable).with_name("xteval"))
_NUMBER = re.compile(r"\d+\.\d{2}")


def build(folder: Path, n: int, seed: int = 7) -> None:
    """N documents of 2–20 KB: corpus texts repeated to a drawn size, two-decimal figures scaled by a drawn factor."""
    rng = random.Random(seed)
    texts = sorted(CORPUS.rglob("*.txt"))
    for i in range(n):
        src = texts[i % len(texts)]
        text = src.read_text(encoding="utf-8")
        factor = Decimal(rng.randint(50, 150)) / 100
        text = _NUMBER.sub(lambda m, f=factor: f"{(Decimal(m.group()) * f).quantize(Decimal('0.01'))}", text)
        size = rng.randint(2_000, 20_000)
        body = (text * (size // max(1, len(text.encode())) + 1)).encode()[:size].decode(errors="ignore")
        sub = folder / src.parent.name
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}-{src.name}").write_text(body, encoding="utf-8")


def timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (this child and its waited descendants) and peak RSS (KB) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def main(n: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="xteval-intake-bench-"))
    try:
        small, large = work / "small", work / "large"
        build(small, max(1, n // 10))
        build(large, n)
        sample = sorted(large.rglob("*.txt"))[:: max(1, n // 20)][:20]
        loop = sum(timed([XTEVAL, "check", str(p)])[0] for p in sample) / len(sample)
        _, _, rss_small = timed([XTEVAL, "check", str(small), "--out", str(work / "out-small")])
        cold, cpu, rss_large = timed([XTEVAL, "check", str(large), "--out", str(work / "out")])
        rerun, _, _ = timed([XTEVAL, "check", str(large), "--out", str(work / "out")])
        print(f"documents: {n} (2–20 KB of text each)")
        print(f"loop of single-file checks: {loop:.2f} s a file, {loop * n:.0f} s for {n} (from {len(sample)} files)")
        print(f"cold intake: {cold:.1f} s, ratio to the loop {cold / (loop * n):.3f}")
        print(f"unchanged rerun: {rerun:.2f} s")
        with sqlite3.connect(work / "out" / "xteval-results.sqlite") as db:  # each worker's CPU for its document
            worker_cpu = db.execute("SELECT sum(seconds) FROM documents").fetchone()[0] or 0
        print(
            f"CPU per document in the intake: {worker_cpu / n * 1000:.0f} ms in the workers (user + system); the intake process itself: {cpu / n * 1000:.1f} ms"
        )
        print(
            f"peak RSS: {rss_small / 1024:.0f} MB at {max(1, n // 10)}, {rss_large / 1024:.0f} MB at {n}: ratio {rss_large / rss_small:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
