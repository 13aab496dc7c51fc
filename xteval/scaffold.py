"""``xteval new YEAR``: a new year's params scaffolded from an earlier year, inventing nothing.

The new folder keeps the earlier year's structure (every file, every key, every
goal), keeps the plan (指标值, 分值, contract and SLA terms) and clears
what the year actually did (完成值, amounts, claims, narrative, dates). Budgets and
三公 control figures are set anew each year, so they are cleared too.

How a cleared figure is written:

.. code-block:: yaml

    actual: {value: null, unit: "%", todo: 待填（2023 年为 133 %）}

``value: null`` invents no number, and the ``todo`` key replaces the provenance
key. :func:`pending` finds every ``todo``; :func:`xteval.params.validate`
refuses a file that still has one and names the first field and the count, so
``xteval run`` says exactly what is left to fill. A kept figure has its
provenance reset: a quote from last year's report is no longer a ``seed`` of
this year's, so it becomes ``derived: 沿用 2023 年…``; an illustrative figure
stays illustrative.

Data files next to a params file (CSV the notebook reads) are copied with their
header row only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .files import cannot_write, current_umask, decode_text, inside, read_input, refuse_links
from .params import TODO, load_yaml, pending

PROVENANCE = ("seed", "derived", "illustrative")
# Keys whose subtree is the plan or a contract term, not the outcome: kept, provenance reset.
# Budgets and 三公 control figures are set anew each year, so they are cleared.
PLAN = re.compile(r"target|weight|^max$|threshold|limit|deadline|band|coefficient|rules?$|contract|sla", re.I)
# Text that describes what happened in the year: cleared even outside a figure.
OUTCOME_TEXT = re.compile(r"^(evidence|grade|note|notes|comment|remark|status|state)$", re.I)
# Inside a cleared figure these name it and stay; everything else goes.
IDENTITY = {"name", "unit", "max", "kind", "level1", "level2"}


def available_years(params_dir: Path) -> list[int]:
    """Years that have a folder under ``params/``, ascending."""
    return sorted(int(p.name) for p in Path(params_dir).iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))


def new_year(year: int, params_dir: str | Path = "params", source_year: int | None = None) -> list[Path]:
    """Create ``params/<year>/`` from an earlier year.

    Args:
        year: the year to create; its folder must not exist.
        params_dir: the ``params/`` folder holding one folder per year.
        source_year: the year to copy; defaults to the latest year before ``year``.

    Returns:
        The files written (params YAML and header-only data files).

    Raises:
        InputError: the year exists already, the source year does not exist or
            holds no params file, or a source file cannot be read.
    """
    params_dir = Path(params_dir)
    if not params_dir.is_dir():
        raise InputError("参数根目录不存在 (params folder not found; use --params)", file=params_dir)
    if not 2000 <= year <= 2100:
        raise InputError(f"年度应在 2000–2100 之间: {year} (year out of range)", field="YEAR")
    target = params_dir / str(year)
    if target.exists():
        raise InputError("该年度已存在，不覆盖 (year exists; refusing to overwrite)", file=target)
    if source_year is None:
        earlier = [y for y in available_years(params_dir) if y < year]
        if not earlier:
            raise InputError(f"没有早于 {year} 的年度可沿用 (no earlier year to scaffold from; use --from)", file=params_dir)
        source_year = earlier[-1]
    source = params_dir / str(source_year)
    if not source.is_dir():
        raise InputError(f"来源年度不存在 (source year {source_year} not found)", file=source)
    files = sorted(source.glob("*.yaml"))
    if not files:
        raise InputError("来源年度没有参数文件 (no params *.yaml in source year)", file=source)

    for f in files:
        refuse_links(f)  # a file linked into the year is not copied into the next one
    plans = [(f, _Scaffolder(source_year, year, source).params(load_yaml(f), f)) for f in files]
    # The whole year is written into a private folder beside it and renamed into place:
    # a full disk or a crash leaves no half-written year that a re-run would refuse.
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{year}.", suffix=".new", dir=params_dir))
    except OSError as exc:
        raise cannot_write(target, exc) from None
    written: list[Path] = []
    try:
        for f, (data, data_files) in plans:
            (staging / f.name).write_text(_header(source_year, year, f, len(pending(data))) + dump(data), encoding="utf-8")
            written.append(target / f.name)
            for rel in data_files:
                dest = staging / rel
                if not inside(dest, staging) or dest.exists():
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(_header_row(source / rel), encoding="utf-8")
                written.append(target / rel)
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it private; a params folder is shared
        if target.exists():
            raise InputError("该年度已存在，不覆盖 (year exists; refusing to overwrite)", file=target)
        os.rename(staging, target)
    except OSError as exc:
        raise cannot_write(target, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _header(source_year: int, year: int, source_file: Path, todo: int) -> str:
    return (
        f"# 由 `xteval new {year} --from {source_year}` 根据 {source_year}/{source_file.name} 生成：结构与计划值（指标值、分值、合同与服务条款）沿用，\n"
        f"# 实际数已清空。待填 {todo} 项：每个带 todo 的项，填入 value，并把 todo 换成 seed（引用本年度报告原文）、\n"
        "# derived（推算规则）或 illustrative（示例说明）；本年度不适用的可选项整项删除。\n"
        "# 仍有 todo 时 xteval 拒绝运行，并指出待填的字段。\n"
    )


def _header_row(path: Path) -> str:
    text, _ = decode_text(read_input(path), path)  # a regular file under the cap, UTF-8 or GBK like every CSV
    return text.split("\n", 1)[0].rstrip("\r") + "\n"


class _Scaffolder:
    """Walks one params tree: plan kept (provenance reset), outcome cleared to ``todo``."""

    def __init__(self, source_year: int, year: int, source_dir: Path):
        self.source_year, self.year, self.source_dir = source_year, year, source_dir
        self.data_files: list[str] = []

    def params(self, data: Any, path: Path) -> tuple[dict, list[str]]:
        if not isinstance(data, dict):
            raise InputError("顶层应为映射 (top level must be a mapping)", file=path)
        rest = {k: v for k, v in data.items() if k not in ("unit", "source_report")}
        # source_report is dropped: this year's report is not here yet; seeds will quote it once it is.
        out = self.walk(rest, "", keep=False)
        if isinstance(data.get("unit"), dict):
            out = {"unit": {**data["unit"], "year": self.year}, **out}
        out = {k: out[k] for k in data if k in out} | {k: v for k, v in out.items() if k not in data}  # file order
        return out, self.data_files

    def walk(self, node: Any, key: str, keep: bool) -> Any:
        if isinstance(node, dict):
            if any(k in node for k in PROVENANCE):
                return self.carry(node) if keep else self.clear(node)
            out: dict = {}
            dates = []
            for k, v in node.items():
                child_keep = keep or bool(PLAN.search(str(k)))
                if not child_keep and isinstance(v, dt.date):
                    out[k] = None
                    dates.append(str(k))
                else:
                    out[k] = self.walk(v, str(k), child_keep)
            if dates:
                out[TODO] = f"日期待填: {', '.join(dates)}（{self.source_year} 年的日期已清空）"
            return out
        if isinstance(node, list):
            return [self.walk(item, key, keep) for item in node]
        if isinstance(node, str) and not keep:
            if self._data_file(node):
                self.data_files.append(node)
                return node
            if OUTCOME_TEXT.match(key):
                return None if key == "grade" else ""
        return node

    def _data_file(self, text: str) -> bool:
        if len(text) > 200 or "\n" in text or not re.search(r"\.(csv|tsv|txt|xlsx)$", text, re.I):
            return False
        path = self.source_dir / text
        return path.is_file() and path.resolve().is_relative_to(self.source_dir.resolve()) and path.suffix.lower() in (".csv", ".tsv")

    def carry(self, fig: dict) -> dict:
        """A plan figure kept for the new year, its provenance rewritten (not a seed of the new report)."""
        out = {k: v for k, v in fig.items() if k not in (*PROVENANCE, "line")}
        if fig.get("illustrative") not in (None, False, ""):
            note = fig["illustrative"] if isinstance(fig["illustrative"], str) else "示例"
            out["illustrative"] = f"沿用 {self.source_year} 年示例值：{note}"
        else:
            was = "原文" if fig.get("seed") else f"推算：{fig.get('derived')}"
            out["derived"] = f"沿用 {self.source_year} 年参数（{was}）"
        return out

    def clear(self, fig: dict) -> dict:
        """An outcome figure emptied: identity kept, numbers null, text empty, a todo naming last year's value."""
        out: dict = {}
        old = []
        for k, v in fig.items():
            if k in (*PROVENANCE, "line"):
                continue
            if isinstance(v, str) and self._data_file(v):
                out[k] = v  # the file is copied with its header row only
                self.data_files.append(v)
                out[TODO] = f"待填（{v} 只保留了表头，填入本年度数据）"
                continue
            if k in IDENTITY:
                out[k] = v
            elif isinstance(v, bool):
                out[k] = None
            elif isinstance(v, int | Decimal | float):
                out[k] = None
                old.append(_plain(v) + (f" {fig['unit']}" if fig.get("unit") and k == "value" else ""))
            elif isinstance(v, str):
                out[k] = ""
            else:
                out[k] = None
        if TODO not in out:
            out[TODO] = f"待填（{self.source_year} 年为 {'、'.join(old)}）" if old else f"待填（{self.source_year} 年的内容已清空）"
        return out


