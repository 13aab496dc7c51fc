"""Params files: loading YAML exactly, validating it, and naming the field that is wrong.

A params file describes one unit-year (the department) or one project-year.
Its top-level ``notebook`` key names the notebook that renders it
(``notebook: department`` runs the shipped ``xteval/notebooks/department.ipynb``) and picks the
schema it is validated against: :func:`get` looks the name up in
``xteval.registry`` and imports only that model's module, so loading a
department file imports no project module and no matplotlib.

Every figure is a mapping with ``value`` and exactly one provenance key:
``seed`` (a short quote from the source report), ``derived`` (the rule) or
``illustrative`` (a note, or ``true``).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .errors import InputError, ParamsError
from .files import SourceDocument, inside, read_input, read_source, refuse_links, sha256_bytes
from .money import ZERO, AmountError, D, N, NumberError, amounts_in, fold, match_key
from .yamlio import load_yaml, read_bytes

# --------------------------------------------------------------------------- figures


class Provenance(BaseModel):
    """Where a figure came from: exactly one of seed, derived, illustrative."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: str | None = Field(None, description="报告原文摘引 (short quote from the source report)")
    derived: str | None = Field(None, description="推导规则 (the rule that derives it)")
    illustrative: str | bool | None = Field(None, description="示例数据说明 (illustrative, with a note)")
    line: int | None = Field(None, description="原文行号 (line in the source report)")

    @model_validator(mode="after")
    def _one_source(self) -> Provenance:
        given = [k for k in ("seed", "derived", "illustrative") if getattr(self, k) not in (None, False, "")]
        if len(given) != 1:
            raise ValueError(
                f"需要且仅需一个来源 seed / derived / illustrative (exactly one provenance key is required, got {given or 'none'})"
            )
        return self

    @property
    def source(self) -> str:
        """``seed``, ``derived`` or ``illustrative``."""
        return next(k for k in ("seed", "derived", "illustrative") if getattr(self, k) not in (None, False, ""))

    @property
    def is_illustrative(self) -> bool:
        return self.source == "illustrative"


def _money(value: Any) -> Decimal:
    try:
        return D(value)
    except AmountError as exc:
        raise ValueError(str(exc)) from None


def _number(value: Any) -> Decimal:
    try:
        return N(value)
    except NumberError as exc:
        raise ValueError(str(exc)) from None


Money = Annotated[Decimal, BeforeValidator(_money)]
Number = Annotated[Decimal, BeforeValidator(_number)]


class Amount(Provenance):
    """A non-negative amount in 万元 with its provenance."""

    value: Money = Field(description="金额，万元；可写 '3343659.05 元' 等 (amount, canonical 万元)")

    @model_validator(mode="after")
    def _non_negative(self) -> Amount:
        if self.value < ZERO:
            raise ValueError(f"金额不能为负: {self.value} (negative amount)")
        return self


class NamedAmount(Amount):
    """An amount that is one named part of a total (e.g. 中心项目经费)."""

    name: str


class Figure(Provenance):
    """A non-monetary number (a rate in %, a count, a score) with its unit and provenance."""

    value: Number
    unit: str = ""


class Score(Provenance):
    """A stated score and the maximum it is out of, e.g. 30/30."""

    score: Number
    max: Number


class Claim(Provenance):
    """A sentence of the report that asserts something checkable (e.g. 未超过控制数)."""

    value: bool = True


# --------------------------------------------------------------------------- models every params file shares


