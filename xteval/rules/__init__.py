"""Rule tables as data: thresholds of the checks, each citing its source document.

``checks.yaml`` holds the department-year and report-text thresholds,
``projects.yaml`` those of the project notebooks. Code holds the methods; these
files hold the numbers, each with ``source`` and ``basis`` (document,
convention or illustrative).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ParamsError
from ..params import load_yaml

RULES_DIR = Path(__file__).parent
CHECKS_FILE = RULES_DIR / "checks.yaml"
PROJECTS_FILE = RULES_DIR / "projects.yaml"

_CHECK_SECTIONS = ("version", "over_achievement", "under_achievement", "execution_rate", "execution_score", "adjustment_rate")


def _load(path: Path, needed: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = load_yaml(path)
    except ParamsError as exc:
        raise ConfigError(exc.reason, file=path, field=exc.field) from None
    missing = [k for k in needed if not isinstance(data, dict) or k not in data]
    if missing:
        raise ConfigError(f"缺少规则 {', '.join(missing)} (missing rule)", file=path)
    return data


@functools.cache
def checks() -> dict[str, Any]:
    """The thresholds of ``rules/checks.yaml``, numbers as exact ``Decimal``.

    Raises:
        ConfigError: the rule file is missing, malformed or lacks a section.
    """
    return _load(CHECKS_FILE, _CHECK_SECTIONS)


@functools.cache
def _projects() -> dict[str, Any]:
    return _load(PROJECTS_FILE, ("version",))


def project(section: str, name: str) -> dict[str, Any]:
    """One rule of ``rules/projects.yaml`` (a threshold of a project check).

    Raises:
        ConfigError: no such section or rule.
    """
    try:
        return _projects()[section][name]
    except (KeyError, TypeError):
        raise ConfigError(f"缺少规则 {section}.{name} (missing rule)", file=PROJECTS_FILE, field=f"{section}.{name}") from None


def note(key: str) -> str:
    """The citation of a check rule for a message: its source document.

    The rules version is not repeated in every message: a page shows
    :func:`version` once, in its footer (``metadata.xteval.rules_version``).
    """
    return f"依据：{checks()[key]['source']}"


def version() -> str:
    """The version of the check rules, shown once in a page's footer."""
    return str(checks()["version"])
