"""The vocabulary of the text readers of this package (``text.yaml``): heading markers, units, the words of a table's cells.

The file is package data, not input: it is read with PyYAML's safe loader here because the exact
loader (:mod:`xteval.yamlio`) reads its files through this package, and an import back up would
close a cycle. Every value is checked for its type, and every pattern compiled once.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from types import SimpleNamespace

from ..errors import ConfigError

FILE = Path(__file__).with_name("text.yaml")


@functools.cache
def words() -> SimpleNamespace:
    """``text.yaml``: ``patterns`` compiled by name, and the word lists as frozensets / tuples."""
    import yaml

    try:
        doc = yaml.safe_load(FILE.read_text(encoding="utf-8"))
        patterns = {k: re.compile(v) for k, v in doc["patterns"].items()}
        lists = {k: tuple(doc[k]) for k in ("value_words", "note_words", "subheader_words")}
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"文本词表无法读取 (text.yaml unreadable: {type(exc).__name__})", file=FILE) from None
    if not all(isinstance(w, str) for ws in lists.values() for w in ws):
        raise ConfigError("文本词表的词须为字符串 (text.yaml: every word must be a string)", file=FILE)
    return SimpleNamespace(**patterns, **lists)
