"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit on a repository of their own.

pre-commit clones a hook repository at a commit and installs it into an environment of its own.
The commit here is a snapshot of this working tree (uncommitted changes included) written into a
repository under pytest's cache, never into this one; an unchanged tree gives the same commit, so
pre-commit's environment (in the same cache) is installed once, not at every run.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.formats.starter import STARTER

ROOT = Path(__file__).resolve().parent.parent
# A certainty out of range, on line 4 at column 46.
BROKEN = "betgraph: 1\ngraph: {slug: s, title: S}\nbets:\n  - {id: a, kind: goal, title: A, certainty: 150%}\n"
FIXED_MOMENT = {
    "GIT_AUTHOR_NAME": "betgraph tests",
    "GIT_AUTHOR_EMAIL": "tests@betgraph.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "betgraph tests",
    "GIT_COMMITTER_EMAIL": "tests@betgraph.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def snapshot(cache: Path) -> tuple[Path, str]:
    """This working tree as a commit of a repository in `cache`: its path and the commit."""
    source = cache / "source.git"
    if not source.exists():
        git("init", "--quiet", "--bare", str(source), cwd=cache)
    index = cache / "index"
    index.unlink(missing_ok=True)
    # The work tree is this checkout, read as git would (ignored files left out); the objects go
    # to the cache's repository and the index to a file of its own.
    env = {"GIT_DIR": str(source), "GIT_WORK_TREE": str(ROOT), "GIT_INDEX_FILE": str(index), **FIXED_MOMENT}
    git("add", "--all", cwd=ROOT, env=env)
    tree = git("write-tree", cwd=ROOT, env=env)
    commit = git("commit-tree", tree, "-m", "the working tree under test", cwd=ROOT, env=env)
    git("update-ref", "refs/heads/snapshot", commit, cwd=ROOT, env=env)
    return source, commit


@pytest.fixture(scope="module")
def hooks(request: pytest.FixtureRequest) -> tuple[Path, str, Path]:
    """The snapshot's repository, its commit, and pre-commit's home, kept between runs."""
    cache = Path(request.config.cache.mkdir("pre-commit"))
    with (cache / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two workers, or two runs, snapshot one at a time
        source, commit = snapshot(cache)
        # environments of snapshots that no configuration names any more take 150 MB each
        collected = pre_commit(cache, cache / "home", "gc")
        assert collected.returncode == 0, collected.stdout + collected.stderr
    return source, commit, cache / "home"


def pre_commit(repository: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repository,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", **FIXED_MOMENT},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,  # the first run installs Betgraph and its dependencies from the package index
    )


@pytest.fixture
def repository(tmp_path: Path, hooks: tuple[Path, str, Path]) -> Path:
    """A project using both hooks, with a clean document and a drawing of it."""
    source, commit, _ = hooks
    git("init", "--quiet", str(tmp_path), cwd=tmp_path)
    (tmp_path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {commit}\n    hooks:\n      - id: betgraph-lint\n"
        "      - id: betgraph-render\n"
    )
    (tmp_path / "strategy").mkdir()
    (tmp_path / "strategy" / "bets.yaml").write_text(STARTER)
    (tmp_path / "notes.yaml").write_text("not: [a betgraph document]\n")  # not a name the hooks take
    git("add", ".", cwd=tmp_path)
    return tmp_path


def test_lint_hook_passes_a_clean_document_and_fails_a_broken_one_with_its_line_and_column(
    repository: Path, hooks: tuple[Path, str, Path]
) -> None:
    home = hooks[2]
    clean = pre_commit(repository, home, "run", "betgraph-lint", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "betgraph lint" in clean.stdout
    (repository / "roadmap.bets.yaml").write_text(BROKEN)
    git("add", ".", cwd=repository)
    broken = pre_commit(repository, home, "run", "betgraph-lint", "--all-files")
    assert broken.returncode == 1
    assert "roadmap.bets.yaml:4:46: certainty must be between 0% and 100%, got 150%" in broken.stdout
    assert "notes.yaml" not in broken.stdout


def test_render_hook_redraws_a_committed_drawing_once_its_document_changed(
    repository: Path, hooks: tuple[Path, str, Path]
) -> None:
    home = hooks[2]
    drawing = repository / "strategy" / "bets.svg"
    drawing.write_text("<svg/>\n")  # a drawing of an older version of the document
    git("add", ".", cwd=repository)
    changed = pre_commit(repository, home, "run", "betgraph-render", "--files", "strategy/bets.yaml")
    assert changed.returncode == 1  # pre-commit fails a commit whose files a hook modified
    assert "files were modified by this hook" in changed.stdout
    assert "redrew strategy/bets.svg" in changed.stdout
    assert drawing.read_text().startswith("<svg")
    assert "Tiny Books" in drawing.read_text()
    git("add", ".", cwd=repository)
    again = pre_commit(repository, home, "run", "betgraph-render", "--files", "strategy/bets.yaml")
    assert again.returncode == 0, again.stdout  # the same drawing: nothing to add
