"""Scoring frameworks as data: versioned YAML files beside this module (``xteval/scoring/frameworks/``).

A framework file holds its name, version, source document, grade bands and
either an indicator tree (一级/二级/三级 with 分值; children must add up to their
parent) or, for ``kind: pefa``, PEFA dimension bands and the M2 conversion table.

Two shapes of tree:

- **open** (``mof2020-self``): only the 一级指标 and their 分值 are fixed; the
  indicators come from the evaluated table, and their 分值 must add up to their
  一级指标's (checked when scoring).
- **closed** (``dept-common-2013``): every 三级 indicator is in the file with its
  method and parameters.

:func:`load` validates a file and names the field that is wrong; :func:`get`
loads a shipped framework by name (cached); :func:`names` lists them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...errors import ConfigError, ParamsError
from ...money import N, NumberError
from ...params import load_yaml
from .. import methods

__all__ = ["Framework", "Leaf", "Level1", "get", "load", "names", "FRAMEWORK_DIR"]

FRAMEWORK_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Leaf:
    """A fixed indicator of a closed framework: its method, parameters and 分值."""

    id: str
    name: str
    level1: str
    level2: str
    weight: Decimal
    method: str
    params: dict[str, Any]
    target: Decimal | None
    unit: str
    formula: str
    basis: str


@dataclass(frozen=True)
class Level1:
    """A 一级指标 with its 分值 and the names real 自评表 use for it."""

    name: str
    weight: Decimal
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framework:
    """A validated framework: tree, methods, grade bands and source."""

    name: str
    version: str
    title: str
    source: str
    basis: str
    note: str
    kind: str  # "points" or "pefa"
    total: Decimal | None
    level1: tuple[Level1, ...] = ()
    leaves: tuple[Leaf, ...] = ()
    kinds: dict[str, dict[str, Any]] = field(default_factory=dict)
    over_achievement: dict[str, Any] = field(default_factory=dict)
    grades: tuple[tuple[Decimal, str], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def closed(self) -> bool:
        """True when the file lists every indicator (the table cannot add its own)."""
        return bool(self.leaves)

    @functools.cached_property
    def alias_map(self) -> dict[str, str]:
        """Every accepted 一级指标 name → its canonical name."""
        out = {}
        for lv in self.level1:
            out[lv.name] = lv.name
            for a in lv.aliases:
                out[a] = lv.name
        return out

    @functools.cached_property
    def kind_map(self) -> dict[str, str]:
        """Every accepted kind (``positive``, ``正向`` …) → its canonical kind."""
        out = {}
        for k, spec in self.kinds.items():
            out[k] = k
            for a in spec.get("aliases", []):
                out[str(a)] = k
        return out

    def grade(self, total: Decimal) -> str:
        """The grade band a total falls in (≥ 90 优, ≥ 80 良, ≥ 60 中, otherwise 差 by default)."""
        for low, grade in self.grades:
            if total >= low:
                return grade
        return self.grades[-1][1]


def _dec(value: Any, file: Path, where: str) -> Decimal:
    """A number of the framework file (YAML gives int or Decimal); text is not a number here."""
    try:
        if isinstance(value, str):
            raise NumberError(value)
        return N(value)
    except NumberError:
        raise ConfigError(f"应为数值 (expected a number, got {value!r})", file=file, field=where) from None


def _need(d: dict, key: str, file: Path, where: str) -> Any:
    if not isinstance(d, dict):
        raise ConfigError("应为映射 (expected a mapping)", file=file, field=where)
    if key not in d:
        raise ConfigError("缺少字段 (missing field)", file=file, field=f"{where}.{key}" if where else key)
    return d[key]


def _sum_check(children: list[Decimal], parent: Decimal, file: Path, where: str) -> None:
    total = sum(children, Decimal(0))
    if total != parent:
        diff = total - parent
        raise ConfigError(
            f"下级分值之和 {total} ≠ 上级分值 {parent}（{'多' if diff > 0 else '少'} {abs(diff)}）(children's weights do not sum to the parent)",
            file=file,
            field=where,
        )


def _leaf(d: dict, lv1: str, lv2: str, file: Path, where: str) -> Leaf:
    method = _need(d, "method", file, where)
    try:
        methods.get(method)
    except ConfigError as exc:
        raise ConfigError(exc.reason, file=file, field=f"{where}.method") from None
    params = d.get("params") or {}
    need = {"step": ("step", "points"), "band": ("bands",)}.get(method, ())
    for key in need:
        _need(params, key, file, f"{where}.params")
    weight = _dec(_need(d, "weight", file, where), file, f"{where}.weight")
    for i, b in enumerate(params.get("bands", [])):
        pts = _dec(_need(b, "points", file, f"{where}.params.bands[{i}]"), file, f"{where}.params.bands[{i}].points")
        if pts > weight:
            raise ConfigError(
                f"档次分值 {pts} 超过指标分值 {weight} (band points exceed the weight)", file=file, field=f"{where}.params.bands[{i}]"
            )
    target = d.get("target")
    return Leaf(
        id=str(_need(d, "id", file, where)),
        name=str(_need(d, "name", file, where)),
        level1=lv1,
        level2=lv2,
        weight=weight,
        method=method,
        params=params,
        target=_dec(target, file, f"{where}.target") if target is not None else None,
        unit=str(d.get("unit", "")),
        formula=str(d.get("formula", "")),
        basis=str(d.get("basis", "")),
    )


def load(path: str | Path) -> Framework:
    """Load and validate a framework file.

    Args:
        path: a framework YAML file.

    Returns:
        The validated :class:`Framework`.

    Raises:
        ConfigError: a missing field, an unknown method, a band worth more than
            its indicator, or children whose 分值 do not add up to their parent;
            the message names the file and the field path.
    """
    path = Path(path)
    try:
        doc = load_yaml(path)
    except ParamsError as exc:
        raise ConfigError(exc.reason, file=path, field=exc.field) from None
    if not isinstance(doc, dict):
        raise ConfigError("顶层应为映射 (top level must be a mapping)", file=path)
    common = {k: str(_need(doc, k, path, "")) for k in ("name", "version", "title", "source")}
    kind = str(doc.get("kind", "points"))
    if kind == "pefa":
        for key in ("dimensions", "indicators", "m2", "years_required", "years_meeting"):
            _need(doc, key, path, "")
        return Framework(**common, basis=str(doc.get("basis", "")), note=str(doc.get("note", "")), kind=kind, total=None, raw=doc)
    total = _dec(_need(doc, "total", path, ""), path, "total")
    lv1s, leaves = [], []
    for i, lv in enumerate(_need(doc, "level1", path, "")):
        where = f"level1[{i}]"
        name = str(_need(lv, "name", path, where))
        weight = _dec(_need(lv, "weight", path, where), path, f"{where}.weight")
        lv1s.append(Level1(name, weight, tuple(str(a) for a in lv.get("aliases", []))))
        children = lv.get("children")
        if children:
            _sum_check(
                [_dec(_need(c, "weight", path, f"{where}.children[{j}]"), path, "") for j, c in enumerate(children)], weight, path, where
            )
            for j, lv2 in enumerate(children):
                w2 = f"{where}.children[{j}]"
                kids = _need(lv2, "children", path, w2)
                _sum_check(
                    [_dec(_need(c, "weight", path, f"{w2}.children[{k}]"), path, "") for k, c in enumerate(kids)],
                    _dec(lv2["weight"], path, f"{w2}.weight"),
                    path,
                    w2,
                )
                leaves += [_leaf(c, name, str(lv2["name"]), path, f"{w2}.children[{k}]") for k, c in enumerate(kids)]
    _sum_check([lv.weight for lv in lv1s], total, path, "level1")
    kinds = doc.get("kinds") or {}
    for k, spec in kinds.items():
        try:
            methods.get(_need(spec, "method", path, f"kinds.{k}"))
        except ConfigError as exc:
            raise ConfigError(exc.reason, file=path, field=f"kinds.{k}.method") from None
    if not leaves and not kinds:
        raise ConfigError("开放指标表须给出 kinds (an open tree needs kinds)", file=path, field="kinds")
    grades = tuple(
        (_dec(_need(g, "min", path, f"grades[{i}]"), path, f"grades[{i}].min"), str(_need(g, "grade", path, f"grades[{i}]")))
        for i, g in enumerate(_need(doc, "grades", path, ""))
    )
    if not grades or list(grades) != sorted(grades, key=lambda g: -g[0]):
        raise ConfigError("等级应按下限从高到低排列 (grade bands must go from the highest minimum down)", file=path, field="grades")
    return Framework(
        **common,
        basis=str(doc.get("basis", "")),
        note=str(doc.get("note", "")),
        kind=kind,
        total=total,
        level1=tuple(lv1s),
        leaves=tuple(leaves),
        kinds=kinds,
        over_achievement=doc.get("over_achievement") or {},
        grades=grades,
        raw=doc,
    )


def names() -> list[str]:
    """Names of the shipped frameworks."""
    return sorted(p.stem for p in FRAMEWORK_DIR.glob("*.yaml"))


@functools.cache
def get(name: str) -> Framework:
    """A shipped framework by name; the error names the key and the known names."""
    path = FRAMEWORK_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"未知评分框架 {name!r} (unknown framework; known: {', '.join(names())})", field="framework")
    return load(path)
