"""How long find_tables takes over a 10 MB text of prose and pasted tables (every shape): prints seconds and MB/s.

.venv/bin/python bench/text_tables.py [MB]
"""

from __future__ import annotations

import sys
import time

from xteval.files.tables import find_tables

ROWS = [("项目", "预算数", "决算数"), ("合计", "48.60", "41.25"), ("公务接待费", "12.60", "9.35"), ("公务用车运行费", "36.00", "31.90")]


def sample() -> str:
    pipes = "\n".join(" | ".join(r) + " |" for r in ROWS)
    tabs = "\n".join("\t".join(r) for r in ROWS)
    spaces = "\n".join("".join(c.ljust(16) for c in r).rstrip() for r in ROWS)
    cells = "\n".join(f"{c} |" for r in ROWS for c in r)
    prose = "本单位年度支出预算为1,234.56万元，较上年增加12.5%，主要用于保障日常运转。" * 20
    return "\n".join(["表1 三公经费", "单位：万元", pipes, prose, tabs, prose, spaces, prose, cells, prose, ""])


def main() -> None:
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    block = sample()
    text = block * int(mb * 2**20 // len(block.encode("utf-8")) + 1)
    t0 = time.perf_counter()
    tables = find_tables(text)
    dt = time.perf_counter() - t0
    size = len(text.encode("utf-8")) / 2**20
    print(f"{size:.1f} MB, {len(tables)} tables in {dt:.2f} s ({size / dt:.1f} MB/s)")


if __name__ == "__main__":
    main()
