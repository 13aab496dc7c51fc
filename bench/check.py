"""Time `xteval check` on 10 MB reports and print the seconds for each.

Run: .venv/bin/python bench/check.py [MEGABYTES]

Cases: the seed text repeated (realistic), the seed as one line with no line
breaks, and adversarial texts that could make a regular expression backtrack
(long digit runs, endless “、” lists, “其中” chains, blank lines). The issue's
budget is 10 seconds for 10 MB; it is a timing, so it is measured here and not
in a unit test.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from xteval.audit import audit_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "params" / "2023" / "sources" / "xiangtan-bigdata-2023.txt"


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
    }


def main(megabytes: float = 10) -> dict[str, float]:
    size = int(megabytes * 1024 * 1024)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases(size).items():
            path = Path(tmp) / "big.txt"
            path.write_bytes(data[: data.rfind(b"\n") + 1] if b"\n" in data else data.decode("utf-8", "ignore").encode())
            start = time.perf_counter()
            _, _, suite = audit_file(path)
            out[name] = seconds = time.perf_counter() - start
            print(f"{name:>16}: {len(data) / 1024 / 1024:.1f} MB in {seconds:.2f} s, {len(suite.results)} results {suite.counts}")
    return out


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
