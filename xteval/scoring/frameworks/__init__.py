"""Scoring frameworks as data: versioned YAML files beside this module (``xteval/scoring/frameworks/``).

A framework file holds its name, version, source document (with its URL where
public), grade bands and one of four bodies, by ``kind``:

- ``points``, **open** (``mof2020-self``): only the 一级指标 and their default
  分值 are fixed; the indicators come from the evaluated table. ``adjustable:
  true`` lets a table use other 一级 分值 that still add up to the total (a
  warning, not an error).
- ``points``, **closed** (``dept-common-2013@yueyang`` …): every 三级 indicator
  is in the file with its method, parameters, points basis and the table it
  comes from. A part of the source table that could not be read is declared
  with ``unseen: reason`` on its node; it becomes a *gap*, and a result under a
  framework with gaps is only a 可评分值, never a total.
- ``catalogue`` (``dept-common-2013``): the indicators of 财预〔2013〕53号 with
  their definitions and formulas and no points (53号 sets none); closed
  frameworks ``extends:`` it and score its measures.
- ``pefa`` and ``monitor``: band tables read by ``xteval.scoring.pefa`` and
  ``xteval.scoring.monitor``.

Every number carries a ``basis``: ``official`` (a clause of the cited document),
``practice`` (a named published table or form, cited), ``convention``
(xteval's own choice, with alternatives), ``illustrative`` or ``unverified``.

:func:`load` validates a file and names the field that is wrong; :func:`get`
loads a shipped framework by name (cached); :func:`names` lists them;
:func:`choose` selects the alternatives a framework offers (reverse formula,
偏离度 rule).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...errors import ConfigError, ParamsError
from ...money import N, NumberError
from ...params import load_yaml
from .. import methods

__all__ = [
    "FRAMEWORK_DIR",
    "SOURCED",
    "Framework",
    "Leaf",
    "Level1",
    "Measure",
    "choose",
    "get",
    "load",
    "names",
    "points_basis",
    "variants",
]

FRAMEWORK_DIR = Path(__file__).parent
KINDS = ("points", "catalogue", "pefa", "monitor")
BASES = ("official", "practice", "convention", "illustrative", "unverified")
SOURCED = frozenset({"official", "practice"})  # points that rest on a cited document or published table


@dataclass(frozen=True)
class Measure:
    """One indicator of a catalogue: what is measured and how, with no points."""

    id: str
    name: str
    level1: str
    level2: str
    quantitative: bool
    unit: str
    formula: str
    definition: str
    basis: str  # official: a 53号 indicator; practice: a local table's own formula
    checked: str  # "seen" in a stored copy of the source, or "recalled" (to confirm against the URL)
    source: str = ""
    url: str = ""


@dataclass(frozen=True)
class Leaf:
    """A fixed indicator of a closed framework: its measure, method, parameters, 分值 and where they come from."""

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
    basis: str  # of the points: official / practice (sourced) or illustrative / unverified
    measure: str = ""
    source: str = ""
    url: str = ""
    wording: str = ""  # the table's own 评分标准, quoted
    partial_basis: str = ""  # step rules: whether the table settles how an incomplete step counts
    note: str = ""

    @property
    def sourced(self) -> bool:
        """True when the points and steps come from a cited document or published table."""
        return self.basis in SOURCED


@dataclass(frozen=True)
class Level1:
    """A 一级指标 with its 分值 (None where the source table's figure was not read) and the names real 自评表 use for it."""

    name: str
    weight: Decimal | None
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
    kind: str  # "points", "catalogue", "pefa" or "monitor"
    total: Decimal | None
    url: str = ""
    level1: tuple[Level1, ...] = ()
    leaves: tuple[Leaf, ...] = ()
    measures: tuple[Measure, ...] = ()
    extends: str = ""
    gaps: tuple[str, ...] = ()  # parts of the source table not read: a result is then only 可评分值
    adjustable: bool = False  # open tree: 一级 分值 may differ from the defaults if they still add up
    kinds: dict[str, dict[str, Any]] = field(default_factory=dict)
    over_achievement: dict[str, Any] = field(default_factory=dict)
    grades: tuple[tuple[Decimal, str], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def closed(self) -> bool:
        """True when the file lists every indicator (the table cannot add its own)."""
        return bool(self.leaves)

    @property
    def sourced(self) -> bool:
        """True when every indicator's points are sourced and the source table was read whole."""
        return not self.gaps and all(leaf.sourced for leaf in self.leaves)

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

    @functools.cached_property
    def measure_map(self) -> dict[str, Measure]:
        """Catalogue measures by id."""
        return {m.id: m for m in self.measures}

    def grade(self, total: Decimal) -> str | None:
        """The grade band a total falls in (≥ 90 优, ≥ 80 良, ≥ 60 中, otherwise 差 by default); None without bands."""
        for low, grade in self.grades:
            if total >= low:
                return grade
        return self.grades[-1][1] if self.grades else None


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


def _basis(d: dict, file: Path, where: str, default: str = "") -> str:
    basis = str(d.get("basis", default))
    if basis and basis not in BASES:
        raise ConfigError(f"basis 应为 {' / '.join(BASES)} (got {basis!r})", file=file, field=f"{where}.basis" if where else "basis")
    return basis


def _sum_check(children: list[Decimal], parent: Decimal, file: Path, where: str, *, partial: bool = False) -> None:
    """Children's 分值 add up to the parent's; with part of the table unseen, they may only fall short."""
    total = sum(children, Decimal(0))
    if total == parent or (partial and total < parent):
        return
    diff = total - parent
    raise ConfigError(
        f"下级分值之和 {total} ≠ 上级分值 {parent}（{'多' if diff > 0 else '少'} {abs(diff)}）(children's weights do not sum to the parent)",
        file=file,
        field=where,
    )


def _leaf(d: dict, lv1: str, lv2: str, file: Path, where: str, catalogue: Framework | None) -> Leaf:
    method = _need(d, "method", file, where)
    try:
        methods.get(method)
    except ConfigError as exc:
        raise ConfigError(exc.reason, file=file, field=f"{where}.method") from None
    params = d.get("params") or {}
    need = {"step": ("step", "points"), "band": ("bands",)}.get(method, ())
    for key in need:
        _need(params, key, file, f"{where}.params")
    if method == "step":
        try:
            methods.partial_mode(params)
        except ConfigError as exc:
            raise ConfigError(exc.reason, file=file, field=f"{where}.params.partial") from None
    weight = _dec(_need(d, "weight", file, where), file, f"{where}.weight")
    for i, b in enumerate(params.get("bands", [])):
        pts = _dec(_need(b, "points", file, f"{where}.params.bands[{i}]"), file, f"{where}.params.bands[{i}].points")
        if pts > weight:
            raise ConfigError(
                f"档次分值 {pts} 超过指标分值 {weight} (band points exceed the weight)", file=file, field=f"{where}.params.bands[{i}]"
            )
    leaf_id = str(_need(d, "id", file, where))
    measure = str(d.get("measure", leaf_id))
    formula = str(d.get("formula", ""))
    if catalogue is not None:
        if measure not in catalogue.measure_map:
            raise ConfigError(
                f"{catalogue.name} 没有指标 {measure!r} (unknown measure of the catalogue)", file=file, field=f"{where}.measure"
            )
        formula = formula or catalogue.measure_map[measure].formula
    target = d.get("target")
    return Leaf(
        id=leaf_id,
        name=str(_need(d, "name", file, where)),
        level1=lv1,
        level2=lv2,
        weight=weight,
        method=method,
        params=params,
        target=_dec(target, file, f"{where}.target") if target is not None else None,
        unit=str(d.get("unit", "")),
        formula=formula,
        basis=_basis(d, file, where, "illustrative"),
        measure=measure,
        source=str(d.get("source", "")),
        url=str(d.get("url", "")),
        wording=str(d.get("wording", "")),
        partial_basis=str(d.get("partial_basis", "")),
        note=str(d.get("note", "")),
    )


def _measures(doc: dict, path: Path) -> tuple[Measure, ...]:
    out: list[Measure] = []
    for section in ("indicators", "local_measures"):
        for i, m in enumerate(doc.get(section) or []):
            where = f"{section}[{i}]"
            out.append(
                Measure(
                    id=str(_need(m, "id", path, where)),
                    name=str(_need(m, "name", path, where)),
                    level1=str(m.get("level1", "")),
                    level2=str(m.get("level2", "")),
                    quantitative=bool(m.get("quantitative", True)),
                    unit=str(m.get("unit", "")),
                    formula=str(m.get("formula", "")),
                    definition=str(m.get("definition", "")),
                    basis=_basis(m, path, where, "official" if section == "indicators" else "practice"),
                    checked=str(m.get("checked", "")),
                    source=str(m.get("source", "")),
                    url=str(m.get("url", "")),
                )
            )
    ids = [m.id for m in out]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup:
        raise ConfigError(f"指标 id {dup!r} 重复 (duplicate measure id)", file=path, field="indicators")
    return tuple(out)


def _weight(node: dict, file: Path, where: str) -> Decimal | None:
    """A node's 分值; None only where the node says the table's figure was ``unseen``."""
    weight = _need(node, "weight", file, where) if not node.get("unseen") else node.get("weight")
    return None if weight is None else _dec(weight, file, f"{where}.weight")


def _tree(doc: dict, path: Path, catalogue: Framework | None):
    """The 一级/二级/三级 tree: (level1s, leaves, gaps)."""
    lv1s, leaves, gaps = [], [], []
    for i, lv in enumerate(_need(doc, "level1", path, "")):
        where = f"level1[{i}]"
        name = str(_need(lv, "name", path, where))
        weight = _weight(lv, path, where)
        if lv.get("unseen"):
            gaps.append(f"{name}：{lv['unseen']}")
        lv1s.append(Level1(name, weight, tuple(str(a) for a in lv.get("aliases", []))))
        children = lv.get("children") or []
        kid_weights = [_weight(c, path, f"{where}.children[{j}]") for j, c in enumerate(children)]
        if children and weight is not None and None not in kid_weights:
            _sum_check(kid_weights, weight, path, where, partial=bool(lv.get("unseen")))
        for j, lv2 in enumerate(children):
            w2 = f"{where}.children[{j}]"
            kids = _need(lv2, "children", path, w2)
            if lv2.get("unseen"):
                gaps.append(f"{name}/{lv2['name']}：{lv2['unseen']}")
            if kid_weights[j] is not None:
                _sum_check(
                    [_dec(_need(c, "weight", path, f"{w2}.children[{k}]"), path, "") for k, c in enumerate(kids)],
                    kid_weights[j],
                    path,
                    w2,
                    partial=bool(lv2.get("unseen")),
                )
            leaves += [_leaf(c, name, str(lv2["name"]), path, f"{w2}.children[{k}]", catalogue) for k, c in enumerate(kids)]
    ids = [leaf.id for leaf in leaves]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup:
        raise ConfigError(f"指标 id {dup!r} 重复 (duplicate indicator id)", file=path, field="level1")
    return lv1s, leaves, gaps


def _kinds(doc: dict, path: Path) -> dict[str, dict[str, Any]]:
    """An open tree's kinds, each with its params; a kind offering ``formulas`` has the chosen one in its params."""
    kinds = {}
    for k, spec in (doc.get("kinds") or {}).items():
        try:
            methods.get(_need(spec, "method", path, f"kinds.{k}"))
        except ConfigError as exc:
            raise ConfigError(exc.reason, file=path, field=f"kinds.{k}.method") from None
        spec = dict(spec)
        params = dict(spec.get("params") or {})
        if "formulas" in spec:
            chosen = str(_need(spec, "formula", path, f"kinds.{k}"))
            if chosen not in spec["formulas"]:
                raise ConfigError(
                    f"未知公式 {chosen!r} (unknown formula; choices: {', '.join(spec['formulas'])})", file=path, field=f"kinds.{k}.formula"
                )
            params["formula"] = chosen
        spec["params"] = params
        kinds[k] = spec
    return kinds


def _over_achievement(doc: dict, path: Path) -> dict[str, Any]:
    """The chosen 偏离度 rule (``rule`` among ``rules``), with its name."""
    spec = doc.get("over_achievement") or {}
    if not spec:
        return {}
    if "rules" not in spec:  # a single rule written inline
        return dict(spec)
    chosen = str(_need(spec, "rule", path, "over_achievement"))
    rules = spec["rules"]
    if chosen not in rules:
        raise ConfigError(
            f"未知偏离度规则 {chosen!r} (unknown rule; choices: {', '.join(rules)})", file=path, field="over_achievement.rule"
        )
    return {"name": chosen, **rules[chosen]}


def _grades(doc: dict, path: Path, required: bool) -> tuple[tuple[Decimal, str], ...]:
    raw = doc.get("grades") if not required else _need(doc, "grades", path, "")
    grades = tuple(
        (_dec(_need(g, "min", path, f"grades[{i}]"), path, f"grades[{i}].min"), str(_need(g, "grade", path, f"grades[{i}]")))
        for i, g in enumerate(raw or [])
    )
    if (required and not grades) or list(grades) != sorted(grades, key=lambda g: -g[0]):
        raise ConfigError("等级应按下限从高到低排列 (grade bands must go from the highest minimum down)", file=path, field="grades")
    return grades


def load(path: str | Path) -> Framework:
    """Load and validate a framework file.

    Args:
        path: a framework YAML file.

    Returns:
        The validated :class:`Framework`.

    Raises:
        ConfigError: a missing field, an unknown method, basis or choice, a band
            worth more than its indicator, a measure the catalogue lacks, or
            children whose 分值 do not add up to their parent (fall short only
            where the node says part of the table is ``unseen``); the message
            names the file and the field path.
    """
    path = Path(path)
    try:
        doc = load_yaml(path)
    except ParamsError as exc:
        raise ConfigError(exc.reason, file=path, field=exc.field) from None
    if not isinstance(doc, dict):
        raise ConfigError("顶层应为映射 (top level must be a mapping)", file=path)
    doc = _scored_as(doc, path)
    common = {k: str(_need(doc, k, path, "")) for k in ("name", "version", "title", "source")}
    kind = str(doc.get("kind", "points"))
    if kind not in KINDS:
        raise ConfigError(f"kind 应为 {' / '.join(KINDS)} (got {kind!r})", file=path, field="kind")
    common |= {"basis": _basis(doc, path, ""), "note": str(doc.get("note", "")), "url": str(doc.get("url", "")), "kind": kind}
    if kind == "pefa":
        for key in ("dimensions", "indicators", "m2", "years_required", "years_meeting", "kinds", "window", "outlier", "pi1_coverage"):
            _need(doc, key, path, "")
        return Framework(**common, total=None, raw=doc)
    if kind == "monitor":
        _need(doc, "colours", path, "")
        return Framework(**common, total=None, raw=doc)
    if kind == "catalogue":
        return Framework(**common, total=None, measures=_measures(doc, path), raw=doc)
    extends = str(doc.get("extends", ""))
    catalogue = get(extends) if extends else None
    if catalogue is not None and catalogue.kind != "catalogue":
        raise ConfigError(f"{extends} 不是指标目录 (extends must name a catalogue)", file=path, field="extends")
    total = doc.get("total")
    gaps = [f"原表：{doc['unseen']}"] if doc.get("unseen") else []
    if total is None and not gaps:
        raise ConfigError("缺少字段 (missing field; write unseen: why, when the table's total was not read)", file=path, field="total")
    total = _dec(total, path, "total") if total is not None else None
    lv1s, leaves, tree_gaps = _tree(doc, path, catalogue)
    gaps += tree_gaps
    if total is not None and all(lv.weight is not None for lv in lv1s):
        _sum_check([lv.weight for lv in lv1s], total, path, "level1", partial=bool(gaps))
    kinds = _kinds(doc, path)
    if not leaves and not kinds:
        raise ConfigError("开放指标表须给出 kinds (an open tree needs kinds)", file=path, field="kinds")
    return Framework(
        **common,
        total=total,
        level1=tuple(lv1s),
        leaves=tuple(leaves),
        extends=extends,
        gaps=tuple(gaps),
        adjustable=bool(doc.get("adjustable", False)),
        kinds=kinds,
        over_achievement=_over_achievement(doc, path),
        grades=_grades(doc, path, required=not gaps),
        raw=doc,
    )


# What a framework of its own name keeps when it scores as another (``scores_as``): who it is and on what basis.
OWN_KEYS = ("name", "version", "version_name", "title", "source", "url", "basis", "note", "scores_as")


def _scored_as(doc: dict, path: Path) -> dict:
    """A framework that scores as another shipped one (``scores_as: mof2020-self``): that one's tree, kinds
    and grades under its own name, title, source and basis. One level only: the other may not point on."""
    other = doc.get("scores_as")
    if other is None:
        return doc
    target = FRAMEWORK_DIR / f"{other}.yaml"
    if not isinstance(other, str) or "/" in other or "\\" in other or not target.is_file():
        raise ConfigError(f"未知评分框架 {other!r} (scores_as names no shipped framework)", file=path, field="scores_as")
    try:
        base = load_yaml(target)
    except ParamsError as exc:
        raise ConfigError(exc.reason, file=target, field=exc.field) from None
    if not isinstance(base, dict) or "scores_as" in base:
        raise ConfigError(f"{other} 不能再作 scores_as 的对象 (scores_as goes one level only)", file=path, field="scores_as")
    return {**{k: v for k, v in base.items() if k not in OWN_KEYS}, **doc}


def names() -> list[str]:
    """Names of the shipped frameworks."""
    return sorted(p.stem for p in FRAMEWORK_DIR.glob("*.yaml"))


def variants(base: str) -> list[str]:
    """The shipped versions of a catalogue, one per published table (``dept-common-2013@yueyang`` …)."""
    return [n for n in names() if n.startswith(f"{base}@")]


@functools.cache
def get(name: str) -> Framework:
    """A shipped framework by name; the error names the key and the known names."""
    path = FRAMEWORK_DIR / f"{name}.yaml"
    if "/" in name or "\\" in name or not path.is_file():
        raise ConfigError(f"未知评分框架 {name!r} (unknown framework; known: {', '.join(names())})", field="framework")
    return load(path)


def points_basis(fw: Framework) -> str:
    """Where a framework's points come from, in one Chinese sentence for a page (sourced or not, and why)."""
    if fw.kind == "catalogue":
        return "53号文只给指标、解释与公式，不设分值；分值见各地评分表版本"
    if fw.kind == "pefa":
        return "档次与汇总方法出自 PEFA 2016；M2 换算表未能对照原文核实；中文名称为本工具译名"
    if fw.kind == "monitor":
        return "监控内容出自 136号文；颜色阈值为实务做法，非文件条文"
    if not fw.closed and fw.raw.get("scores_as"):
        model = get(fw.raw["scores_as"])
        return f"沿用“{model.title}”的分值与公式给部门整体打分，为本工具的惯例（非官方表式）；" + points_basis(model)
    if not fw.closed:
        return "一级指标分值为 10号文原则性设置（可调整，合计 100）；逐行公式为实务做法；反向指标公式与偏离度规则为本工具的约定（可改选）"
    unsourced = [leaf.name for leaf in fw.leaves if not leaf.sourced]
    if unsourced:
        return f"{len(unsourced)} 项分值未取自公开评分表（{'、'.join(unsourced)}），只给可评分值"
    if fw.gaps:
        return "已读到的各行分值、档次与扣分措辞取自公开评分表；原表部分未能读到，只给可评分值"
    return "全部分值、档次与扣分措辞取自公开评分表"


BASIS_WORDS = {"official": "文件规定", "practice": "地方实务", "convention": "本工具约定", "illustrative": "示例", "unverified": "未经核实"}


@dataclass(frozen=True)
class Basis:
    """Where a scored row's method comes from: official, practice or convention, with what it rests on."""

    basis: str
    note: str = ""  # the rule in words (“完成值 ≤ 指标值得满分；…”)
    source: str = ""  # the document or table cited
    url: str = ""

    def to_json(self) -> dict[str, str]:
        return {"basis": self.basis, "note": self.note, "source": self.source, "url": self.url}

    def text(self) -> str:
        """“地方实务：完成值 ≤ 指标值得满分…（项目支出绩效自评表填报说明）”, for a page or a workbook note."""
        words = BASIS_WORDS.get(self.basis, self.basis)
        said = "：".join(x for x in (words, self.note.removeprefix("本工具约定：")) if x)
        return said + (f"（{self.source}）" if self.source else "")


def method_basis(fw: Framework, kind: str | None = None, leaf: Leaf | None = None) -> Basis:
    """The basis of the method that scores a row: a closed framework's leaf, or an open one's kind (and chosen formula).

    For a kind offering alternatives (反向: ``linear`` or ``ratio``) it is the basis of the
    formula in force, so a page shows whether the score rests on a published rule or on ours.
    """
    if leaf is not None:
        return Basis(leaf.basis, leaf.wording or leaf.formula, leaf.source or fw.source, leaf.url or fw.url)
    spec = (fw.raw.get("kinds") or {}).get(kind) or {}
    formulas = spec.get("formulas") or {}
    chosen = ((fw.kinds.get(kind) or {}).get("params") or {}).get("formula") or spec.get("formula")
    if chosen in formulas:
        spec = formulas[chosen]
    return Basis(str(spec.get("basis", fw.basis)), str(spec.get("note", "")), str(spec.get("source", "")), str(spec.get("url", "")))


CHOICE_WORDS = {
    "reverse=linear": "反向指标按线性公式",
    "reverse=ratio": "反向指标按比例公式",
    "over_achievement=flag-130": "偏离度超 130% 提示",
    "over_achievement=deviation-tiers": "偏离度分档扣分",
    "over_achievement=none": "不看偏离度",
}


def version_label(name: str, version: str | None = None) -> str:
    """A framework version as a reader sees it: ``岳阳市表 2018 年第 1 版``, ``2020.10-2（反向指标按比例公式）``.

    A version id of letters (``yueyang2018-1``) is the file's, not the reader's: the framework file's
    ``version_name`` stands for it, and each choice made with :func:`choose` is said in words.
    """
    fw = get(name)
    base, _, picked = (version or fw.version).partition("+")
    shown = str(fw.raw.get("version_name") or base) if base == fw.version else base
    choices = [CHOICE_WORDS.get(c, c) for c in picked.split(",") if c]
    return shown + (f"（{'，'.join(choices)}）" if choices else "")


def choose(fw: Framework, *, reverse: str | None = None, over_achievement: str | None = None) -> Framework:
    """The framework with another of the alternatives its file offers; its version records the choice.

    Args:
        fw: an open framework (``mof2020-self``).
        reverse: a formula of ``kinds.reverse.formulas`` (``linear``, ``ratio``).
        over_achievement: a rule of ``over_achievement.rules`` (``flag-130``, ``deviation-tiers``, ``none``).

    Raises:
        ConfigError: the framework offers no such alternative (the message lists the ones it has).
    """
    kinds, rule, picked = dict(fw.kinds), dict(fw.over_achievement), []
    if reverse is not None:
        formulas = (fw.raw.get("kinds", {}).get("reverse") or {}).get("formulas") or {}
        if reverse not in formulas:
            raise ConfigError(f"未知反向指标公式 {reverse!r} (choices: {', '.join(formulas) or '无'})", field="reverse")
        kinds["reverse"] = {**kinds["reverse"], "params": {**kinds["reverse"]["params"], "formula": reverse}}
        picked.append(f"reverse={reverse}")
    if over_achievement is not None:
        rules = (fw.raw.get("over_achievement") or {}).get("rules") or {}
        if over_achievement not in rules:
            raise ConfigError(f"未知偏离度规则 {over_achievement!r} (choices: {', '.join(rules) or '无'})", field="over_achievement")
        rule = {"name": over_achievement, **rules[over_achievement]}
        picked.append(f"over_achievement={over_achievement}")
    if not picked:
        return fw
    return dataclasses.replace(fw, kinds=kinds, over_achievement=rule, version=f"{fw.version}+{','.join(picked)}")
