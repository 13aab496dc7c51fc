"""Document kinds as data: the YAML files beside this module, and the vocabulary they share.

Each ``<kind>.yaml`` names a kind of document (部门整体支出绩效自评报告, 决算情况说明, 项目支出绩效自评
报告, 自评表), the words that detect it (``markers`` with weights), the field groups it uses, the
figures it must state (``required``), the identities between its figures (``identities``, checked
with :func:`xteval.checks.balance`) and the claims it reads (``claims``, phrased once in ``fields.yaml``). ``fields.yaml`` holds the
labels of every field, shared by all kinds, and the phrasings the readers match whole
(``pieces`` and ``patterns``, see :func:`pattern`). Adding a kind is a YAML file and a fixture.

Every regular expression stands in YAML as a quoted string and is compiled once, when the
vocabulary or the kinds are first loaded; the Python readers hold methods, not phrasings.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ...errors import ConfigError
from ...params import load_yaml

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Kind:
    """One document kind, as its YAML file states it."""

    id: str
    title: str
    markers: dict[str, int]
    fields: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    identities: tuple[dict[str, Any], ...] = ()
    claims: dict[str, re.Pattern] = field(default_factory=dict)
    model: str | None = None
    form: dict[str, Any] | None = None
    funds_table: dict[str, Any] | None = None
    checks: tuple[str, ...] = ()  # the registered checks that apply, in order (xteval.registry.check)
    version: str = ""
    template: dict[str, Any] | None = None  # the seed template's figures and phrasings (dept_selfeval.yaml)
    indicator_form: dict[str, Any] | None = None  # a 部门整体 form's indicator rows (dept_selfeval.yaml, read by coefrows)

    def uses(self, field_id: str) -> bool:
        """True when a field id belongs to one of this kind's field groups."""
        if field_id in self.exclude:
            return False
        return any(field_id == g or (g.endswith(".") and field_id.startswith(g)) for g in self.fields)

    def score(self, key: str) -> int:
        """How strongly a text (as :func:`xteval.money.match_key` gives it) looks like this kind."""
        return sum(w for word, w in self.markers.items() if word in key)


# a piece named in a pattern: {NUM} (regular-expression quantifiers are {2} or {1,3}, never capitals)
_PIECE = re.compile(r"\{([A-Z_]+)\}")


def _expand(text: str, pieces: dict[str, str]) -> str:
    """A pattern with its ``{PIECE}`` names replaced by the pieces they name."""
    return _PIECE.sub(lambda m: pieces[m[1]], text)


def _compile_patterns(doc: dict[str, Any]) -> None:
    """Compile ``patterns`` once, their ``{PIECE}`` names filled from ``pieces``."""
    pieces: dict[str, str] = {}
    for k, v in (doc.get("pieces") or {}).items():  # a piece may name the pieces above it
        pieces[str(k)] = _expand(str(v), pieces)
    doc["_pieces"] = pieces
    doc["_patterns"] = {str(k): re.compile(_expand(str(v), pieces)) for k, v in doc["patterns"].items()}
    claims = doc.get("claims") or {}
    doc["_claims"] = {str(k): re.compile(_expand(str(v), pieces)) for k, v in claims.items()}


def pattern(name: str) -> re.Pattern:
    """The compiled pattern ``name`` of ``fields.yaml``'s ``patterns`` (a phrasing one reader matches whole).

    Raises:
        ConfigError: no such pattern (the name is given).
    """
    try:
        return vocabulary()["_patterns"][name]
    except KeyError:
        raise ConfigError(f"字段词表中没有模式 {name} (no pattern {name!r} in fields.yaml)", file=FOLDER / "fields.yaml") from None


