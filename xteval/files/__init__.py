"""Reading untrusted inputs and writing outputs safely, and fingerprinting inputs.

Light imports only: the batch fast path uses this module.

Every file xteval reads on someone else's behalf (a params file, a report, a CSV,
a workbook) goes through :func:`read_input`: a regular file only (never a FIFO
that would block or a device that never ends), at most :func:`input_limit`
bytes, and, when a root is given, inside that root after every link is
resolved. Texts are decoded by :func:`decode_text` (UTF-8, else GB18030, which
covers GBK: the same for reports and CSV files).

Every output goes through :func:`write_atomic` (bytes we produce) or
:func:`write_with` (a file a library writes, such as an openpyxl workbook): the
temporary file is created exclusively under a random name in the target's folder
(so a link planted at a guessable name is never followed), then renamed over the
target. A write that fails leaves the previous output in place and raises
:class:`~xteval.errors.WriteError`, one line naming the file and the reason.
"""

from __future__ import annotations

from .documents import (
    OCR_INSTALL,
    OFFICE_MAX_UNPACKED,
    ScannedDocument,
    SourceDocument,
    Table,
    check_office_zip,
    document_format,
    document_text,
    pdf_page,
    read_document,
    read_source,
)
from .inputs import (
    DEFAULT_LIMIT_MB,
    ENCODINGS,
    LIMIT_ENV,
    LINK_REFUSED,
    decode_text,
    input_limit,
    inside,
    plain_text,
    read_csv,
    read_input,
    read_text,
    refuse_links,
    sha256,
    sha256_bytes,
)
from .outputs import RESULTS_STORE, cannot_write, current_umask, write_atomic, write_with

__all__ = [
    "RESULTS_STORE",
    "DEFAULT_LIMIT_MB",
    "ENCODINGS",
    "LIMIT_ENV",
    "LINK_REFUSED",
    "OCR_INSTALL",
    "OFFICE_MAX_UNPACKED",
    "ScannedDocument",
    "SourceDocument",
    "Table",
    "cannot_write",
    "check_office_zip",
    "current_umask",
    "decode_text",
    "document_format",
    "document_text",
    "input_limit",
    "inside",
    "pdf_page",
    "plain_text",
    "read_csv",
    "read_document",
    "read_input",
    "read_source",
    "read_text",
    "refuse_links",
    "sha256",
    "sha256_bytes",
    "write_atomic",
    "write_with",
]
