"""Search benchmark, printed as ratios against `/healthz` measured in the same run.

50 graphs of 2,000 synthetic bets each (100,000 bets and their assumptions), loaded straight
into the database through `save_graph`, the write path every change takes, so the search index
is the one the service keeps. Then `GET /api/search` with a mix of queries (one word, several,
a prefix, an owner's team, a statement; over every graph and within one), p50 and p99 under
a fixed number of concurrent clients for a fixed time on 127.0.0.1, and `GET /healthz` the same
way, on SQLite and on PostgreSQL. Goal: search p99 under 50 ms at 16 clients.

Run: .venv/bin/python bench/search_bench.py [--graphs 50] [--bets 2000] [--seconds 10] [--clients 16] [--workers 1]
     [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import time
from urllib.parse import urlencode

import httpx2
from common import POSTGRES, bench_database, betgraph_env, load, percentile, serve, token_for
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.synthetic import synthetic_graph
from app.storage.db import make_engine
from app.storage.graphs import save_graph

# Words from the synthetic graphs' vocabulary, as people type them: whole words, a last word
# half typed, a team, an assumption's statement; most over every graph, some within one.
QUERIES = (
    {"q": "payroll"},
    {"q": "checkout pric"},
    {"q": "onboard"},
    {"q": "retention churn mobile"},
    {"q": "Customers want tax"},
    {"q": "insights"},
    {"q": "self-serve trial activation"},
    {"q": "compliance", "graph": "plans-{middle}"},
    {"q": "export rep", "graph": "plans-{last}"},
    {"q": "nothing-like-this"},
)


def fill(url: str, graphs: int, bets: int) -> float:
    started = time.perf_counter()
    engine = make_engine(url, timeout=60)
    try:
        for number in range(graphs):
            graph = dataclasses.replace(
                synthetic_graph(bets, seed=number), slug=f"plans-{number}", title=f"Plans {number}"
            )
            with Session(engine) as session:
                save_graph(session, graph)
                session.commit()
        if engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load: without statistics the planner
            # walks every graph's rows instead of asking the GIN index.
            with engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()
    finally:
        engine.dispose()
    return time.perf_counter() - started


def line(name: str, label: str, timings: list[float], seconds: float) -> str:
    return (
        f"{name:>10}: {label:<8} {len(timings) / seconds:7.0f} req/s | "
        f"p50 {percentile(timings, 0.5) * 1000:6.1f} ms | p99 {percentile(timings, 0.99) * 1000:6.1f} ms"
    )


def run_backend(name: str, postgres: str | None, args: argparse.Namespace) -> None:
    with bench_database(postgres, "search") as url:
        env = betgraph_env(url)
        token = token_for(env)
        loaded = fill(url, args.graphs, args.bets)
        print(f"{name:>10}: {args.graphs} graphs of {args.bets:,} bets stored and indexed in {loaded:.1f} s")
        headers = {"Authorization": f"Bearer {token}"}
        with serve(env, workers=args.workers) as base:
            named = {"middle": args.graphs // 2, "last": args.graphs - 1}
            urls = [f"{base}/api/search?{urlencode({k: v.format(**named) for k, v in q.items()})}" for q in QUERIES]
            for each in urls:  # each once, so that the load is steady state
                httpx2.get(each, headers=headers, timeout=60).raise_for_status()
            found = httpx2.get(urls[0], headers=headers, timeout=60).json()["items"]
            if not found:
                raise RuntimeError("the search found nothing: the benchmark would measure nothing")
            search = asyncio.run(load(urls, headers, args.clients, args.seconds))
            health = asyncio.run(load([f"{base}/healthz"], headers, args.clients, args.seconds))
        print(line(name, "search", search, args.seconds))
        print(line(name, "healthz", health, args.seconds))
        p99 = percentile(search, 0.99)
        print(
            f"{name:>10}: search / healthz: p50 {percentile(search, 0.5) / percentile(health, 0.5):.2f}x, "
            f"p99 {p99 / percentile(health, 0.99):.2f}x | search p99 {p99 * 1000:.1f} ms "
            f"(goal < 50 ms at {args.clients} clients: {'met' if p99 < 0.050 else 'NOT met'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graphs", type=int, default=50)
    parser.add_argument("--bets", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    run_backend("SQLite", None, args)
    run_backend("PostgreSQL", args.postgres, args)


if __name__ == "__main__":
    main()
