"""What the project modules share: report phrases with provenance, the CSV files beside a params file and their cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import Field

from .. import files
from ..errors import InputError
from ..params import Provenance

T = TypeVar("T")


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


def parse_cell(path: Path, row: int, column: str, text: str, parse: Callable[[str], T]) -> T:
    """One CSV cell through its parser (``int``, ``money.D``, a date reader…); a bad cell is an InputError naming the file, row and column.

    ``money``'s errors are ValueErrors and ``decimal``'s are ArithmeticErrors: both are the cell's fault.
    """
    try:
        return parse(text)
    except (ValueError, ArithmeticError):
        raise InputError(f"无法解析 {text!r} (cannot parse)", file=path, row=row, field=column) from None
