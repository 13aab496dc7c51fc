"""Checks as registered data: found by name through the entry-point group ``xteval.checks``, declared by the kinds."""

import shutil
import textwrap
from pathlib import Path

import pytest

import xteval.audit.kinds as kinds_module
from xteval import audit, registry
from xteval.department import checks as department

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def _declared() -> set[str]:
    """Every check some kind declares, and those the department model declares (the kind's `model`)."""
    return {name for kind in kinds_module.kinds().values() for name in kind.checks} | set(department.declared())


def test_every_registered_check_is_declared_and_every_declared_one_registered():
    registered = set(registry.check_names())
    assert registered == _declared(), (registered - _declared(), _declared() - registered)
    for name in registered:
        assert callable(registry.check(name)), name


def test_every_kind_declares_its_checks():
    for kind in kinds_module.kinds().values():
        assert kind.checks, kind.id
        assert len(set(kind.checks)) == len(kind.checks), kind.id  # a check runs once


def test_an_unknown_check_is_named_in_the_error():
    with pytest.raises(KeyError, match="no.such.check"):
        registry.check("no.such.check")


def test_department_checks_run_what_the_model_declares_in_order():
    from conftest import SEED_PARAMS

    from xteval.params import load_params

    ids = [r.id for r in department.department_checks(load_params(SEED_PARAMS)).results]
    assert ids[0] == "income.total" and "execution_rate" in ids and ids[-1].startswith("goals")


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A package that is not xteval: a module with one check, and its dist-info naming it in ``xteval.checks``."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "xteval_words_plugin.py").write_text(
        textwrap.dedent(
            '''
            from xteval.checks import Status, note

            def words(ctx):
                """How many characters the report holds: a check another package adds."""
                return [note("plugin.words", "字数", f"报告共 {len(ctx.report.text)} 字", unit="字", observed=len(ctx.report.text))]
            '''
        ),
        encoding="utf-8",
    )
    info = site / "xteval_words_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: xteval-words-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[xteval.checks]\nplugin.words = xteval_words_plugin:words\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    registry._entry_points.cache_clear()
    yield "plugin.words"
    registry._entry_points.cache_clear()


@pytest.fixture
def kinds_folder(tmp_path, monkeypatch):
    """A copy of the kinds' YAML that a test may edit, read in place of the package's."""
    folder = tmp_path / "kinds"
    shutil.copytree(kinds_module.FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(kinds_module, "FOLDER", folder)
    kinds_module.kinds.cache_clear()
    kinds_module.vocabulary.cache_clear()
    yield folder
    kinds_module.kinds.cache_clear()
    kinds_module.vocabulary.cache_clear()


def test_a_check_added_through_an_entry_point_and_a_kinds_yaml_runs(plugin, kinds_folder):
    assert plugin in registry.check_names()
    path = kinds_folder / "dept_selfeval.yaml"
    text = path.read_text(encoding="utf-8")
    assert "checks: [document.partly_read," in text
    path.write_text(text.replace("checks: [document.partly_read,", f"checks: [document.partly_read, {plugin},", 1), encoding="utf-8")

    _, _, suite = audit.audit_file(REPORTS / "clean.txt")
    ids = [r.id for r in suite.results]
    assert "plugin.words" in ids
    added = suite.results[ids.index("plugin.words")]
    assert added.passed and added.message.startswith("报告共 ") and added.observed > 100


def test_a_check_the_kind_does_not_declare_does_not_run(plugin):
    _, _, suite = audit.audit_file(REPORTS / "clean.txt")
    assert "plugin.words" not in [r.id for r in suite.results]


def test_a_declared_check_that_is_not_registered_is_named(kinds_folder):
    path = kinds_folder / "dept_selfeval.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("checks: [document.partly_read,", "checks: [document.partly_read, missing.check,", 1), encoding="utf-8")
    with pytest.raises(KeyError, match="missing.check"):
        audit.audit_file(REPORTS / "clean.txt")
