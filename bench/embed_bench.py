"""Embed benchmarks, printed as ratios against baselines measured in the same run.

1. A cached 200-bet map as SVG under `wrk -c32 -t2 -d10s`: requests/s of Betgraph (`betgraph serve`,
   one worker, SQLite) against nginx serving the same bytes from a file (one worker process) and
   against a bare ASGI app under uvicorn returning them from memory (uvicorn as `betgraph serve`
   runs it). Goal: at least 0.9x the bare app and 0.4x nginx.
2. The same three for 304 revalidations (`If-None-Match` with each server's own ETag), and Betgraph's
   `GET /healthz` for the floor its middleware and routing set.
3. A cold render over HTTP (a graph drawn for the first time: load, DOT, dot, post-processing,
   storing) against `dot -Tsvg` on the same DOT source. Goal: overhead under 10%.
4. Fifty concurrent requests for one picture nobody has drawn, against two workers
   (`betgraph serve --workers 2`) on one database: how many `dot` processes ran (a `dot` first on
   PATH that notes each run and then runs the real one). Goal: one.

Everything listens on 127.0.0.1 only and every load is bounded in time. Needs wrk and nginx, which
it installs from Debian's packages when they are missing and it runs as root.

Run: .venv/bin/python bench/embed_bench.py [--seconds 10] [--connections 32] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

import httpx2
from common import (  # the bench folder is on the path of its scripts
    betgraph_env,
    cold_render,
    free_port,
    install_tools,
    public,
    put,
    running,
    serve,
    stages,
    token_for,
    wrk,
)

from app.domain.model import Graph
from app.domain.synthetic import synthetic_graph

BETS = 200

NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ image/svg+xml svg; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        add_header Cache-Control "public, max-age=60";
    }}
}}
"""

# The bare baseline: the same body and the same headers as Betgraph's answer (caching, CSP, CORS:
# what any service that embeds safely must send), from memory, and 304 for a matching ETag.
BARE_APP = """
BODY = open({body!r}, "rb").read()
ETAG = {etag!r}.encode()
HEADERS = {headers!r}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    match = any(name == b"if-none-match" and ETAG in value for name, value in scope["headers"])
    if match:
        await send({{"type": "http.response.start", "status": 304, "headers": HEADERS}})
        await send({{"type": "http.response.body", "body": b""}})
        return
    headers = [*HEADERS, (b"content-length", str(len(BODY)).encode())]
    await send({{"type": "http.response.start", "status": 200, "headers": headers}})
    await send({{"type": "http.response.body", "body": BODY}})
"""

# The same uvicorn settings as `betgraph serve`.
BARE_SERVE = "import uvicorn; uvicorn.run('bare:app', host='127.0.0.1', port={port}, workers=1, proxy_headers=True)"

COUNTING_DOT = """#!/bin/sh
case "$*" in *-T*) echo "$$" >> "{log}";; esac
exec {dot} "$@"
"""


