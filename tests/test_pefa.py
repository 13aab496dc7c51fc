"""PEFA 2016 PI-1, PI-2 (2.1, 2.2, 2.3), PI-3 (3.1, 3.2) and their M1/M2 aggregation, by hand; `xteval pefa` through the CLI.

The bands follow the PEFA 2016 framework (pefa.org: PI-1 node/4762, PI-2 node/4627,
2.3 node/4766, 3.1 node/4770, 3.2 node/4771; D* and aggregation node/4754).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT

from xteval import cli
from xteval.money import half_up
from xteval.scoring import frameworks, pefa

FIX = ROOT / "tests" / "fixtures" / "scoring"
SAMPLE = FIX / "pefa-sample-3-years.csv"


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
        ((100, 100), "A"),  # 2021–2022: the window is 2020–2022, and the year without data is the allowed outlier
        ((100, 94), "B"),  # both computable years must meet the band
        ((100,), "D*"),  # one computable year of three
        ((), "D*"),
    ],
)
def test_pi1(outturns, score):
    """PI-1 (node/4762): A 95–105%, B 90–110%, C 85–115% in at least two of the last three years."""
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
    """PI-3.1 (node/4770): A 97–106%, B 94–112%, C 92–116% in at least two of the last three years."""
    assert pefa.pi31(years(*outturns)).score == score


def test_last_three_years_are_used_and_a_gap_is_the_allowed_outlier():
    assert pefa.pi1(years(50, 100, 100, 100)).years == (2022, 2023, 2024)
    gap = {2019: (Decimal(100), Decimal(100)), 2021: (Decimal(100), Decimal(100)), 2022: (Decimal(50), Decimal(100))}
    d = pefa.pi1(gap)  # window 2020–2022: 2019 is outside it, 2020 has no data, 2021 meets A and 2022 does not
    assert d.years == (2020, 2021, 2022) and d.gaps == {2020: "无数据"} and set(d.values) == {2021, 2022}
    assert d.score == "D" and "允许的一个例外年度" in d.note
    lone = pefa.pi1({2019: (Decimal(100), Decimal(100)), 2022: (Decimal(100), Decimal(100))})
    assert lone.score == "D*" and "不补造年度" in lone.note


D = Decimal


def _rows(*rows) -> dict:
    return {year: {name: (D(b), D(a)) for name, b, a in parts} for year, parts in rows}


def test_hand_case_one_window_for_every_indicator():
    """Expenditure 2021–2023, revenue 2018–2020: every dimension is scored on 2021–2023, PI-3 is D* and says why."""
    expenditure = _rows(*((y, [("甲", 600, 600), ("乙", 400, 400)]) for y in (2021, 2022, 2023)))
    revenue = _rows(*((y, [("税收", 700, 700), ("非税", 300, 300)]) for y in (2018, 2019, 2020)))
    r = pefa.assess(expenditure, revenue)
    assert r.window == (2021, 2022, 2023)
    assert r.dimensions["PI-2.1"].score == "A" and r.dimensions["PI-2.1"].years == (2021, 2022, 2023)
    for dim in ("PI-3.1", "PI-3.2"):
        d = r.dimensions[dim]
        assert d.score == "D*" and d.values == {} and "不覆盖评价窗口 2021、2022、2023 年" in d.note and "2018、2019、2020" in d.note
    assert r.indicators["PI-3"] == "D"
    data = r.to_json()
    assert data["window"] == [2021, 2022, 2023] and set(data["rules"]) == {"window", "outlier", "pi1_coverage"}
    assert "评价窗口 2021–2023 年" in r.window_text


def test_hand_case_a_missing_contingency_row_is_stated_not_taken_as_zero():
    """PI-1 by hand: 2021 (900 + 30 + 20) → (920 + 15 + 20): 955 ÷ 950 = 100.53 %; 2023 has no contingency row:
    (900 + 20) → (920 + 20): 940 ÷ 920 = 102.17 %, computed on the rows given and said so; PI-2.3 lacks a year: D*."""
    expenditure = _rows(*((y, [("甲", 500, 510), ("乙", 400, 410)]) for y in (2021, 2022, 2023)))
    contingency = _rows((2021, [("预备费", 30, 15)]), (2022, [("预备费", 30, 15)]))
    interest = _rows(*((y, [("利息", 20, 20)]) for y in (2021, 2022, 2023)))
    r = pefa.assess(expenditure, {}, contingency=contingency, interest=interest)
    pi1 = r.dimensions["PI-1"]
    assert {y: str(half_up(v)) for y, v in pi1.values.items()} == {2021: "100.53", 2022: "100.53", 2023: "102.17"}
    assert pi1.score == "A"
    assert pi1.basis.startswith("2023 年没有预备费的行") and "未含这些项" in pi1.basis and "债务利息的行" not in pi1.basis
    assert pi1.to_json()["basis"] == pi1.basis
    assert r.dimensions["PI-2.3"].score == "D*" and "2023 年没有预备费的行" in r.dimensions["PI-2.3"].note
    full = pefa.assess(expenditure, {}, contingency={**contingency, **_rows((2023, [("预备费", 0, 0)]))}, interest=interest)
    assert full.dimensions["PI-1"].basis == ""  # a row of 0 says there was none: nothing to state


def test_hand_case_a_year_that_cannot_be_computed_is_the_allowed_outlier():
    """Revenue for 2021 and 2023, none for 2022. PI-3.1: 1010 ÷ 1000 = 101 %, 990 ÷ 1000 = 99 %: A in both → A.
    PI-3.2: 2021 k = 1.01, |610 − 606| + |400 − 404| = 8, 8 ÷ 1010 = 0.79 %; 2023 k = 0.99, |560 − 594| + |430 − 396|
    = 68, 68 ÷ 990 = 6.87 %: under 10 % in both, under 5 % in one → B. PI-3 by M2 (A, B) = B+."""
    expenditure = _rows(*((y, [("甲", 600, 600), ("乙", 400, 400)]) for y in (2021, 2022, 2023)))
    revenue = _rows((2021, [("税收", 600, 610), ("非税", 400, 400)]), (2023, [("税收", 600, 560), ("非税", 400, 430)]))
    r = pefa.assess(expenditure, revenue)
    p31, p32 = r.dimensions["PI-3.1"], r.dimensions["PI-3.2"]
    assert {y: str(half_up(v)) for y, v in p31.values.items()} == {2021: "101.00", 2023: "99.00"} and p31.score == "A"
    assert {y: str(half_up(v)) for y, v in p32.values.items()} == {2021: "0.79", 2023: "6.87"} and p32.score == "B"
    assert p31.gaps == {2022: "无数据"} == p32.gaps and "允许的一个例外年度" in p31.note
    assert r.indicators["PI-3"] == "B+"


def comp(*pairs):
    return {f"c{i}": (Decimal(b), Decimal(a)) for i, (b, a) in enumerate(pairs)}


@pytest.mark.parametrize(
    "parts, variance",
    [
        (comp((600, 570), (400, 420)), "4.85"),  # k = 990/1000; |570−594| + |420−396| = 48; 48/990
        (comp((500, 500), (500, 500)), "0.00"),
        (comp((500, 1000), (500, 1000)), "0.00"),  # uniform overspend is not a composition variance
        (comp((500, 600), (500, 400)), "20.00"),
        (comp((400, 405), (550, 545), (20, 25)), "1.61"),  # Σ|a·970 − b·975| = 2850 + 7600 + 4750 = 15200; ÷ (970 × 975)
    ],
)
def test_composition_variance(parts, variance):
    assert half_up(pefa.variance(parts)) == Decimal(variance)


def _variance_table(per_year: list[str]) -> dict[int, dict[str, tuple[Decimal, Decimal]]]:
    """Three years whose composition variance is exactly the given % (two categories, equal totals)."""
    out = {}
    for i, v in enumerate(per_year):
        d = Decimal(v) / 2  # |a1 − b1| = |a2 − b2| = v/2 on budgets of 50 each: variance = v/100 × 100
        out[2021 + i] = {"甲": (Decimal(50), Decimal(50) + d), "乙": (Decimal(50), Decimal(50) - d)}
    return out


@pytest.mark.parametrize(
    "per_year, score",
    [
        (["4.99", "4.99", "30"], "A"),  # < 5% in 2 of 3
        (["5", "5", "1"], "B"),  # 5% is not < 5%: only one year A
        (["9.99", "14.99", "30"], "C"),
        (["15", "15", "1"], "D"),
    ],
)
@pytest.mark.parametrize("dimension", ["pi21", "pi22", "pi32"])
def test_composition_bands(dimension, per_year, score):
    """2.1, 2.2 (node/4627) and 3.2 (node/4771): variance A < 5%, B < 10%, C < 15% in at least two of three years."""
    d = getattr(pefa, dimension)(_variance_table(per_year))
    assert [half_up(v) for v in d.values.values()] == [half_up(Decimal(v)) for v in per_year]
    assert d.score == score


@pytest.mark.parametrize(
    "shares, score",
    [
        (["2.99", "2.99", "2.99"], "A"),  # average < 3%
        (["3", "3", "3"], "B"),  # 3% to 6% inclusive
        (["1", "2", "15"], "B"),  # average 6: inclusive upper end
        (["6", "6", "6.03"], "C"),  # average 6.01: more than 6
        (["9.99", "9.99", "9.99"], "C"),
        (["10", "10", "10"], "D"),  # not less than 10
        (["0", "0", "0"], "A"),  # no contingency vote, stated with zero rows (2.3:4)
    ],
)
def test_pi23_average_of_three_years(shares, score):
    """2.3 (node/4627, node/4766): actual charged to contingency ÷ original budget, simple average of three years."""
    contingency = {2021 + i: (Decimal(5), Decimal(s)) for i, s in enumerate(shares)}
    d = pefa.pi23(contingency, {y: Decimal(100) for y in contingency})
    assert d.score == score


def test_pi23_without_rows_is_d_star_not_a():
    d = pefa.pi23({}, {2021: Decimal(100)})
    assert d.score == "D*" and "预算数、决算数为 0 的预备费行" in d.note


def test_pi22_without_economic_rows_is_d_star():
    d = pefa.pi22({}, {2021: {"利息": (Decimal(1), Decimal(1))}})
    assert d.score == "D*" and "经济分类" in d.note


@pytest.mark.parametrize(
    "scores, expected",
    [
        (["A"], "A"),
        (["A", "A"], "A"),
        (["A", "C"], "C+"),
        (["C", "A", "B"], "C+"),
        (["D", "D*"], "D"),
        (["B", "D*", "A"], "D+"),
        (["D*"], "D"),  # an indicator score carries no asterisk (node/4754)
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


def test_m2_table_is_complete_for_2_and_3_dimensions_and_marked_unverified():
    import itertools

    for n in (2, 3):
        for combo in itertools.combinations_with_replacement("ABCD", n):
            assert pefa.m2(list(combo)) in {"A", "B+", "B", "C+", "C", "D+", "D"}
    spec = frameworks.get("pefa2016").raw["m2"]
    assert spec["basis"] == "unverified" and "DDB" in spec["note"]


@pytest.mark.parametrize(
    "given, indicators",
    [
        ({"PI-2.1": "A"}, {"PI-2": "D+", "PI-3": "D"}),  # M1(A, D*, D*): never "A" from 2.1 alone
        ({"PI-2.1": "A", "PI-2.2": "A", "PI-2.3": "A"}, {"PI-2": "A"}),
        ({"PI-2.1": "A", "PI-2.2": "D*", "PI-2.3": "B"}, {"PI-2": "D+"}),
        ({"PI-3.1": "A"}, {"PI-3": "C+"}),  # M2(A, D*) = M2(A, D): never "A" from 3.1 alone
        ({"PI-3.1": "B", "PI-3.2": "A"}, {"PI-3": "B+"}),
        ({"PI-1": "D*"}, {"PI-1": "D"}),
    ],
)
def test_an_indicator_is_never_a_single_dimension_while_another_lacks_data(given, indicators):
    dims = {k: pefa.Dimension(k, v) for k, v in given.items()}
    agg = pefa.aggregate(dims)
    for k, v in indicators.items():
        assert agg[k].score == v, k
    assert all("*" not in i.score for i in agg.values())
    assert agg["PI-2"].dimensions.keys() == {"PI-2.1", "PI-2.2", "PI-2.3"}


# --------------------------------------------------------------------------- the README sample, by hand


SAMPLE_DIMENSIONS = {
    # PI-1: (支出 + 预备费 + 利息) ÷ 年初预算: 985/1000, 1020/1000, 1055/1055
    "PI-1": ("A", {"2021": "98.50", "2022": "102.00", "2023": "100.00"}),
    # 2.1 (支出 only): 2021 (30 + 30)/950, 2022 (10 + 10)/950, 2023 (30 + 30)/1000 → one year < 5, all < 10
    "PI-2.1": ("B", {"2021": "6.32", "2022": "2.11", "2023": "6.00"}),
    # 2.2 (经济分类 + 利息): 2021 60/970; 2022 15200/(970 × 975); 2023 40/1025
    "PI-2.2": ("A", {"2021": "6.19", "2022": "1.61", "2023": "3.90"}),
    # 2.3: 15/1000, 45/1000, 30/1055; average 2.948 < 3
    "PI-2.3": ("A", {"2021": "1.50", "2022": "4.50", "2023": "2.84"}),
    # 3.1: 970/1000, 1070/1000, 1000/1050 → only 2021 in 97–106, all in 94–112
    "PI-3.1": ("B", {"2021": "97.00", "2022": "107.00", "2023": "95.24"}),
    # 3.2: k = 0.97: (4 + 4)/970; k = 1.07: (22.6 + 22.6)/1070; k = 1000/1050: 2 × 50.476/1000
    "PI-3.2": ("A", {"2021": "0.82", "2022": "4.22", "2023": "10.10"}),
}


def test_readme_sample_every_dimension_by_hand(capsys):
    code = cli.main(["pefa", str(SAMPLE), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    got = {k: (d["score"], d["values"]) for k, d in data["dimensions"].items()}
    assert got == SAMPLE_DIMENSIONS
    assert data["dimensions"]["PI-2.3"]["note"] == "三年平均 2.95%"
    assert data["indicators"] == {"PI-1": "A", "PI-2": "B+", "PI-3": "B+"}  # M1(B, A, A); M2(B, A)
    assert data["aggregation"]["PI-3"]["note"] == "M2 换算表未能对照原文核实"
    assert data["version"] == frameworks.get("pefa2016").version


def test_readme_sample_is_the_one_in_the_scoring_guide():
    readme = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert SAMPLE.read_text(encoding="utf-8").strip() in readme


def test_english_headers_and_kinds_read_the_same(tmp_path: Path, capsys):
    text = SAMPLE.read_text(encoding="utf-8")
    for cn, en in (("年度,类别,科目,预算数,决算数", "year,kind,category,budget,actual"), (",经济分类支出,", ",economic,"), (",支出,", ",expenditure,"),
                   (",预备费,", ",contingency,"), (",利息,", ",interest,"), (",收入,", ",revenue,")):  # fmt: skip
        text = text.replace(cn, en)
    path = tmp_path / "en.csv"
    path.write_text(text, encoding="utf-8")
    assert pefa.read_csv(path).to_json()["dimensions"] == pefa.read_csv(SAMPLE).to_json()["dimensions"]


def test_contingency_and_interest_are_in_pi1_and_out_of_pi21():
    D = Decimal
    expenditure = {y: {"甲": (D(50), D(50)), "乙": (D(50), D(50))} for y in (2021, 2022, 2023)}
    contingency = {y: {"预备费": (D(10), D(40))} for y in (2021, 2022, 2023)}
    interest = {y: {"利息": (D(10), D(10))} for y in (2021, 2022, 2023)}
    r = pefa.assess(expenditure, {}, contingency=contingency, interest=interest)
    assert r.dimensions["PI-1"].values[2021] == D(150) / D(120) * 100  # (100 + 40 + 10) ÷ (100 + 10 + 10) = 125%
    assert r.dimensions["PI-1"].score == "D"
    assert r.dimensions["PI-2.1"].score == "A" and r.dimensions["PI-2.1"].values[2021] == 0  # contingency not in 2.1
    assert r.dimensions["PI-2.3"].score == "D"  # 40 ÷ 120 = 33% each year


def test_cli_pefa_text_output(capsys):
    code = cli.main(["pefa", str(SAMPLE)])
    out = capsys.readouterr().out
    assert code == 0
    assert "PI-2: B+（M1：PI-2.1 B，PI-2.2 A，PI-2.3 A）" in out and "PI-3: B+（M2：PI-3.1 B，PI-3.2 A）" in out


def test_cli_pefa_english_file_without_breakdowns(capsys):
    code = cli.main(["pefa", str(FIX / "pefa-three-years.csv"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    scores = {k: d["score"] for k, d in data["dimensions"].items()}
    assert scores == {"PI-1": "A", "PI-2.1": "A", "PI-2.2": "D*", "PI-2.3": "D*", "PI-3.1": "B", "PI-3.2": "D*"}
    assert data["dimensions"]["PI-1"]["values"] == {"2021": "99.00", "2022": "104.00", "2023": "104.00"}
    # 2.1 and 3.1 alone no longer give their indicators' letters
    assert data["indicators"] == {"PI-1": "A", "PI-2": "D+", "PI-3": "C"}


def test_cli_pefa_one_year_is_d_star(capsys):
    code = cli.main(["pefa", str(FIX / "pefa-one-year.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "PI-1: D*" in out and "PI-3.1: D*" in out and "不补造年度" in out and "PI-1: D（M1" in out


@pytest.mark.parametrize(
    "fixture, where, reason",
    [
        ("pefa-bad-amount.csv", "row 2, budget", "不是金额: '六百'"),
        ("pefa-unknown-kind.csv", "row 2, kind", "未知类别 'spending'"),
        ("pefa-unknown-kind-cn.csv", "row 3, 类别", "未知类别 '拨款'"),
        ("pefa-negative-budget.csv", "row 2, 预算数", "金额不能为负: '-400'"),
        ("pefa-negative-actual.csv", "row 3, actual", "金额不能为负: '-780'"),
        ("pefa-year-out-of-range.csv", "row 3, 年度", "年度应在 1949–2100 之间: 1948"),
        ("pefa-year-after-2100.csv", "row 4, 年度", "年度应在 1949–2100 之间: 2101"),
        ("pefa-no-revenue.csv", "类别", "没有“收入”（revenue）的行：至少需要一个年度"),
        ("ok-mof2020.csv", "row 1, indicator", "未知列 'indicator'"),
    ],
)
def test_cli_pefa_bad_input(fixture, where, reason, capsys):
    path = FIX / fixture
    code = cli.main(["pefa", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.startswith(f"xteval: error: {path}: {where}: ") and reason in err and err.count("\n") == 1


def test_cli_pefa_duplicate_category(tmp_path: Path, capsys):
    path = tmp_path / "dup.csv"
    path.write_text("年度,类别,科目,预算数,决算数\n2022,收入,税收,1,1\n2022,支出,教育,1,1\n2022,支出,教育,2,2\n", encoding="utf-8")
    assert cli.main(["pefa", str(path)]) == 2
    assert f"{path}: row 4, 科目: 2022 年支出科目 '教育' 重复" in capsys.readouterr().err


def test_cli_pefa_bad_input_has_no_traceback():
    path = FIX / "pefa-negative-budget.csv"
    r = subprocess.run([sys.executable, "-m", "xteval.cli", "pefa", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1 and "row 2, 预算数" in r.stderr


@pytest.mark.parametrize("year", ["2_023", "２０２３", "٢٠٢٣", "+2023", "2023.0"])
def test_a_year_is_four_ascii_digits(tmp_path: Path, capsys, year):
    """int() reads "2_023" and other scripts' digits as 2023: a year in an outturn file is refused instead."""
    text = SAMPLE.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[0]
    path = tmp_path / "y.csv"
    path.write_text(text.replace(f"\n{first},", f"\n{year},", 1), encoding="utf-8")
    assert cli.main(["pefa", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "row 2" in err and "年度应为四位整数" in err
