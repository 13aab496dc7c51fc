"""`xteval extract` (a params draft from a report), `xteval check --against`, and the figures in `check`'s output."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEED_PARAMS, SEED_REPORT

from xteval.cli import main
from xteval.params import iter_provenance, load_params, load_yaml, pending

CORPUS = Path(__file__).parent / "fixtures" / "documents"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A params folder with the seed report in sources/."""
    shutil.copytree(SEED_REPORT.parent, tmp_path / "sources")
    return tmp_path


def _extract(folder: Path, report: Path, capsys, name: str = "draft.yaml") -> Path:
    out = folder / name
    assert main(["extract", str(report), "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    return out


def _seed_figures(data, path="") -> dict[str, Decimal]:
    """Every seeded figure of a params mapping: field path → value (goals by their order of 完成值)."""
    out = {}
    if isinstance(data, dict):
        if "seed" in data and ("value" in data or "score" in data):
            out[path] = Decimal(str(data.get("value", data.get("score"))))
        for k, v in data.items():
            out.update(_seed_figures(v, f"{path}.{k}" if path else k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.update(_seed_figures(v, f"{path}[{i}]"))
    return out


def test_the_draft_of_the_seed_report_has_the_seed_figures_of_the_department_params(folder, capsys):
    draft = load_yaml(_extract(folder, folder / "sources" / SEED_REPORT.name, capsys))
    ours, theirs = _seed_figures(draft), _seed_figures(load_yaml(SEED_PARAMS))
    figures = {k: v for k, v in ours.items() if not k.startswith("goals")}
    assert figures == {k: v for k, v in theirs.items() if not k.startswith("goals")}
    # goals are listed in the report's order, not the params author's: compare their 完成值
    assert sorted(v for k, v in ours.items() if k.startswith("goals")) == sorted(v for k, v in theirs.items() if k.startswith("goals"))
    for goal in draft["goals"]:
        assert not re.search(r"\d", goal["name"]), goal["name"]  # clean names: no figure inside
        assert goal["level1"] in ("产出指标", "效益指标", "满意度指标", "todo")
    assert draft["narrative"]["functions"].startswith("1、贯彻落实")


def test_the_draft_is_refused_until_every_todo_is_filled_and_then_loads(folder, capsys):
    out = _extract(folder, folder / "sources" / SEED_REPORT.name, capsys)
    todo = pending(load_yaml(out))
    assert todo and "goals[0].target" in todo
    assert main(["run", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and all(path in err for path in todo)  # every one of them, on one line
    # an evaluator fills each todo: here with illustrative values and 一级指标 names
    text = out.read_text(encoding="utf-8")
    text = re.sub(r"\{value: null, (unit: [^,]+, )?todo: [^}]*\}", lambda m: "{value: 1, " + (m[1] or "") + "illustrative: 测试填写}", text)
    text = text.replace("level1: todo", "level1: 产出指标")
    out.write_text(text, encoding="utf-8")
    p = load_params(out)  # provenance checked: every seed quote is in the report and states its value
    assert p.income.total.value == Decimal("11191.02")
    assert sum(1 for _, prov in iter_provenance(p) if prov.source == "seed") >= 30


def test_extract_never_overwrites(folder, capsys):
    out = folder / "draft.yaml"
    out.write_text("keep me", encoding="utf-8")
    assert main(["extract", str(folder / "sources" / SEED_REPORT.name), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "不覆盖" in err
    assert out.read_text(encoding="utf-8") == "keep me"


def test_a_draft_of_a_text_over_the_figure_budget_says_which_lines_it_comes_from(folder, capsys, monkeypatch):
    """The seed report followed by a dump of numbers: the draft keeps the seed's figures and says where reading stopped."""
    from xteval.audit.reading import FIGURE_BUDGET_ENV

    monkeypatch.setenv(FIGURE_BUDGET_ENV, "1000")
    seed = (folder / "sources" / SEED_REPORT.name).read_text(encoding="utf-8")
    long = folder / "sources" / "long.txt"
    long.write_text(seed + "\n" + "".join(f"附表 {i} 万元\n" for i in range(2000)), encoding="utf-8")
    out = folder / "draft.yaml"
    assert main(["extract", str(long), "-o", str(out)]) == 0
    io = capsys.readouterr()
    counts = [len(re.findall(r"\d+", line)) for line in long.read_text(encoding="utf-8").split("\n")]
    last = next(n for n in range(1, len(counts) + 1) if sum(counts[:n]) >= 1000)
    assert f"第 1–{last:,} 行" in out.read_text(encoding="utf-8").split("\n", 4)[3]
    assert io.err.count("\n") == 1 and "warning" in io.err and f"第 1–{last:,} 行" in io.err
    assert load_yaml(out)["income"]["total"]["value"] == Decimal("11191.02")  # the report itself was read


@pytest.mark.parametrize("report", sorted(CORPUS.glob("*/*.txt"))[::6], ids=lambda p: p.stem)
def test_a_draft_of_any_kind_quotes_its_report(tmp_path, capsys, report):
    shutil.copy(report, tmp_path / report.name)
    out = _extract(tmp_path, tmp_path / report.name, capsys)
    draft = load_yaml(out)
    assert draft["source_report"] == report.name
    text = report.read_text(encoding="utf-8")
    # every seed is a quote of the report (same normalisation as the audit) and states its value
    from xteval.money import amounts_in, fold, match_key

    for path, value in _seed_figures(draft).items():
        node = draft
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]
        assert match_key(node["seed"]) in match_key(text), path
        assert any(value in (w.value, w.number) for w in amounts_in(fold(node["seed"]))), path


def test_check_json_lists_every_figure_found(capsys):
    assert main(["check", str(SEED_REPORT), "--params", str(SEED_PARAMS), "--json"]) == 1
    records = json.loads(capsys.readouterr().out)
    figures = [r for r in records if r["id"].startswith("figure.")]
    checks = [r for r in records if not r["id"].startswith("figure.")]
    from xteval.api.evaluation import department_suite

    page = department_suite(load_params(SEED_PARAMS))  # what the appendix lists: the params' checks, then the text's own
    assert [r["id"] for r in checks] == [r.id for r in page.results]  # check --params and the page run the same checks
    assert all(r["status"] == "pass" and r["reason"] == "extracted" and r["evidence"] for r in figures)
    by_id = {r["id"]: r for r in figures}
    assert by_id["figure.income.total"]["observed"] == "11191.02" and by_id["figure.income.total"]["unit"] == "万元"
    assert by_id["figure.income.total"]["evidence"][0]["line"] == 15


def test_check_lists_figures_in_their_own_section(capsys):
    main(["check", str(SEED_REPORT)])
    out = capsys.readouterr().out
    assert "文档类型：部门整体支出绩效自评报告" in out
    head, figures = out.split("识别出的数字（")
    assert "总收入 = 11191.02 万元（第 15 行）" in figures and "[通过]" not in figures
    assert "income." not in out and "expenditure." not in out  # the ids stay in --json; an evaluator reads words


def test_check_against_names_both_documents_and_lines(tmp_path, capsys):
    a = CORPUS / "final_accounts" / "hunan-qingxi-agri-2023.txt"
    b = tmp_path / "说明-另一版.txt"
    b.write_text(a.read_text(encoding="utf-8").replace("基本支出1186.74万元", "基本支出1168.74万元", 1), encoding="utf-8")
    main(["check", str(a), "--against", str(b), "--json"])
    records = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    r = records["against.expenditure.basic"]
    assert r["status"] == "warn" and r["reason"] == "document_mismatch" and r["difference"] == "18.00"
    assert a.name in r["message"] and b.name in r["message"] and "第 33 行" in r["message"]
    agree = records["against.agree"]
    assert agree["status"] == "pass" and re.search(r"\d+ 项一致、1 项不一致", agree["message"])


def test_check_never_takes_up_a_draft_beside_the_report(tmp_path, capsys):
    """extract, then check on the same report: the draft beside it is not picked up (its todo list would refuse the check)."""
    import shutil

    report = tmp_path / "sources" / SEED_REPORT.name
    report.parent.mkdir()
    shutil.copy(SEED_REPORT, report)
    assert main(["extract", str(report), "-o", str(tmp_path / "draft.yaml")]) == 0
    capsys.readouterr()
    assert main(["check", str(report)]) == 1  # the seed's planted errors, read from the text alone
    out = capsys.readouterr().out
    assert "不符 3" in out and "指标值取自" not in out
