"""What every evaluation has (the params and their checks), and :func:`show`, which displays a section in a notebook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checks import Suite
from ..params import ParamsBase


def show(*items: Any) -> None:
    """Display each item in a notebook: a chart once (then released), HTML text as HTML, a list item by item."""
    from IPython.display import display

    from ..render import charts, report

    for item in items:
        if item is None:
            continue
        if isinstance(item, list | tuple):
            show(*item)
        elif isinstance(item, str):
            report.show_html(item)  # nothing for an empty text
        elif hasattr(item, "savefig"):  # a matplotlib figure: displayed once, then closed
            charts.show(item)
        else:
            display(item)


@dataclass
class Evaluation:
    """The params of one unit or project and the checks run on them."""

    params: ParamsBase
    checks: Suite

    @property
    def fails(self) -> int:
        return self.checks.counts["fail"]
