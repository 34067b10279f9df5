"""`betgraph lint` on several files, and its GitHub Actions and SARIF formats."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from app.domain.lint import RULES
from tests.formats.test_lintreport import assert_valid_sarif, parse_command
from tests.servers import ROOT
from tests.servers import betgraph as run

FAILURES = "examples/failures.yaml"
ACME = "examples/acme.yaml"
BROKEN = "betgraph: 1\ngraph: {slug: s, title: S}\nbets:\n  - {id: a, kind: goal, title: A, certainty: 150%}\n"
BROKEN_AT = "4:46"  # the line and column of the certainty


def betgraph(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if stdin is None:
        return run(dict(os.environ), *args, check=False, cwd=cwd)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True, cwd=cwd, check=False
    )


def test_several_files_say_what_each_would_say_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    files = (FAILURES, str(broken), ACME)
    alone = [betgraph("lint", file, "--fail-on", "warning") for file in files]
    together = betgraph("lint", *files, "--fail-on", "warning")
    assert together.stdout == "".join(result.stdout for result in alone)
    assert together.stderr == "".join(result.stderr for result in alone)
    assert [result.returncode for result in alone] == [1, 2, 0]
    assert together.returncode == 2  # an invalid file outweighs findings
    assert f"{broken}:{BROKEN_AT}: certainty must be between 0% and 100%, got 150%" in together.stderr
    assert betgraph("lint", FAILURES, ACME, "--fail-on", "warning").returncode == 1
    assert betgraph("lint", ACME, ACME).returncode == 0


def test_json_for_several_files_is_a_list_of_what_one_gives() -> None:
    one = json.loads(betgraph("lint", FAILURES, "--format", "json").stdout)
    both = json.loads(betgraph("lint", FAILURES, ACME, "--format", "json").stdout)
    assert both == [one, json.loads(betgraph("lint", ACME, "--format", "json").stdout)]


def test_github_annotations_stand_where_the_text_says_with_levels_from_fail_on() -> None:
    text = betgraph("lint", FAILURES).stdout.splitlines()
    for fail_on, exit_code, warning in (("error", 0, "warning"), ("warning", 1, "error")):
        result = betgraph("lint", FAILURES, "--format", "github", "--fail-on", fail_on)
        assert result.returncode == exit_code
        commands = [parse_command(line) for line in result.stdout.splitlines()]
        assert len(commands) == len(text)
        for line, (name, properties, message) in zip(text, commands, strict=True):
            told = re.fullmatch(r"(\S+): (\w+) \[([\w-]+)\] (.*)", line)
            assert told is not None
            place, severity, rule, said = told.groups()
            assert place == f"{properties['file']}:{properties['line']}:{properties['col']}"
            assert properties["title"] == f"betgraph {rule}"
            assert message == said
            assert name == {"warning": warning, "info": "notice"}[severity]
        assert "15 bets, 5 assumptions" in result.stderr


def test_github_annotations_of_an_invalid_file_are_errors_at_its_line_and_column(tmp_path: Path) -> None:
    name = "odd, name: 100%.yaml"
    (tmp_path / name).write_text(BROKEN)
    result = betgraph("lint", name, "missing.yaml", "--format", "github", cwd=tmp_path)
    assert result.returncode == 2
    line, col = BROKEN_AT.split(":")
    assert [parse_command(line) for line in result.stdout.splitlines()] == [
        (
            "error",
            {"file": name, "line": line, "col": col, "title": "betgraph invalid-document"},
            "certainty must be between 0% and 100%, got 150%",
        ),
        ("error", {"file": "missing.yaml", "title": "betgraph invalid-document"}, "no such file"),
    ]


def test_sarif_is_valid_and_holds_every_finding_and_problem(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    for example in (FAILURES, ACME):
        (tmp_path / example).write_text((ROOT / example).read_text())
    (tmp_path / "broken.yaml").write_text(BROKEN)
    result = betgraph("lint", FAILURES, "broken.yaml", ACME, "--format", "sarif", "--fail-on", "warning", cwd=tmp_path)
    assert result.returncode == 2
    log = json.loads(result.stdout)
    assert_valid_sarif(log)
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "betgraph"
    assert {rule["id"] for rule in driver["rules"]} == {"invalid-document", *RULES}
    places = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in sarif_run["results"]
    ]
    text = betgraph("lint", FAILURES, cwd=tmp_path).stdout.splitlines()
    assert len(places) == len(text) + 1
    assert places[0] == ("false-certainty", "error", FAILURES, int(text[0].split(":")[1]))
    assert ("multi-parent", "note", FAILURES, 134) in places
    assert places[-1] == ("invalid-document", "error", "broken.yaml", 4)
    assert sarif_run["results"][-1]["message"]["text"] == "certainty must be between 0% and 100%, got 150%"


def test_standard_input_is_a_file_named_dash() -> None:
    result = betgraph("lint", "-", "--fail-on", "info", stdin=(ROOT / ACME).read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == "-: 29 bets, 9 assumptions: 0 errors, 0 warnings, 0 infos\n"
    broken = betgraph("lint", "-", "--format", "github", stdin=BROKEN)
    assert broken.returncode == 2
    assert broken.stdout.startswith(f"::error line={BROKEN_AT.replace(':', ',col=')},title=betgraph invalid-document::")