def patterns(section: str) -> SimpleNamespace:
    """The compiled patterns of one reader's section of ``fields.yaml``, by name: ``patterns("goals").done_verb`` is ``pattern("goals.done_verb")``.

    A reader binds its section once (``_RE = patterns("goals")``) and names each phrasing where it
    matches it, so the YAML key is the only name a phrasing has.

    Raises:
        ConfigError: ``fields.yaml`` has no pattern in that section.
    """
    prefix = f"{section}."
    found = {k.removeprefix(prefix): v for k, v in vocabulary()["_patterns"].items() if k.startswith(prefix)}
    if not found:
        raise ConfigError(f"字段词表中没有 {section}.* 模式 (no pattern {section}.* in fields.yaml)", file=FOLDER / "fields.yaml")
    return SimpleNamespace(**found)


def piece(name: str) -> str:
    """The pattern text of a shared piece of ``fields.yaml`` (``NUM``, ``LEAD``…), to build a pattern around a label."""
    try:
        return vocabulary()["_pieces"][name]
    except KeyError:
        raise ConfigError(f"字段词表中没有片段 {name} (no piece {name!r} in fields.yaml)", file=FOLDER / "fields.yaml") from None


@functools.cache
def vocabulary() -> dict[str, Any]:
    """``fields.yaml``: the labels of every field, with each regular expression compiled."""
    doc = load_yaml(FOLDER / "fields.yaml")
    try:
        for group in ("money", "percent", "points", "counts"):
            for entry in doc[group]:
                entry["_re"] = [re.compile(a) for a in entry["aliases"]]
                entry["_fields"] = tuple(entry.get("fields") or [entry["field"]])
                entry["_within"] = re.compile(entry["within"]) if entry.get("within") else None
                entry["_not"] = re.compile(entry["not_within"]) if entry.get("not_within") else None
                entry["_after"] = re.compile(f"(?:{'|'.join(entry['after'])})") if entry.get("after") else None
        tp = doc["three_public"]
        tp["_total"] = [re.compile(a) for a in tp["total"]]
        tp["_parts"] = {k: [re.compile(a) for a in v] for k, v in tp["parts"].items()}
        tp["_control"] = re.compile("|".join(tp["control"]))
        tp["_actual"] = re.compile("|".join(tp["actual"]))
        for key in ("heading_noise", "heading_control", "heading_actual", "control_lead", "mode_label_rest"):
            tp[f"_{key}"] = re.compile(tp[key])
        table = doc["three_public_table"]
        table["_title"] = re.compile(table["title"])
        doc["_mod"] = {k: re.compile(v) for k, v in doc["modifiers"].items()}
        doc["_openers"] = [(re.compile(k), v) for k, v in (doc.get("list_openers") or {}).items()]
        _compile_patterns(doc)
    except (KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"字段词表无效 (invalid vocabulary: {exc})", file=FOLDER / "fields.yaml") from None
    return doc


def _compile_form(form: dict[str, Any] | None) -> dict[str, Any] | None:
    """A form's (or funds table's) words compiled once: each column, row and header word matches a whole cell."""
    if form is None:
        return None
    whole = lambda words: [re.compile(f"^(?:{w})$") for w in words]  # noqa: E731
    opens = lambda words: [re.compile(f"^{w}(?:\\(\\d+分\\))?") for w in words]  # noqa: E731  “产出指标(50分)”…
    scored = lambda words: [re.compile(p.pattern + "$") for p in opens(words)]  # noqa: E731  … as a whole cell
    form["_words"] = re.compile("|".join(a for v in form["columns"].values() for a in v))
    # a column word may carry the form's letter for it: 全年预算数（A）, 全年执行数（B）, 执行率（B/A）; or its unit:
    # 执行率(%), 执行率得分(分), 年初预算数(万元)
    tagged = lambda words: [re.compile(f"^(?:{w})(?:\\((?:[A-Z][A-Z/×÷*]*|%|分|万元|元)\\))?$") for w in words]  # noqa: E731
    form["_columns"] = {k: tagged(v) for k, v in form["columns"].items()}
    form["_rows"] = {k: whole(v) for k, v in form["rows"].items()}
    glue = [w for key in ("columns", "rows") for v in form[key].values() for w in v] + list(form.get("total_row") or ())
    form["_glue_words"] = re.compile("|".join(sorted(glue, key=len, reverse=True)))
    level1 = sorted(
        {w for words in form.get("level1_sets") or () for w in words} | set(form.get("level1_others") or ()), key=len, reverse=True
    )
    form["_level1_points"] = (
        re.compile(f"(?P<word>{'|'.join(level1)})\\((?P<points>\\d+(?:\\.\\d+)?)分\\)") if level1 else re.compile("(?!)")
    )
    for key in ("indicator_header", "total_row"):
        form[f"_{key}"] = whole(form.get(key) or ())
    for key in ("level1", "level2"):
        form[f"_{key}"] = scored(form.get(key) or ())
    # the same words opening a cell that runs on into its indicator's name (产出指标数量指标足额保障率=100%)
    form["_level_openers"] = opens([*(form.get("level1") or ()), *(form.get("level2") or ())])
    return form


