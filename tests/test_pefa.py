"""PEFA 2016 PI-1, PI-2.1, PI-3.1, M1/M2 aggregation and D* as tables; `xteval pefa` through the CLI."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import ROOT

from xteval import cli
from xteval.scoring import pefa

FIX = ROOT / "tests" / "fixtures" / "scoring"


def years(*outturns) -> dict[int, tuple[Decimal, Decimal]]:
    """Budget 100 each year from 2021; outturns as % of budget."""
    return {2021 + i: (Decimal(100), Decimal(str(o))) for i, o in enumerate(outturns)}


@pytest.mark.parametrize(
    "outturns, score",
    [
        ((100, 100, 100), "A"),
        ((95, 105, 80), "A"),  # both band ends inclusive, 2 of 3 years
        ((94.99, 105, 80), "B"),  # only one year within 95–105
        ((90, 110, 200), "B"),
        ((89, 110, 111), "C"),  # only 110 lies in 90–110; all three lie in 85–115
        ((85, 115, 50), "C"),
        ((84.99, 115.01, 100), "D"),  # only one year within any band
        ((100, 100), "D*"),  # fewer than 3 years
        ((), "D*"),
    ],
)
def test_pi1(outturns, score):
    assert pefa.pi1(years(*outturns)).score == score


@pytest.mark.parametrize(
    "outturns, score",
    [
        ((100, 97, 106), "A"),
        ((96.99, 106.01, 100), "B"),
        ((94, 112, 50), "B"),
        ((92, 116, 50), "C"),
        ((91.99, 116.01, 100), "D"),
        ((100,), "D*"),
    ],
)
def test_pi31(outturns, score):
    assert pefa.pi31(years(*outturns)).score == score


def test_last_three_years_are_used_and_gaps_give_d_star():
    assert pefa.pi1(years(50, 100, 100, 100)).years == (2022, 2023, 2024)
    gap = {2019: (Decimal(100), Decimal(100)), 2021: (Decimal(100), Decimal(100)), 2022: (Decimal(100), Decimal(100))}
    d = pefa.pi1(gap)
    assert d.score == "D*" and d.values == {} and "不补造年度" in d.note


def comp(*pairs):
    return {f"c{i}": (Decimal(b), Decimal(a)) for i, (b, a) in enumerate(pairs)}


@pytest.mark.parametrize(
    "parts, variance",
    [
        (comp((600, 570), (400, 420)), "4.85"),  # k = 990/1000; |570−594| + |420−396| = 48; 48/990
        (comp((500, 500), (500, 500)), "0.00"),
        (comp((500, 1000), (500, 1000)), "0.00"),  # uniform overspend is not a composition variance
        (comp((500, 600), (500, 400)), "20.00"),
    ],
)
def test_composition_variance(parts, variance):
    assert pefa.variance(parts).quantize(Decimal("0.01")) == Decimal(variance)


@pytest.mark.parametrize(
    "per_year, score",
    [
        (["4.99", "4.99", "30"], "A"),  # < 5% in 2 of 3
        (["5", "5", "1"], "B"),  # 5% is not < 5%: only one year A
        (["9.99", "14.99", "30"], "C"),
        (["15", "15", "1"], "D"),
    ],
)
def test_pi21_bands(per_year, score, monkeypatch):
    data = {2021 + i: comp((1, 1), (1, 1)) for i in range(3)}
    values = iter(Decimal(v) for v in per_year)
    monkeypatch.setattr(pefa, "variance", lambda parts: next(values))
    assert pefa.pi21(data).score == score


def test_pi21_needs_a_breakdown():
    data = {2021 + i: {"合计": (Decimal(100), Decimal(100))} for i in range(3)}
    assert pefa.pi21(data).score == "D*"


@pytest.mark.parametrize(
    "scores, expected",
    [
        (["A"], "A"),
        (["A", "A"], "A"),
        (["A", "C"], "C+"),
        (["C", "A", "B"], "C+"),
        (["D", "D*"], "D"),
        (["B", "D*", "A"], "D+"),
        (["D*"], "D"),
    ],
)
def test_m1_weakest_link(scores, expected):
    assert pefa.m1(scores) == expected


@pytest.mark.parametrize(
    "scores, expected",
    [
        (["D", "D"], "D"), (["D", "C"], "D+"), (["B", "D"], "C"), (["A", "D"], "C+"), (["C", "C"], "C"),
        (["C", "B"], "C+"), (["A", "C"], "B"), (["B", "B"], "B"), (["A", "B"], "B+"), (["A", "A"], "A"),
        (["D", "D", "C"], "D+"), (["A", "D", "D"], "C"), (["B", "A", "A"], "A"), (["C", "B", "A"], "B"), (["D*", "A"], "C+"),
    ],
)  # fmt: skip
def test_m2_conversion_table(scores, expected):
    assert pefa.m2(scores) == expected


def test_m2_table_is_complete_for_2_and_3_dimensions():
    import itertools

    for n in (2, 3):
        for combo in itertools.combinations_with_replacement("ABCD", n):
            assert pefa.m2(list(combo)) in {"A", "B+", "B", "C+", "C", "D+", "D"}


def test_cli_pefa_json(capsys):
    code = cli.main(["pefa", str(FIX / "pefa-three-years.csv"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {k: d["score"] for k, d in data["dimensions"].items()} == {"PI-1": "A", "PI-2.1": "A", "PI-3.1": "B"}
    assert data["dimensions"]["PI-1"]["values"] == {"2021": "99.00", "2022": "104.00", "2023": "104.00"}
    assert data["dimensions"]["PI-3.1"]["values"] == {"2021": "103.00", "2022": "96.00", "2023": "113.00"}
    assert data["indicators"] == {"PI-1": "A", "PI-2": "A", "PI-3": "B"}


def test_cli_pefa_one_year_is_d_star(capsys):
    code = cli.main(["pefa", str(FIX / "pefa-one-year.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "PI-1: D*" in out and "PI-3.1: D*" in out and "不补造年度" in out


@pytest.mark.parametrize(
    "fixture, where, reason",
    [
        ("pefa-bad-amount.csv", "row 2, budget", "不是金额: '六百'"),
        ("pefa-unknown-kind.csv", "row 2, kind", "未知类型 'spending'"),
        ("ok-mof2020.csv", "row 1, year", "缺少列"),
    ],
)
def test_cli_pefa_bad_input(fixture, where, reason, capsys):
    path = FIX / fixture
    code = cli.main(["pefa", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"xteval: error: {path}: {where}: ") and reason in err and err.count("\n") == 1
