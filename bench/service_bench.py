"""Service benchmarks, printed as ratios against baselines measured in the same run.

1. Importing a 2,000-bet document through `PUT /api/graphs/{slug}` against the same document
   loaded by `betgraph import` straight into the database (goal: HTTP within 1.5x).
2. `GET /api/graphs/{slug}/why/{id}` for the deepest bet, p50 and p99 under load (a fixed number
   of concurrent clients for a fixed time, on 127.0.0.1 only), against `GET /healthz` in the same
   run, on SQLite and on PostgreSQL.

Run: .venv/bin/python bench/service_bench.py [--seconds 10] [--clients 16] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx2
from common import BETGRAPH, POSTGRES, load, percentile, postgres_database, serve

from app.domain.analysis import ancestors
from app.domain.synthetic import synthetic_graph
from app.formats.writing import dump_yaml


def run_backend(name: str, url: str, document: Path, deepest: str, args: argparse.Namespace) -> None:
    env = os.environ | {"DATABASE_URL": url}
    subprocess.run([*BETGRAPH, "db", "upgrade"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [*BETGRAPH, "token", "create", "--scope", "admin"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    body = document.read_bytes()
    # The CLI import of a new graph, then the same through HTTP into another slug.
    started = time.perf_counter()
    subprocess.run([*BETGRAPH, "import", str(document)], env=env, check=True, capture_output=True)
    cli = time.perf_counter() - started
    with serve(env) as base:
        other = body.replace(b"slug: synthetic", b"slug: synthetic-http", 1)
        started = time.perf_counter()
        answer = httpx2.put(
            f"{base}/api/graphs/synthetic-http", content=other, headers=headers | {"Content-Type": "application/yaml"},
            timeout=120,
        )  # fmt: skip
        http = time.perf_counter() - started
        answer.raise_for_status()
        shown = f"PUT 2,000 bets {http:.2f} s | betgraph import {cli:.2f} s | ratio {http / cli:.2f} (goal < 1.5)"
        print(f"{name:>10}: {shown}")
        # One request first: the first read of a graph parses it (0.4 s for 2,000 bets); load is steady state.
        httpx2.get(f"{base}/api/graphs/synthetic/why/{deepest}", headers=headers, timeout=60).raise_for_status()
        why = asyncio.run(load(f"{base}/api/graphs/synthetic/why/{deepest}", headers, args.clients, args.seconds))
        health = asyncio.run(load(f"{base}/healthz", headers, args.clients, args.seconds))
        for label, timings in (("why (deepest bet)", why), ("healthz", health)):
            print(
                f"{name:>10}: {label:<18} {len(timings) / args.seconds:7.0f} req/s | "
                f"p50 {percentile(timings, 0.5) * 1000:6.1f} ms | p99 {percentile(timings, 0.99) * 1000:6.1f} ms"
            )
        print(
            f"{name:>10}: why / healthz: p50 {percentile(why, 0.5) / percentile(health, 0.5):.2f}x, "
            f"p99 {percentile(why, 0.99) / percentile(health, 0.99):.2f}x, "
            f"throughput {statistics.fmean([len(health) / max(len(why), 1)]):.2f}x lower"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    graph = synthetic_graph(2000)
    deepest = max(graph.bets, key=lambda bet: len(ancestors(graph, bet.id))).id
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "synthetic.yaml"
        document.write_text(dump_yaml(graph))
        run_backend("SQLite", f"sqlite:///{folder}/bench.db", document, deepest, args)
        with postgres_database(args.postgres) as url:
            run_backend("PostgreSQL", url, document, deepest, args)


if __name__ == "__main__":
    main()
