"""`betgraph lint`: whether the story of each document holds together, told for people, scripts,
GitHub Actions or code scanning. Its imports are kept few: a pre-commit hook runs it at every commit."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from app.cli.common import EXIT_FINDINGS, EXIT_INVALID, as_of_option, read_or_report, say_unread, today
from app.domain.lint import RULES, Severity, lint
from app.formats.lintreport import FileReport, Located, github_commands, locate, sarif_log
from app.words import plural

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


def _finding_line(name: str, located: Located) -> str:
    finding, position = located.finding, located.position
    place = f"{name}:{position.line}:{position.column}" if position else name
    return f"{place}: {finding.severity.label} [{finding.rule}] {finding.message}"


def _lint_file(file: str, as_of: dt.datetime | None) -> FileReport:
    found = read_or_report(file)
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


def _version() -> str:
    from importlib.metadata import version  # noqa: PLC0415 - only SARIF names it, and it is slow to import

    return version("betgraph")


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
        say_unread(report)
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
        click.echo(json.dumps(sarif_log(reports, threshold, _version()), ensure_ascii=False, indent=2))
    elif fmt == "github":
        for command in github_commands(reports, threshold):
            click.echo(command)
    failing = any(located.finding.severity >= threshold for report in valid for located in report.findings)
    sys.exit(EXIT_INVALID if len(valid) < len(reports) else EXIT_FINDINGS if failing else 0)
