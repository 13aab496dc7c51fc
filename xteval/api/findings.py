"""``xteval.check`` and ``xteval.extract``: a report read once, then checked or drafted into params.

Each reads the report file once (:func:`xteval.audit.read_source`: text, .docx, a PDF's text
layer, a scan by OCR) and hands that one document to everything that needs it: the params file's
quote check of its ``seed`` figures, the extraction and the audit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit import Extraction, ReportText, audit_file, read_source, render_html
from ..audit.against import against as compare_reports
from ..audit.engine import Document
from ..audit.reconcile import figure_records
from ..checks import CheckResult, Suite
from ..params import ParamsBase, load_params


@dataclass(frozen=True)
class Findings:
    """What :func:`check` found in a report: every check's record, and every figure read.

    Attributes:
        suite: the check records (fail, warn, pass), with their counts.
        figures: one pass record per figure found (``figure.<field path>``).
        report: the report's text as the audit read it (its path, lines, the document read once).
        extraction: the figures found (``extraction.document`` holds the facts and the kind).
        params_file: the params file that supplied figures the text leaves out, if any.
    """

    suite: Suite
    figures: list[CheckResult]
    report: ReportText
    extraction: Extraction
    params_file: Path | None = None

    @property
    def document(self) -> Document:
        return self.extraction.document

    @property
    def kind(self):
        """The document kind (``kinds/*.yaml``), or None for a text of no known kind (read as a department report)."""
        return self.document.kind

    @property
    def counts(self) -> dict[str, int]:
        return self.suite.counts

    @property
    def failed(self) -> bool:
        return self.suite.failed

    def records(self) -> list[dict[str, Any]]:
        """Every check record, then every figure record, as ``xteval check --json`` prints them."""
        return self.suite.to_dicts() + [r.to_dict() for r in self.figures]

    def to_dict(self) -> dict[str, Any]:
        """The findings as JSON-ready data: the report, its kind, the counts, the checks and the figures."""
        return {
            "report": str(self.report.path) if self.report.path else None,
            "kind": self.kind.id if self.kind else None,
            "params": str(self.params_file) if self.params_file else None,
            "counts": self.counts,
            "checks": self.suite.to_dicts(),
            "figures": [r.to_dict() for r in self.figures],
        }

    def html(self) -> str:
        """An offline page of the findings, grouped by status, with the quotes highlighted."""
        return render_html(self.suite, self.report)


def check(path: str | Path, params: str | Path | ParamsBase | None = None, against: str | Path | None = None) -> Findings:
    """Check a report: read it once, extract its figures and reconcile them.

    Args:
        path: the report (plain text, .docx, .html/.htm, .xlsx/.xls, .pdf; a scan needs the ``ocr`` extra).
        params: a department params file for the same report (or one loaded already): it
            supplies figures the text leaves out, and every figure found is compared with it.
            None checks the text alone: a params file is used only when it is named, never found
            beside the report (a draft made by ``extract`` would otherwise take the check over).
        against: another file of the same unit and year (a 决算说明…): the figures both state
            are compared one by one.

    Returns:
        The :class:`Findings`. Data problems are records in it; nothing is raised for them.

    Raises:
        InputError: a file cannot be read as a report; ParamsError: the params file is refused.
    """
    document = read_source(path)
    params_file = None
    if not isinstance(params, ParamsBase):
        params_file = Path(params) if params is not None else None
        params = load_params(params_file, source=document) if params_file is not None else None
    report, extraction, suite = audit_file(document, params, model_checks=not _is_department(params))
    if _is_department(params):  # as the appendix does: the model's checks on the params (their goals), then the text's own
        from ..department.checks import department_checks
        from .evaluation import only_new

        first = department_checks(params)
        suite = first.extend(only_new(first, suite.results))
    if against is not None:
        _, other, _ = audit_file(against)
        suite.extend(compare_reports(extraction.document, other.document))
    return Findings(suite, figure_records(extraction.document), report, extraction, params_file)


def _is_department(params: Any) -> bool:
    """A department params file: the checks it takes part in run on it, not on the figures read from the text."""
    return params is not None and getattr(params, "notebook", None) == "department"


@dataclass(frozen=True)
class Draft:
    """What :func:`extract` drafts from a report: the params data, and the comment lines above it.

    Attributes:
        data: the params mapping (``seed`` figures with quote and line, ``todo`` for the rest).
        header: the comment lines ``xteval extract`` writes above the YAML.
        document: the figures found (its ``kind``, its facts).
        partly: why only the beginning of the text was read (over the figure budget), else "".
    """

    data: dict[str, Any]
    header: list[str]
    document: Document
    partly: str = ""
    beyond: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The draft as ``xteval extract`` writes it: the comment lines, then the YAML."""
        from ..scaffold import dump

        return "\n".join(self.header) + "\n" + dump(self.data)


def extract(path: str | Path, relative_to: str | Path | None = None) -> Draft:
    """Draft a department params file from a report: every figure found a ``seed``, the rest ``todo``.

    Args:
        path: the report (read once, as :func:`check` reads it).
        relative_to: the folder the draft will be written in (``source_report`` is written
            relative to it); the working directory when omitted.

    Returns:
        The :class:`Draft`; ``draft.text`` is what ``xteval extract`` writes.
    """
    from ..audit import read_report
    from ..audit.draft import draft

    path = Path(path)
    report = read_report(read_source(path))
    base = Path(relative_to).resolve() if relative_to is not None else Path.cwd().resolve()
    data, doc, beyond = draft(report, os.path.relpath(path.resolve(), base))
    kind = doc.kind.title if doc.kind else "未识别的文档类型"
    header = [
        f"# 参数草稿：由 xteval extract 从 {path.name} 生成（{kind}）。",
        "# 识别出的数字为 seed（原文摘引与行号）；未识别或前后不一致的为 todo，须填入 value 并改为 seed / derived / illustrative。",
        "# 仍有 todo 时 xteval run 拒绝运行，并列出全部待填项。",
    ]
    partly = ""
    if report.raw_chars is not None:  # over the figure budget: the draft covers the lines read
        partly = f"文本中的数字超过读取上限，草稿只取自第 1–{len(report.line_starts):,} 行，其后未读取"
        header.append(f"# 注意：{partly}。")
    header.append("# 报告未载明的数字不必编造：整行删去即可（单位名称、评价年度必填），附录把需要它的检查列为“未执行”。")
    if beyond:
        header += ["# 报告中还识别出（部门参数模型之外）:", *beyond]
    return Draft(data, header, doc, partly, beyond)