# --------------------------------------------------------------------------- YAML out


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class _Dumper(yaml.SafeDumper):
    """Writes Decimals as plain numbers and small mappings (figures) on one line, like the hand-written files."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _mapping(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    flat = all(not isinstance(v, dict | list) for v in value.values()) and len(value) <= 8
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flat and any(k in value for k in ("value", TODO, "score")))


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(dict, _mapping)


def dump(data: Any) -> str:
    """YAML text that :func:`xteval.params.load_yaml` reads back to the same values."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


# --------------------------------------------------------------------------- xteval init

# What a workspace starts with, shipped in the package: its Chinese README and one example department.
WORKSPACE_TEMPLATE = Path(__file__).resolve().parent / "workspace"


def init_workspace(folder: str | Path, year: int | None = None) -> list[Path]:
    """``xteval init DIR``: a workspace that runs from anywhere, with the package's notebooks and frameworks.

    It holds ``params/<year>/department.yaml`` (an invented unit, every figure ``illustrative``),
    ``sources/`` (reports; a params file may name files in it), ``outputs/`` and a ``README.md`` in Chinese.
    Everything is written into a private folder beside ``folder`` and renamed into place, so a failure
    leaves nothing half-written.

    Args:
        folder: the workspace; it must not exist, or be an empty folder.
        year: the example's year; defaults to last year (the year a 决算 reports on).

    Returns:
        The files written.

    Raises:
        InputError: ``folder`` is not empty, is a file or a link, or the year is out of range.
        WriteError: the folder cannot be written.
    """
    given = Path(folder)
    target = Path(os.path.abspath(given))  # "." and "a/.." name a folder with a parent to stage beside
    year = dt.date.today().year - 1 if year is None else year
    if not 2000 <= year <= 2100:
        raise InputError(f"年度应在 2000–2100 之间: {year}", field="--year")
    if given.is_symlink():
        raise InputError("工作目录是链接，拒绝写入", file=given)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError("已存在且不是空目录，不覆盖（请指定新目录或空目录）", file=given)
    texts = {
        Path("README.md"): (WORKSPACE_TEMPLATE / "README.md").read_text(encoding="utf-8"),
        Path("params", str(year), "department.yaml"): (WORKSPACE_TEMPLATE / "department.yaml").read_text(encoding="utf-8"),
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
    except OSError as exc:
        raise cannot_write(target, exc) from None
    try:
        for sub in ("params", "sources", "outputs"):
            (staging / sub).mkdir()
        for rel, text in texts.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_text(text.replace("{year}", str(year)), encoding="utf-8")
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it private; a workspace is the user's folder
        if target.exists():
            _move_into_empty(staging, target)  # an empty folder (maybe the cwd) stays the same folder
        else:
            os.rename(staging, target)
    except OSError as exc:
        raise cannot_write(given, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [given / rel for rel in texts]


def _move_into_empty(staging: Path, target: Path) -> None:
    """Move a staged workspace's entries into an empty folder; on a failure, take back what was moved."""
    if any(target.iterdir()):
        raise InputError("已存在且不是空目录，不覆盖（请指定新目录或空目录）", file=target)
    moved: list[Path] = []
    try:
        for entry in sorted(staging.iterdir()):
            os.rename(entry, target / entry.name)
            moved.append(target / entry.name)
    except OSError:
        for path in moved:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise
