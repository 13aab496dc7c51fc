"""xteval: reconciliation and scoring for Chinese public-budget performance evaluation (预算绩效评价)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xteval")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .money import D

__all__ = ["D", "__version__"]
