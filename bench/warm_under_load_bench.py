"""Warm pictures under load: a cached picture's throughput while other graphs' pictures are drawn.

What it measures: a real `betgraph serve --workers 2` on 127.0.0.1 (SQLite, or PostgreSQL with
--postgres) holds one 200-bet public graph whose picture is warm (drawn and cached) and a few other
graphs. `wrk` (installed from Debian's packages when missing and running as root; an asyncio httpx
client otherwise) asks for the warm picture for --seconds alone, then for --seconds again while
another client keeps asking for cold pictures of the other graphs: each time it changes one bet's
title through the API (a new revision, so a DOT no render cache has seen) and then asks for that
graph's picture. Alone and loaded alternate --runs times, so drift on a shared machine hits both.

It prints warm requests/s under load / alone (the median of the runs' ratios). Goal: at least 0.8:
drawing pictures (a dot process each) must not starve the cheap requests of the workers' time.

Run: .venv/bin/python bench/warm_under_load_bench.py [--runs 5] [--seconds 4] [--connections 16]
     [--cold-graphs 3] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import statistics
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
from common import (
    POSTGRES,
    bench_database,
    betgraph_env,
    install_tools,
    load,
    public,
    put,
    serve,
    token_for,
    wrk,
)

from app.domain.synthetic import synthetic_graph

BETS = 200


def warm_rate(url: str, seconds: float, connections: int) -> float:
    """Requests per second for `url`: wrk when it is installed, else an asyncio client."""
    if shutil.which("wrk") is not None:
        return wrk(url, seconds, connections, {})
    return len(asyncio.run(load(url, {}, connections, seconds))) / seconds


@dataclasses.dataclass
class ColdClient:
    """A thread asking, one after another, for pictures of `slugs` nobody has drawn yet."""

    base: str
    token: str
    slugs: list[str]
    bet: str
    drawn: int = 0
    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    started: threading.Event = dataclasses.field(default_factory=threading.Event)
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    count: int = 0

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx2.Client(base_url=self.base, headers=headers, timeout=120) as client:
            while not self.stop.is_set():
                slug = self.slugs[self.count % len(self.slugs)]
                self.count += 1
                edit = client.patch(f"/api/graphs/{slug}/bets/{self.bet}", json={"title": f"Cold {self.count}"})
                self.statuses[edit.status_code] += 1
                self.started.set()
                picture = client.get(f"/graphs/{slug}.svg")
                self.statuses[picture.status_code] += 1
                if edit.is_success and picture.is_success:
                    self.drawn += 1

    @contextmanager
    def running(self) -> Iterator[None]:
        self.stop.clear()
        self.started.clear()
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        self.started.wait(timeout=60)
        try:
            yield
        finally:
            self.stop.set()
            thread.join(timeout=300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="pairs of (alone, under load); the median ratio is kept")
    parser.add_argument("--seconds", type=float, default=4, help="seconds of each warm load")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for the warm picture")
    parser.add_argument("--cold-graphs", type=int, default=3, help="graphs whose pictures are kept cold")
    parser.add_argument("--postgres", nargs="?", const=POSTGRES, default=None, help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    install_tools("wrk")
    graph = synthetic_graph(BETS)
    bet = graph.bets[-1].id
    with bench_database(args.postgres, "warm") as url:
        env = betgraph_env(url)
        token = token_for(env, "write")
        with serve(env, workers=2) as base:
            put(base, token, public(graph, "warm"))
            slugs = [f"cold-{number}" for number in range(args.cold_graphs)]
            for slug in slugs:
                put(base, token, public(graph, slug, f"{graph.title} ({slug})"))
            warm = f"{base}/graphs/warm.svg"
            for _ in range(8):  # drawn once, then in both workers' memory
                httpx2.get(warm, timeout=120).raise_for_status()
            cold = ColdClient(base, token, slugs, bet)
            alone: list[float] = []
            loaded: list[float] = []
            seconds_loaded = 0.0
            for _ in range(args.runs):
                alone.append(warm_rate(warm, args.seconds, args.connections))
                with cold.running():
                    loaded.append(warm_rate(warm, args.seconds, args.connections))
                seconds_loaded += args.seconds
    client = "wrk" if shutil.which("wrk") else "httpx"
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{BETS}-bet warm picture, {backend}, 2 workers, {client} -c{args.connections}, {args.seconds:g} s each:")
    for number, (quiet, busy) in enumerate(zip(alone, loaded, strict=True), 1):
        print(f"  run {number}: alone {quiet:7.0f} req/s | under load {busy:7.0f} req/s | {busy / quiet:.2f}x")
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(cold.statuses.items()))
    print(
        f"  cold pictures drawn meanwhile: {cold.drawn} ({cold.drawn / seconds_loaded:.1f}/s "
        f"over {len(slugs)} graphs); the cold client's statuses {{{statuses}}}"
    )
    ratio = statistics.median(busy / quiet for quiet, busy in zip(alone, loaded, strict=True))
    print(f"warm picture under load / alone: {ratio:.2f}x (median of {args.runs}; goal >= 0.8)")


if __name__ == "__main__":
    main()
