"""The `betgraph` command: bets as code, on YAML files, without a server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import ClassVar, NoReturn

import click

from app.domain import csvpaths, outline
from app.domain.analysis import why_chain
from app.domain.calibration import Calibration, calibrate, calibration_data
from app.domain.document import DocumentError, dump_json, dump_yaml, load
from app.domain.lint import RULES, Finding, Severity, lint
from app.domain.model import SLUG_RE, Graph
from app.domain.source import Path as DocumentPath
from app.domain.source import SourceMap
from app.rendering.dot import DotOptions
from app.rendering.render import FORMATS, Format, RenderOptions, render
from app.rendering.runner import Limits, RenderError
from app.rendering.views import VIEW_KINDS, View, ViewError, ViewKind
from app.words import percent, plural

EXIT_FINDINGS = 1
EXIT_INVALID = 2

EPILOG_RENDER = """\b
Examples:
  betgraph render strategy.yaml -o map.svg
  betgraph render strategy.yaml --view why --focus setup-wizard -o why.png
  betgraph render strategy.yaml --view team --focus onboarding --format mmd
  betgraph render strategy.yaml --format dot | dot -Tpdf -o map.pdf

\b
Views:
  map     the whole graph, in horizon bands (> 1 year at the top, ≤ 6 weeks at the bottom)
  why     a bet, everything above it and every assumption they rest on: why it matters
  impact  everything that rests on a bet or an assumption
  team    a team's bets with their why-chains

\b
Reading a diagram: fill is certainty (the percentage is in the label), the border is how much
of the how was decided (dashed explore, solid outcome, bold guided, double prescribed), a red
outline is a lint finding (named in the label), and ◇/◆ mark bets open for debate/contested.

\b
Exit status: 0 drawn, 1 the drawing failed (too large, or Graphviz timed out),
2 the file or the options are invalid (with line and column).
"""

EPILOG_LINT = (
    "\b\nRules:\n"
    + "\n".join(f"  {rule:<28} {severity.label:<8} {text}" for rule, (severity, _, text) in RULES.items())
    + """

\b
Exit status: 0 no finding at or above --fail-on, 1 there are, 2 the file is invalid.
A graph may switch rules off or move thresholds in its document:
  graph: {..., lint: {disable: [multi-parent], false_certainty: 0.9, long_horizon: 18m}}
"""
)


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"betgraph: {message}", err=True)
    sys.exit(code)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory, not a document")
    except UnicodeDecodeError as error:
        fail(f"{path}: not UTF-8 text (byte {error.start})")
    except OSError as error:
        fail(f"{path}: cannot read: {error.strerror}")


# A file's format is its extension; anything else (and standard input) is read as YAML or JSON.
DOCUMENT_FORMATS = ("yaml", "json", "csv", "md")
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".md": "md", ".markdown": "md"}
_READ_ONLY_SUFFIXES = {".tsv": "csv"}


def document_format(path: str, *, reading: bool = False) -> str | None:
    suffix = Path(path).suffix.lower()
    return _SUFFIXES.get(suffix) or (_READ_ONLY_SUFFIXES.get(suffix) if reading else None)


def read_document(
    text: str, path: str, *, positions: bool = True, slug: str | None = None, title: str | None = None
) -> tuple[Graph, SourceMap]:
    """A graph from a document of any format, by its file name; `slug` and `title` win over what it says."""
    fmt = document_format(path, reading=True) if path != "-" else None
    if fmt == "csv":
        return csvpaths.read_csv(text, path, slug=slug, title=title)
    if fmt == "md":
        return outline.read_markdown(text, path, slug=slug, title=title)
    graph, source_map = load(text, positions=positions)
    if slug or title:
        graph = dataclasses.replace(graph, slug=slug or graph.slug, title=title or graph.title)
    return graph, source_map


def dump_document(graph: Graph, fmt: str) -> str:
    writers = {"yaml": dump_yaml, "json": dump_json, "csv": csvpaths.write_csv, "md": outline.write_markdown}
    return writers[fmt](graph)


def left_out(graph: Graph, fmt: str) -> None:
    """Say on standard error what a spreadsheet or outline could not hold of `graph`."""
    lost = {"csv": csvpaths.left_out, "md": outline.left_out}.get(fmt, lambda _: [])(graph)
    if lost:
        click.echo(f"betgraph: {fmt} leaves out {', '.join(lost)}; yaml and json keep everything", err=True)


def output_format(fmt: str | None, out: str | None) -> str:
    """--format, else the output file's extension; to standard output without --format, YAML."""
    if fmt is not None:
        return fmt
    if out is None or out == "-":
        return "yaml"
    found = document_format(out)
    if found is None:
        fail(f"cannot tell the format from {out!r}; pass --format ({', '.join(DOCUMENT_FORMATS)})")
    return found


