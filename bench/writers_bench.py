"""Concurrent writers: how many of 20 writes at once, each to a different bet of one graph, succeed.

What it measures: a real `betgraph serve --workers 2` on 127.0.0.1 against a temporary PostgreSQL
database (SQLite with --sqlite) holds one graph of --bets bets, the first --writers of which have a
metric. A write token comes from `betgraph token create --scope write`. Then, for --rounds rounds,
--writers clients (threads, each with its own connection, released together by a barrier) each:

1. PATCH /api/graphs/{slug}/bets/{bet_i} with a JSON merge patch of its title;
2. POST /api/graphs/{slug}/bets/{bet_i}/checkins with {"value": n} (bet_i has a metric);
3. and --putters clients PUT the whole graph without If-Match (last writer wins), each with one
   bet's title of its own.

No write names a revision (no If-Match), and no two writers touch the same bet, so none has a
reason to fail. For each it prints successes (2xx) / attempts and the status counts. Goal: 1.0
(many get 409 today). For 1 and 2 it also reads the graph back: a write answered 2xx whose title or
check-in is missing is counted as lost (goal: none).

Run: .venv/bin/python bench/writers_bench.py [--rounds 5] [--writers 20] [--putters 5] [--bets 40]
     [--sqlite] [--postgres URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
from common import POSTGRES, betgraph_env, postgres_database, put, serve, token_for

from app.domain.model import Graph, Metric
from app.domain.synthetic import synthetic_graph
from app.formats.writing import dump_yaml

SLUG = "writers"

# One writer's request in one round: (client, writer number, round number) -> its answer.
Request = Callable[[httpx2.Client, int, int], httpx2.Response]


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.sqlite:
        with tempfile.TemporaryDirectory(prefix="betgraph-writers-bench-") as folder:
            yield f"sqlite:///{folder}/writers.db"
    else:
        with postgres_database(args.postgres) as url:
            yield url


def with_metrics(graph: Graph, count: int) -> Graph:
    """`graph` with a metric on its first `count` bets after the vision, which the writers write to."""
    bets = list(graph.bets)
    for index in range(1, count + 1):
        if bets[index].metric is None:
            bets[index] = dataclasses.replace(bets[index], metric=Metric("weekly active companies", "%"))
    return dataclasses.replace(graph, slug=SLUG, bets=tuple(bets))


@dataclasses.dataclass
class Outcome:
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)
    samples: dict[str, str] = dataclasses.field(default_factory=dict)  # status -> the first failure's detail
    # writer -> the rounds whose write was answered 2xx
    succeeded: dict[int, list[int]] = dataclasses.field(default_factory=dict)

    @property
    def attempts(self) -> int:
        return sum(self.statuses.values())

    @property
    def successes(self) -> int:
        return sum(len(rounds) for rounds in self.succeeded.values())


def contend(base: str, token: str, writers: int, rounds: int, request: Request) -> Outcome:
    """`writers` threads send `request` at once (a barrier), `rounds` times."""
    outcome = Outcome(succeeded={writer: [] for writer in range(writers)})
    barrier = threading.Barrier(writers, timeout=300)
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def writer(number: int) -> None:
        with httpx2.Client(base_url=base, headers=headers, timeout=120) as client:
            client.get("/healthz").raise_for_status()  # connected before the barrier
            for round_number in range(rounds):
                barrier.wait()
                try:
                    answer = request(client, number, round_number)
                    status, detail = str(answer.status_code), answer.text
                except httpx2.TransportError as error:
                    status, detail = type(error).__name__, str(error)
                with lock:
                    outcome.statuses[status] += 1
                    if not status.startswith("2"):
                        outcome.samples.setdefault(status, detail[:160])
                    if status.startswith("2"):
                        outcome.succeeded[number].append(round_number)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def stored(base: str, token: str) -> dict[str, dict[str, Any]]:
    answer = httpx2.get(f"{base}/api/graphs/{SLUG}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    answer.raise_for_status()
    return {bet["id"]: bet for bet in answer.json()["bets"]}


def report(label: str, outcome: Outcome, lost: int | None = None) -> None:
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(outcome.statuses.items()))
    kept = "" if lost is None else f" | 2xx but lost: {lost} (goal 0)"
    print(
        f"{label}: successes/attempts {outcome.successes / outcome.attempts:.2f} "
        f"({outcome.successes}/{outcome.attempts}; goal 1.0) | statuses {{{statuses}}}{kept}"
    )
    for status, detail in sorted(outcome.samples.items()):
        print(f"  the first {status}: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writers", type=int, default=20, help="concurrent writers, each on a bet of its own")
    parser.add_argument("--putters", type=int, default=5, help="concurrent unconditional PUTs of the whole graph")
    parser.add_argument("--bets", type=int, default=40)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--postgres", default=POSTGRES, help="the PostgreSQL server (a database of its own is made)")
    args = parser.parse_args()
    if args.bets <= max(args.writers, args.putters):
        parser.error("--bets must exceed --writers and --putters (the vision is not written to)")
    graph = with_metrics(synthetic_graph(args.bets), args.writers)
    ids = [bet.id for bet in graph.bets[1:]]
    with database(args) as url:
        env = betgraph_env(url)
        token = token_for(env, "write")
        with serve(env, workers=2) as base:
            put(base, token, graph)

            def patch(client: httpx2.Client, writer: int, round_number: int) -> httpx2.Response:
                title = f"Writer {writer} round {round_number}"
                return client.patch(f"/api/graphs/{SLUG}/bets/{ids[writer]}", json={"title": title})

            patched = contend(base, token, args.writers, args.rounds, patch)
            bets = stored(base, token)
            lost_titles = sum(
                1
                for writer, rounds in patched.succeeded.items()
                if rounds and bets[ids[writer]]["title"] != f"Writer {writer} round {rounds[-1]}"
            )

            def check_in(client: httpx2.Client, writer: int, round_number: int) -> httpx2.Response:
                value = 1000 * writer + round_number
                return client.post(f"/api/graphs/{SLUG}/bets/{ids[writer]}/checkins", json={"value": value})

            checked = contend(base, token, args.writers, args.rounds, check_in)
            bets = stored(base, token)
            lost_checkins = 0
            for writer, rounds in checked.succeeded.items():
                values = {entry["value"] for entry in bets[ids[writer]]["metric"].get("checkins", [])}
                lost_checkins += sum(1 for number in rounds if 1000 * writer + number not in values)

            def put_whole(client: httpx2.Client, writer: int, round_number: int) -> httpx2.Response:
                changed = list(graph.bets)
                index = 1 + writer
                changed[index] = dataclasses.replace(changed[index], title=f"Putter {writer} round {round_number}")
                body = dump_yaml(dataclasses.replace(graph, bets=tuple(changed))).encode()
                return client.put(f"/api/graphs/{SLUG}", content=body, headers={"Content-Type": "application/yaml"})

            whole = contend(base, token, args.putters, args.rounds, put_whole)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"{backend}, 2 workers, one graph of {args.bets} bets, {args.rounds} rounds, no If-Match:")
    report(f"PATCH a bet each ({args.writers} writers at once)", patched, lost_titles)
    report(f"POST a check-in each ({args.writers} writers at once)", checked, lost_checkins)
    report(f"PUT the whole graph ({args.putters} writers at once)", whole)


if __name__ == "__main__":
    main()
