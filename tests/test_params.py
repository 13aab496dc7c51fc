"""Params loading: exact decimals, provenance, and one-line errors for bad input."""

import re
import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import PARAMS, SEED_PARAMS, variant

from xteval.department.model import DepartmentParams
from xteval.errors import ParamsError
from xteval.params import iter_provenance, load_params, load_yaml, resolve


def test_seed_params_load_exactly():
    p = load_params(SEED_PARAMS)
    assert isinstance(p, DepartmentParams)
    assert p.income.total.value == Decimal("11191.02")
    assert p.expenditure.project.value == Decimal("10286.5")
    assert [x.name for x in p.expenditure.project_parts] == ["中心项目经费", "专项经费"]
    assert p.three_public.actual.overseas is None  # not stated, not invented


def test_yaml_floats_are_decimals_from_source_text(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a: 0.1\nb: 1115814.30\nc: 7\n")
    data = load_yaml(f)
    assert data == {"a": Decimal("0.1"), "b": Decimal("1115814.30"), "c": 7}
    assert str(data["b"]) == "1115814.30"


@pytest.mark.parametrize("bad", [".inf", ".nan"])
def test_yaml_non_finite_rejected(tmp_path, bad):
    f = tmp_path / "x.yaml"
    f.write_text(f"a: {bad}\n")
    with pytest.raises(ParamsError, match="finite"):
        load_yaml(f)


def test_amount_with_unit_in_params(tmp_path):
    f = variant(tmp_path, "d.yaml", ("other_income: {value: 22.2,", 'other_income: {value: "222,000.00 元",'))
    assert load_params(f).income.other_income.value == Decimal("22.2")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).replace(",", "，").replace("(", "（").replace(")", "）")


def test_every_seed_quote_is_in_its_report():
    """A `seed` figure must quote its source report word for word (spacing and width aside)."""
    checked = 0
    for path in PARAMS.rglob("*.yaml"):
        p = load_params(path)
        if not p.source_report:
            continue
        report = _normalise(resolve(p, p.source_report).read_text(encoding="utf-8"))
        for field, prov in iter_provenance(p):
            if prov.source == "seed":
                assert _normalise(prov.seed) in report, f"{path.name}:{field}: not in report: {prov.seed!r}"
                checked += 1
    assert checked >= 30


def test_every_figure_has_exactly_one_provenance(tmp_path):
    f = variant(tmp_path, "d.yaml", ('other_income: {value: 22.2, seed: "其他收入 22.2 万元", line: 15}', "other_income: {value: 22.2}"))
    with pytest.raises(ParamsError, match=r"income\.other_income.*provenance"):
        load_params(f)
    f = variant(
        tmp_path,
        "e.yaml",
        ('other_income: {value: 22.2, seed: "其他收入 22.2 万元"', 'other_income: {value: 22.2, seed: "x", derived: "y"'),
    )
    with pytest.raises(ParamsError, match="exactly one"):
        load_params(f)


BAD_INPUTS = [
    ("non_numeric", [("total: {value: 11191.02,", 'total: {value: "一万",')], "income.total.value", "not an amount"),
    ("negative", [("other_income: {value: 22.2,", "other_income: {value: -22.2,")], "income.other_income", "negative"),
    ("missing_section", [("carryover:\n  fiscal:", "carryover_typo:\n  fiscal:")], "carryover", ""),
    ("unknown_key", [("budget_header:", "budget_headr:")], "budget_headr", "unknown key"),
    ("yaml_syntax", [("unit:\n  name:", "unit:\n name: [")], "line", "YAML syntax"),
    ("bad_year", [("year: 2023", "year: 二〇二三")], "unit.year", "integer"),
    ("unknown_notebook", [("notebook: department", "notebook: nosuch")], "notebook", "unknown notebook"),
]


def _run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "xteval.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(("name", "subs", "field", "reason"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_params_one_line_exit_2_nothing_written(project, name, subs, field, reason):
    f = variant(project / "params" / "2023", f"{name}.yaml", *subs)
    r = _run_cli("run", str(f), cwd=project)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert str(f) in lines[0] and field in lines[0] and reason in lines[0]
    assert not (project / "outputs").exists() or not any((project / "outputs").rglob("*"))


def test_missing_params_file(project):
    r = _run_cli("run", "params/2023/nope.yaml", cwd=project)
    assert r.returncode == 2
    assert r.stderr.strip() == "xteval: error: params/2023/nope.yaml: 文件不存在 (file not found)"
    assert not (project / "outputs").exists()


def test_usage_error_is_one_line(project):
    r = _run_cli("run", cwd=project)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
