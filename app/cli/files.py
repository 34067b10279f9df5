"""The commands on files, which need no database: render, redraw, lint, convert, why, report."""

from __future__ import annotations

import datetime as dt
import json
import sys
from importlib.metadata import version
from pathlib import Path

import click

from app.cli.common import (
    DOCUMENT_FORMATS,
    EXIT_FINDINGS,
    EXIT_INVALID,
    UnreadableError,
    as_of_option,
    dump_document,
    fail,
    left_out,
    load_file,
    output_format,
    read_document,
    say_problems,
    slug_option,
    text_of,
    title_option,
    today,
    write_output,
)
from app.domain.analysis import why_chain
from app.domain.calibration import Calibration, calibrate, calibration_data
from app.domain.lenses import LENS_KINDS, LensError
from app.domain.lint import RULES, Severity, lint
from app.domain.model import SLUG_RE, Graph
from app.formats.lintreport import FileReport, Located, github_commands, locate, sarif_log
from app.formats.problems import DocumentError, Problem
from app.formats.source import SourceMap
from app.rendering.dot import DotOptions
from app.rendering.render import FORMATS, Format, RenderOptions, ThemeError, check_theme, render
from app.rendering.runner import Limits, RenderError
from app.rendering.style import THEME_NAMES, ThemeName
from app.rendering.views import VIEW_KINDS, View, ViewError, ViewKind
from app.services import why
from app.services.urls import viewer_links
from app.words import plural

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
Exit status: 0 no finding at or above --fail-on, 1 there are, 2 a file is invalid
(each file is checked all the same). A graph may switch rules off or move thresholds:
  graph: {..., lint: {disable: [multi-parent], false_certainty: 0.9, long_horizon: 18m}}

