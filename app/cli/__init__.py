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
    for the database. `betgraph --help` imports none: it lists each command by its summary here,
    which tests/cli/test_main.py holds to the command's own help."""

    # name: (module of app.cli, its command, the first paragraph of its help)
    LAZY: ClassVar[dict[str, tuple[str, str, str]]] = {
        "render": ("drawing", "render_command", "Draw FILE as SVG, PNG, PDF, DOT, Mermaid or JSON."),
        "redraw": ("drawing", "redraw_command", "Redraw the diagrams kept beside each FILE, when the drawing changed."),
        "lint": ("linting", "lint_command", "Check that the story of each FILE holds together."),
        "convert": (
            "files",
            "convert_command",
            "Convert FILE between YAML, JSON, CSV and Markdown, without a database.",
        ),
        "why": (
            "files",
            "why_command",
            "Say in words why BET matters: the chain above it, its chain certainty and weakest link.",
        ),
        "report": ("files", "report_command", "How well our certainty was calibrated, and what is owed a verdict."),
        "db": (
            "database",
            "db",
            "The database: SQLite in ./data by default, or DATABASE_URL (postgresql+psycopg://…).",
        ),
        "serve": ("database", "serve", "Upgrade the database and serve the API, the viewer and the pictures."),
        "import": (
            "database",
            "import_command",
            "Store FILE's graph in the database (a new revision when it changed).",
        ),
        "export": (
            "database",
            "export_command",
            "Write graph SLUG from the database as a document, a CSV of paths or a Markdown outline.",
        ),
        "token": ("database", "token", "API tokens: read, write or admin, for every graph or for one."),
        "checkin": (
            "database",
            "checkin",
            "Record VALUE for the metric of BET in graph SLUG; its current value follows the latest check-in.",
        ),
        "member": (
            "database",
            "member",
            "Who may view, edit or own a graph (`betgraph member add acme ana@example.com --role editor`).",
        ),
        "person": (
            "database",
            "person",
            "People: known by e-mail address; administrators may do everything on every graph.",
        ),
        "session": (
            "database",
            "session_group",
            "Browsers signed in through single sign-on: list them, and end them (revocation).",
        ),
        "webhook": (
            "webhooks",
            "webhook_group",
            "Send a graph's events (or every graph's) to a URL: a receiver, a Slack or Teams channel.",
        ),
        "digest": (
            "digest",
            "digest_command",
            "What a bet review should look at: graph SLUG over a period, or every graph without SLUG.",
        ),
        "init": (
            "starter",
            "init_command",
            "Write a starter document to FILE (default: bets.yaml; - for standard output), and its schema beside it.",
        ),
        "schema": (
            "authoring",
            "schema_command",
            "Print the JSON Schema (draft 2020-12) of the YAML or JSON document.",
        ),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            module, attribute, _ = self.LAZY[name]
            command: click.Command = getattr(importlib.import_module(f"app.cli.{module}"), attribute)
            return command
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click.Group.format_commands, with each lazy command told by its summary: importing them
        # all (the service, SQLAlchemy, the server) took 0.7 s of every `betgraph --help`.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.summary(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def summary(self, ctx: click.Context, name: str, limit: int) -> str:
        if name in self.LAZY:
            return click.Command(name, help=self.LAZY[name][2]).get_short_help_str(limit)
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""


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
