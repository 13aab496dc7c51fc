"""Shared fixtures: the repo's paths and params variants built by text substitution."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"
SEED_PARAMS = PARAMS / "2023" / "department.yaml"
SEED_REPORT = PARAMS / "2023" / "sources" / "xiangtan-bigdata-2023.txt"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project root: notebooks/ linked in, params/2023 copied, empty outputs/."""
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
    shutil.copytree(PARAMS / "2023", tmp_path / "params" / "2023")
    return tmp_path


def variant(folder: Path, name: str, *subs: tuple[str, str], source: Path = SEED_PARAMS) -> Path:
    """Copy a params file with text substitutions; each must match, so a stale test fails loudly.

    The data folders beside the source (``sources/``, ``data/``) are copied too when the
    target folder lacks them: a params file may only name files inside its own tree.
    """
    text = source.read_text(encoding="utf-8")
    for old, new in subs:
        assert old in text, f"substitution target not found: {old!r}"
        text = text.replace(old, new, 1)
    for data in ("sources", "data"):
        if (source.parent / data).is_dir() and not (folder / data).exists():
            shutil.copytree(source.parent / data, folder / data)
    out = folder / name
    out.write_text(text, encoding="utf-8")
    return out
