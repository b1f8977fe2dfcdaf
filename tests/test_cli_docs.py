"""Every command documents itself with an example; `python -m rnnprep` and --version work."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from rnnprep import __version__
from rnnprep.cli import COMMANDS, cli


def all_commands() -> list[tuple[str, click.Command]]:
    """(path, command) for every command and sub-command."""
    found = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        found.append((name, command))
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", command.commands[sub]) for sub in command.commands
                      if not command.commands[sub].hidden]
    return found


@pytest.mark.parametrize(("path", "command"), all_commands(), ids=[p for p, _ in all_commands()])
def test_every_command_has_help_with_an_example(runner, path, command):
    result = runner.invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert command.help and "Example" in command.help, f"`rnnprep {path} --help` shows no example"


def test_version(runner):
    assert runner.invoke(cli, ["--version"]).output == f"rnnprep, version {__version__}\n"


def test_python_dash_m():
    done = subprocess.run([sys.executable, "-m", "rnnprep", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


def test_top_level_help_lists_every_command(runner):
    output = runner.invoke(cli, ["--help"]).output
    assert all(name in output for name in COMMANDS)
