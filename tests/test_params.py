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


# --------------------------------------------------------------------------- YAML as data: the exact loader

YAML_READ = [
    # (text, what it reads as): numbers in base 10 from their text, YAML 1.2 booleans, dates kept
    ("a: 100", {"a": 100}),
    ("a: -5", {"a": -5}),
    ("a: +5", {"a": 5}),
    ("a: 0", {"a": 0}),
    ("a: 0.5", {"a": Decimal("0.5")}),
    ("a: 0100.5", {"a": Decimal("100.5")}),  # a decimal point: never octal
    ("a: 123456789012345", {"a": 123456789012345}),  # 15 digits: the most an amount has
    ("a: '0100'", {"a": "0100"}),  # quoted: text, as written
    ("a: yes\nb: On\nc: true\nd: False", {"a": "yes", "b": "On", "c": True, "d": False}),
    ("a: =", {"a": "="}),
    ("a: 1.2.3", {"a": "1.2.3"}),
]


@pytest.mark.parametrize(("text", "expected"), YAML_READ, ids=[t for t, _ in YAML_READ])
def test_yaml_reads_numbers_from_their_text(tmp_path, text, expected):
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    assert load_yaml(f) == expected


YAML_REFUSED = [
    # (text, line and field, reason): what YAML 1.1 would silently read as another value
    ("a: 0100", "line 1, a", "前导零有歧义 '0100'（YAML 1.1 读作八进制 64）：写 100"),
    ("x:\n  y: 017", "line 2, x.y", "八进制 15"),
    ("a: 00", "line 1, a", "写 0，"),
    ("a: 1:30", "line 1, a", "60 进制"),
    ("a: 1:30.5", "line 1, a", "60 进制"),
    ("a: 0x1F", "line 1, a", "十六/八/二进制"),
    ("a: 0o17", "line 1, a", "十六/八/二进制"),
    ("a: 0b101", "line 1, a", "十六/八/二进制"),
    ("a: 1_000", "line 1, a", "下划线"),
    ("a: 1_000.5", "line 1, a", "下划线"),
    ("a: 1.0e+400", "line 1, a", "科学计数法"),
    ("a: 1e5", "line 1, a", "科学计数法"),
    ("a: 1234567890123456", "line 1, a", "整数部分超过 15 位（16 位）"),
    ("a: 1234567890123456.5", "line 1, a", "超过 15 位"),
    ("a: " + "9" * 5000, "line 1, a", "（5,000 位）"),
    ("a: 0" + "9" * 5000, "line 1, a", "（5,000 位）"),  # too long before ambiguous: the hint would echo it
    ("a: 1_" + "0" * 5000, "line 1, a", "下划线 '1_000"),  # quoted cut, the line stays short
    ("a: !!int 0100", "line 1, a", "前导零"),
    ("list:\n  - 1\n  - 0x10", "line 3, list[1]", "十六/八/二进制"),
    ("total: 1\nx: 2\ntotal: 3", "line 3, total", "键 'total' 重复：第 1 行与第 3 行"),
    ("a:\n  b: 1\n  b: 2", "line 3, a.b", "第 2 行与第 3 行"),
    ("a: &x 1\nb: *x", "line 1, a", "锚点与别名"),
    ("a: [1]\nb: *x", "line 2, b", "锚点与别名"),
    ("<<: {a: 1}", "line 1, (top level)", "合并键"),
    ("a: " + "[" * 33 + "]" * 33, "[0]", "嵌套超过 32 层"),
    ("a: " + "[" * 100_000, "line 1", "嵌套超过 32 层"),  # libyaml, reading ahead, stops it before the composer does
    ("a: b: c", "line 1", "YAML 语法错误"),
]


@pytest.mark.parametrize(("text", "where", "reason"), YAML_REFUSED, ids=[t[:24] for t, _, _ in YAML_REFUSED])
def test_yaml_refuses_what_yaml_1_1_would_misread(tmp_path, text, where, reason):
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_yaml(f)
    line = str(err.value)
    assert line.startswith(f"{f}: ") and where in line and reason in line and "\n" not in line and len(line) < 500


def test_nesting_at_the_limit_is_read(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("[" * 32 + "]" * 32, encoding="utf-8")  # 32 levels, the top one included
    assert load_yaml(f) is not None


def test_frameworks_and_rules_go_through_the_same_loader(tmp_path):
    """A framework or rule table with a YAML 1.1 number is refused too, naming the line."""
    from xteval import rules
    from xteval.errors import ConfigError
    from xteval.scoring import frameworks

    text = (frameworks.FRAMEWORK_DIR / "mof2020-self.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "fw.yaml"
    bad.write_text(text + "\nextra: 0x10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="十六/八/二进制"):
        frameworks.load(bad)
    checks = rules.CHECKS_FILE.read_text(encoding="utf-8")
    bad.write_text(checks + "\nversion: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="重复"):
        rules._load(bad, ("version",))


def test_every_shipped_yaml_reads_with_the_exact_loader():
    """The params, frameworks and rule tables of the repository use none of what the loader refuses."""
    from xteval.rules import RULES_DIR
    from xteval.scoring.frameworks import FRAMEWORK_DIR

    files = [*PARAMS.rglob("*.yaml"), *FRAMEWORK_DIR.glob("*.yaml"), *RULES_DIR.glob("*.yaml")]
    assert len(files) >= 10
    for f in files:
        load_yaml(f)


def test_resolve_confines_paths_to_the_params_tree(tmp_path):
    """resolve is the one function for a path a params file writes: links followed, then confined."""
    p = load_params(variant(tmp_path, "d.yaml"))
    assert resolve(p, "sources/xiangtan-bigdata-2023.txt") == (tmp_path / "sources" / "xiangtan-bigdata-2023.txt").resolve()
    (tmp_path / "sources" / "out.txt").symlink_to("/etc/hostname")
    for outside in ("../x.txt", "/etc/hostname", "sources/out.txt", "sources/../../x"):
        with pytest.raises(ParamsError, match="之外") as err:
            resolve(p, outside, field="source_report")
        assert str(err.value).startswith(f"{tmp_path / 'd.yaml'}: source_report: ")
