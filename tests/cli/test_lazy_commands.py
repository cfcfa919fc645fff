"""`lotwise` loads a command's module only when the command runs or shows its help; the table
in scanner/cli/main.py that lists the commands for `lotwise --help` names every command each
module defines, with the line the command's own help gives."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from scanner.cli.main import COMMANDS, app, listed_help, load_command

MODULES = sorted({module for module, _help in COMMANDS.values()})


@pytest.mark.parametrize("module", MODULES)
def test_the_table_names_every_command_of_each_module(module: str) -> None:
    loaded = importlib.import_module(f"scanner.cli.{module}")
    holder = typer.Typer()
    if hasattr(loaded, "register"):
        loaded.register(holder)
        defined = set(typer.main.get_group(holder).commands)
    else:
        defined = {name for name, (where, _help) in COMMANDS.items() if where == module}
        assert len(defined) == 1, f"scanner.cli.{module} has one group: one line in COMMANDS"
    assert defined == {name for name, (where, _help) in COMMANDS.items() if where == module}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_line_is_the_commands_own_help(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert COMMANDS[name][1] == listed_help(command)


def test_help_lists_every_command_with_its_line() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.replace("│", " ").split())
    init = typer.main.get_group(app).commands["init"]
    for name, line in [("init", listed_help(init)), *((n, h) for n, (_m, h) in COMMANDS.items())]:
        assert f" {name} {line} " in shown


def test_help_imports_no_command_module_and_a_command_only_its_own() -> None:
    """In a fresh process: `lotwise --help`, then `lotwise serve --help` (the lightest command)."""
    code = """
import sys
from scanner.cli.main import main

def run(*args):
    sys.argv = ["lotwise", *args]
    try:
        main()
    except SystemExit:
        pass
    print(sorted(m for m in sys.modules if m.startswith("scanner.cli.")), file=sys.stderr)

run("--help")
run("serve", "--help")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after_help, after_serve = (line for line in done.stderr.splitlines() if line.startswith("["))
    assert after_help == "['scanner.cli.main']"
    commands = {f"scanner.cli.{module}" for module in MODULES}
    assert commands & set(after_serve.strip("[]").replace("'", "").split(", ")) == {
        "scanner.cli.serve"
    }


def test_a_mistyped_command_suggests_an_unloaded_one() -> None:
    result = CliRunner().invoke(app, ["crawll"])
    assert result.exit_code == 2
    assert "Did you mean 'crawl'?" in result.output
