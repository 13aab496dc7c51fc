"""xteval: reconciliation and scoring for Chinese public-budget performance evaluation (预算绩效评价).

The library is four functions (:mod:`xteval.api`): ``xteval.check``, ``xteval.extract``,
``xteval.score`` and ``xteval.evaluate``. They load on first use, so ``import xteval`` (or
loading a params file) imports neither pandas nor matplotlib.
"""

from importlib.metadata import PackageNotFoundError, version

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
