"""The `betgraph` command: bets as code on YAML files, and the service's database."""

from __future__ import annotations

import importlib
import os
from typing import ClassVar

import click

from app.cli.common import fail


class _LazyGroup(click.Group):
    """Each command's module is imported when it runs: `lint`, run by a pre-commit hook at every
    commit, should not pay for Graphviz's runner, the service layer or SQLAlchemy, nor `render`
    for the database."""

    # name: (module of app.cli, its command)
    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "render": ("drawing", "render_command"),
        "redraw": ("drawing", "redraw_command"),
        "lint": ("linting", "lint_command"),
        "convert": ("files", "convert_command"),
        "why": ("files", "why_command"),
        "report": ("files", "report_command"),
        "db": ("database", "db"),
        "serve": ("database", "serve"),
        "import": ("database", "import_command"),
        "export": ("database", "export_command"),
        "token": ("database", "token"),
        "checkin": ("database", "checkin"),
        "member": ("database", "member"),
        "person": ("database", "person"),
        "session": ("database", "session_group"),
        "webhook": ("webhooks", "webhook_group"),
        "digest": ("digest", "digest_command"),
        "init": ("starter", "init_command"),
        "schema": ("authoring", "schema_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            module, attribute = self.LAZY[name]
            command: click.Command = getattr(importlib.import_module(f"app.cli.{module}"), attribute)
            return command
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="betgraph")
def cli() -> None:
    """Betgraph: nested bets, the assumptions behind them, and how sure we are.

    Write your vision, strategy, goals, outcomes, hypotheses and initiatives in a YAML file,
    then draw it and check that the story holds together. `betgraph COMMAND --help` says more.
    """


def main() -> None:
    try:
        cli.main(prog_name="betgraph", standalone_mode=True)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:  # a bug of ours: say so plainly, never dump a traceback on a user
        if os.environ.get("BETGRAPH_DEBUG"):
            raise
        fail(f"internal error: {type(error).__name__}: {error} (set BETGRAPH_DEBUG=1 for details)", 70)
