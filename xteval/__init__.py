"""xteval: reconciliation and scoring for Chinese public-budget performance evaluation (预算绩效评价).

The library is four functions (:mod:`xteval.api`): ``xteval.check``, ``xteval.extract``,
``xteval.score`` and ``xteval.evaluate``. They load on first use, so ``import xteval`` (or
loading a params file) imports neither pandas nor matplotlib.
"""

import sys
from importlib.metadata import PackageNotFoundError, version

# nbformat (under papermill, nbconvert and our runner) imports jsonschema, whose format checkers import
# rfc3987-syntax when it is installed: that module builds about 35 Earley parsers at import, 2 s of CPU in
# every process that touches a notebook (the command, each kernel, each worker) for the "iri" format, which
# no notebook schema uses (python-jsonschema/jsonschema#1428). Marked absent before jsonschema loads,
# jsonschema leaves that one format unchecked and imports in 0.2 s. Once jsonschema is loaded it is left alone.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

try:
    __version__ = version("xteval")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .money import D

_API = ("check", "extract", "score", "evaluate")

__all__ = ["D", "__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'xteval' has no attribute {name!r}")
