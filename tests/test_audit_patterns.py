"""One extraction path: the phrasings of audit/ stand in the kinds' YAML, not as regular expressions in Python.

:func:`count_patterns` is the counting rule of issue 19. A regular expression in Python is

1. a string literal (plain, raw, f-string, implicitly joined) given as the pattern, the first
   argument, to a function of :mod:`re` (compile, search, match, fullmatch, findall, finditer,
   sub, subn, split); and
2. a string literal bound at module level, alone or inside a list, tuple or dict literal, that
   reads as a regular expression: it holds ``(?``, a class escape (``\\d``, ``\\s``, ``\\w`` and
   their capitals) or a ``|`` between two word characters (a table of label patterns).

A pattern built at run time from YAML (``re.compile(entry["within"])``) is not counted: its
words stand in YAML. Run this file as a script to list what is counted:
``python tests/test_audit_patterns.py``.
"""

from __future__ import annotations

import ast
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
AUDIT = ROOT / "xteval" / "audit"
KINDS = AUDIT / "kinds"
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}
LOOKS_LIKE_REGEX = re.compile(r"\(\?|\\[dswDSW]|\w\|\w")
LIMIT = 40  # issue 19: at most 40 (157 before)


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str)


def _strings(node: ast.AST):
    """The string constants of a literal value (a string, or a list/tuple/dict/set of them, nested)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for elt in node.elts:
            yield from _strings(elt)
    elif isinstance(node, ast.Dict):
        for part in [*node.keys, *node.values]:
            if part is not None:
                yield from _strings(part)


def count_patterns(root: Path = AUDIT) -> list[tuple[str, int, str]]:
    """Every regular expression in the Python under ``root``, by the rule above: (file, line, pattern)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = str(path.relative_to(root.parent))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in RE_FUNCTIONS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.args
                and _is_literal(node.args[0])
            ):
                found.append((rel, node.lineno, ast.unparse(node.args[0])))
        for stmt in tree.body:
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
            if value is None or isinstance(value, ast.Call):
                continue  # a call's argument is counted by the first rule when it is a pattern
            for s in _strings(value):
                if LOOKS_LIKE_REGEX.search(s.value):
                    found.append((rel, s.lineno, repr(s.value)))
    return found


def test_at_most_forty_regular_expressions_in_python_under_audit():
    found = count_patterns()
    listing = "\n".join(f"{f}:{line}: {p[:90]}" for f, line, p in found)
    assert len(found) <= LIMIT, f"{len(found)} regular expressions in Python under audit/ (at most {LIMIT}):\n{listing}"


def test_the_counting_rule_counts_both_shapes(tmp_path):
    (tmp_path / "m.py").write_text(
        "import re\n"
        "X = re.compile(r'\\d+')\n"  # 1: a literal pattern
        "TABLE = [('a', r'收入|收入合计'), ('b', 'plain')]\n"  # 2: one regex-like string in a table
        "WORDS = ('公务', '出国')\n"  # not counted: plain words
        "def f(s, p):\n"
        "    return re.search(rf'{p}\\s*', s) or re.search(p, s)\n",  # 3: an f-string pattern; p alone is not
        encoding="utf-8",
    )
    assert len(count_patterns(tmp_path)) == 3


def _leaves(node, key=""):
    """(key, scalar node) of every leaf under a YAML node; a template's names and flags are no patterns."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value not in ("name", "optional"):
                yield from _leaves(v, k.value)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            if isinstance(v, yaml.ScalarNode):
                continue  # a list of names (a kind's claims: [within_control])
            yield from _leaves(v, key)
    else:
        yield key, node


def _pattern_nodes():
    """(file, key, YAML node) of every regular expression the kinds' YAML stores in patterns, pieces, claims and template."""
    for path in sorted(KINDS.glob("*.yaml")):
        root = yaml.compose(path.read_text(encoding="utf-8"))
        for key_node, value in root.value:
            if key_node.value in ("patterns", "pieces", "claims", "template"):
                for k, v in _leaves(value):
                    yield path.name, k, v


def test_regular_expressions_in_the_kinds_yaml_are_quoted_strings():
    nodes = list(_pattern_nodes())
    assert len(nodes) > 100
    unquoted = [f"{f}: {k}" for f, k, v in nodes if not isinstance(v, yaml.ScalarNode) or v.style not in ("'", '"')]
    assert not unquoted, unquoted


def test_every_pattern_compiles_once_at_load_and_names_known_pieces():
    from xteval.audit.kinds import pattern, vocabulary

    vocab = vocabulary()
    assert set(vocab["_patterns"]) == {str(k) for k in vocab["patterns"]}
    assert pattern("amounts.money") is pattern("amounts.money")  # compiled once, then shared
    assert all("{NUM}" not in p.pattern for p in vocab["_patterns"].values())
    assert pattern("amounts.money").search("共 1,234.50 万元")["num"] == "1,234.50"


