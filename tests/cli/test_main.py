"""The `betgraph` group: `--help` lists every command as the command itself would, without importing it."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.cli.imports import heavy_imports


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_help_lists_each_command_as_click_would_with_the_command_imported(width: int) -> None:
    lazy = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    assert lazy.exit_code == 0, lazy.output

    class Eager(click.Group):
        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            # click's own listing, over the imported commands
            click.Group.format_commands(cli, ctx, formatter)

    eager = Eager(name=cli.name, help=cli.help, params=cli.params, context_settings=cli.context_settings)
    told = CliRunner().invoke(eager, ["--help"], terminal_width=width)
    assert told.output == lazy.output
    assert "  webhook  Send a graph's events" in lazy.output


def test_every_command_has_its_own_summary() -> None:
    ctx = click.Context(cli)
    for name, (_, _, summary) in cli.LAZY.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert " ".join((command.help or "").split("\n\n")[0].split()) == summary, name


def test_help_imports_no_command() -> None:
    assert heavy_imports(["--help"], ("sqlalchemy", "fastapi", "pydantic", "app.rendering", "app.services")) == []