def serving(tmp: Path, graph: Graph, args: argparse.Namespace) -> None:
    env = betgraph_env(f"sqlite:///{tmp}/serving.db")
    token = token_for(env)
    rates: dict[tuple[str, str], float] = {}
    with serve(env) as base:
        put(base, token, graph)
        # As wrk asks: no gzip, so the ETag is the one wrk's If-None-Match must name.
        plain = {"Accept-Encoding": "identity"}
        first = httpx2.get(f"{base}/graphs/{graph.slug}.svg", headers=plain, timeout=120)
        first.raise_for_status()
        body, etag = first.content, first.headers["etag"]
        url = f"{base}/graphs/{graph.slug}.svg"
        httpx2.get(url, headers=plain, timeout=30).raise_for_status()  # the memo is filled
        assert httpx2.get(url, headers=plain | {"If-None-Match": etag}, timeout=30).status_code == 304
        rates["Betgraph", "200"] = wrk(url, args.seconds, args.connections, {})
        rates["Betgraph", "304"] = wrk(url, args.seconds, args.connections, {"If-None-Match": etag})
        # The app's own floor: the cheapest route, through the same middleware and routing.
        floor = wrk(f"{base}/healthz", args.seconds, args.connections, {})

    (tmp / "www").mkdir()
    (tmp / "www" / "map.svg").write_bytes(body)
    port = free_port()
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=port))
    url = f"http://127.0.0.1:{port}/map.svg"
    tmp.chmod(0o755)  # nginx's worker may run as another user than its master
    command = ["nginx", "-p", str(tmp), "-e", str(tmp / "nginx-error.log"), "-c", str(tmp / "nginx.conf")]
    with running([*command, "-g", "daemon off;"], url):
        nginx_etag = httpx2.get(url, timeout=10).headers["etag"]
        rates["nginx", "200"] = wrk(url, args.seconds, args.connections, {})
        rates["nginx", "304"] = wrk(url, args.seconds, args.connections, {"If-None-Match": nginx_etag})

    (tmp / "map.svg").write_bytes(body)
    headers = [
        (name.encode(), value.encode())
        for name, value in first.headers.items()
        if name not in ("content-length", "content-encoding", "date", "server")
    ]
    (tmp / "bare.py").write_text(BARE_APP.format(body=str(tmp / "map.svg"), etag=etag, headers=headers))
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphs/{graph.slug}.svg"
    with running([sys.executable, "-c", BARE_SERVE.format(port=port)], url, cwd=tmp):
        rates["bare", "200"] = wrk(url, args.seconds, args.connections, {})
        rates["bare", "304"] = wrk(url, args.seconds, args.connections, {"If-None-Match": etag})

    size = f"{len(body) / 1024:.0f} KiB"
    for status, label in (("200", f"cached {BETS}-bet SVG ({size})"), ("304", "304 revalidation")):
        ours, bare, nginx = rates["Betgraph", status], rates["bare", status], rates["nginx", status]
        print(
            f"{label:<27} Betgraph {ours:7.0f} req/s | bare ASGI {bare:7.0f} | nginx {nginx:7.0f} | "
            f"{ours / bare:.2f}x bare (goal >= 0.9), {ours / nginx:.2f}x nginx (goal >= 0.4)"
        )
    print(
        f"{'Betgraph GET /healthz':<27} {floor:7.0f} req/s: the app's floor, {floor / rates['bare', '304']:.2f}x "
        "the bare app's 304s (no database, no picture)"
    )


def cold(tmp: Path, graph: Graph, args: argparse.Namespace) -> None:
    env = betgraph_env(f"sqlite:///{tmp}/cold.db")
    token = token_for(env)
    with serve(env) as base:
        runs = [cold_render(base, token, graph, f"cold-{run}") for run in range(args.runs)]
    http, dot = statistics.median(run.http for run in runs), statistics.median(run.dot for run in runs)
    print(
        f"{'cold render over HTTP':<27} {http * 1000:7.0f} ms | dot -Tsvg on the same DOT {dot * 1000:7.0f} ms | "
        f"overhead {(http - dot) / dot:+.1%} (goal < 10%; medians of {args.runs})"
    )
    parts = stages(public(graph, "stages"), args.runs)
    shown = ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in parts.items())
    rest = http - sum(parts.values())
    print(f"{'':<27} of which, timed in this process: {shown}; the rest {rest * 1000:.0f} ms")
    print(f"{'':<27} (reading the new graph from the database, the render cache, the lock, HTTP)")


async def ask_at_once(url: str, count: int) -> list[httpx2.Response]:
    limits = httpx2.Limits(max_connections=count)
    async with httpx2.AsyncClient(timeout=120, limits=limits) as client:
        return await asyncio.gather(*(client.get(url) for _ in range(count)))


def single_flight(tmp: Path, graph: Graph) -> None:
    folder, log = tmp / "bin", tmp / "dot.log"
    folder.mkdir()
    wrapper = folder / "dot"
    real = shutil.which("dot")
    assert real is not None
    wrapper.write_text(COUNTING_DOT.format(log=log, dot=real))
    wrapper.chmod(0o755)
    env = betgraph_env(f"sqlite:///{tmp}/flight.db", path_first=folder)
    token = token_for(env)
    with serve(env, workers=2) as base:
        fresh = public(graph, "flight", f"{graph.title} {uuid.uuid4().hex[:8]}")
        put(base, token, fresh)
        log.unlink(missing_ok=True)
        answers = asyncio.run(ask_at_once(f"{base}/graphs/{fresh.slug}.svg", 50))
    statuses = sorted({answer.status_code for answer in answers})
    bodies = len({answer.content for answer in answers})
    runs = len(log.read_text().splitlines()) if log.exists() else 0
    print(
        f"{'50 cold requests, 2 workers':<27} dot processes run: {runs} (goal: 1) | "
        f"statuses {statuses} | distinct bodies {bodies}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=5, help="cold renders; the median is kept")
    args = parser.parse_args()
    install_tools("wrk", "nginx", "dot")
    graph = public(synthetic_graph(BETS), "synthetic")
    with tempfile.TemporaryDirectory(prefix="betgraph-embed-bench-") as folder:
        tmp = Path(folder)
        serving(tmp, graph, args)
        cold(tmp, graph, args)
        single_flight(tmp, graph)


if __name__ == "__main__":
    main()
