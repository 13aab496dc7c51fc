"""What every evaluation has (the params and their checks), and :func:`show`, which displays a section in a notebook."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

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
    # the sections that are one call on the params, by name: SECTIONS = {"income": tables.income_table} reads
    # ev.income as tables.income_table(ev.params); a section with other arguments or a style is a section(...)
    SECTIONS: ClassVar[dict[str, Callable[[ParamsBase], Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, function in cls.__dict__.get("SECTIONS", {}).items():
            setattr(cls, name, section(function))

    @property
    def fails(self) -> int:
        return self.checks.counts["fail"]


class section:  # lower case: declared in a class body and read like a property
    """A section that is one call on the evaluation: ``phases = section(video_maintenance.phase_table, "params", "data")``
    reads ``video_maintenance.phase_table(ev.params, ev.data)``.

    ``args`` name the attributes of the evaluation the function takes, in order (``"params"`` when
    none is named; ``"params.year"`` reaches into one). ``style`` (``right=``, ``caption=``) shows
    the frame the function returns as a table (:func:`xteval.render.report.styled`).
    """

    def __init__(self, function: Callable[..., Any], *args: str, **style: Any) -> None:
        self.function = function
        self.args = [operator.attrgetter(a) for a in args or ("params",)]
        self.style = style

    def __get__(self, evaluation: Any, owner: type | None = None) -> Any:
        if evaluation is None:
            return self
        out = self.function(*(get(evaluation) for get in self.args))
        if self.style:
            from ..render import report

            out = report.styled(out, **self.style)
        return out