def _compile_indicator_form(form: dict[str, Any] | None) -> dict[str, Any] | None:
    """An indicator form's name words compiled once (its column words are matched as they stand)."""
    if form is None:
        return None
    form["_reverse"] = [re.compile(w) for w in form.get("reverse_names") or ()]
    form["_natures"] = sorted((form.get("natures") or {}).items(), key=lambda kv: len(kv[0]), reverse=True)
    if not set(form["required"]) <= set(form["columns"]) or int(form["least"]) < len(form["required"]):
        raise ValueError("indicator_form: required columns must be columns, and least at least their number")
    return form


def _compile_template(template: dict[str, Any] | None) -> dict[str, Any] | None:
    """A template's labels compiled once, each followed by its amount (the piece ``AMOUNT_AFTER``); its phrasings as they stand."""
    if template is None:
        return None
    after = piece("AMOUNT_AFTER")

    def amount(label: str | None) -> re.Pattern | None:
        return re.compile(f"(?:{label}){after}") if label else None

    template["_figures"] = {path: (f["name"], amount(f["label"])) for path, f in template["figures"].items()}
    tp = template["three_public"]
    tp["_modes"] = {mode: amount(tp[mode]) for mode in ("control", "actual")}
    tp["_parts"] = {k: (p["name"], amount(p.get("label")), bool(p.get("optional"))) for k, p in tp["parts"].items()}
    template["_stated"] = {k: re.compile(v) for k, v in template["stated"].items()}
    for key in ("unit_name", "supervisor"):
        template[f"_{key}"] = re.compile(template[key])
    return template


@functools.cache
def kinds() -> dict[str, Kind]:
    """Every kind defined by a YAML file in this folder, by id."""
    out = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        if path.name == "fields.yaml":
            continue
        doc = load_yaml(path)
        try:
            kind = Kind(
                id=doc["kind"],
                title=doc["title"],
                markers={str(k): int(v) for k, v in doc["markers"].items()},
                fields=tuple(doc["fields"]),
                exclude=tuple(doc.get("exclude") or ()),
                required=tuple(doc.get("required") or ()),
                identities=tuple(doc.get("identities") or ()),
                claims={name: vocabulary()["_claims"][name] for name in doc.get("claims") or ()},
                model=doc.get("model"),
                form=_compile_form(doc.get("form")),
                funds_table=_compile_form(doc.get("funds_table")),
                checks=tuple(doc["checks"]),  # required: a kind that declared no check would pass every text unread
                version=str(doc.get("version", "")),
                template=_compile_template(doc.get("template")),
                indicator_form=_compile_indicator_form(doc.get("indicator_form")),
            )
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise ConfigError(f"文档类型定义无效 (invalid kind: {exc})", file=path) from None
        out[kind.id] = kind
    return out


def detect(key: str) -> tuple[Kind | None, dict[str, int]]:
    """The kind a text is, by its markers (``key`` is the text's match key), and every kind's score.

    None when no kind scores at least 4: an unknown kind is not an error; the caller says which
    kinds it knows and reports what it found.
    """
    key = pattern("kinds.detect_noise").sub("", key)
    scores = {k.id: k.score(key) for k in kinds().values()}
    best = max(scores, key=lambda k: (scores[k], k == "final_accounts"))
    return (kinds()[best] if scores[best] >= 4 else None), scores
