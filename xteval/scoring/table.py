"""The indicator table every scorer takes: its columns, one cell as a number, and reading it from CSV.

Columns ``indicator, level1, kind, target, actual, weight, grade, score``
(``grade`` and ``score`` only for qualitative rows) and the optional
``level1_weight``; the Excel 自评表 is read by
``xteval.scoring.workbook`` into the same columns.
"""

from __future__ import annotations

import csv
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..money import N, NumberError

COLUMNS = ("indicator", "level1", "kind", "target", "actual", "weight", "grade", "score")
# Optional: the 一级指标's 分值, when a table adjusts it from the framework's default (written on any row of the 一级指标).
OPTIONAL_COLUMNS = ("level1_weight",)


def blank(v: Any) -> bool:
    """An empty cell: None, NaN, pandas NA or only spaces."""
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()) or v is pd.NA


def number(v: Any) -> Decimal | None:
    """One cell as a Decimal (``95``, ``"95%"``, ``"1,200.5"``), None when blank.

    Raises:
        NumberError: the cell is not a number.
    """
    if type(v) is Decimal:
        return v
    if blank(v):
        return None
    return N(v.strip() if isinstance(v, str) else v)


def numbers(df: pd.DataFrame, col: str, rows: list[int], file: str | None) -> list[Decimal | None]:
    """A column as Decimals; the first cell that is not a number raises, naming its row and column."""
    values = df[col].tolist() if col in df.columns else [None] * len(df)
    out = []
    for i, v in enumerate(values):
        try:
            out.append(number(v))
        except NumberError:
            raise InputError(f"不是数值: {v!r} (not a number)", file=file, row=rows[i], field=col) from None
    return out


def texts(df: pd.DataFrame, col: str) -> list[str | None]:
    """A column as stripped text, None when blank."""
    if col not in df.columns:
        return [None] * len(df)
    return [None if blank(v) else str(v).strip() for v in df[col].tolist()]


def read_csv(path: Path) -> pd.DataFrame:
    """Read a ``.csv`` indicator table; ``attrs["rows"]`` holds each row's line in the file.

    Read through :func:`xteval.files.read_input` (a regular file under the size cap: a
    FIFO or a device is refused, not read) and decoded like every CSV (UTF-8, else
    GBK/GB18030). A NUL inside a cell is kept here and dropped where a workbook cannot
    hold it (``workbook.put``).
    """
    import io

    from ..files import decode_text, read_input

    text, _ = decode_text(read_input(path), path, nul=True)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise InputError(f"不是有效的 CSV ({str(exc).splitlines()[0][:200]})", file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    df = _from_form_headers(df, path)
    unknown = [c for c in df.columns if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    if unknown:
        raise InputError(
            f"未知列 {unknown[0][:80]!r} (unknown column; expected {', '.join(COLUMNS + OPTIONAL_COLUMNS)})",
            file=path,
            row=1,
            field=unknown[0][:80],
        )
    df.attrs["rows"] = list(range(2, len(df) + 2))  # line 1 is the header
    return df


@functools.cache
def _vocabulary() -> dict[str, Any]:
    """``columns.yaml``: the form's headers for each column id, the columns left aside, the 指标性质 words."""
    from ..params import load_yaml

    data = load_yaml(Path(__file__).with_name("columns.yaml"))
    header_of = {"".join(h.split()): col for col, headers in data["columns"].items() for h in headers}
    kind_of = {str(word): kind for kind, words in data["kinds"].items() for word in words}
    return {"header_of": header_of, "ignored": {"".join(h.split()) for h in data["ignored"]}, "kind_of": kind_of}


def _from_form_headers(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A table headed in the 自评表's words (三级指标, 年度指标值, 分值…) as the column ids; 指标性质 as kind ids.

    A column the score does not use (二级指标, 偏差原因…) is dropped; a header neither an id nor a form word is
    left for the caller to refuse. A table headed by ids is returned as it is.
    """
    vocab = _vocabulary()
    keys = ["".join(c.split()) for c in df.columns]
    if not any(k in vocab["header_of"] for k in keys):
        return df
    df = df.drop(columns=[c for c, k in zip(df.columns, keys, strict=True) if k in vocab["ignored"]])
    names = {c: vocab["header_of"].get("".join(c.split()), c) for c in df.columns}
    seen: dict[str, str] = {}
    for header, col in names.items():
        if col in seen:  # 分值 and 权重, or 三级指标 beside indicator: which one is meant cannot be told
            raise InputError(
                f"列 {seen[col][:40]!r} 与 {header[:40]!r} 都表示 {col} (two columns for {col})", file=path, row=1, field=header[:80]
            )
        seen[col] = header
    df = df.rename(columns=names)
    if "kind" in df.columns:
        df["kind"] = [vocab["kind_of"].get(str(v).strip(), v) for v in df["kind"]]
    return df