class StrictModel(BaseModel):
    """A params section: an unknown key is an error (a misspelt field is never silently dropped), and it cannot change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(StrictModel):
    name: str = Field(description="单位名称")
    supervisor: str | None = Field(None, description="主管部门（报告未写明时留空）")
    year: int = Field(ge=2000, le=2100, description="评价年度")


_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")


def _evaluation_date(value: Any) -> Any:
    """A 评价日期 as ``2024-03-31`` or ``2024年3月31日`` (YAML may already give a date)."""
    if isinstance(value, str):
        m = _CN_DATE.match(value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError(f"日期不存在: {value!r} (no such date)") from None
    return value


class Evaluation(StrictModel):
    """Who evaluates and when: shown in the title block of every page (评价机构, 评价人, 评价日期).

    Set in a params file (``evaluation:``) or for a whole batch (``xteval batch
    --organization … --evaluator … --date …``); a params file's own value wins.
    """

    organization: str | None = Field(None, max_length=200, description="评价机构")
    evaluator: str | None = Field(None, max_length=200, description="评价人")
    date: Annotated[dt.date | None, BeforeValidator(_evaluation_date)] = Field(None, description="评价日期（2024-03-31 或 2024年3月31日）")

    def to_record(self) -> dict[str, str]:
        """The fields that are set, as text for ``metadata.xteval.evaluation``."""
        out = {"organization": self.organization, "evaluator": self.evaluator, "date": self.date.isoformat() if self.date else None}
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class Reference:
    """A file a params file names: the field it is written in, the path as written, and how to read it.

    ``read`` is the function the notebook reads the file with (it raises ``InputError``
    naming the row and column of a bad cell); None for a report, which is read once
    as ``xteval check`` reads it (:func:`xteval.files.read_source`).
    """

    field: str
    value: str
    read: Callable[[Path], Any] | None = None


class ParamsBase(StrictModel):
    """What every params file has: the notebook that renders it and the unit-year."""

    notebook: str = Field(description="渲染此参数的 notebook 类型名（随软件包提供 notebooks/<notebook>.ipynb）")
    title: str | None = Field(None, description="报告标题（项目名）")
    unit: Unit = Field(description="单位")
    source_report: str | None = Field(None, description="源报告文本路径（相对本文件）")
    evaluation: Evaluation | None = Field(None, description="评价机构、评价人、评价日期")
    _path: Path | None = PrivateAttr(None)
    _sha256: str | None = PrivateAttr(None)  # of the bytes this model was parsed from
    _inputs: dict[str, str] = PrivateAttr(default_factory=dict)  # referenced file (resolved) → sha256, as validated
    _source: SourceDocument | None = PrivateAttr(None)  # the source report as read on load (its audit reads no more)

    @property
    def year(self) -> int:
        return self.unit.year

    def data_files(self) -> list[Reference]:
        """Every file this params file names, and how each is read; :func:`load_params` checks them all.

        A project whose params name data files extends the list:
        ``return [*super().data_files(), Reference("subprojects.value", self.subprojects.value, load_subprojects)]``.
        """
        return [Reference("source_report", self.source_report)] if self.source_report else []


# --------------------------------------------------------------------------- loading


def get(notebook: str) -> type[ParamsBase]:
    """The params model for a notebook name, imported on first use; the error names the key."""
    from . import registry

    try:
        return registry.model(notebook)
    except KeyError:
        known = ", ".join(registry.names())
        raise ParamsError(f"未知 notebook {notebook!r} (unknown notebook; known: {known})", field="notebook") from None


TODO = "todo"  # the key `xteval new` leaves in a figure nobody has filled yet


def pending(data: Any, path: str = "") -> list[str]:
    """Field paths of every figure still marked ``todo`` (left to fill after ``xteval new``).

    Args:
        data: parsed YAML of a params file.
        path: the path prefix (for recursion).

    Returns:
        Paths such as ``goals[0].actual``, in file order; empty when nothing is left.
    """
    out: list[str] = []
    if data == TODO and path:  # a text left to fill (`level1: todo` in an `xteval extract` draft)
        return [path]
    if isinstance(data, dict):
        if TODO in data:
            out.append(path or "(top level)")
        for key, value in data.items():
            out += pending(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out += pending(item, f"{path}[{i}]")
    return out


_MESSAGES = {
    "missing": "缺少必填字段 (missing field)",
    "extra_forbidden": "未知字段 (unknown key)",
    "model_type": "应为映射 (expected a mapping)",
    "list_type": "应为列表 (expected a list)",
    "int_parsing": "应为整数 (expected an integer)",
    "string_type": "应为文本 (expected text)",
    "enum": "取值无效 (invalid choice)",
}


def _describe(err: dict) -> str:
    if err["type"] in _MESSAGES:
        msg = _MESSAGES[err["type"]]
        if err["type"] == "enum":
            msg += f": {str(err.get('input'))[:40]!r}; {err['ctx'].get('expected', '')}"
        return msg
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(data: Any, path: str | Path, model: type[ParamsBase] | None = None) -> ParamsBase:
    """Validate parsed YAML against its notebook's schema; errors name the first bad field."""
    if not isinstance(data, dict):
        raise ParamsError("顶层应为映射 (top level must be a mapping)", file=path)
    todo = pending(data)
    if todo:
        n = len(todo)
        raise ParamsError(
            f"待填 {n} 项: {', '.join(todo)} ({n} figures left to fill: give each a value and seed/derived/illustrative)",
            file=path,
            field=todo[0],
        )
    if model is None:
        if "notebook" not in data:
            raise ParamsError(_MESSAGES["missing"], file=path, field="notebook")
        try:
            model = get(str(data["notebook"]))
        except ParamsError as exc:
            exc.file = str(path)
            raise
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # An unknown key usually explains the "missing" error beside it (a typo), so it goes first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        if all(e["type"] == "missing" for e in errors):  # every required field left out, each named with its Chinese label
            named = "、".join(f"{field_name(model, e['loc'])}（{_field_path(e['loc'])}）" for e in errors[:MAX_LISTED])
            more = f" 等 {len(errors)} 项" if len(errors) > MAX_LISTED else ""
            raise ParamsError(f"缺少必填字段：{named}{more} (missing field)", file=path, field=_field_path(err["loc"])) from None
        others = "；".join(f"{field_name(model, e['loc'])}（{_field_path(e['loc'])}）：{_describe(e)}" for e in errors[1:MAX_LISTED])
        extra = f"（另有 {len(errors) - 1} 处：{others}）" if len(errors) > 1 else ""
        raise ParamsError(_describe(err) + extra, file=path, field=_field_path(err["loc"])) from None


