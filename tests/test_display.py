"""What a reader sees: local times, grade lines, number styles, provenance words, and charts with no overlapping labels."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PARAMS, SEED_PARAMS

from xteval.checks import Reason
from xteval.params import load_params
from xteval.render import charts, labels, localtime, report


@pytest.fixture
def zone(monkeypatch):
    def use(**env):
        for key in ("XTEVAL_TZ", "TZ"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        localtime.zone_name.cache_clear()
        return localtime.zone_name()

    yield use
    localtime.zone_name.cache_clear()


def test_time_zone_order(zone, monkeypatch):
    assert zone(XTEVAL_TZ="Europe/Berlin", TZ="Asia/Tokyo") == "Europe/Berlin"
    assert zone(TZ="Asia/Tokyo") == "Asia/Tokyo"
    assert zone(TZ="Not/AZone") in ("Asia/Shanghai", localtime.zone_name())  # an invalid TZ is ignored
    monkeypatch.setattr(localtime, "Path", lambda _: Path("/usr/share/zoneinfo/Etc/UTC"))
    assert zone() == "Asia/Shanghai"  # a machine left on UTC: the readers' 北京时间


@pytest.mark.parametrize(
    ("value", "clock", "shown"),
    [
        ("2026-11-25T08:27:16+00:00", True, "2026年11月25日 16:27"),
        ("2026-11-25T20:05:00+00:00", False, "2026年11月26日"),  # the day in Beijing, not in Greenwich
        (dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), True, "2026年1月2日 11:04"),
        ("not a time", True, "not a time"),
        ("", True, ""),
    ],
)
def test_show_time(zone, value, clock, shown):
    zone(XTEVAL_TZ="Asia/Shanghai")
    assert localtime.show_time(value, clock=clock) == shown


def test_show_date():
    assert localtime.show_date("2024-03-31") == "2024年3月31日" and localtime.show_date(dt.date(2024, 1, 5)) == "2024年1月5日"


@pytest.mark.parametrize(
    ("total", "grade", "fail", "illustrative", "text"),
    [
        ("97.77", "优", 3, False, "97.77 优（另有不符 3 项，待核实）"),
        (Decimal("100"), "优", 0, True, "100.00 优（示例）"),
        ("88", "良", 2, True, "88.00 良（示例；另有不符 2 项，待核实）"),
        ("41.00", None, 0, False, "41.00 不定级"),
        ("", None, 5, False, ""),
        (None, None, "", False, ""),
    ],
)
def test_a_grade_never_hides_a_failure(total, grade, fail, illustrative, text):
    assert labels.grade_text(total, grade, fail, illustrative) == text


def test_every_reason_code_has_chinese_words():
    assert set(labels.REASON_LABELS) == {r.value for r in Reason if r is not Reason.ok}
    assert labels.reason_label("something_new") == "其他问题"
    assert all(not any("a" <= ch.lower() <= "z" for ch in v) for v in labels.REASON_LABELS.values())


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("8"), "个", "8"),
        (Decimal("-1"), "个", "-1"),
        (1480, "", "1,480"),
        (Decimal("30"), "日", "30"),
        (Decimal("0.3"), "万元", "0.30"),
        (Decimal("0.000001"), "万元", "0.000001"),
        (Decimal("99.125"), "%", "99.13"),  # half-up
        (Decimal("1115814.3"), "元", "1,115,814.30"),
        (2024, "年", "2024"),  # a year, not a count of years
        (Decimal("1"), "年", "1"),
        (None, "", ""),
    ],
)
def test_check_values_in_the_page_number_style(value, unit, shown):
    assert report.check_value(value, unit) == shown


def test_field_labels_are_the_chinese_names():
    p = load_params(PARAMS / "2023" / "ppp.yaml")
    assert report.field_label(p, "subprojects") == "子项目"
    assert report.field_label(load_params(SEED_PARAMS), "income.non_tax_revenue") == "收入·非税收入"
    # a note to whoever fills the params (after its ；) is not part of the name a page shows
    assert report.field_label(load_params(SEED_PARAMS), "three_public.control.overseas").endswith("·出国出境费")


def test_a_params_error_names_the_field_as_the_page_does():
    from xteval.department.model import DepartmentParams
    from xteval.params import field_name

    # 其中：非税收入 is the field 非税收入 (the message said 收入·其中·金额), and a bracketed note is no part of a name
    assert field_name(DepartmentParams, ("income", "non_tax_revenue", "value")) == "收入·非税收入·金额"
    assert field_name(DepartmentParams, ("unit", "supervisor")) == "单位·主管部门"
    assert labels.source_label("seed") == "报告原文" and labels.source_label("illustrative") == "示例"


# --------------------------------------------------------------------------- charts


def _all_charts():
    """(name, how to draw it) of every chart: a chart is drawn by its own test, not while the tests are collected
    (each worker collects them all: drawing them there cost every worker seconds)."""
    from xteval.department import charts as dept
    from xteval.projects import cloud_lease, ppp, video_maintenance

    def video(chart):
        v = load_params(PARAMS / "2023" / "video_maintenance.yaml")
        return chart(v, video_maintenance.load_data(v))

    def payment():
        pp = load_params(PARAMS / "2023" / "ppp.yaml")
        return ppp.payment_chart(pp, ppp.load_data(pp))

    yield "composition", lambda: dept.composition_chart(load_params(SEED_PARAMS))
    yield "three_public", lambda: dept.three_public_chart(load_params(SEED_PARAMS))
    for f in sorted((PARAMS / "2023").glob("dept-*.yaml")):
        yield f"three_public-{f.stem}", lambda f=f: dept.three_public_chart(load_params(f))
    yield "video_fee", lambda: video(video_maintenance.fee_chart)
    yield "video_online", lambda: video(video_maintenance.online_chart)
    yield "ppp_payment", payment
    yield "cloud", lambda: cloud_lease.cumulative_chart(load_params(PARAMS / "2023" / "cloud_lease.yaml"))
    yield (
        "grades",
        lambda: charts.stacked_columns(["优", "良", "中", "差"], [("甲", [Decimal(3), Decimal(1), Decimal(0), Decimal(0)])], "等级"),
    )
    yield "rates", lambda: charts.hbars(["甲单位", "乙单位"], [Decimal("99.19"), Decimal("55.00")], "执行率", reference=Decimal(100))
    close = [("控制数", [Decimal("148.80"), Decimal("20.00")] * 4), ("实际支出", [Decimal("148.50"), Decimal("19.90")] * 4)]
    yield "close_values", lambda: charts.grouped_bars([f"第{i}期" for i in range(8)], close, "相近的数值")


@pytest.mark.parametrize(("name", "draw"), list(_all_charts()), ids=lambda x: x if isinstance(x, str) else "")
def test_no_chart_has_overlapping_labels_or_missing_glyphs(name, draw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a UserWarning, now also while it is drawn
        fig = draw()
        assert charts.overlapping(fig) == [], name
    charts.pyplot().close(fig)


def test_the_overlap_finder_finds_overlapping_labels():
    fig, ax = charts.new_figure()
    ax.text(0.5, 0.5, "148.80")
    ax.text(0.5, 0.5, "148.50")
    assert charts.overlapping(fig) == [("148.80", "148.50")]
    charts.pyplot().close(fig)
