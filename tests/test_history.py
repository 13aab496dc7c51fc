"""Multi-year: earlier params of the same file, 变动率, PEFA PI-1 over three years."""

import shutil
from decimal import Decimal

import pytest
from conftest import PARAMS

from xteval.department import history
from xteval.errors import ParamsError
from xteval.money import half_up
from xteval.params import load_params, load_yaml, validate
from xteval.runner.run import run_params


@pytest.mark.parametrize(
    ("before", "after", "rate"),
    [
        ("4.52", "3.84", "-15.04"),
        ("3.84", "3.51", "-8.59"),
        ("100", "100", "0.00"),
        ("8.74", "0", "-100.00"),
        ("0", "11.67", None),
        (None, "1", None),
    ],
)
def test_change_rate(before, after, rate):
    got = history.change_rate(None if before is None else Decimal(before), Decimal(after))
    assert got == (None if rate is None else Decimal(rate))


@pytest.mark.parametrize(
    ("file", "years"),
    [
        ("2022/department.yaml", [2022]),
        ("2023/department.yaml", [2022, 2023]),
        ("2024/department.yaml", [2022, 2023, 2024]),
        ("2024/cloud_lease.yaml", [2022, 2023, 2024]),
        ("2023/ppp.yaml", [2023]),
    ],
)
def test_series_finds_the_same_file_in_earlier_year_folders(file, years):
    assert list(history.series(load_params(PARAMS / file))) == years


def test_a_model_not_loaded_from_a_file_has_no_history():
    p = validate(load_yaml(PARAMS / "2023" / "department.yaml"), "x.yaml")
    assert history.earlier_years(p) == {}


def test_comparison_rows_for_2024():
    rows = {r["label"]: r for r in history.comparison(history.series(load_params(PARAMS / "2024" / "department.yaml")))}
    assert rows["三公经费"]["values"] == {2022: Decimal("4.52"), 2023: Decimal("3.84"), 2024: Decimal("3.51")}
    assert rows["三公经费"]["rates"] == {2023: Decimal("-15.04"), 2024: Decimal("-8.59")}
    assert rows["结转结余"]["rates"] == {2023: Decimal("-100.00"), 2024: None}  # 2023 was 0: no rate


@pytest.mark.parametrize(
    ("file", "score", "years"), [("2024/department.yaml", "D", (2022, 2023, 2024)), ("2023/department.yaml", "D", (2021, 2022, 2023))]
)
def test_pi1_over_three_years(file, score, years):
    d = history.pi1(history.series(load_params(PARAMS / file)))
    assert (d.score, d.years) == (score, years)


def test_pi1_values_are_outturn_over_the_original_budget():
    """PEFA 2016 PI-1 (pefa.org/node/4763): outturn against the originally approved budget (年初预算), not after 追加."""
    d = history.pi1(history.series(load_params(PARAMS / "2024" / "department.yaml")))
    assert half_up(d.values[2023]) == Decimal("841.85")  # 11188.83 ÷ 1329.07: 年中追加 9839.75 is not in the original budget


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [("notebook: department", "notebook: cloud_lease", "notebook"), ("year: 2022", "year: 2021", "unit.year")],
)
def test_an_earlier_file_that_does_not_fit_is_a_params_error(tmp_path, old, new, field):
    for y in (2022, 2023):
        shutil.copytree(PARAMS / str(y), tmp_path / str(y))
    if field == "notebook":
        (tmp_path / "2022" / "department.yaml").write_text(
            (PARAMS / "2022" / "cloud_lease.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    else:
        f = tmp_path / "2022" / "department.yaml"
        f.write_text(f.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        history.earlier_years(load_params(tmp_path / "2023" / "department.yaml"))
    assert exc.value.field == field and "2022" in str(exc.value)


def test_department_notebook_compares_years(tmp_path):
    result = run_params(PARAMS / "2024" / "department.yaml", tmp_path)
    html = result.html.read_text(encoding="utf-8")
    for text in ("多年度比较", "-15.04%", "-8.59%", "PEFA PI-1", "示例数据"):
        assert text in html, text
    assert result.html.exists() and "无多年度比较" not in html
