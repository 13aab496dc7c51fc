"""What the project modules share: report phrases with provenance and the CSV files beside a params file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field

from ..errors import InputError
from ..params import Provenance


class Text(Provenance):
    """A phrase of the report (a period or a date as written) with its provenance."""

    value: str


class DataFile(Provenance):
    """A CSV file beside the params file (path relative to it), with the provenance of its figures."""

    value: str = Field(description="CSV 路径（相对参数文件）")


def read_csv(path: str | Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV (BOM allowed) that must have ``columns``; row numbers count the header as 1.

    Raises:
        InputError: the file is missing or not UTF-8, or a column is missing.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("数据文件不存在 (data file not found)", file=path) from None
    except UnicodeDecodeError:
        raise InputError("不是 UTF-8 文本 (not UTF-8 text)", file=path) from None
    reader = csv.DictReader(text.splitlines())
    have = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in columns if c not in have]
    if missing:
        raise InputError(f"缺少列 {', '.join(missing)}（现有 {', '.join(have) or '无'}）(missing columns)", file=path, row=1)
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