def test_an_unknown_pattern_name_is_a_config_error_naming_it():
    import pytest

    from xteval.audit.kinds import pattern
    from xteval.errors import ConfigError

    with pytest.raises(ConfigError, match="no_such"):
        pattern("goals.no_such")


def test_a_readers_patterns_are_its_section_by_key():
    import pytest

    from xteval.audit.kinds import pattern, patterns
    from xteval.errors import ConfigError

    goals = patterns("goals")
    assert goals.done_verb is pattern("goals.done_verb")
    with pytest.raises(ConfigError, match="no_such"):
        patterns("no_such")


def test_every_pattern_a_reader_names_stands_in_its_section():
    """``_RE.key`` in a reader is looked up when it runs: each one it names must be a pattern of its section."""
    from xteval.audit.kinds import vocabulary

    known = set(vocabulary()["_patterns"])
    missing, readers = [], 0
    for path in sorted(AUDIT.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        section = next(
            (
                n.value.args[0].value
                for n in tree.body
                if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_RE" and isinstance(n.value, ast.Call)
            ),
            None,
        )
        if section is None:
            continue
        readers += 1
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and getattr(n.value, "id", "") == "_RE"}
        missing += [f"{path.name}: {section}.{name}" for name in sorted(names) if f"{section}.{name}" not in known]
    assert readers >= 8
    assert not missing, missing


if __name__ == "__main__":
    rows = count_patterns(Path(sys.argv[1]) if len(sys.argv) > 1 else AUDIT)
    for f, line, p in rows:
        print(f"{f}:{line}: {p[:120]}")
    print(len(rows))


# --------------------------------------------------------------------------- one rule when two readings disagree

HEAD = "2023年度部门整体支出绩效自评报告\n单位名称：某某中心\n"


def _extracted(tmp_path: Path, body: str):
    from xteval.audit import audit_file

    path = tmp_path / "report.txt"
    path.write_text(HEAD + body, encoding="utf-8")
    _, ex, _ = audit_file(path)
    return ex


def test_a_figure_the_engine_reads_with_two_values_stays_empty_and_the_template_does_not_pick_one(tmp_path):
    ex = _extracted(tmp_path, "一、收支情况\n总收入100.00万元。\n二、其他\n总收入120.00万元。\n")
    assert ex.document.kind.id == "dept_selfeval"
    assert {f.value for f in ex.document.get("income.total")} == {Decimal("100.00"), Decimal("120.00")}
    assert ex.model.income.total is None
    assert "income.total" not in dict(ex.not_found)  # stated, ambiguously: the ambiguity is the finding


def test_the_engine_reading_of_a_three_public_part_wins_over_the_template_sentence(tmp_path):
    body = "三公经费实际支出10.00万元，其中公务接待费2.00万元，公务用车运行费8.00万元。\n另：公务接待费3.00万元。\n"
    ex = _extracted(tmp_path, body)
    assert {f.value for f in ex.document.get("three_public.actual.reception")} == {Decimal("2.00"), Decimal("3.00")}
    actual = ex.model.three_public.actual
    assert actual.reception is None  # the template's sentence alone would give 2.00: the same rule as every field
    assert actual.vehicle.value == Decimal("8.00") and actual.total.value == Decimal("10.00")


def test_parts_listed_after_a_change_are_changes_not_figures(tmp_path):
    body = "三公经费实际支出10.00万元。三公经费支出决算比上年减少5.00万元，下降33.33%。其中：公务接待费支出决算减少1.00万元，下降10%。\n"
    ex = _extracted(tmp_path, body)
    assert ex.document.get("three_public.actual.reception") == []
    assert [f.value for f in ex.document.get("three_public.actual.reception.change")] == [Decimal("-1.00")]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [("专项资金共下达88.00万元，用于设备更新。", "88.00"), ("专项资金下达88.00万元。", "88.00")],
)
def test_a_label_ending_in_a_word_with_da_keeps_it(tmp_path, sentence, value):
    """达 is stripped as a lead word (达 95%) but not from 下达: the 下达 amount of a project is its budget."""
    from xteval.audit import read_document, read_report

    path = tmp_path / "项目.txt"
    path.write_text("项目支出绩效自评报告\n一、项目资金情况\n" + sentence + "\n", encoding="utf-8")
    doc = read_document(read_report(path))
    assert [f.value for f in doc.get("project.initial_budget")] == [Decimal(value)]
