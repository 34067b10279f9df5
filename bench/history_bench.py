"""History benchmark: reading a graph as of its first revision after 10,000 revisions, against its latest state.

A 100-bet graph is stored, then changed 10,000 times (one bet's certainty per revision, written
through `app.storage.graphs.save_graph` in transactions of 500), so every bet has about a hundred
versions. Then, on SQLite and on PostgreSQL, in one run:

1. the storage read: `graph_data` / `load_graph` at revision 1 against at the head;
2. the HTTP read: `GET /api/graphs/{slug}?as_of=1` against `GET /api/graphs/{slug}`, with the
   process's graph cache emptied before every request, so each one reads the database.

Each timing is the median of alternating runs. Goal: as-of within 3x of the latest.
Run: .venv/bin/python bench/history_bench.py [--revisions 10000] [--repeat 15] [--postgres URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Callable

from common import POSTGRES, postgres_database  # the bench folder is on the path of its scripts
from fastapi.testclient import TestClient

from app.config import Settings
from app.domain.model import Graph, Visibility
from app.domain.synthetic import synthetic_graph
from app.server import create_app
from app.services.cache import GraphCache
from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.graphs import get_graph_row, graph_data, load_graph, save_graph
from app.storage.migrate import upgrade

SLUG = "history"
BATCH = 500  # revisions per transaction


def fill(url: str, graph: Graph, revisions: int) -> tuple[int, float]:
    """Store `graph`, then `revisions` one-bet edits: the head after them, and the seconds it took."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    with transaction(sessions, write=True) as session:
        head = save_graph(session, graph).revision
    current = graph
    ids = [bet.id for bet in graph.bets]
    done = 0
    while done < revisions:
        with transaction(sessions, write=True) as session:
            for _ in range(min(BATCH, revisions - done)):
                index = done % len(ids)
                bets = list(current.bets)
                certainty = round((done % 97 + 1) / 100, 2)
                if bets[index].certainty == certainty:  # each write must change something to be a revision
                    certainty = round(certainty + 0.005, 3)
                bets[index] = dataclasses.replace(bets[index], certainty=certainty)
                changed = dataclasses.replace(current, bets=tuple(bets))
                head = save_graph(session, changed, expected_head=head, current=current).revision
                current = changed
                done += 1
    engine.dispose()
    return head, time.perf_counter() - started


def median_pair(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds of each, run alternately so that drift hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for run, into in ((first, a), (second, b)):
            started = time.perf_counter()
            run()
            into.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def storage_reads(url: str, repeat: int) -> None:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions, write=False) as session:
        row = get_graph_row(session, SLUG)
        assert row is not None
        head = row.head
        first, latest = graph_data(session, row, 1), graph_data(session, row)
        assert len(first["bets"]) == len(latest["bets"])
        assert first != latest  # the history is real: revision 1 differs from the head
        pairs = {
            "graph_data": median_pair(lambda: graph_data(session, row, 1), lambda: graph_data(session, row), repeat),
            "load_graph": median_pair(lambda: load_graph(session, row, 1), lambda: load_graph(session, row), repeat),
            "graph_data (middle)": median_pair(
                lambda: graph_data(session, row, head // 2), lambda: graph_data(session, row), repeat
            ),
        }
    engine.dispose()
    for label, (as_of, now) in pairs.items():
        at = "r" + str(head // 2) if "middle" in label else "r1"
        shown = f"{label:<20} as of {at:<6} {as_of * 1000:7.1f} ms | latest (r{head}) {now * 1000:7.1f} ms"
        print(f"  {shown} | RATIO {as_of / now:.2f}x (goal < 3x)")


def http_reads(url: str, repeat: int) -> None:
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:

        def get(query: str) -> None:
            app.state.services = dataclasses.replace(
                app.state.services, graphs=GraphCache()
            )  # cold: read and parse again
            answer = client.get(f"/api/graphs/{SLUG}{query}")
            assert answer.status_code == 200, answer.text

        as_of, now = median_pair(lambda: get("?as_of=1"), lambda: get(""), repeat)
    app.state.services.engine.dispose()
    shown = f"GET ?as_of=1 {as_of * 1000:7.1f} ms | GET latest {now * 1000:7.1f} ms (graph cache cold)"
    print(f"  {shown} | RATIO {as_of / now:.2f}x (goal < 3x)")


def run(name: str, url: str, graph: Graph, args: argparse.Namespace) -> None:
    upgrade(url)
    head, seconds = fill(url, graph, args.revisions)
    print(f"{name}: {len(graph.bets)} bets; revisions 1 to {head:,} written in {seconds:.1f} s")
    storage_reads(url, args.repeat)
    http_reads(url, args.repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--revisions", type=int, default=10_000)
    parser.add_argument("--bets", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    graph = dataclasses.replace(synthetic_graph(args.bets), slug=SLUG, visibility=Visibility.PUBLIC)
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{folder}/history.db", graph, args)
    with postgres_database(args.postgres) as url:
        run("PostgreSQL", url, graph, args)


if __name__ == "__main__":
    main()
