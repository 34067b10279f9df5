"""Cold render benchmark: a picture nobody has drawn, over HTTP, against `dot -Tsvg` on the same DOT.

What it measures: a real `betgraph serve` on 127.0.0.1 (one worker; SQLite, or PostgreSQL with
--postgres). Each run stores a 200-bet synthetic graph under a new slug with a title of its own
(a DOT no render cache has seen), times `GET /graphs/{slug}.svg` over HTTP (reading the graph,
building the DOT, dot, SVG post-processing, storing the picture, HTTP), then times `dot -Tsvg` on
exactly the DOT the service drew (checked against `GET /graphs/{slug}.dot`). One run first is
thrown away (the server's first picture also pays for lazy imports).

It prints the median over the runs of HTTP / dot. Goal: at most 1.10x (it was 1.8x). Then where
the time goes, timed in this process with app.rendering's own functions: the view, the DOT,
dot through the runner and the SVG post-processing; the rest of the HTTP time is the database,
the render cache and HTTP.

Run: .venv/bin/python bench/cold_render_bench.py [--runs 9] [--bets 200] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import statistics

from common import (
    POSTGRES,
    bench_database,
    betgraph_env,
    cold_render,
    public,
    serve,
    stages,
    token_for,
)

from app.domain.synthetic import synthetic_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="cold renders; the median ratio is kept")
    parser.add_argument("--bets", type=int, default=200)
    parser.add_argument("--postgres", nargs="?", const=POSTGRES, default=None, help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    graph = synthetic_graph(args.bets)
    with bench_database(args.postgres, "cold") as url:
        env = betgraph_env(url)
        token = token_for(env, "write")
        with serve(env) as base:
            cold_render(base, token, graph, "cold-warm-up")
            runs = [cold_render(base, token, graph, f"cold-{run}") for run in range(args.runs)]
    backend = "PostgreSQL" if args.postgres else "SQLite"
    http, dot = statistics.median(run.http for run in runs), statistics.median(run.dot for run in runs)
    print(
        f"{args.bets}-bet graph, {backend}, one worker: GET .svg {http * 1000:.0f} ms | dot -Tsvg {dot * 1000:.0f} ms"
    )
    print("  ratio per run: " + " ".join(f"{run.ratio:.2f}" for run in runs))
    parts = stages(public(graph, "stages"), args.runs)
    shown = ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in parts.items())
    rest = http - sum(parts.values())
    print(f"  in this process: {shown}; the rest of the HTTP time {rest * 1000:.0f} ms")
    overhead = {
        "DOT building (view + DOT)": parts["view"] + parts["DOT"],
        "SVG post-processing": parts["SVG post-processing"],
        "database, cache, HTTP (the rest)": rest,
    }
    print("  overhead beyond dot, as a share of dot: " + ", ".join(f"{k} {v / dot:+.0%}" for k, v in overhead.items()))
    ratio = statistics.median(run.ratio for run in runs)
    print(f"cold render over HTTP / dot -Tsvg: {ratio:.2f}x (median of {args.runs}; goal <= 1.10)")


if __name__ == "__main__":
    main()
