"""The betgraph command as a user runs it: real files, exit codes and messages.

Commands run in this process (click's CliRunner: the same words and exit codes, without an
interpreter's start each); the tests that say so run the real command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain.synthetic import synthetic_graph
from app.formats.document import load
from app.formats.writing import dump_yaml
from tests.servers import betgraph as run
from tests.servers import command_line

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"


def betgraph(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run(dict(os.environ), *args, check=False, cwd=cwd)


def test_coherent_example_lints_clean_at_warning() -> None:
    result = command_line(dict(os.environ), "lint", str(EXAMPLES / "acme.yaml"), "--fail-on", "warning")
    assert result.returncode == 0, result.stdout + result.stderr


def test_failures_example_shows_the_common_failures() -> None:
    result = betgraph("lint", str(EXAMPLES / "failures.yaml"), "--fail-on", "warning")
    assert result.returncode == 1
    for rule in ("orphan", "untested-delivery", "outcome-without-metric", "horizon-inversion", "false-certainty"):
        assert f"[{rule}]" in result.stdout
    assert "failures.yaml:" in result.stdout


def test_lint_json() -> None:
    result = betgraph("lint", str(EXAMPLES / "failures.yaml"), "--format", "json", "--fail-on", "error")
    assert result.returncode == 0
    assert '"rule": "orphan"' in result.stdout


def test_invalid_file_exit_2_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "strategy.yaml"
    bad.write_text(
        "betgraph: 1\ngraph: {slug: s, title: S}\nbets:\n  - {id: a, kind: goal, title: A, certainty: 1.5}\n"
    )
    for command in ("lint", "render"):
        result = betgraph(command, str(bad))
        assert result.returncode == 2
        assert f"{bad}:4:" in result.stderr
        assert "certainty must be between 0 and 1, got 1.5" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("bets: [\n", "YAML syntax error"),
        ("- a list\n", "must be a mapping"),
        ("betgraph: 1\ngraph: {slug: s, title: S}\nbets:\n  - {id: a, kind: goal, title: A, parents: [a]}\n", "cycle"),
    ],
)
def test_bad_documents_never_traceback(tmp_path: Path, content: str, expected: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    result = betgraph("render", str(bad))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file() -> None:
    result = betgraph("lint", "no-such-file.yaml")
    assert result.returncode == 2
    assert "no such file" in result.stderr


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot", "mmd", "json"])
def test_render_every_format(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"map.{fmt}"
    result = betgraph("render", str(EXAMPLES / "acme.yaml"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    magic = {"svg": b"<svg", "png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph", "mmd": b"---", "json": b"{"}
    assert data.startswith(magic[fmt])


def test_render_views(tmp_path: Path) -> None:
    for view, focus in (("why", "employee-invite-flow"), ("team", "payments")):
        result = betgraph(
            "render", str(EXAMPLES / "acme.yaml"), "--view", view, "--focus", focus, "-o", str(tmp_path / "v.svg")
        )
        assert result.returncode == 0, result.stderr


def test_render_themes(tmp_path: Path) -> None:
    light, dark, auto = (tmp_path / f"{name}.svg" for name in ("light", "dark", "auto"))
    for theme, out in (("light", light), ("dark", dark), ("auto", auto)):
        result = betgraph("render", str(EXAMPLES / "acme.yaml"), "--theme", theme, "-o", str(out))
        assert result.returncode == 0, result.stderr
    assert light.read_bytes() != dark.read_bytes()
    assert b"prefers-color-scheme: dark" in auto.read_bytes()
    assert b"prefers-color-scheme" not in light.read_bytes()
    refused = betgraph("render", str(EXAMPLES / "acme.yaml"), "--theme", "auto", "-o", str(tmp_path / "a.png"))
    assert refused.returncode == 2
    assert "only SVG can carry both" in refused.stderr
    assert not (tmp_path / "a.png").exists()


def test_unknown_focus_suggests(tmp_path: Path) -> None:
    result = betgraph("render", str(EXAMPLES / "acme.yaml"), "--view", "why", "--focus", "employee-invite-flo")
    assert result.returncode == 2
    assert "did you mean 'employee-invite-flow'" in result.stderr


def test_failed_render_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    out.write_text("previous picture")
    result = betgraph(
        "render", str(EXAMPLES / "acme.yaml"), "--timeout", "1", "--view", "why", "--focus", "nope", "-o", str(out)
    )
    assert result.returncode == 2
    assert out.read_text() == "previous picture"
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]


def test_help_teaches() -> None:
    result = betgraph("render", "--help")
    assert "Examples:" in result.stdout
    assert "weakest" in betgraph("lint", "--help").stdout or "untested-delivery" in betgraph("lint", "--help").stdout


def test_every_bet_draws_a_large_map_without_summaries(tmp_path: Path) -> None:
    doc = tmp_path / "large.yaml"
    doc.write_text(dump_yaml(synthetic_graph(1100)))
    summarised = betgraph("render", str(doc), "--format", "dot")
    every = betgraph("render", str(doc), "--format", "dot", "--every-bet")
    assert summarised.returncode == every.returncode == 0
    assert '"s_' in summarised.stdout
    assert '"s_' not in every.stdout


# --- spreadsheets and outlines ---------------------------------------------------------------------

FIXTURES = ROOT / "tests" / "fixtures"


def test_lint_and_render_read_csv_and_markdown() -> None:
    linted = betgraph("lint", str(FIXTURES / "paths.csv"), "--fail-on", "warning")
    assert linted.returncode == 1
    # findings stand on the line and field of the bet's first mention
    assert f"{FIXTURES / 'paths.csv'}:2:2: warning [outcome-without-metric]" in linted.stdout
    assert "13 bets" in linted.stderr
    drawn = betgraph("render", str(FIXTURES / "ost.md"), "--format", "dot")
    assert drawn.returncode == 0, drawn.stderr
    assert "Plan comparison table" in drawn.stdout


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("sheet.csv", "goal,outcome,certainty\nGrow,More trials,1.5\n", "sheet.csv:2:3: certainty must be between 0"),
        ("sheet.csv", "goal,certainity\nGrow,70%\n", "sheet.csv:1:2: unknown column 'certainity'"),
        ("tree.md", "## Outcome: More {stauts=done}\n", "tree.md:1:19: unknown attribute 'stauts'"),
        ("tree.md", "---\nslug: [\n---\n", "tree.md:3:1: front matter: YAML syntax error"),
    ],
)
def test_bad_sheets_and_outlines_exit_2_with_a_place(tmp_path: Path, name: str, content: str, expected: str) -> None:
    bad = tmp_path / name
    bad.write_text(content)
    for command in ("lint", "render", "convert"):
        result = betgraph(command, str(bad))
        assert result.returncode == 2
        assert f"{tmp_path}/{expected}" in result.stderr
        assert "Traceback" not in result.stderr


def test_convert_picks_formats_by_extension_and_keeps_the_tree(tmp_path: Path) -> None:
    outline = tmp_path / "ost.md"
    sheet = tmp_path / "ost.csv"
    document = tmp_path / "ost.yaml"
    assert betgraph("convert", str(FIXTURES / "ost.md"), "-o", str(outline)).returncode == 0
    to_sheet = betgraph("convert", str(outline), "-o", str(sheet))
    assert to_sheet.returncode == 0, to_sheet.stderr
    assert "csv leaves out 4 assumptions, the graph's description, as_of" in to_sheet.stderr
    assert sheet.read_text().startswith("outcome,opportunity,hypothesis,initiative,")
    back = betgraph("convert", str(sheet), "--slug", "onboarding", "--title", "Onboarding", "-o", str(document))
    assert back.returncode == 0, back.stderr
    graph = load(document.read_text())[0]
    assert (graph.slug, graph.title) == ("onboarding", "Onboarding")
    assert graph.bet_by_id["plan-comparison-table"].parents == ("comparison-table",)
    assert betgraph("lint", str(document)).returncode == 0


def test_convert_to_standard_output_and_bad_options(tmp_path: Path) -> None:
    as_yaml = betgraph("convert", str(FIXTURES / "paths.csv"))
    assert as_yaml.returncode == 0
    assert as_yaml.stdout.startswith("betgraph: 1\ngraph:\n  slug: paths\n")
    as_md = betgraph("convert", str(EXAMPLES / "acme.yaml"), "--format", "md")
    assert as_md.stdout.startswith("---\nslug: acme\n")
    assert "md leaves out 7 metrics, 13 pieces of evidence, 2 resolutions; yaml and json keep" in as_md.stderr
    unknown = betgraph("convert", str(EXAMPLES / "acme.yaml"), "-o", str(tmp_path / "acme.txt"))
    assert unknown.returncode == 2
    assert "cannot tell the format from" in unknown.stderr
    bad_slug = betgraph("convert", str(FIXTURES / "paths.csv"), "--slug", "Not A Slug")
    assert bad_slug.returncode == 2
    assert "Invalid value for '--slug'" in bad_slug.stderr
    assert not list(tmp_path.iterdir())


REPORTED = """\
betgraph: 1
graph: {slug: loop, title: Loop, as_of: 2026-11-01}
bets:
  - {id: shipped, kind: goal, title: Shipped, certainty: 0.7, resolution: {verdict: validated}}
  - {id: flopped, kind: goal, title: Flopped, certainty: 0.9,
     resolution: {verdict: invalidated, committed_certainty: 65%}}
  - {id: late, kind: goal, title: Late goal, horizon: 2026-10-01, review_by: 2026-10-15}