\b
Formats: text (FILE:LINE:COLUMN: severity [rule] message), json (one object; a list of
them for several files), github (GitHub Actions annotations: a finding at or above --fail-on
is an error, others a warning or notice; an invalid file's problems are errors) and sarif
(SARIF 2.1.0 for code scanning, with the same levels; an invalid file's problems are results
of the rule invalid-document).
"""
)


@click.command(epilog=EPILOG_RENDER)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--view",
    "view_kind",
    type=click.Choice((*VIEW_KINDS, *LENS_KINDS)),
    default="map",
    show_default=True,
    help="A view of the graph, or a lens on its bets: board (Now/Next/Later), assumptions (importance × "
    "evidence), portfolio (time × certainty).",
)
@click.option(
    "--focus",
    help="The bet (why), bet or assumption (impact) or team (team) the view is about; for a lens, one team alone.",
)
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
    "--theme",
    type=click.Choice(THEME_NAMES),
    default="light",
    show_default=True,
    help="Colours: light, dark, or auto (SVG only: follows the reader's colour scheme).",
)
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
    theme: ThemeName,
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
    try:
        check_theme(fmt, theme)
    except ThemeError as error:
        fail(str(error))
    graph, _ = load_file(file, positions=False)  # nothing on a valid document's drawing needs a line number
    options = RenderOptions(
        dot=DotOptions(
            legend=not no_legend,
            links=viewer_links(link_base) if link_base else None,
            quality=quality,  # type: ignore[arg-type]
            summarise=not every_bet,
            theme=theme,
        ),
        limits=Limits(timeout=timeout),
    )
    try:
        data = render(graph, View(view_kind, focus), fmt, today(as_of), options)
    except (ViewError, LensError) as error:
        fail(str(error))
    except RenderError as error:
        fail(str(error), EXIT_FINDINGS)
    write_output(out, data)
    if out and out != "-":
        click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


EPILOG_REDRAW = """\b
Examples:
  betgraph render bets.yaml -o bets.svg   # once: keep a map beside the document, and commit both
  betgraph redraw bets.yaml               # after each change (the betgraph-render pre-commit hook)

\b
For a document X.yaml, the drawings redrawn are X.svg, X.png and X.mmd, those that exist: the
map, drawn as `betgraph render` draws it by default. A drawing is written only when it changed,
and each one written is named on standard error. PDF is left out: it records when it was made,
so it would change at every redraw.

\b
Exit status: 0 every drawing is up to date or was redrawn, 1 a drawing failed, 2 a document is invalid.
"""

REDRAWN: tuple[Format, ...] = ("svg", "png", "mmd")


@click.command(name="redraw", epilog=EPILOG_REDRAW)
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@as_of_option
def redraw_command(files: tuple[str, ...], as_of: dt.datetime | None) -> None:
    """Redraw the diagrams kept beside each FILE, when the drawing changed."""
    worst = 0
    for file in files:
        drawings = [(fmt, Path(file).with_suffix(f".{fmt}")) for fmt in REDRAWN]
        drawings = [(fmt, drawing) for fmt, drawing in drawings if drawing.is_file()]
        if not drawings:
            continue
        found = _read(file, positions=False)
        if isinstance(found, FileReport):
            _say(found)
            worst = EXIT_INVALID
            continue
        graph, _ = found
        for fmt, drawing in drawings:
            try:
                data = render(graph, View("map"), fmt, today(as_of), RenderOptions())
            except RenderError as error:
                click.echo(f"betgraph: {drawing}: {error}", err=True)
                worst = max(worst, EXIT_FINDINGS)
                continue
            if drawing.read_bytes() != data:
                write_output(str(drawing), data)
                click.echo(f"redrew {drawing} ({len(data):,} bytes)", err=True)
    sys.exit(worst)


def _finding_line(name: str, located: Located) -> str:
    finding, position = located.finding, located.position
    place = f"{name}:{position.line}:{position.column}" if position else name
    return f"{place}: {finding.severity.label} [{finding.rule}] {finding.message}"


def _read(file: str, *, positions: bool = True) -> tuple[Graph, SourceMap] | FileReport:
    """The document in `file`, or why it cannot be had; for commands that go on to the next file."""
    try:
        return read_document(text_of(file), file, positions=positions)
    except UnreadableError as error:
        return FileReport(file, problems=(Problem(str(error)),), unreadable=True)
    except DocumentError as error:
        return FileReport(file, problems=error.problems)


def _say(report: FileReport) -> None:
    """Why a file could not be had, on standard error, in the words `load_file` uses."""
    if report.unreadable:
        click.echo(f"betgraph: {report.problems[0].describe(report.path)}", err=True)
    else:
        say_problems(report.path, report.problems)


def _lint_file(file: str, as_of: dt.datetime | None) -> FileReport:
    found = _read(file)
    if isinstance(found, FileReport):
        return found
    graph, source_map = found
    return FileReport(file, graph, locate(graph, source_map, lint(graph, today(as_of))))


def _counts(report: FileReport) -> dict[str, int]:
    """How many findings of each severity, least severe first."""
    severities = [located.finding.severity for located in report.findings]
    return {severity.label: severities.count(severity) for severity in Severity}


def _summary(report: FileReport) -> str:
    assert report.graph is not None
    summary = ", ".join(plural(count, label) for label, count in reversed(_counts(report).items()))
    sizes = f"{plural(len(report.graph.bets), 'bet')}, {plural(len(report.graph.assumptions), 'assumption')}"
    return f"{report.path}: {sizes}: {summary}"


def _json_report(report: FileReport) -> dict[str, object]:
    assert report.graph is not None
    findings = [located.finding for located in report.findings]
    return {
        "file": report.path,
        "graph": report.graph.slug,
        "findings": [
            {"rule": f.rule, "severity": f.severity.label, "ids": list(f.ids), "message": f.message} for f in findings
        ],
        "counts": _counts(report),
    }


@click.command(name="lint", epilog=EPILOG_LINT)
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="text for people; json for scripts; github for GitHub Actions annotations; sarif for code scanning.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when there is a finding of this severity or worse.",
)
@as_of_option
def lint_command(files: tuple[str, ...], fmt: str, fail_on: str, as_of: dt.datetime | None) -> None:
    """Check that the story of each FILE holds together."""
    threshold = Severity[fail_on.upper()]
    reports = [_lint_file(file, as_of) for file in files]
    for report in reports:  # file by file, as each would be told alone
        _say(report)
        if report.graph is not None and fmt == "text":
            for located in report.findings:
                click.echo(_finding_line(report.path, located))
        if report.graph is not None and fmt != "json":
            click.echo(_summary(report), err=True)
    valid = [report for report in reports if report.graph is not None]
    if fmt == "json":
        payloads = [_json_report(report) for report in valid]
        if payloads:
            click.echo(json.dumps(payloads[0] if len(files) == 1 else payloads, ensure_ascii=False, indent=2))
    elif fmt == "sarif":
        click.echo(json.dumps(sarif_log(reports, threshold, version("betgraph")), ensure_ascii=False, indent=2))
    elif fmt == "github":
        for command in github_commands(reports, threshold):
            click.echo(command)
    failing = any(located.finding.severity >= threshold for report in valid for located in report.findings)
    sys.exit(EXIT_INVALID if len(valid) < len(reports) else EXIT_FINDINGS if failing else 0)


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
    for line in why.lines(graph, why_chain(graph, bet)):
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
