"""双监控: execution and indicator colours at their boundaries, project colour, monthly rows, the chart."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xteval.errors import InputError
from xteval.scoring import monitor
from xteval.scoring.monitor import Colour


@pytest.mark.parametrize(
    "v, colour",
    [
        ("0", Colour.red),
        ("59.99", Colour.red),
        ("60", Colour.yellow),
        ("79.99", Colour.yellow),
        ("80", Colour.green),
        ("150", Colour.green),
    ],
)
def test_execution_colour(v, colour):
    assert monitor.execution_colour(Decimal(v)) is colour


@pytest.mark.parametrize(
    "v, colour",
    [
        ("59.99", Colour.red), ("60", Colour.yellow), ("79.99", Colour.yellow), ("80", Colour.green),
        ("119.99", Colour.green), ("120", Colour.blue), ("300", Colour.blue),
    ],
)  # fmt: skip
def test_indicator_colour(v, colour):
    assert monitor.indicator_colour(Decimal(v)) is colour


@pytest.mark.parametrize(
    "actual, target, month, v",
    [
        ("50", "120", 6, "83.33"),
        ("60", "120", 6, "100.00"),
        ("30", "120", 6, "50.00"),
        ("120", "120", 12, "100.00"),
        ("0", "120", 1, "0.00"),
    ],
)
def test_indicator_progress(actual, target, month, v):
    assert monitor.indicator_progress(Decimal(actual), Decimal(target), month).quantize(Decimal("0.01")) == Decimal(v)


@pytest.mark.parametrize(
    "colours, worst",
    [
        ([Colour.green, Colour.green], Colour.green),
        ([Colour.green, Colour.blue], Colour.blue),
        ([Colour.blue, Colour.yellow, Colour.green], Colour.yellow),
        ([Colour.green, Colour.red, Colour.yellow], Colour.red),
    ],
)
def test_project_colour_is_the_worst(colours, worst):
    assert monitor.project_colour(colours) is worst


def test_execution_rows():
    rows = monitor.execution(Decimal(1200), {6: Decimal(500), 3: Decimal(100), 12: Decimal(1200)})
    assert [r.month for r in rows] == [3, 6, 12]
    assert [(r.rate, r.time_progress, r.v, r.colour) for r in rows] == [
        (Decimal("8.33"), Decimal("25.00"), Decimal("33.33"), Colour.red),
        (Decimal("41.67"), Decimal("50.00"), Decimal("83.33"), Colour.green),
        (Decimal("100.00"), Decimal("100.00"), Decimal("100.00"), Colour.green),
    ]


def test_execution_boundary_is_exact():
    # 40% spent at month 6 → v = 80 exactly: green, not yellow through float error
    (row,) = monitor.execution(Decimal("1000"), {6: Decimal("400")})
    assert row.v == Decimal("80.00") and row.colour is Colour.green


@pytest.mark.parametrize(
    "call",
    [
        lambda: monitor.execution(Decimal(0), {1: Decimal(1)}),
        lambda: monitor.execution(Decimal(100), {13: Decimal(1)}),
        lambda: monitor.indicator_progress(Decimal(1), Decimal(0), 6),
        lambda: monitor.indicator_progress(Decimal(1), Decimal(1), 0),
        lambda: monitor.project_colour([]),
    ],
)
def test_bad_input_is_input_error(call):
    with pytest.raises(InputError):
        call()


def test_chart_draws_curve_and_time_line():
    import matplotlib.pyplot as plt

    fig = monitor.execution_chart(monitor.execution(Decimal(1200), {m: Decimal(90 * m) for m in range(1, 13)}))
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["序时进度", "累计执行率"]
    assert list(ax.get_lines()[1].get_ydata())[-1] == pytest.approx(90.0)
    plt.close(fig)


def test_colours_are_practice_read_from_the_framework_file():
    r = monitor.rules()
    assert r["basis"] == "practice" and r["version"] == "2019.136-2" and "136号" in r["source"]
    assert [row.get("lt") for row in r["execution"]] == [60, 80, None]
    assert [row.get("lt") for row in r["indicator"]] == [60, 80, 120, None]


def test_a_bureau_can_set_its_own_thresholds(monkeypatch):
    """Thresholds are data: a bureau whose yellow line is 90 changes the file, not the code."""
    local = {**monitor.rules(), "execution": [{"lt": 70, "colour": "red"}, {"lt": 90, "colour": "yellow"}, {"colour": "green"}]}
    monkeypatch.setattr(monitor, "rules", lambda: local)
    assert [monitor.execution_colour(Decimal(v)) for v in ("69.99", "70", "89.99", "90")] == [
        Colour.red,
        Colour.yellow,
        Colour.yellow,
        Colour.green,
    ]
