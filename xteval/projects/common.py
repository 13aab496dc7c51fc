"""What the project modules share: report phrases with provenance and the CSV files beside a params file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import Field

from .. import files
from ..params import Provenance


class Text(Provenance):
    """A phrase of the report (a period or a date as written) with its provenance."""

    value: str


class DataFile(Provenance):
    """A CSV file beside the params file (path relative to it), with the provenance of its figures."""

    value: str = Field(description="CSV 路径（相对参数文件）")


def read_csv(path: str | Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a data CSV (UTF-8 or GBK/GB18030, like reports) that must have ``columns``; the header is row 1.

    The path comes from :func:`xteval.params.resolve` (confined to the params tree);
    :func:`xteval.files.read_csv` refuses a FIFO, a device, a file over the size cap and a NUL byte.

    Raises:
        InputError: the file is missing, unreadable or not text, or a column is missing.
    """
    return files.read_csv(path, columns)