MAX_LISTED = 20  # the fields a schema error names one by one


def description_name(description: str | None, fallback: str) -> str:
    """The Chinese name a field's description gives it: ``一级指标：产出指标 / …`` → 一级指标, ``其中：非税收入`` → 非税收入,
    ``出国出境费；报告未提及时留空`` → 出国出境费, ``主管部门（报告未写明时留空）`` → 主管部门 (what follows a bracket, ；or
    ，is a note, and what follows a ：its values, unless the words before it only say the field is a part: 其中, 包括)."""
    head = re.split(r"[（(；;，,]", description or "", maxsplit=1)[0]
    named = [x.strip() for x in head.split("：") if re.search(r"[\u3400-\u9fff]", x)]
    if len(named) > 1 and named[0] in ("其中", "包括", "含"):
        named = named[1:]
    return (named[0] if named else head.strip()) or fallback


def field_name(model: type[BaseModel], loc: tuple) -> str:
    """A field path's Chinese label from the schema's descriptions: ``unit.name`` → 单位·单位名称."""
    labels: list[str] = []
    node: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = node.model_fields.get(str(part)) if isinstance(node, type) and issubclass(node, BaseModel) else None
        if info is None:
            labels.append(str(part))
            node = None
            continue
        labels.append(description_name(info.description, str(part)))
        node = _model_of(info.annotation)
    return "·".join(labels)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The params section a field holds (``Income | None`` → Income, ``list[Goal]`` → Goal), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def load_params(path: str | Path, *, data: bytes | None = None, source: SourceDocument | None = None) -> ParamsBase:
    """Load and validate a params file, and every file it names.

    Args:
        path: a params YAML file; its ``notebook`` key picks the schema.
        data: the file's bytes when the caller has read them already (the batch reads
            each params file once: the bytes it hashes are the bytes validated here).
        source: the source report when the caller has read it already (``xteval check``
            reads a report once): when ``source_report`` names that file, its hash and the
            quote check of ``seed`` figures take this document and the file is not read again.

    Returns:
        The validated params model (``DepartmentParams`` for ``notebook: department``);
        :func:`params_sha256` gives the hash of the bytes it was parsed from.

    Raises:
        ParamsError: the file is missing or unreadable, is not valid YAML, or fails
            the schema; or a file it names is outside the params tree, missing, not a
            regular file, over the size cap, or unreadable by its reader (a missing
            column, a NUL byte, a bad cell). The message names the file, the field path
            and the reason.
    """
    path = Path(path)
    data = read_bytes(path) if data is None else data
    params = validate(load_yaml(path, data), path)
    params._path = path.resolve()
    params._sha256 = sha256_bytes(data)
    reports = check_inputs(params, source)  # every file it names: inside the params tree, readable by its reader
    params._source = reports.get("source_report")
    check_provenance(params, path, params._source)  # every seed quote occurs in source_report and states the value
    return params


def params_path(params: ParamsBase) -> Path | None:
    """The file a params model was loaded from, if any."""
    return params._path


def params_source(params: ParamsBase) -> SourceDocument | None:
    """The source report as it was read when the params were loaded (None for params built in memory, or without one)."""
    return params._source


def params_sha256(params: ParamsBase) -> str | None:
    """The sha256 of the bytes a params model was parsed from (None for a model built in memory)."""
    return params._sha256


def input_hashes(params: ParamsBase) -> dict[str, str]:
    """Every file the params name (resolved path → sha256 of the bytes validated at load)."""
    return dict(params._inputs)


# --------------------------------------------------------------------------- the params tree

