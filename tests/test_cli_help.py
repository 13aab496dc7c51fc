"""``xteval --help`` and every subcommand's ``--help``: every option has help text, and there is an example."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from xteval.cli import build_parser


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subs.choices)


SUBCOMMANDS = _subcommands()


def test_the_commands_this_project_documents_exist():
    assert {"run", "new"} <= set(SUBCOMMANDS)


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_every_command_with_an_example(capsys):
    text = _help(["--help"], capsys)
    for name in SUBCOMMANDS:
        assert f"    {name}" in text, name
    assert "example:" in text and "xteval " in text.split("example:")[1]
    assert "exit codes:" in text


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_subcommand_help_lists_every_option_with_help_and_an_example(name, capsys):
    parser = SUBCOMMANDS[name]
    text = _help([name, "--help"], capsys)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help and action.help != argparse.SUPPRESS, f"{name}: {action.dest} has no help text"
        shown = action.option_strings[0] if action.option_strings else (action.metavar or action.dest)
        assert shown in text, f"{name}: {shown} missing from --help"
        assert action.help.split("%(")[0][:8] in text, f"{name}: help of {shown} not shown"
    example = text.split("example:", 1)
    assert len(example) == 2, f"{name}: no example"
    assert f"xteval {name}" in example[1].split("\n\n")[0], f"{name}: the example does not run this command"
    assert "exit codes:" in text


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_example_parses(name, capsys):
    """The example in each epilog is a valid command line for its parser."""
    text = _help([name, "--help"], capsys)
    line = text.split("example:", 1)[1].strip().splitlines()[0].split()
    assert line[:2] == ["xteval", name]
    args = build_parser().parse_args(line[1:])
    assert args.handler is not None


def test_help_runs_as_a_program():
    r = subprocess.run([sys.executable, "-m", "xteval.cli", "new", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--from" in r.stdout and "example:" in r.stdout


def test_the_exit_codes_say_what_run_and_batch_return_for_a_page_with_findings():
    """0 when the pages are written, whatever 不符 they show; 1 with --strict (the table and every command agree)."""
    from xteval.cli import EXIT_CODES, build_parser

    assert "--strict" in EXIT_CODES and "不符" in EXIT_CODES
    for command in ("run", "batch"):
        args = build_parser().parse_args([command, "x.yaml", "--strict"])
        assert args.strict is True