def _check_slug(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is not None and not SLUG_RE.fullmatch(value):
        raise click.BadParameter("lowercase letters, digits and hyphens, starting with a letter or digit (at most 63)")
    return value


def _check_title(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("must not be empty")
    return " ".join(value.split()) if value is not None else None


slug_option = click.option(
    "--slug", callback=_check_slug, help="The graph's slug (a CSV has no header: by default from the file's name)."
)
title_option = click.option(
    "--title", callback=_check_title, help="The graph's title (by default the outline's # heading or the file's name)."
)


def load_file(
    path: str, *, positions: bool = True, slug: str | None = None, title: str | None = None
) -> tuple[Graph, SourceMap]:
    try:
        return read_document(_read(path), path, positions=positions, slug=slug, title=title)
    except DocumentError as error:
        name = "-" if path == "-" else path
        for problem in error.problems:  # at most MAX_PROBLEMS, then how many more there were
            click.echo(problem.describe(name), err=True)
        sys.exit(EXIT_INVALID)


def write_output(out: str | None, data: bytes) -> None:
    if out is None or out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(out)
    # Write beside the target and rename: a failed or interrupted render never leaves half a file.
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except FileNotFoundError:
        fail(f"{out}: the folder does not exist")
    except OSError as error:
        fail(f"{out}: cannot write: {error.strerror}")


def _today(as_of: dt.datetime | None) -> dt.date:
    return as_of.date() if as_of else dt.date.today()


as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Read horizons and review dates against this date when the graph has no as_of (default: today).",
)


class _LazyGroup(click.Group):
    """Commands that need the database are imported when they run: `render` and `lint` should
    not pay a second and a half for SQLAlchemy, Alembic and the PostgreSQL driver."""

    LAZY: ClassVar[dict[str, str]] = {
        "db": "db",
        "serve": "serve",
        "import": "import_command",
        "export": "export_command",
        "token": "token",
        "checkin": "checkin",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            from app import cli_service  # noqa: PLC0415 - the point of this class

            command: click.Command = getattr(cli_service, self.LAZY[name])
            return command
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="betgraph")
def cli() -> None:
    """Betgraph: nested bets, the assumptions behind them, and how sure we are.

    Write your vision, strategy, goals, outcomes, hypotheses and initiatives in a YAML file,
    then draw it and check that the story holds together. `betgraph COMMAND --help` says more.
    """


@cli.command(epilog=EPILOG_RENDER)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--view", "view_kind", type=click.Choice(VIEW_KINDS), default="map", show_default=True)
@click.option("--focus", help="The bet (why), bet or assumption (impact) or team (team) the view is about.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Output format; by default taken from -o's extension, else svg."
)
@click.option("-o", "--output", "out", help="Write here instead of standard output.")
@as_of_option
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option(
    "--every-bet",
    is_flag=True,
    help="Draw every bet of a large map; by default a map of over 1,000 nodes draws the near-term bets "
    "under each parent as one summary.",
)
@click.option("--link-base", metavar="URL", help="Make each node link to the viewer at this address.")
@click.option(
    "--quality",
    type=click.Choice(["auto", "full", "fast"]),
    default="auto",
    show_default=True,
    help="Layout effort: auto uses cheaper settings for large graphs.",
)
@click.option("--timeout", type=click.FloatRange(1, 3600), default=60, show_default=True, help="Seconds for Graphviz.")
def render_command(
    file: str,
    view_kind: ViewKind,
    focus: str | None,
    fmt: Format | None,
    out: str | None,
    as_of: dt.datetime | None,
    no_legend: bool,
    every_bet: bool,
    link_base: str | None,
    quality: str,
    timeout: float,
) -> None:
    """Draw FILE as SVG, PNG, PDF, DOT, Mermaid or JSON."""
    if fmt is None:
        suffix = Path(out).suffix.lstrip(".").lower() if out and out != "-" else ""
        fmt = suffix if suffix in FORMATS else "svg"
        if suffix and suffix not in FORMATS:
            fail(f"cannot tell the format from {out!r}; pass --format ({', '.join(FORMATS)})")
    assert fmt is not None
    if fmt in ("png", "pdf") and (out is None or out == "-") and sys.stdout.isatty():
        fail(f"{fmt} is binary: pass -o FILE or redirect the output")
    if link_base and not link_base.startswith(("http://", "https://")):
        fail("--link-base must be an http or https URL")
    graph, _ = load_file(file, positions=False)  # nothing on a valid document's drawing needs a line number
    options = RenderOptions(
        dot=DotOptions(
            legend=not no_legend,
            link_base=link_base,
            quality=quality,  # type: ignore[arg-type]
            summarise=not every_bet,
        ),
        limits=Limits(timeout=timeout),
    )
    try:
        view = View(view_kind, focus)
        data = render(graph, view, fmt, _today(as_of), options)
    except ViewError as error:
        fail(str(error))
    except RenderError as error:
        fail(str(error), EXIT_FINDINGS)
    write_output(out, data)
    if out and out != "-":
        click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


cli.add_command(render_command, name="render")


def _entries(graph: Graph) -> dict[str, DocumentPath]:
    """Each id -> where its entry stands in the document, for placing findings on a line."""
    entries: dict[str, DocumentPath] = {bet.id: ("bets", index) for index, bet in enumerate(graph.bets)}
    entries |= {a.id: ("assumptions", index) for index, a in enumerate(graph.assumptions)}
    return entries


def _finding_line(name: str, finding: Finding, source_map: SourceMap, entries: dict[str, DocumentPath]) -> str:
    entry = entries.get(finding.subject)
    position = source_map.value(entry) if entry is not None else None
    place = f"{name}:{position.line}:{position.column}" if position else name
    return f"{place}: {finding.severity.label} [{finding.rule}] {finding.message}"


@cli.command(name="lint", epilog=EPILOG_LINT)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when there is a finding of this severity or worse.",
)
@as_of_option
def lint_command(file: str, fmt: str, fail_on: str, as_of: dt.datetime | None) -> None:
    """Check that the story of FILE holds together."""
    graph, source_map = load_file(file)
    findings = lint(graph, _today(as_of))
    threshold = Severity[fail_on.upper()]
    failing = [f for f in findings if f.severity >= threshold]
    counts = {severity.label: sum(1 for f in findings if f.severity is severity) for severity in Severity}
    if fmt == "json":
        payload = {
            "file": file,
            "graph": graph.slug,
            "findings": [
                {"rule": f.rule, "severity": f.severity.label, "ids": list(f.ids), "message": f.message}
                for f in findings
            ],
            "counts": counts,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        entries = _entries(graph)
        for finding in findings:
            click.echo(_finding_line(file, finding, source_map, entries))
        summary = ", ".join(plural(count, label) for label, count in reversed(counts.items()))
        sizes = f"{plural(len(graph.bets), 'bet')}, {plural(len(graph.assumptions), 'assumption')}"
        click.echo(f"{file}: {sizes}: {summary}", err=True)
    sys.exit(EXIT_FINDINGS if failing else 0)


EPILOG_CONVERT = """\b
Examples:
  betgraph convert strategy.yaml -o strategy.md          # an opportunity solution tree outline
  betgraph convert team-sheet.csv --slug acme -o acme.yaml
  betgraph convert ost.md --format csv > paths.csv

\b
Formats, by extension: .yaml/.yml and .json (the whole document), .csv (one path from the top
level down per row; .tsv reads too) and .md/.markdown (headings, then bullets, labelled
Outcome:, Opportunity:, Solution:, Assumption: …). A spreadsheet or outline holds less than a
document; what a conversion leaves out is said on standard error.
"""


@cli.command(name="convert", epilog=EPILOG_CONVERT)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", "out", help="Write here instead of standard output; the extension gives the format.")
@click.option(
    "--format", "fmt", type=click.Choice(DOCUMENT_FORMATS), help="Output format (default: from -o, else yaml)."
)
@slug_option
@title_option
def convert_command(file: str, out: str | None, fmt: str | None, slug: str | None, title: str | None) -> None:
    """Convert FILE between YAML, JSON, CSV and Markdown, without a database."""
    fmt = output_format(fmt, out)
    graph, _ = load_file(file, positions=False, slug=slug, title=title)
    left_out(graph, fmt)
    write_output(out, dump_document(graph, fmt).encode())
    if out and out != "-":
        click.echo(f"wrote {out} ({plural(len(graph.bets), 'bet')} as {fmt})", err=True)


@cli.command(name="why")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("bet")
def why_command(file: str, bet: str) -> None:
    """Say in words why BET matters: the chain above it, its chain certainty and weakest link."""
    graph, _ = load_file(file)
    if bet not in graph.bet_by_id:
        fail(f"no bet with id {bet!r} in {file}")
    chain = why_chain(graph, bet)
    for depth, bet_id in enumerate(reversed(chain.path)):
        node = graph.bet_by_id[bet_id]
        click.echo(f"{'  ' * depth}{node.kind.value} {bet_id}: {node.title} ({percent(node.certainty)})")
        for assumption_id in node.assumes:
            assumption = graph.assumption_by_id[assumption_id]
            statement = f"{assumption.statement} ({percent(assumption.certainty)})"
            click.echo(f"{'  ' * depth}  · rests on {assumption_id}: {statement}")
    click.echo(f"chain certainty: {percent(chain.certainty)}")
    if chain.weakest:
        click.echo(f"weakest link: {chain.weakest}")


EPILOG_REPORT = """\b
Examples:
  betgraph report strategy.yaml                 # a file: no database needed
  betgraph report acme --format json            # a graph stored in the database

\b
Calibration: of the bets and assumptions resolved (`resolution:` in a document, or
POST …/resolve), how many were validated, by the certainty claimed when they were committed
to (committed_certainty, else their certainty) in bands of 20 points. The rate leaves
inconclusive verdicts out: of what we were 60-80% sure of, about 70% should have held.
Then the bets past their horizon or review date, and assumptions past review, with no verdict.
"""


@cli.command(name="report", epilog=EPILOG_REPORT)
@click.argument("source", metavar="FILE_OR_SLUG")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option
def report_command(source: str, fmt: str, as_of: dt.datetime | None) -> None:
    """How well our certainty was calibrated, and what is owed a verdict.

    FILE_OR_SLUG is a document (YAML or JSON, CSV, Markdown) or the slug of a graph in the database.
    """
    if source != "-" and SLUG_RE.fullmatch(source) and not Path(source).exists():
        from app import cli_service  # noqa: PLC0415 - only a stored graph needs the database

        graph = cli_service.stored_graph(source)
    else:
        graph, _ = load_file(source, positions=False)
    report = calibrate(graph, _today(as_of))
    if fmt == "json":
        click.echo(json.dumps({"graph": graph.slug, **calibration_data(report)}, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(_report_lines(graph, report)))


def _report_lines(graph: Graph, report: Calibration) -> list[str]:
    resolved = plural(report.resolved, "bet or assumption", "bets and assumptions")
    lines = [f"{graph.slug} as of {report.as_of.isoformat()}: {resolved} resolved", ""]
    lines.append(f"{'claimed':<10}{'resolved':>9}{'validated':>11}{'invalidated':>13}{'inconclusive':>14}{'rate':>7}")
    for band in report.bands:
        rate = "-" if band.rate is None else f"{band.rate:.0%}"
        counts = f"{band.count:>9}{band.validated:>11}{band.invalidated:>13}{band.inconclusive:>14}"
        lines.append(f"{band.label:<10}{counts}{rate:>7}")
    if report.unclaimed:
        lines.append(f"resolved with no certainty to compare: {', '.join(report.unclaimed)}")
    lines.append("")
    if not report.overdue:
        lines.append("nothing is past its horizon or review date without a verdict")
    else:
        lines.append(f"past due without a verdict ({len(report.overdue)}):")
        for entry in report.overdue:
            passed = (
                f"horizon {entry.horizon.isoformat()}" if entry.horizon else "",
                f"review by {entry.review_by.isoformat()}" if entry.review_by else "",
            )
            reasons = ", ".join(part for part in passed if part)
            noun = "bet" if entry.section == "bets" else "assumption"
            days = plural(entry.days(report.as_of), "day")
            lines.append(f"  {entry.id} ({noun}, {days} over: {reasons}): {entry.title}")
    return lines


def main() -> None:
    try:
        cli.main(prog_name="betgraph", standalone_mode=True)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:  # a bug of ours: say so plainly, never dump a traceback on a user
        if os.environ.get("BETGRAPH_DEBUG"):
            raise
        fail(f"internal error: {type(error).__name__}: {error} (set BETGRAPH_DEBUG=1 for details)", 70)


if __name__ == "__main__":
    main()