assumptions:
  - {id: belief, statement: Owners want it, review_by: 2026-10-25}
"""


def test_report_on_a_file_needs_no_database(tmp_path: Path) -> None:
    document = tmp_path / "loop.yaml"
    document.write_text(REPORTED)
    nowhere = {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "report", str(document)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=nowhere,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "loop as of 2026-11-01: 2 bets and assumptions resolved"
    assert "60–80%            2          1            1             0    50%" in lines
    assert "  late (bet, 31 days over: horizon 2026-10-01, review by 2026-10-15): Late goal" in lines
    assert "  belief (assumption, 7 days over: review by 2026-10-25): Owners want it" in lines


def test_report_json_and_bad_files(tmp_path: Path) -> None:
    document = tmp_path / "loop.yaml"
    document.write_text(REPORTED)
    result = betgraph("report", str(document), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["graph"] == "loop"
    assert data["bands"][3]["ids"] == ["flopped", "shipped"]
    assert [entry["id"] for entry in data["overdue"]] == ["late", "belief"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(REPORTED.replace("verdict: validated", "verdict: validatd"))
    invalid = betgraph("report", str(broken))
    assert invalid.returncode == 2
    assert "broken.yaml:4:" in invalid.stderr
    assert "did you mean 'validated'?" in invalid.stderr
    assert "Traceback" not in invalid.stderr
    missing = betgraph("report", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


@pytest.mark.parametrize(
    "content",
    ["[" * 100_000 + "]" * 100_000, '{"a": ' * 100_000 + "1" + "}" * 100_000, '{"a": ' * 500 + "1" + "}" * 500],
    ids=["list", "mapping", "mapping-500"],
)
def test_a_file_nested_too_deeply_is_invalid_not_an_internal_error(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "deep.json"
    bad.write_text(content)
    for command in ("lint", "render"):
        result = betgraph(command, str(bad))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"{bad}:1:")
        assert result.stderr.rstrip().endswith(": the document is nested too deeply (more than 64 levels)")


def test_a_file_of_many_huge_bad_values_gets_a_short_answer(tmp_path: Path) -> None:
    big = "x" * 20_000
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "betgraph: 1\ngraph: {slug: s, title: S}\nbets:\n"
        + "".join(f"  - {{id: b{index}, kind: {big}, title: B}}\n" for index in range(60))
        + f"uses: [&big {big}, {', '.join(['*big'] * 1_000)}]\n"
    )
    result = betgraph("lint", str(bad))
    assert result.returncode == 2
    assert "YAML aliases repeat this value too often" in result.stderr
    bad.write_text(bad.read_text().split("uses:")[0])
    result = betgraph("lint", str(bad))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 51
    assert lines[-1] == f"{bad}: … and 10 more problems"
    assert len(result.stderr) < 16_000


@pytest.mark.parametrize("lens", ["board", "assumptions", "portfolio"])
def test_render_a_lens_in_every_format_it_has(lens: str, tmp_path: Path) -> None:
    for fmt, start in (("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"digraph"), ("json", b"{")):
        out = tmp_path / f"{lens}.{fmt}"
        result = betgraph("render", str(EXAMPLES / "acme.yaml"), "--view", lens, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(start), fmt
    assert json.loads((tmp_path / f"{lens}.json").read_text())["lens"] == lens


def test_a_lens_for_one_team_and_for_a_team_that_is_not_there(tmp_path: Path) -> None:
    out = tmp_path / "board.json"
    alone = betgraph("render", str(EXAMPLES / "acme.yaml"), "--view", "board", "--focus", "payments", "-o", str(out))
    assert alone.returncode == 0, alone.stderr
    assert [lane["team"] for lane in json.loads(out.read_text())["lanes"]] == ["payments"]
    missing = betgraph("render", str(EXAMPLES / "acme.yaml"), "--view", "portfolio", "--focus", "nobody")
    assert missing.returncode == 2
    assert "no bet belongs to team 'nobody'; teams are growth, onboarding, payments" in missing.stderr
