"""What `betgraph lint` found in each file, as continuous integration reads it: GitHub Actions
workflow commands (annotations on a pull request's lines) and SARIF 2.1.0 (code scanning).

A finding is placed on the line and column of its subject's entry; a document that cannot be
read or is invalid gives one error per problem, under the rule `invalid-document`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from app.domain.lint import RULES, Finding, Severity
from app.domain.model import Graph
from app.formats.problems import Problem
from app.formats.source import Path, Position, SourceMap

INVALID_DOCUMENT = "invalid-document"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# SARIF's levels; GitHub's workflow commands call a note a notice.
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


@dataclass(frozen=True, slots=True)
class Located:
    finding: Finding
    position: Position | None


@dataclass(frozen=True, slots=True)
class FileReport:
    """One file's findings; or, when it could not be read or is invalid, the problems that say why."""

    path: str  # as given; `-` is standard input
    graph: Graph | None = None
    findings: tuple[Located, ...] = ()
    problems: tuple[Problem, ...] = ()
    unreadable: bool = False


def locate(graph: Graph, source_map: SourceMap, findings: Sequence[Finding]) -> tuple[Located, ...]:
    """Each finding with the position of its subject's entry in the document, where known."""
    entries: dict[str, Path] = {bet.id: ("bets", index) for index, bet in enumerate(graph.bets)}
    entries |= {a.id: ("assumptions", index) for index, a in enumerate(graph.assumptions)}
    located = []
    for finding in findings:
        entry = entries.get(finding.subject)
        located.append(Located(finding, source_map.value(entry) if entry is not None else None))
    return tuple(located)


def level(severity: Severity, fail_on: Severity) -> str:
    """A finding that fails the run (at or above --fail-on) is an error; others keep their severity."""
    return "error" if severity >= fail_on else _LEVELS[severity]


def _problem_text(problem: Problem) -> str:
    # A problem without a line (standard input read as JSON, say) is placed by its pointer.
    return problem.message if problem.position is not None else problem.describe()


# --- GitHub Actions --------------------------------------------------------------------------


def _escape_data(value: str) -> str:
    # as @actions/core's escapeData: the runner reads %, CR and LF back from these
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    # as @actions/core's escapeProperty: `:` and `,` also delimit the properties
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, path: str, position: Position | None, title: str, message: str) -> str:
    properties: dict[str, object] = {}
    if path != "-":
        properties["file"] = path
    if position is not None:
        properties |= {"line": position.line, "col": position.column}
    properties["title"] = title
    listed = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {listed}::{_escape_data(message)}"


def github_commands(reports: Sequence[FileReport], fail_on: Severity) -> Iterator[str]:
    """One workflow command a problem or finding: `::error file=…,line=…,col=…,title=…::message`."""
    for report in reports:
        for problem in report.problems:
            title = f"betgraph {INVALID_DOCUMENT}"
            yield _command("error", report.path, problem.position, title, _problem_text(problem))
        for located in report.findings:
            finding = located.finding
            command = _COMMANDS[level(finding.severity, fail_on)]
            yield _command(command, report.path, located.position, f"betgraph {finding.rule}", finding.message)


# --- SARIF -----------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


_RULE_IDS = [INVALID_DOCUMENT, *RULES]  # the order of the driver's rules, which results point into


def _rules() -> list[dict[str, Any]]:
    rules = [
        {
            "id": INVALID_DOCUMENT,
            "shortDescription": {"text": "the document cannot be read, or is not a valid Betgraph document"},
            "fullDescription": {
                "text": "The file is not YAML or JSON, or breaks the document's schema: a value it does not "
                "allow, an unknown field, a duplicate id, a parent or assumption that names nothing, parents "
                "that form a cycle. Nothing else is checked until it is fixed."
            },
            "help": {"text": "The message names the field and what it takes; docs/document.md describes every field."},
            "defaultConfiguration": {"level": "error"},
        }
    ]
    for rule, (severity, _, text) in RULES.items():
        rules.append(
            {
                "id": rule,
                "shortDescription": {"text": text},
                "fullDescription": {"text": _sentence(text)},
                "help": {
                    "text": f"{_sentence(text)} A graph that accepts it may switch the rule off in its "
                    f"document: graph: {{lint: {{disable: [{rule}]}}}}. `betgraph lint --help` lists the rules."
                },
                "defaultConfiguration": {"level": _LEVELS[severity]},
            }
        )
    return rules


def _uri(path: str) -> str:
    """A path as SARIF's artifact URI: relative as given (code scanning resolves it from the
    repository's root), or a file: URI for an absolute path."""
    posix = PurePosixPath(path)
    return posix.as_uri() if posix.is_absolute() else quote(posix.as_posix(), safe="/")


def _result(rule: str, result_level: str, message: str, path: str, position: Position | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": _RULE_IDS.index(rule),
        "level": result_level,
        "message": {"text": message},
    }
    if path != "-":
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
        if position is not None:
            physical["region"] = {"startLine": position.line, "startColumn": position.column}
        result["locations"] = [{"physicalLocation": physical}]
    return result


def sarif_log(reports: Sequence[FileReport], fail_on: Severity, version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: every rule, and a result for each problem and finding."""
    results = []
    for report in reports:
        for problem in report.problems:
            results.append(_result(INVALID_DOCUMENT, "error", _problem_text(problem), report.path, problem.position))
        for located in report.findings:
            finding = located.finding
            finding_level = level(finding.severity, fail_on)
            results.append(_result(finding.rule, finding_level, finding.message, report.path, located.position))
    driver = {"name": "betgraph", "version": version, "rules": _rules()}
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
