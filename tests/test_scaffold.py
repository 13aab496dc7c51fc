"""``xteval new YEAR``: structure kept, actuals cleared, targets kept, provenance reset, nothing overwritten."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PARAMS

from xteval.cli import main
from xteval.errors import InputError, ParamsError
from xteval.params import load_params, load_yaml, validate
from xteval.scaffold import dump, new_year, pending


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    """A params/ folder with the seed year only."""
    shutil.copytree(PARAMS / "2023", tmp_path / "params" / "2023")
    return tmp_path / "params"


@pytest.fixture
def scaffolded(params_dir: Path) -> tuple[dict, dict]:
    """The seed department file and the 2024 file scaffolded from it, both as parsed YAML."""
    new_year(2024, params_dir, 2023)
    return load_yaml(params_dir / "2023" / "department.yaml"), load_yaml(params_dir / "2024" / "department.yaml")


def _figures(node, path=""):
    """(path, mapping) for every figure-like mapping (one with value/score/todo or a provenance key)."""
    if isinstance(node, dict):
        if any(k in node and not isinstance(node[k], dict | list) for k in ("value", "score", "todo", "seed", "derived", "illustrative")):
            yield path, node
            return
        for k, v in node.items():
            yield from _figures(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _figures(v, f"{path}[{i}]")


def _keys(node, path=""):
    """Every mapping key path, with list items collapsed, to compare structure."""
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}"
            out.add(p)
            out |= _keys(v, p)
    elif isinstance(node, list):
        for v in node:
            out |= _keys(v, path + "[]")
    return out


@pytest.mark.parametrize(
    "path, expect",
    [
        # (field, "kept" value carried with provenance reset | "cleared" to null with a todo)
        ("goals[0].target", "kept"),
        ("goals[0].weight", "kept"),
        ("goals[1].target", "kept"),
        ("goals[7].target", "kept"),  # illustrative in 2023, stays illustrative
        ("goals[0].actual", "cleared"),
        ("goals[4].actual", "cleared"),
        ("goals[6].score", "cleared"),  # the evaluator's score of a qualitative goal
        ("income.total", "cleared"),
        ("expenditure.project_parts[0]", "cleared"),
        ("three_public.control.total", "cleared"),  # control figures are set anew each year
        ("three_public.actual.vehicle", "cleared"),
        ("budget_header", "cleared"),
        ("claims.execution_rate", "cleared"),
        ("claims.all_goals_completed", "cleared"),
        ("narrative", "cleared"),
    ],
)
def test_each_figure_is_kept_or_cleared(scaffolded, path, expect):
    old, new = (dict(_figures(d)) for d in scaffolded)
    before, after = old[path], new[path]
    assert "seed" not in after and "line" not in after  # last year's quotes are not this year's seeds
    if expect == "kept":
        assert after["value"] == before["value"] and isinstance(after["value"], Decimal | int)
        assert "todo" not in after
        if "illustrative" in before:
            assert "illustrative" in after and "derived" not in after  # never laundered into derived
        else:
            assert after["derived"].startswith("沿用 2023 年")
    else:
        assert after.get("value") is None and after.get("score") is None
        assert after["todo"].startswith("待填")
        assert not any(k in after for k in ("seed", "derived", "illustrative"))
        for number in (before.get("value"), before.get("score")):
            if isinstance(number, Decimal | int) and not isinstance(number, bool):
                assert str(number) in after["todo"]  # the todo says what last year had


def test_structure_kept_and_year_changed(scaffolded):
    old, new = scaffolded
    assert new["unit"] == {**old["unit"], "year": 2024}
    assert [g["name"] for g in new["goals"]] == [g["name"] for g in old["goals"]]
    assert new["notebook"] == old["notebook"] and "source_report" not in new
    provenance = {".seed", ".derived", ".illustrative", ".line", ".todo", ".source_report"}
    strip = {k for k in _keys(old) | _keys(new) if any(k.endswith(p) for p in provenance)}
    assert _keys(old) - strip == _keys(new) - strip
    assert all(g["evidence"] == "" for g in new["goals"])  # last year's evidence is not this year's


def test_nothing_invented_every_number_is_a_kept_plan_value(scaffolded):
    old, new = (dict(_figures(d)) for d in scaffolded)
    for path, fig in new.items():
        if fig.get("value") is not None:
            assert fig["value"] == old[path]["value"], path
            assert path.endswith((".target", ".weight")), f"{path} carried but is not a plan figure"


def test_unfilled_year_is_refused_and_names_what_is_left(params_dir, scaffolded):
    path = params_dir / "2024" / "department.yaml"
    todo = pending(load_yaml(path))
    assert len(todo) == 37 and todo[0] == "budget_header"
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert err.value.field == "budget_header" and "37" in str(err.value)


def test_filled_in_scaffold_validates(params_dir, scaffolded):
    """Once every todo is filled, the file passes the same schema as last year's: the structure is whole."""
    old, new = scaffolded
    olds = dict(_figures(old))

    def fill(node, path=""):
        if isinstance(node, dict):
            if "todo" in node:
                node.pop("todo")
                for k in ("value", "score"):
                    if k in node:
                        node[k] = olds[path][k]
                for k, v in olds[path].items():
                    if isinstance(v, str) and k not in ("seed", "derived", "illustrative"):
                        node[k] = v
                node["illustrative"] = "测试填写"
                return
            for k, v in node.items():
                fill(v, f"{path}.{k}" if path else k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                fill(v, f"{path}[{i}]")

    fill(new)
    new["goals"][6]["grade"] = "达成"
    p = validate(load_yaml_text(params_dir / "filled.yaml", dump(new)), "filled.yaml")
    assert p.year == 2024 and len(p.goals) == 8
    assert p.goals[1].target.value == Decimal("5") and p.goals[1].target.source == "derived"


def load_yaml_text(path: Path, text: str):
    path.write_text(text, encoding="utf-8")
    return load_yaml(path)


def test_dump_reads_back_exactly():
    data = {"a": Decimal("1115814.30"), "b": Decimal("100"), "c": {"value": Decimal("0.65"), "seed": "x"}, "d": [1, "二"]}
    assert load_yaml_text(Path(__import__("tempfile").mkdtemp()) / "d.yaml", dump(data)) == data


def test_csv_data_files_are_copied_with_header_only(params_dir):
    src = params_dir / "2023"
    (src / "tickets.csv").write_text("phase,reported,repaired\n一期,2023-01-05 08:00,2023-01-05 12:00\n", encoding="utf-8")
    (src / "maint.yaml").write_text(
        "notebook: department\nunit: {name: 单位, supervisor: 主管, year: 2023}\n"
        "tickets_csv: tickets.csv\nphases: {value: data/phases.csv, illustrative: 示例分期}\n"
        "sla_rules: {repair_hours: {value: 24, illustrative: 示例}}\n"
        "paid_on: 2023-03-01\nfee: {value: 10, seed: 费用10万元}\n",
        encoding="utf-8",
    )
    (src / "data").mkdir(exist_ok=True)
    (src / "data" / "phases.csv").write_text("phase,cameras\n一期,120\n", encoding="utf-8")
    written = new_year(2024, params_dir, 2023)
    assert (params_dir / "2024" / "data" / "phases.csv").read_text(encoding="utf-8") == "phase,cameras\n"
    assert (params_dir / "2024" / "tickets.csv").read_text(encoding="utf-8") == "phase,reported,repaired\n"
    assert params_dir / "2024" / "tickets.csv" in written
    data = load_yaml(params_dir / "2024" / "maint.yaml")
    assert data["sla_rules"]["repair_hours"]["value"] == 24  # a contract term is kept
    assert data["fee"]["value"] is None and data["paid_on"] is None
    assert data["phases"]["value"] == "data/phases.csv" and "表头" in data["phases"]["todo"]
    assert set(pending(data)) == {"(top level)", "fee", "phases"}  # the cleared date marks its mapping


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["new", "2024", "--from", "2023"], 0, "wrote"),
        (["new", "2023", "--from", "2022"], 2, "已存在"),  # refuses to overwrite
        (["new", "2025", "--from", "2019"], 2, "来源年度不存在"),
        (["new", "2022"], 2, "没有早于 2022 的年度"),
        (["new", "1999", "--from", "2023"], 2, "年度应在"),
        (["new", "2024x"], 2, "invalid int"),
    ],
)
def test_cli_new(params_dir, capsys, argv, code, message):
    before = sorted(p.name for p in params_dir.iterdir())
    try:
        rc = main([*argv, "--params", str(params_dir)])
    except SystemExit as exc:  # argparse's own usage errors
        rc = exc.code
    assert rc == code
    out = capsys.readouterr()
    assert message in (out.out + out.err)
    if code:
        assert sorted(p.name for p in params_dir.iterdir()) == before  # nothing written
        assert out.err.count("\n") == 1 and "Traceback" not in out.err


def test_existing_year_is_left_untouched(params_dir):
    before = (params_dir / "2023" / "department.yaml").read_bytes()
    with pytest.raises(InputError, match="不覆盖"):
        new_year(2023, params_dir, 2023)
    assert (params_dir / "2023" / "department.yaml").read_bytes() == before
