"""Params files: loading YAML exactly, validating it, and naming the field that is wrong.

A params file describes one unit-year (the department) or one project-year.
Its top-level ``notebook`` key names the notebook that renders it
(``notebook: department`` runs ``notebooks/department.ipynb``) and picks the
schema it is validated against: :func:`get` looks the name up in
``xteval.registry`` and imports only that model's module, so loading a
department file imports no project module and no matplotlib.

Every figure is a mapping with ``value`` and exactly one provenance key:
``seed`` (a short quote from the source report), ``derived`` (the rule) or
``illustrative`` (a note, or ``true``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .errors import InputError, ParamsError
from .files import read_input
from .money import ZERO, AmountError, D, N, NumberError

# --------------------------------------------------------------------------- YAML


class _ExactLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that reads YAML floats as Decimal from their source text.

    libyaml's parser when PyYAML has it (the same safe constructors, about 10 times
    faster: a batch of 200 unchanged runs parses 200 files before it can skip them).
    """


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"不是有限数值 {text!r} (not a finite number)", node.start_mark)
    return value


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file with floats as exact Decimals; errors name the file and line."""
    path = Path(path)
    try:
        data = read_input(path)
    except InputError as exc:
        raise ParamsError(exc.reason, file=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParamsError("不是 UTF-8 文本 (not UTF-8 text)", file=path) from None
    try:
        return yaml.load(text, Loader=_ExactLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParamsError(f"YAML 语法错误 (YAML syntax error: {problem})", file=path, field=where) from None


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(_Strict):
    name: str = Field(description="单位名称")
    supervisor: str = Field(description="主管部门")
    year: int = Field(ge=2000, le=2100, description="评价年度")


class ParamsBase(_Strict):
    """What every params file has: the notebook that renders it and the unit-year."""

    notebook: str = Field(description="渲染此参数的 notebook 名（notebooks/<notebook>.ipynb）")
    title: str | None = Field(None, description="报告标题（项目名）")
    unit: Unit = Field(description="单位")
    source_report: str | None = Field(None, description="源报告文本路径（相对本文件）")
    _path: Path | None = PrivateAttr(None)

    @property
    def year(self) -> int:
        return self.unit.year


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
            msg += f": {err.get('input')!r}; {err['ctx'].get('expected', '')}"
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
        raise ParamsError(f"待填（共 {n} 项，首项在此）({n} figures left to fill after `xteval new`)", file=path, field=todo[0])
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
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        extra = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ParamsError(_describe(err) + extra, file=path, field=_field_path(err["loc"])) from None


def load_params(path: str | Path) -> ParamsBase:
    """Load and validate a params file.

    Args:
        path: a params YAML file; its ``notebook`` key picks the schema.

    Returns:
        The validated params model (``DepartmentParams`` for ``notebook: department``).

    Raises:
        ParamsError: the file is missing or unreadable, is not valid YAML, or fails
            the schema. The message names the file, the field path and the reason.
    """
    path = Path(path)
    params = validate(load_yaml(path), path)
    params._path = path.resolve()
    return params


def params_path(params: ParamsBase) -> Path | None:
    """The file a params model was loaded from, if any."""
    return params._path


def resolve(params: ParamsBase, relative: str) -> Path:
    """A path written in a params file, resolved against that file's folder."""
    base = params_path(params)
    p = Path(relative)
    return p if p.is_absolute() or base is None else (base.parent / p)


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