DATA_ROOT_ENV = "XTEVAL_DATA_ROOT"  # one more folder that params files may name files in
_PACKAGE = Path(__file__).resolve().parent  # xteval/, whose notebooks/ ship with it
_YEAR_FOLDER = re.compile(r"\d{4}")


def project_root(params_file: Path) -> Path:
    """The project a params file belongs to: where its ``outputs/`` go by default.

    The nearest folder above its params tree that has ``notebooks/`` (a project with notebooks of
    its own); else, for ``params/<year>/x.yaml``, the folder holding ``params/`` (a workspace made by
    ``xteval init``, or this repository); else the cwd. Params are data: a ``notebooks/`` folder
    inside the params tree (planted beside the data) is never the project's, so the search starts
    above the tree (:func:`params_tree`).
    """
    tree = params_tree(params_file)
    for folder in tree.parents:
        if (folder / "notebooks").is_dir() and folder != _PACKAGE:  # the package's own notebooks make no project
            return folder
    if tree.name == "params" and tree != Path(params_file).resolve().parent:
        return tree.parent
    return Path.cwd()


def params_tree(params_file: str | Path) -> Path:
    """The folder every path in a params file must stay inside.

    For ``params/2023/department.yaml`` it is ``params/``, the folder holding the year
    folders (so a year may name a file of another year); for a params file that is not
    in a year folder it is the file's own folder. Links are resolved first.
    """
    folder = Path(params_file).resolve().parent
    if _YEAR_FOLDER.fullmatch(folder.name) and folder.parent != folder.parent.parent:
        return folder.parent
    return folder


def allowed_roots(params_file: str | Path | None) -> list[Path]:
    """The params tree, a workspace's ``sources/`` beside ``params/``, and the data root named by ``XTEVAL_DATA_ROOT``."""
    roots = [params_tree(params_file) if params_file is not None else Path.cwd().resolve()]
    sources = roots[0].parent / "sources"  # a workspace's reports (xteval init): sources/ beside params/, never a link
    if params_file is not None and roots[0].name == "params" and sources.is_dir() and not sources.is_symlink():
        roots.append(sources)
    extra = os.environ.get(DATA_ROOT_ENV, "").strip()
    if extra:
        roots.append(Path(extra).resolve())
    return roots


def resolve(params: ParamsBase, relative: str, field: str | None = None) -> Path:
    """A path written in a params file, resolved against that file's folder and confined to the params tree.

    The one function every module calls for such a path.

    Args:
        params: the loaded params (its file decides the folder and the tree; a model
            built in memory resolves against, and is confined to, the working directory).
        relative: the path as written (relative to the params file, or absolute).
        field: the field it is written in, for the message.

    Returns:
        The path with every link resolved, inside :func:`allowed_roots`.

    Raises:
        ParamsError: the path (after following links) leads outside the params tree
            and the data root.
    """
    base = params_path(params)
    p = Path(str(relative))
    joined = p if p.is_absolute() else (base.parent if base else Path.cwd()) / p
    try:
        real = joined.resolve()
    except (OSError, RuntimeError):  # a link loop
        raise ParamsError(f"路径无法解析（链接循环）: {str(relative)[:200]!r} (link loop)", file=base, field=field) from None
    roots = allowed_roots(base)
    if not any(inside(real, root) for root in roots):
        raise ParamsError(
            f"路径 {str(relative)[:200]!r} 在参数目录 {roots[0]} 之外（已解析链接）(outside the params tree; see {DATA_ROOT_ENV})",
            file=base,
            field=field,
        )
    try:  # inside by where it leads is not enough: a link of any kind on the way is refused (files.refuse_links)
        refuse_links(joined, next((r for r in roots if inside(real, r)), None))
    except InputError as exc:
        raise ParamsError(f"路径 {str(relative)[:200]!r} {exc.reason}", file=base, field=field) from None
    return real


def check_inputs(params: ParamsBase, source: SourceDocument | None = None) -> dict[str, SourceDocument]:
    """Read every file the params name, as its notebook will, before any kernel starts.

    Each must resolve inside the params tree to a regular file under the size cap that
    its reader accepts; its hash is kept (:func:`input_hashes`). A report (a reference
    without a reader of its own, such as ``source_report``) is read once into a
    :class:`~xteval.files.SourceDocument`, as ``xteval check`` reads it; when ``source``
    was read from that file already, it is taken and the file is not read again.

    Returns:
        The reports read, by field (``{"source_report": document}``), for :func:`check_provenance`.

    Raises:
        ParamsError: the first file that is refused, naming the params file, the field,
            the path as written and the reason (with the row and column of a bad cell).
    """
    reports: dict[str, SourceDocument] = {}
    for ref in params.data_files():
        path = resolve(params, ref.value, field=ref.field)
        try:
            if ref.read is None:
                document = source if source is not None and source.is_file(path) else _read_report(path)
                reports[ref.field] = document
                digest = document.sha256
            else:
                digest = sha256_bytes(read_input(path))
                ref.read(path)
        except InputError as exc:
            where = exc.where
            reason = f"{str(ref.value)[:200]}: {where + ': ' if where else ''}{exc.reason}"
            raise ParamsError(reason, file=params_path(params), field=ref.field) from None
        params._inputs[str(path)] = digest
    return reports


