"""The betgraph command as a user runs it: a real process, real files, exit codes and messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.domain.document import dump_yaml
from app.domain.synthetic import synthetic_graph

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def betgraph(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, cwd=cwd or ROOT, check=False
    )


def test_coherent_example_lints_clean_at_warning() -> None:
    result = betgraph("lint", str(EXAMPLES / "acme.yaml"), "--fail-on", "warning")
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
