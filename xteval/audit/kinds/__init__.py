"""Document kinds as data: the YAML files beside this module, and the vocabulary they share.

Each ``<kind>.yaml`` names a kind of document (部门整体支出绩效自评报告, 决算情况说明, 项目支出绩效自评
报告, 自评表), the words that detect it (``markers`` with weights), the field groups it uses, the
figures it must state (``required``), the identities between its figures (``identities``, checked
with :func:`xteval.checks.balance`) and its claim phrases (``claims``). ``fields.yaml`` holds the
labels of every field, shared by all kinds. Adding a kind is a YAML file and a fixture.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
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

    def uses(self, field_id: str) -> bool:
        """True when a field id belongs to one of this kind's field groups."""
        if field_id in self.exclude:
            return False
        return any(field_id == g or (g.endswith(".") and field_id.startswith(g)) for g in self.fields)

    def score(self, key: str) -> int:
        """How strongly a text (as :func:`xteval.money.match_key` gives it) looks like this kind."""
        return sum(w for word, w in self.markers.items() if word in key)


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
        tp = doc["three_public"]
        tp["_total"] = [re.compile(a) for a in tp["total"]]
        tp["_parts"] = {k: [re.compile(a) for a in v] for k, v in tp["parts"].items()}
        tp["_control"] = re.compile("|".join(tp["control"]))
        tp["_actual"] = re.compile("|".join(tp["actual"]))
        table = doc["three_public_table"]
        table["_title"] = re.compile(table["title"])
        doc["_mod"] = {k: re.compile(v) for k, v in doc["modifiers"].items()}
        doc["_openers"] = [(re.compile(k), v) for k, v in (doc.get("list_openers") or {}).items()]
    except (KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"字段词表无效 (invalid vocabulary: {exc})", file=FOLDER / "fields.yaml") from None
    return doc


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
                claims={k: re.compile(v) for k, v in (doc.get("claims") or {}).items()},
                model=doc.get("model"),
                form=doc.get("form"),
                funds_table=doc.get("funds_table"),
                checks=tuple(doc["checks"]),  # required: a kind that declared no check would pass every text unread
                version=str(doc.get("version", "")),
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
    scores = {k.id: k.score(key) for k in kinds().values()}
    best = max(scores, key=lambda k: (scores[k], k == "final_accounts"))
    return (kinds()[best] if scores[best] >= 4 else None), scores
