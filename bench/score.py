"""Time xteval.engine.score_table on 100,000 indicator rows (one core) and print rows per second.

Two inputs: cells already Decimal (what the panel and the department code pass),
and cells as text (what a CSV gives), which adds parsing. Target: ≥ 100,000 rows/s.

    .venv/bin/python bench/score.py [ROWS]
"""

from __future__ import annotations

import dataclasses
import sys
import time
from decimal import Decimal

import pandas as pd

from xteval.scoring import engine, frameworks
from xteval.scoring.table import COLUMNS

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000  # a multiple of 100


SHARES = {"预算执行率": 10, "产出指标": 50, "效益": 30, "满意度": 10}  # aliases on purpose


def framework(n: int) -> frameworks.Framework:
    """mof2020-self scaled so that n rows of 分值 1 fill it (rows of 0.001 points would all round to 0.00)."""
    fw = frameworks.get("mof2020-self")
    k = Decimal(n) / fw.total
    return dataclasses.replace(
        fw,
        total=Decimal(n),
        level1=tuple(dataclasses.replace(x, weight=x.weight * k) for x in fw.level1),
        grades=tuple((low * k, g) for low, g in fw.grades),
    )


def table(n: int, as_text: bool) -> pd.DataFrame:
    """n rows in the four 一级指标, 分值 1 each, mixing positive, reverse, equal and qualitative rows."""
    shares = SHARES
    per = Decimal(1)
    rows = []
    kinds = ("positive", "reverse", "equal", "qualitative")
    for level1, points in shares.items():
        for i in range(n * points // 100):
            kind = kinds[i % 4]
            target = Decimal(100 + i % 7)
            actual = Decimal(80 + i % 61) + Decimal("0.37")
            qual = kind == "qualitative"
            rows.append(
                {
                    "indicator": f"{level1}{i}",
                    "level1": level1,
                    "kind": kind,
                    "target": None if qual else target,
                    "actual": None if qual else actual,
                    "weight": per,
                    "grade": "达成" if qual else None,
                    "score": Decimal("0.9") if qual else None,
                }
            )
    df = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    if as_text:
        df = df.map(lambda v: "" if v is None else str(v))
    return df


def main() -> None:
    for label, as_text in (("Decimal cells", False), ("text cells (CSV)", True)):
        df = table(N, as_text)
        fw = framework(N)
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            result = engine.score_table(df, fw)
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        print(
            f"{label}: {len(df):,} rows in {best:.3f} s = {len(df) / best:,.0f} rows/s (best of 3); total {result.total}, grade {result.grade}"
        )


if __name__ == "__main__":
    main()
