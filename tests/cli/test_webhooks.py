"""`betgraph webhook add|list|deliveries|remove` on a SQLite file and a PostgreSQL database, in this
process (tests.servers.betgraph)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import ROOT, betgraph, database

HOOK = "https://93.184.215.14/hooks/betgraph"


@pytest.fixture(params=["sqlite", "postgresql"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    with database(request.param, tmp_path) as url:
        found = {key: value for key, value in os.environ.items() if not key.startswith("BETGRAPH_")}
        found["DATABASE_URL"] = url
        betgraph(found, "import", str(ROOT / "examples" / "acme.yaml"), "--slug", "acme")
        yield found


def test_a_subscription_is_added_listed_logged_and_removed(env: dict[str, str]) -> None:
    added = betgraph(
        env, "webhook", "add", HOOK, "--event", "revision.created", "--event", "bet.resolved", "--graph", "acme"
    )
    assert added.stdout.strip().startswith("whsec_")  # the secret alone on standard output, for a script
    assert "webhook 1: revision.created, bet.resolved of acme" in added.stderr
    every = betgraph(env, "webhook", "add", HOOK, "--event", "digest", "--format", "slack")
    assert "of every graph" in every.stderr

    listed = betgraph(env, "webhook", "list").stdout.splitlines()
    assert [line.split("\t")[:5] for line in listed] == [
        ["1", "acme", "revision.created,bet.resolved", "standard", "on"],
        ["2", "*", "digest", "slack", "on"],
    ]
    betgraph(env, "import", str(ROOT / "examples" / "acme.yaml"), "--slug", "acme", "--title", "Acme, renamed")
    [logged] = betgraph(env, "webhook", "deliveries", "1").stdout.splitlines()
    assert logged.split("\t")[1:5] == ["revision.created", "2", "pending", "0"]
    assert "pending=1" in betgraph(env, "webhook", "list", "--graph", "acme").stdout

    betgraph(env, "webhook", "remove", "1")
    assert [line.split("\t")[0] for line in betgraph(env, "webhook", "list").stdout.splitlines()] == ["2"]


REFUSED = [
    (("add", "http://127.0.0.1:8000/hook", "--event", "digest"), "a loopback address"),
    (("add", HOOK, "--event", "digest", "--graph", "nowhere"), "no graph 'nowhere'"),
    (("add", HOOK, "--event", "nothing"), "'nothing' is not one of"),
    (("add", HOOK), "Missing option '--event'"),
    (("remove", "9"), "no webhook 9"),
    (("deliveries", "0"), "0 is not in the range"),
]


def test_a_refusal_says_why_and_changes_nothing(env: dict[str, str]) -> None:
    for args, says in REFUSED:  # one database for them all: each test's costs a second
        refused = betgraph(env, "webhook", *args, check=False)
        assert refused.returncode != 0, args
        assert says in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr
    assert betgraph(env, "webhook", "list").stdout == ""
