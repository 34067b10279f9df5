"""Writers and readers at once, over real HTTP, against `betgraph serve --workers 2`.

TestClient runs every request of a test in one transaction, so it cannot show two writers
queueing on a graph's row, nor a read whose graph is deleted under it: these tests start a real
server (on SQLite and on PostgreSQL), release their clients together with a barrier, and keep
each round small so that the whole file takes seconds.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from app.domain.model import Graph, Metric, Visibility
from app.domain.synthetic import synthetic_graph
from app.formats.writing import dump_yaml
from tests.servers import betgraph, database, serving

WRITERS = 20
ROUNDS = 2


@dataclasses.dataclass(frozen=True)
class Live:
    base: str
    token: str
    log: Path  # the server's output: its traceback is the first thing to read after a 5xx

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self) -> httpx2.Client:
        return httpx2.Client(base_url=self.base, headers=self.headers, timeout=60)

    def put(self, graph: Graph) -> httpx2.Response:
        with self.client() as client:
            return put_graph(client, graph)

    def bets(self, slug: str) -> dict[str, dict[str, Any]]:
        with self.client() as client:
            answer = client.get(f"/api/graphs/{slug}")
        assert answer.status_code == 200, answer.text
        return {bet["id"]: bet for bet in answer.json()["bets"]}

    def tracebacks(self) -> str:
        """What the server logged besides its access lines: the tracebacks of its 5xx."""
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(line for line in lines if not line.startswith("INFO:"))[-6000:]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("concurrency")
    with database(request.param, folder) as url:
        # Patient writers: on a loaded machine a queue of writers may wait longer than the default
        # 5 s and be answered 503 (busy, as designed); these tests are about races, not about load.
        env = os.environ | {"DATABASE_URL": url, "BETGRAPH_DATABASE_TIMEOUT": "30"}
        betgraph(env, "db", "upgrade")
        token = betgraph(env, "token", "create", "--scope", "write").stdout.strip()
        log = folder / "server.log"
        with serving(env, workers=2, log=log) as base:
            yield Live(base, token, log)


def put_graph(client: httpx2.Client, graph: Graph) -> httpx2.Response:
    body = dump_yaml(graph).encode()
    return client.put(f"/api/graphs/{graph.slug}", content=body, headers={"Content-Type": "application/yaml"})


def measured(slug: str, bets: int = 30) -> Graph:
    """A public graph whose first WRITERS bets after the vision have a metric to check in on."""
    graph = synthetic_graph(bets)
    changed = list(graph.bets)
    for index in range(1, WRITERS + 1):
        changed[index] = dataclasses.replace(changed[index], metric=Metric("weekly active companies", "%"))
    return dataclasses.replace(graph, slug=slug, bets=tuple(changed), visibility=Visibility.PUBLIC)


# A client's request in one round: (its connection, its number, the round) -> the answer.
Request = Callable[[httpx2.Client, int, int], httpx2.Response]


@dataclasses.dataclass
class Outcome:
    # per round, each client's status (or the transport error's name) and the answer's text
    rounds: list[dict[int, tuple[str, str]]]

    def statuses(self) -> Counter[str]:
        return Counter(status for answers in self.rounds for status, _ in answers.values())

    def failures(self) -> dict[str, str]:
        """One answer's text for each status that is not a success."""
        found: dict[str, str] = {}
        for answers in self.rounds:
            for status, text in answers.values():
                if not status.startswith("2"):
                    found.setdefault(status, text[:300])
        return found


def contend(
    live: Live, clients: int, rounds: int, request: Request, before: Callable[[], None] | None = None
) -> Outcome:
    """`clients` threads, each with a connection of its own, send `request` at once, `rounds` times.

    `before` runs once per round while every client waits at the barrier (a fresh ETag to race for).
    """
    outcome = Outcome([{} for _ in range(rounds)])
    barrier = threading.Barrier(clients, action=before, timeout=60)
    lock = threading.Lock()

    def client(number: int) -> None:
        with live.client() as connection:
            connection.get("/healthz").raise_for_status()  # connected before the barrier
            for round_number in range(rounds):
                barrier.wait()
                try:
                    answer = request(connection, number, round_number)
                    status, text = str(answer.status_code), answer.text
                except httpx2.TransportError as error:
                    status, text = type(error).__name__, str(error)
                with lock:
                    outcome.rounds[round_number][number] = (status, text)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    return outcome


def _all_succeeded(live: Live, outcome: Outcome) -> None:
    statuses = outcome.statuses()
    assert all(status.startswith("2") for status in statuses), (statuses, outcome.failures(), live.tracebacks())


def test_writers_to_different_bets_all_succeed_and_none_is_lost(live: Live) -> None:
    graph = measured("patched")
    assert live.put(graph).status_code in (200, 201)
    ids = [bet.id for bet in graph.bets[1 : WRITERS + 1]]

    def patch(client: httpx2.Client, writer: int, round_number: int) -> httpx2.Response:
        return client.patch(f"/api/graphs/patched/bets/{ids[writer]}", json={"title": f"W{writer} r{round_number}"})

    outcome = contend(live, WRITERS, ROUNDS, patch)
    _all_succeeded(live, outcome)
    bets = live.bets("patched")
    assert [bets[ids[writer]]["title"] for writer in range(WRITERS)] == [
        f"W{writer} r{ROUNDS - 1}" for writer in range(WRITERS)
    ]


