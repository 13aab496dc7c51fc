"""Notebook types: which params model validates a params file's ``notebook:`` key.

A plain dict of ``notebook name → "module:Model"``, imported lazily: loading a
department params file imports the department model and nothing else (no
project module, no matplotlib). Adding a project is a module under
``xteval/projects/`` plus one line here.

Other packages can add notebook types without editing xteval, as papermill
registers its engines: an entry point in the group ``xteval.notebooks`` whose
value is ``"module:Model"``. Entry points are read only for a name this dict
does not have, so the common path pays nothing for them.
"""

from __future__ import annotations

import importlib
from functools import cache

NOTEBOOKS: dict[str, str] = {
    "department": "xteval.department.model:DepartmentParams",
    "ppp": "xteval.projects.ppp:PppParams",
    "cloud_lease": "xteval.projects.cloud_lease:CloudLeaseParams",
    "video_maintenance": "xteval.projects.video_maintenance:VideoParams",
    "summary": "xteval.summary.model:SummaryParams",  # the year summary across units (runs after them)
}

ENTRY_POINT_GROUP = "xteval.notebooks"


def register(name: str, target: str) -> None:
    """Register a notebook type: ``target`` is ``"module:Model"``, imported when first needed."""
    NOTEBOOKS[name] = target


@cache
def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def names() -> list[str]:
    """Every known notebook type, built-in and from entry points."""
    return sorted(set(NOTEBOOKS) | set(_entry_points()))


def model(name: str) -> type:
    """The params model (a ``xteval.params.ParamsBase`` subclass) of a notebook type, importing its module now.

    Raises:
        KeyError: no such notebook type.
    """
    target = NOTEBOOKS.get(name) or _entry_points()[name]
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
