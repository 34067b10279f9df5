"""`betgraph digest` as a user runs it, on a SQLite file of their own: each format, every graph, and refusals."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import update

from app.storage.db import make_engine
from app.storage.tables import RevisionRow
from tests.servers import betgraph as run


def _env(folder: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BETGRAPH_PUBLIC_URL")}
    return environment | {"BETGRAPH_DATA": str(folder / "data")}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return _env(tmp_path)


def betgraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, *args, check=False)


def _backdate(env: dict[str, str], days: dict[int, int]) -> None:
    """Revision number -> written this many days ago (as acme's revisions are numbered)."""
    engine = make_engine(f"sqlite:///{env['BETGRAPH_DATA']}/betgraph.db")
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        for number, ago in days.items():
            moment = now - dt.timedelta(days=ago)
            connection.execute(update(RevisionRow).where(RevisionRow.number == number).values(created_at=moment))
    engine.dispose()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """acme imported ten days ago, then a check-in written since (with its reason); the digests only read it."""
    env = _env(tmp_path_factory.mktemp("digest"))
    assert betgraph(env, "import", "examples/acme.yaml", "--reason", "first load").returncode == 0
    checked = betgraph(env, "checkin", "acme", "self-serve-activation", "33", "--reason", "weekly numbers")
    assert checked.returncode == 0, checked.stderr
    _backdate(env, {1: 10, 2: 1})
    return env


def test_the_digest_of_one_graph_as_text(loaded: dict[str, str]) -> None:
    shown = betgraph(loaded, "digest", "acme")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Acme product map (acme): digest from ")
    assert lines[1] == "1 revision written: 1 to 2"
    assert any(line.startswith("  r2 · ") and line.endswith(" · “weekly numbers”") for line in lines)
    assert "  bet “New customers reach their first payroll on their own” changed: also changed: metric" in lines
    assert "Leaps of faith still untested" in lines
    assert "  resolved: 2 → 2 (no change)" in lines
    # A period before the check-in: the import alone, as the graph was created then.
    earlier = betgraph(
        loaded, "digest", "acme", "--days", "3", "--until", (dt.date.today() - dt.timedelta(days=5)).isoformat()
    )
    assert earlier.returncode == 0, earlier.stderr
    assert earlier.stdout.splitlines()[1] == "no revision written: revision 1 throughout"


def test_json_and_markdown(loaded: dict[str, str]) -> None:
    data = json.loads(betgraph(loaded, "digest", "acme", "--format", "json").stdout)
    assert (data["graph"], data["from_revision"], data["to_revision"], data["created"]) == ("acme", 1, 2, False)
    assert [item["reason"] for item in data["revisions"]["items"]] == ["weekly numbers"]
    assert data["changes"]["bets"]["changed"][0]["id"] == "self-serve-activation"
    since = dt.date.today() - dt.timedelta(days=30)
    whole = json.loads(betgraph(loaded, "digest", "acme", "--since", since.isoformat(), "--format", "json").stdout)
    assert (whole["created"], whole["revisions"]["count"], whole["since"]) == (True, 2, f"{since}T00:00:00+00:00")

    markdown = betgraph(loaded, "digest", "acme", "--format", "markdown").stdout
    assert markdown.startswith("# Digest of [Acme product map](/graphs/acme): ")  # no public URL: paths
    assert "[the changes on the map](/graphs/acme?view=diff&focus=1..2)" in markdown
    public = betgraph(
        loaded | {"BETGRAPH_PUBLIC_URL": "https://bets.example"}, "digest", "acme", "--format", "markdown"
    )
    assert "(https://bets.example/graphs/acme?focus=self-serve-activation)" in public.stdout


def test_every_graph_without_a_slug(env: dict[str, str]) -> None:
    for example in ("examples/failures.yaml", "examples/acme.yaml"):
        assert betgraph(env, "import", example).returncode == 0
    data = json.loads(betgraph(env, "digest", "--format", "json").stdout)
    assert [d["graph"] for d in data["digests"]] == ["acme", "failures"]
    text = betgraph(env, "digest").stdout
    assert "Acme product map (acme): digest" in text
    assert "(failures): digest" in text


def test_an_empty_database_has_nothing_to_digest(env: dict[str, str]) -> None:
    shown = betgraph(env, "digest")
    assert (shown.returncode, shown.stdout) == (0, "no graph to digest\n")
    assert json.loads(betgraph(env, "digest", "--format", "json").stdout) == {"digests": []}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("nope",), 1, "no graph 'nope' in the database"),
        (("acme", "--until", "2000-01-01"), 1, "graph 'acme' did not exist yet at until="),
        (("acme", "--since", "last week"), 2, "since must be a revision number or an ISO date"),
        (("acme", "--since", "7"), 2, "since must be an ISO date or date-time"),
        (("acme", "--since", "2026-01-01", "--days", "3"), 2, "give since or days, not both"),
        (("acme", "--since", "2999-01-01"), 2, "is not before until"),
        (("acme", "--days", "0"), 2, "Invalid value for '--days'"),
        (("acme", "--format", "xml"), 2, "Invalid value for '--format'"),
    ],
)
def test_refusals_say_why(loaded: dict[str, str], args: tuple[str, ...], code: int, message: str) -> None:
    refused = betgraph(loaded, "digest", *args)
    assert refused.returncode == code, refused.stderr
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
    assert refused.stdout == ""