def _read_report(path: Path) -> SourceDocument:
    """A report a params file names, read once per file version (a batch loads many params files that cite one report)."""
    try:
        info = path.stat()
    except OSError:
        return read_source(path)  # raises the InputError that names why
    return _read_report_version(path, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=16)
def _read_report_version(path: Path, mtime_ns: int, size: int) -> SourceDocument:
    return read_source(path)  # no OCR here (it is the audit's): a scanned source report is refused, naming the extra


def iter_provenance(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Provenance]]:
    """Every figure in a params model with its field path."""
    if isinstance(model, Provenance):
        yield prefix, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            if isinstance(item, BaseModel):
                yield from iter_provenance(item, path if i is None else f"{path}[{i}]")


def uses_illustrative(model: BaseModel) -> bool:
    """True when any figure is illustrative: the report must say 示例数据."""
    return any(p.is_illustrative for _, p in iter_provenance(model))


# --------------------------------------------------------------------------- provenance on load


@functools.lru_cache(maxsize=16)
def _match_key(document: SourceDocument) -> str:
    """A source report's text reduced for quote matching (once per document: a batch loads many params files)."""
    return match_key(document.text)


def _numbers_of(figure: Provenance) -> tuple[str, list[Decimal]] | None:
    """What a seed's quote must contain: ("金额", values in 万元) for money, ("数值", numbers) otherwise; None for claims."""
    if isinstance(figure, Amount):
        return "金额", [figure.value]
    if isinstance(figure, Figure):
        return "数值", [figure.value]
    if isinstance(figure, Score):
        return "得分", [figure.score]
    return None


def _quote_states(quote: str, kind: str, value: Decimal) -> bool | None:
    """True when the quote writes ``value`` (money converted to 万元; a bare number in a money quote is 万元).

    None when the quote holds no number at all.
    """
    written = amounts_in(fold(quote))
    if not written:
        return None
    if kind == "金额":
        return any(w.value == value for w in written if w.kind in ("money", "number"))
    return any(w.number == value or w.value == value for w in written)


def check_provenance(params: ParamsBase, file: str | Path, source: SourceDocument | None) -> None:
    """Every ``seed`` quote occurs in ``source_report`` and states the figure's value.

    The quote and the report are compared after :func:`xteval.money.match_key` (the audit's own
    normalisation: full-width forms, traditional characters, spacing); the amount is found in the
    quote by :func:`xteval.money.amounts_in` and compared in 万元. A seed with no source report is
    refused: a quote of nothing cannot be checked. ``source`` is the source report as
    :func:`check_inputs` read it.

    Raises:
        ParamsError: naming the first field whose quote is not in the report, whose quote states
            another amount, or that has a seed but the file has no ``source_report``.
    """
    seeds = [(path, prov) for path, prov in iter_provenance(params) if prov.source == "seed"]
    if not seeds:
        return
    if not params.source_report:
        path, _ = seeds[0]
        raise ParamsError("有 seed 原文摘引但未给出 source_report (a seed figure needs source_report)", file=file, field=f"{path}.seed")
    text = _match_key(source)
    for path, prov in seeds:
        if match_key(prov.seed) not in text:
            raise ParamsError(
                f"原文摘引不在源报告中: {prov.seed!r} (seed quote not found in {params.source_report})", file=file, field=f"{path}.seed"
            )
        expected = _numbers_of(prov)
        if expected is None:
            continue
        kind, (value,) = expected
        states = _quote_states(prov.seed, kind, value)
        if states is None:
            raise ParamsError(f"原文摘引中没有{kind}: {prov.seed!r} (the seed quote states no number)", file=file, field=f"{path}.seed")
        if not states:
            raise ParamsError(
                f"{kind} {value} 与原文摘引 {prov.seed!r} 中的数字不符 (value differs from the amount in the seed quote)",
                file=file,
                field=f"{path}.value",
            )
