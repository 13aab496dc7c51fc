"""Registries of plug-ins: notebook types and checks.

Notebook types: which params model validates a params file's ``notebook:`` key.

A plain dict of ``notebook name → "module:Model"``, imported lazily: loading a
department params file imports the department model and nothing else (no
project module, no matplotlib). Adding a project is a module under
``xteval/projects/`` plus one line here.

Other packages can add notebook types without editing xteval, as papermill
registers its engines: an entry point in the group ``xteval.notebooks`` whose
value is ``"module:Model"``. Entry points are read only for a name this dict
does not have, so the common path pays nothing for them.

Checks: functions over a :class:`xteval.checks.Context` that return result records, found by
name through the entry-point group ``xteval.checks`` (see :func:`check`).
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
def _entry_points(group: str = ENTRY_POINT_GROUP) -> dict[str, str]:
    """``name → "module:attr"`` of every entry point in ``group`` (read once: the metadata of every installed package)."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=group)}


def _load(target: str):
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def names() -> list[str]:
    """Every known notebook type, built-in and from entry points."""
    return sorted(set(NOTEBOOKS) | set(_entry_points()))


def model(name: str) -> type:
    """The params model (a ``xteval.params.ParamsBase`` subclass) of a notebook type, importing its module now.

    Raises:
        KeyError: no such notebook type.
    """
    return _load(NOTEBOOKS.get(name) or _entry_points()[name])


# --------------------------------------------------------------------------- checks

CHECK_GROUP = "xteval.checks"

# Checks added at run time (tests, a notebook): name → "module:function" or the function itself.
CHECKS: dict[str, object] = {}


def register_check(name: str, target: object) -> None:
    """Register a check under ``name``: a function over a :class:`xteval.checks.Context`, or ``"module:function"``."""
    CHECKS[name] = target


def check_names() -> list[str]:
    """Every registered check: xteval's own and other packages' (entry points) and those registered at run time."""
    return sorted(set(CHECKS) | set(_entry_points(CHECK_GROUP)))


def check(name: str):
    """The check registered as ``name``, importing its module now.

    Checks register as notebooks do: an entry point in the group ``xteval.checks`` whose value is
    ``"module:function"`` (xteval's own are declared in its ``pyproject.toml``). A document kind
    names the checks that apply to it in its YAML (``checks: [...]``).

    Raises:
        KeyError: no check of that name (the message names it, and how a check is registered).
    """
    target = CHECKS.get(name) or _entry_points(CHECK_GROUP).get(name)
    if target is None:
        raise KeyError(
            f"check {name!r} is not registered: declare it as an entry point in the group {CHECK_GROUP!r} "
            f"(and reinstall the package that declares it, e.g. pip install -e .); known: {', '.join(check_names())}"
        )
    return target if callable(target) else _load(str(target))
