"""The few exceptions xteval raises, and the exit codes the CLI maps them to.

Data problems in a report are findings (see ``xteval.checks``), not exceptions.
Exceptions are for input that cannot be read at all, bad configuration, and
faults in a run.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_FINDINGS = 1  # a check failed, or a notebook run failed
EXIT_INPUT = 2  # bad input or usage, or an output that cannot be written: nothing half-written
EXIT_INTERNAL = 3  # a fault in xteval itself: one line naming it; the traceback only with XTEVAL_DEBUG=1
EXIT_INTERRUPTED = 130


class XtevalError(Exception):
    """Base error: one readable line naming the file, the field or row, and the reason."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        row: int | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.field = field
        self.row = row

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        return ": ".join([*parts, self.reason])

    @property
    def where(self) -> str | None:
        """The row and field, as the message shows them (``row 3, cameras``), or None."""
        if self.row is not None and self.field:
            return f"row {self.row}, {self.field}"
        if self.row is not None:
            return f"row {self.row}"
        return self.field


class ParamsError(XtevalError):
    """A params file that is missing, malformed, or fails the schema."""


class InputError(XtevalError):
    """A report, table or data file that cannot be read."""


class ConfigError(XtevalError):
    """A framework, band table or rule file that is inconsistent."""


class WriteError(XtevalError):
    """An output that could not be written (disk full, read-only, permission, a file where a folder should be).

    Nothing is half-written and the previous output, if any, is left in place. The
    user has to fix the place written to, as with bad input, so the exit code is 2.
    """


class RunError(XtevalError):
    """A notebook run that failed; its executed notebook and HTML are kept."""

    exit_code = EXIT_FINDINGS


# Line breaks of every kind, Unicode's included: a message is one line whatever its input held.
_BREAKS = re.compile(r"[\s\u2028\u2029\x85]+")


def _shown(ch: str) -> str:
    """A character as a terminal may show it: controls, format characters and undecodable bytes escaped."""
    category = unicodedata.category(ch)
    if category == "Cs" and 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte that was not UTF-8 (a GBK file name, say)
        return f"\\x{ord(ch) - 0xDC00:02x}"
    if category in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != " ":
        # ESC, BEL, BS would drive the terminal; bidi controls and zero-width characters would hide or reorder text
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    return ch


def one_line(text: str, limit: int = 2000) -> str:
    """A message as one printable line, cut to ``limit`` characters.

    Whitespace runs (line breaks of every kind included) become one space; control and format
    characters are escaped (``\\x1b``, ``\\u202e``), so a file name or a YAML key from someone
    else can neither drive the terminal nor show one name as another.
    """
    text = _BREAKS.sub(" ", text).strip()
    if any(not ch.isprintable() for ch in text):
        text = "".join(ch if ch.isprintable() else _shown(ch) for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
