"""`betgraph convert`, `why` and `report`: commands on documents that need no database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from app.cli.common import (
    DOCUMENT_FORMATS,
    as_of_option,
    dump_document,
    fail,
    left_out,
    load_file,
    output_format,
    slug_option,
    title_option,
    today,
    write_output,
)
from app.domain.analysis import why_chain, why_in_words
from app.domain.calibration import Calibration, calibrate, calibration_data
from app.domain.model import SLUG_RE, Graph
from app.words import plural

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


@click.command(name="convert", epilog=EPILOG_CONVERT)
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


@click.command(name="why")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("bet")
def why_command(file: str, bet: str) -> None:
    """Say in words why BET matters: the chain above it, its chain certainty and weakest link."""
    graph, _ = load_file(file)
    if bet not in graph.bet_by_id:
        fail(f"no bet with id {bet!r} in {file}")
    for line in why_in_words(graph, why_chain(graph, bet)):
        click.echo(line)


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


@click.command(name="report", epilog=EPILOG_REPORT)
@click.argument("source", metavar="FILE_OR_SLUG")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option
def report_command(source: str, fmt: str, as_of: dt.datetime | None) -> None:
    """How well our certainty was calibrated, and what is owed a verdict.

    FILE_OR_SLUG is a document (YAML or JSON, CSV, Markdown) or the slug of a graph in the database.
    """
    if source != "-" and SLUG_RE.fullmatch(source) and not Path(source).exists():
        from app.cli import database  # noqa: PLC0415 - only a stored graph needs the database

        graph = database.stored_graph(source)
    else:
        graph, _ = load_file(source, positions=False)
    report = calibrate(graph, today(as_of))
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
