"""Webhooks end to end: a real `betgraph serve` sends to a real receiver, which checks each
signature with the `standardwebhooks` package; on SQLite and on PostgreSQL.

One server per database for the module; each test subscribes receivers of its own (a path each),
so the tests share the server without seeing each other's deliveries.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.receiver import Receiver, receiving
from tests.servers import ROOT, betgraph, database, free_port, running

ACME = ROOT / "examples" / "acme.yaml"


@dataclass
class Server:
    base: str
    env: dict[str, str]
    admin: dict[str, str]  # headers
    receiver: Receiver
    process: subprocess.Popen[bytes]

    def subscribe(self, name: str, events: list[str], graph: str | None = "acme", **more: Any) -> dict[str, Any]:
        body = {"url": self.receiver.hook(name), "events": events, "graph": graph, **more}
        answer = httpx2.post(f"{self.base}/api/webhooks", json=body, headers=self.admin, timeout=10)
        assert answer.status_code == 201, answer.text
        made: dict[str, Any] = answer.json()
        self.receiver.secrets[name] = made["secret"]
        return made

    def edit(self, bet: str, **fields: Any) -> None:
        answer = httpx2.patch(f"{self.base}/api/graphs/acme/bets/{bet}", json=fields, headers=self.admin, timeout=10)
        assert answer.status_code == 200, answer.text

    def log(self, webhook_id: int) -> list[dict[str, Any]]:
        answer = httpx2.get(f"{self.base}/api/webhooks/{webhook_id}/deliveries", headers=self.admin, timeout=10)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("webhooks")
    with database(request.param, folder) as url, receiving() as receiver:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BETGRAPH_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on 127.0.0.1
            "BETGRAPH_WEBHOOK_RETRY_SCALE": "0.01",  # waits of 50 ms, 300 ms, 1.2 s…
            "BETGRAPH_WEBHOOK_TIMEOUT": "2",
        }
        env.pop("BETGRAPH_DATA", None)
        betgraph(env, "db", "upgrade")
        betgraph(env, "import", str(ACME), "--slug", "acme")
        admin = betgraph(env, "token", "create", "--scope", "admin").stdout.strip()
        port = free_port()
        process = _start(env, port)
        base = f"http://127.0.0.1:{port}"
        served = Server(base, env, {"Authorization": f"Bearer {admin}"}, receiver, process)
        with running(process, f"{base}/healthz", what="the server", seconds=60):
            yield served
        if served.process is not process:  # a test restarted it
            served.process.terminate()
            served.process.wait(timeout=15)


def test_a_revision_reaches_its_subscribers_signed_with_what_changed(server: Server) -> None:
    made = server.subscribe("revisions", ["revision.created"])
    server.edit("employee-invite-flow", certainty=0.42)

    server.receiver.wait(lambda: len(server.receiver.of("revisions")) == 1)
    [got] = server.receiver.of("revisions")
    assert got.verified  # standardwebhooks.Webhook(secret).verify(body, headers) accepted it
    assert got.message_id.startswith("msg_")
    body = got.json
    assert body["type"] == "revision.created"
    data = body["data"]
    assert data["graph"]["slug"] == "acme"
    assert "employee-invite-flow: certainty 75% → 42%" in data["lines"]
    changed = data["changes"]["bets"]["changed"]
    assert [item["id"] for item in changed] == ["employee-invite-flow"]
    # the pictures of what changed are real, pinned to this revision
    for url in (data["pictures"]["map"]["svg"], data["pictures"]["diff"]["svg"], data["pictures"]["changed"][0]["svg"]):
        picture = httpx2.get(server.base + url, headers=server.admin, timeout=60)
        assert picture.status_code == 200, url
        assert picture.headers["content-type"].startswith("image/svg+xml")
    [logged] = server.log(made["id"])
    assert (logged["status"], logged["attempts"], logged["last_status"]) == ("delivered", 1, 200)
    assert logged["message_id"] == got.message_id


def test_a_receiver_answering_500_is_tried_again_under_the_same_id(server: Server) -> None:
    made = server.subscribe("flaky", ["revision.created"])
    server.receiver.answers["flaky"].extend([500, 503])
    server.edit("employee-invite-flow", certainty=0.43)

    server.receiver.wait(lambda: len(server.receiver.of("flaky")) == 1)
    tries = server.receiver.of("flaky", ok=False)
    assert [each.status for each in tries] == [500, 503, 200]
    assert len({each.message_id for each in tries}) == 1  # one delivery, three attempts
    assert all(each.verified for each in tries)  # each attempt signed afresh
    assert tries[1].at - tries[0].at >= 0.04  # after a wait (5 s × 0.01), not at once
    [logged] = server.log(made["id"])
    assert (logged["status"], logged["attempts"]) == ("delivered", 3)


def test_each_event_once_per_subscription(server: Server) -> None:
    server.subscribe("once-a", ["revision.created", "bet.resolved"])
    server.subscribe("once-b", ["revision.created"])
    server.subscribe("once-all", ["revision.created"], graph=None)  # every graph's
    for certainty in (0.5, 0.55, 0.6):
        server.edit("employee-invite-flow", certainty=certainty)

    for name in ("once-a", "once-b", "once-all"):
        server.receiver.wait(lambda name=name: len(server.receiver.of(name)) >= 3)  # type: ignore[misc]
    time.sleep(1.5)  # a duplicate would come within a round or two
    for name in ("once-a", "once-b", "once-all"):
        got = server.receiver.of(name)
        assert len(got) == 3, name
        assert len({each.message_id for each in got}) == 3
        # one event for each of the three revisions; sent several at a time, they may arrive in any order
        revisions = sorted(each.json["data"]["revision"] for each in got)
        assert revisions == list(range(revisions[0], revisions[0] + 3)), name


def test_a_resolution_and_a_lint_finding_are_events_of_their_own(server: Server) -> None:
    server.subscribe("loop", ["bet.resolved", "lint.finding"])
    resolved = {"verdict": "validated", "learned": "Owners invite their staff", "resolved_on": "2026-12-01"}
    server.edit("employee-invite-flow", resolution=resolved)
    server.edit("employee-invite-flow", parents=[])  # an orphan: lint finds it

    def findings() -> set[tuple[str, str]]:
        found = [each.json for each in server.receiver.of("loop") if each.json["type"] == "lint.finding"]
        return {(body["data"]["finding"]["rule"], body["data"]["finding"]["ids"][0]) for body in found}

    server.receiver.wait(lambda: ("orphan", "employee-invite-flow") in findings())
    [resolved_event] = [each.json for each in server.receiver.of("loop") if each.json["type"] == "bet.resolved"]
    assert resolved_event["data"]["item"]["id"] == "employee-invite-flow"
    assert resolved_event["data"]["item"]["resolution"]["verdict"] == "validated"
    assert resolved_event["data"]["revision"] + 1 == max(
        each.json["data"]["revision"] for each in server.receiver.of("loop")
    )
    assert all(each.verified for each in server.receiver.of("loop"))


def test_slack_and_teams_get_their_own_shape(server: Server) -> None:
    server.subscribe("slack", ["revision.created"], format="slack")
    server.subscribe("teams", ["revision.created"], format="teams")
    server.edit("employee-invite-flow", certainty=0.61)

    server.receiver.wait(lambda: bool(server.receiver.of("slack") and server.receiver.of("teams")))
    slack = server.receiver.of("slack")[0].json
    assert "revision" in slack["text"]
    assert "Acme product map" in slack["text"]
    assert slack["blocks"][0]["type"] == "section"
    assert any("employee-invite-flow" in block.get("text", {}).get("text", "") for block in slack["blocks"])
    teams = server.receiver.of("teams")[0].json
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"


def test_nothing_is_lost_when_the_server_is_killed_before_delivering(server: Server, tmp_path: Path) -> None:
    made = server.subscribe("outage", ["revision.created"])
    server.receiver.answers["outage"].extend([503] * 3)  # down: the first attempts fail
    server.edit("employee-invite-flow", certainty=0.44)
    server.receiver.wait(lambda: len(server.receiver.of("outage", ok=False)) >= 1)
    server.process.send_signal(signal.SIGKILL)  # between the commit and any delivery
    server.process.wait()
    assert server.receiver.of("outage") == []

    port = int(server.base.rsplit(":", 1)[1])
    server.process = _start(server.env, port)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx2.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                break
        except httpx2.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not come back"
        time.sleep(0.1)
    server.receiver.wait(lambda: len(server.receiver.of("outage")) == 1, seconds=30)
    [logged] = server.log(made["id"])
    assert logged["status"] == "delivered"
    assert len({each.message_id for each in server.receiver.of("outage", ok=False)}) == 1