def test_check_ins_on_different_bets_all_succeed_and_none_is_lost(live: Live) -> None:
    graph = measured("checked")
    assert live.put(graph).status_code in (200, 201)
    ids = [bet.id for bet in graph.bets[1 : WRITERS + 1]]

    def check_in(client: httpx2.Client, writer: int, round_number: int) -> httpx2.Response:
        value = 100 * writer + round_number
        return client.post(f"/api/graphs/checked/bets/{ids[writer]}/checkins", json={"value": value})

    outcome = contend(live, WRITERS, ROUNDS, check_in)
    _all_succeeded(live, outcome)
    bets = live.bets("checked")
    for writer in range(WRITERS):
        values = sorted(entry["value"] for entry in bets[ids[writer]]["metric"]["checkins"])
        assert values == [100 * writer + number for number in range(ROUNDS)], ids[writer]


def test_unconditional_puts_of_the_whole_graph_all_succeed(live: Live) -> None:
    graph = measured("whole")
    assert live.put(graph).status_code in (200, 201)
    putters = 5

    def version(putter: int, round_number: int) -> Graph:
        changed = list(graph.bets)
        changed[1 + putter] = dataclasses.replace(changed[1 + putter], title=f"P{putter} r{round_number}")
        return dataclasses.replace(graph, bets=tuple(changed))

    def put(client: httpx2.Client, putter: int, round_number: int) -> httpx2.Response:
        return put_graph(client, version(putter, round_number))

    outcome = contend(live, putters, ROUNDS, put)
    _all_succeeded(live, outcome)
    titles = {bet_id: bet["title"] for bet_id, bet in live.bets("whole").items()}
    last = [{bet.id: bet.title for bet in version(putter, ROUNDS - 1).bets} for putter in range(putters)]
    assert titles in last  # the last writer won, whole: no mixture of two documents


def test_if_match_on_one_bet_lets_exactly_one_writer_win_each_round(live: Live) -> None:
    graph = measured("contested")
    assert live.put(graph).status_code in (200, 201)
    bet = graph.bets[1].id
    url = f"/api/graphs/contested/bets/{bet}"
    etag: list[str] = []

    def read_etag() -> None:
        with live.client() as client:
            etag[:] = [client.get(url).headers["etag"]]

    def patch(client: httpx2.Client, writer: int, round_number: int) -> httpx2.Response:
        return client.patch(url, json={"title": f"W{writer} r{round_number}"}, headers={"If-Match": etag[0]})

    clients = 10
    outcome = contend(live, clients, 3, patch, before=read_etag)
    for answers in outcome.rounds:
        statuses = sorted(status for status, _ in answers.values())
        assert statuses == ["200"] + ["412"] * (clients - 1), (statuses, outcome.failures(), live.tracebacks())


# Besides 2xx and 3xx, what a reader or writer may be told while its graph is deleted and made
# again: gone (404), or, for a PUT, that another writer created and deleted it meanwhile (409).
ACCEPTABLE = {"404", "409"}


def test_reads_and_writes_racing_a_delete_answer_found_or_not_found(live: Live) -> None:
    graph = measured("doomed")
    assert live.put(graph).status_code in (200, 201)
    focus = graph.bets[-1].id
    checked = graph.bets[1].id
    reads = [
        "/api/graphs/doomed",
        "/api/graphs/doomed/bets",
        f"/api/graphs/doomed/bets/{checked}",
        "/graphs/doomed.svg",
        f"/graphs/doomed/why/{focus}.svg",
        "/graphs/doomed",
        "/api/graphs/doomed/lint",
        f"/api/graphs/doomed/why/{focus}",
        "/api/graphs/doomed/revisions",
    ]
    with live.client() as client:  # each picture drawn once before the race: it measures reads, not dot
        for path in reads:
            assert client.get(path).status_code == 200, path
    done = threading.Event()
    seen: Counter[str] = Counter()
    odd: dict[str, str] = {}
    lock = threading.Lock()

    def note(label: str, answer: httpx2.Response) -> None:
        status = str(answer.status_code)
        with lock:
            seen[status] += 1
            if status[0] not in "23" and status not in ACCEPTABLE:
                odd.setdefault(f"{status} {label}", answer.text[:300])

    def deleter() -> None:
        with live.client() as client:
            try:
                for _ in range(6):
                    note("DELETE", client.delete("/api/graphs/doomed"))
                    note("PUT", put_graph(client, graph))
            finally:
                done.set()

    def reader(offset: int) -> None:
        with live.client() as client:
            for path in itertools.islice(itertools.cycle(reads), offset, None):
                if done.is_set():
                    return
                note(f"GET {path}", client.get(path))

    def writer(number: int) -> None:
        bet = graph.bets[1 + number].id
        with live.client() as client:
            for count in itertools.count():
                if done.is_set():
                    return
                if count % 2:
                    body: dict[str, Any] = {"value": count}
                    note("POST checkin", client.post(f"/api/graphs/doomed/bets/{bet}/checkins", json=body))
                else:
                    note("PATCH", client.patch(f"/api/graphs/doomed/bets/{bet}", json={"title": f"T{count}"}))

    threads = [threading.Thread(target=deleter)]
    threads += [threading.Thread(target=reader, args=(number,)) for number in range(len(reads))]
    threads += [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    assert not odd, f"{odd}\n{seen}\n{live.tracebacks()}"
    assert seen["404"] > 0, seen  # the race happened: some requests found the graph gone
