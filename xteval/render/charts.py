"""Charts with Chinese labels that render on a machine with no CJK system font.

Font choice: a CJK font the system already has wins (fontconfig names below);
otherwise Noto Sans SC from the ``pylopdf-fonts-zh-cn`` wheel (SIL OFL 1.1),
a runtime dependency, is registered with matplotlib. Nothing is downloaded.
Charts are embedded as PNG, so the HTML reader needs no font either.

matplotlib is imported on the first chart, not with this module: a module that
only defines chart functions (a project module loaded to validate its params)
costs no matplotlib import.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from ..money import fmt, fmt_rate

SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei")
PALETTE = ["#2f5597", "#c55a11", "#548235", "#7f6000", "#7030a0", "#1f7a8c", "#a5a5a5"]


@functools.cache
def pyplot():
    """matplotlib's pyplot, on the Agg backend unless a notebook chose an inline one."""
    import matplotlib

    if not matplotlib.get_backend().lower().startswith(("module://", "inline")):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@functools.cache
def cjk_font() -> str:
    """Register and return the family name of a CJK font (system first, then bundled)."""
    import matplotlib
    from matplotlib import font_manager

    pyplot()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in SYSTEM_CJK:
        if name in installed:
            break
    else:
        import pylopdf_fonts_zh_cn

        path = Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"
        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return name


def _f(v: Decimal | None) -> float:
    # Floats are for drawing only; no sum is ever taken of them.
    return float(v) if v is not None else 0.0


def _figure(width: float = 8.0, height: float = 3.6):
    cjk_font()
    fig, ax = pyplot().subplots(figsize=(width, height), dpi=110, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def show(fig) -> None:
    """Display a figure once in a notebook and release it."""
    from IPython.display import display

    display(fig)
    pyplot().close(fig)


def stacked_bars(rows: Sequence[tuple[str, Sequence[tuple[str, Decimal]]]], title: str, unit: str = "万元"):
    """Horizontal 100% bars, one per row, each split into labelled parts with shares."""
    fig, ax = _figure(height=1.4 + 0.9 * len(rows))
    labels = []
    colour = 0  # each part of every row gets its own colour, so one legend serves all rows
    for i, (row_label, parts) in enumerate(rows):
        y = len(rows) - 1 - i
        total = sum((v for _, v in parts), Decimal(0))
        left = 0.0
        for name, v in parts:
            exact = v / total * 100 if total else Decimal(0)
            share = _f(exact)
            ax.barh(y, share, left=left, color=PALETTE[colour % len(PALETTE)], edgecolor="white", label=name)
            if share >= 8:
                ax.text(left + share / 2, y, f"{name}\n{fmt_rate(exact, 1)}", ha="center", va="center", color="white", fontsize=8)
            left += share
            colour += 1
        labels.insert(0, f"{row_label}\n{fmt(total)} {unit}")
    ax.set_yticks(range(len(rows)), labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("占比（%）")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=4, frameon=False, fontsize=8)
    return fig


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]], title: str, unit: str = "万元"):
    """Vertical bars, one group per category, one bar per series, values labelled."""
    fig, ax = _figure(width=7.5, height=3.6)
    n = len(series)
    width = 0.8 / n
    for k, (name, values) in enumerate(series):
        xs = [i - 0.4 + width * (k + 0.5) for i in range(len(categories))]
        bars = ax.bar(xs, [_f(v) for v in values], width, label=name, color=PALETTE[k % len(PALETTE)])
        ax.bar_label(bars, labels=[fmt(v) for v in values], fontsize=8, padding=2)
    ax.set_xticks(range(len(categories)), categories)
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.margins(y=0.15)
    return fig
