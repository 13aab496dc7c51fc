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

from ..money import fmt, fmt_count, fmt_rate

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
    matplotlib.rcParams["text.parse_math"] = False  # a unit name with two $ is text, never mathtext to parse
    return name


def to_plot(v: Decimal | None) -> float:
    """An amount as the float matplotlib draws, 0 for None: floats are for drawing only, no sum is ever taken of them."""
    return float(v) if v is not None else 0.0


def new_figure(width: float = 8.0, height: float = 3.6):
    """A figure and its axes in the house style: the CJK font, constrained layout, no top or right spine."""
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
    fig, ax = new_figure(height=1.4 + 0.9 * len(rows))
    labels = []
    colour = 0  # each part of every row gets its own colour, so one legend serves all rows
    for i, (row_label, parts) in enumerate(rows):
        y = len(rows) - 1 - i
        total = sum((v for _, v in parts), Decimal(0))
        left = 0.0
        for name, v in parts:
            exact = v / total * 100 if total else Decimal(0)
            share = to_plot(exact)
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
    """Vertical bars, one group per category, one bar per series, values labelled.

    Value labels are written across their bar; where two neighbouring labels would
    touch (narrow bars, close values such as 148.80 and 148.50) they are turned
    upright inside the headroom instead, so no label ever overlaps another.
    """
    fig, ax = new_figure(width=7.5, height=3.6)
    n = len(series)
    width = 0.8 / n
    labels = []
    for k, (name, values) in enumerate(series):
        xs = [i - 0.4 + width * (k + 0.5) for i in range(len(categories))]
        bars = ax.bar(xs, [to_plot(v) for v in values], width, label=name, color=PALETTE[k % len(PALETTE)])
        labels += ax.bar_label(bars, labels=[fmt(v) if v is not None else "" for v in values], fontsize=7, padding=2)
    ax.set_xticks(range(len(categories)), categories)
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    ax.margins(y=0.15)
    if overlapping(fig, labels):
        for t in labels:
            t.set_rotation(90)
            t.set_verticalalignment("bottom")
        ax.margins(y=0.3)
    _spread_ticks(fig, ax)
    return fig


def stacked_columns(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal]]],
    title: str,
    unit: str = "个",
    colours: Sequence[str] | None = None,
):
    """Vertical columns, one per category, each stacked from the series; each column's total written above it."""
    fig, ax = new_figure(width=6.0, height=2.6)
    bottoms = [0.0] * len(categories)
    for k, (name, values) in enumerate(series):
        colour = (colours or PALETTE)[k % len(colours or PALETTE)]
        heights = [to_plot(v) for v in values]
        ax.bar(range(len(categories)), heights, 0.6, bottom=bottoms, label=name, color=colour)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    totals = [sum((vals[i] for _, vals in series), Decimal(0)) for i in range(len(categories))]
    for i, t in enumerate(totals):
        ax.text(i, bottoms[i], fmt_count(t) if unit == "个" else fmt(t), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(categories)), categories)
    ax.yaxis.get_major_locator().set_params(integer=True)  # the unit is in the title: a rotated CJK label reads sideways
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    ax.margins(y=0.2)
    return fig


def hbars(labels: Sequence[str], values: Sequence[Decimal], title: str, unit: str = "%", reference: Decimal | None = None):
    """Horizontal bars, one per label, each value written at its end; an optional reference line (e.g. 100%)."""
    fig, ax = new_figure(width=7.5, height=1.0 + 0.32 * max(len(labels), 1))
    bars = ax.barh(range(len(labels)), [to_plot(v) for v in values], 0.6, color=PALETTE[0])
    # labels on a white ground, so a reference line passing behind a label never crosses its digits
    ax.bar_label(
        bars,
        labels=[fmt(v) + ("%" if unit == "%" else "") for v in values],
        fontsize=8,
        padding=3,
        bbox={"fc": "white", "ec": "none", "pad": 0.5},
    )
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    if reference is not None:
        ax.axvline(to_plot(reference), color="#c00000", linestyle="--", linewidth=1)
    ax.set_xlabel(f"（{unit}）" if unit == "%" else unit)
    ax.set_title(title)
    ax.margins(x=0.12)
    return fig


def target_heatmap(
    rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[Decimal | None]], target: Decimal, title: str, unit: str = "%"
):
    """A rows × columns grid of rates, each cell coloured by its distance to the target and labelled.

    Below the target: light to dark red as the shortfall grows (5 points or more is darkest);
    at or above it: light to dark green as the margin grows. A missing value is grey.
    It replaces a line per row (the “spaghetti” of eight phases over twelve months):
    every value stays readable and every breach stands out.
    """
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    fig, ax = new_figure(width=8.0, height=0.9 + 0.32 * len(rows))
    low, high = to_rgb("#fbe3e3"), to_rgb("#c00000")
    ok_low, ok_high = to_rgb("#e2f0d9"), to_rgb("#6aa84f")
    top = max((to_plot(v) for row in values for v in row if v is not None), default=to_plot(target))
    span_ok = max(top - to_plot(target), 0.01)

    def mix(a, b, t):
        t = min(max(t, 0.0), 1.0)
        return tuple(x + (y - x) * t for x, y in zip(a, b, strict=True))

    grid = []
    for row in values:
        line = []
        for v in row:
            if v is None:
                line.append(to_rgb("#d9d9d9"))
            elif v < target:
                line.append(mix(low, high, (to_plot(target) - to_plot(v)) / 5))
            else:
                line.append(mix(ok_low, ok_high, (to_plot(v) - to_plot(target)) / span_ok))
        grid.append(line)
    ax.imshow(grid, aspect="auto", interpolation="nearest")
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v is None:
                continue
            dark = v < target and (to_plot(target) - to_plot(v)) > 2.5
            ax.text(j, i, fmt(v), ha="center", va="center", fontsize=6.5, color="white" if dark else "#1f1f1f")
    ax.set_xticks(range(len(columns)), columns, fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title)
    ax.legend(
        handles=[Patch(color=high, label=f"低于目标 {fmt(target)}{unit}"), Patch(color=ok_high, label="达到目标")],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    return fig


# --------------------------------------------------------------------------- legibility


def _boxes(fig, texts):
    """Display-space boxes of the visible, non-empty texts, after a draw."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text().strip()]


def overlapping(fig, texts=None) -> list[tuple[str, str]]:
    """Pairs of labels that overlap on the drawn figure (every text of the figure when none are given).

    Tick labels, value labels, titles and legend entries all count: a chart a reader
    cannot read is a defect the tests catch with this.
    """
    if texts is None:
        from matplotlib.text import Text

        texts = fig.findobj(match=Text)  # a legend entry is also wrapped in a TextArea: count the Text once
    boxes = _boxes(fig, texts)
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            if a is b:
                continue
            w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if w > 0.5 and h > 0.5:
                out.append((a.get_text(), b.get_text()))
    return out


def _spread_ticks(fig, ax) -> None:
    """Turn x tick labels slanted when they would touch (long phase names under narrow groups)."""
    if overlapping(fig, ax.get_xticklabels()):
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
