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
import dataclasses
import datetime as dt
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from app.domain.document import dump_yaml
from app.domain.model import Graph, Visibility
from app.domain.synthetic import synthetic_graph
from app.rendering.dot import DotOptions
from app.rendering.render import RenderOptions, prepare
from app.rendering.runner import Limits, run_dot
from app.rendering.svg import sanitize
from app.rendering.views import View, select

BETGRAPH = (sys.executable, "-m", "app.cli")
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            httpx2.get(url, timeout=1)
            return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def running(argv: list[str], url: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Iterator[None]:
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(url, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> float:
    argv = ["wrk", f"-c{connections}", "-t2", f"-d{seconds:g}s", "--timeout", "10s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw errors from {url}:\n{output}")
    found = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    if found is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    return float(found[1])


def public(graph: Graph, slug: str, title: str | None = None) -> Graph:
    return dataclasses.replace(graph, slug=slug, title=title or graph.title, visibility=Visibility.PUBLIC)


def put(base: str, token: str, graph: Graph) -> None:
    answer = httpx2.put(
        f"{base}/api/graphs/{graph.slug}",
        content=dump_yaml(graph).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"},
        timeout=120,
    )
    answer.raise_for_status()


def betgraph_env(url: str, path_first: Path | None = None) -> dict[str, str]:
    env = os.environ | {"DATABASE_URL": url}
    env.pop("BETGRAPH_PUBLIC_URL", None)  # the DOT below is built without a link base, like the server's
    if path_first is not None:
        env["PATH"] = f"{path_first}:{env['PATH']}"
    return env


def token_for(env: dict[str, str]) -> str:
    subprocess.run([*BETGRAPH, "db", "upgrade"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*BETGRAPH, "token", "create", "--scope", "admin"], env=env, check=True, capture_output=True, text=True
    )
    return made.stdout.strip()


def serving(tmp: Path, graph: Graph, args: argparse.Namespace) -> None:
    env = betgraph_env(f"sqlite:///{tmp}/serving.db")
    token = token_for(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rates: dict[tuple[str, str], float] = {}
    with running([*BETGRAPH, "serve", "--port", str(port)], f"{base}/healthz", env):
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


def stages(graph: Graph, runs: int) -> dict[str, float]:
    """Where a cold render's time goes, measured in this process (medians of `runs`)."""
    options = RenderOptions(dot=DotOptions(link_base=None, theme="light"), limits=Limits(timeout=60))
    times: dict[str, list[float]] = {"view": [], "DOT": [], "dot via the runner": [], "SVG post-processing": []}
    for _ in range(runs):
        started = time.perf_counter()
        scene = select(graph, View(), dt.date.today())
        viewed = time.perf_counter()
        prepared = prepare(scene, "svg", options)
        built = time.perf_counter()
        assert prepared.plan is not None
        raw = run_dot(prepared.plan.source, "svg", options.limits)
        drawn = time.perf_counter()
        sanitize(raw, scene.title, scene.description, prepared.plan.bands())
        done = time.perf_counter()
        for name, value in zip(times, (viewed - started, built - viewed, drawn - built, done - drawn), strict=True):
            times[name].append(value)
    return {name: statistics.median(values) for name, values in times.items()}


def cold(tmp: Path, graph: Graph, args: argparse.Namespace) -> None:
    env = betgraph_env(f"sqlite:///{tmp}/cold.db")
    token = token_for(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    https: list[float] = []
    dots: list[float] = []
    with running([*BETGRAPH, "serve", "--port", str(port)], f"{base}/healthz", env):
        for run in range(args.runs):
            # A title of its own: a DOT no cache has seen, so this request draws.
            fresh = public(graph, f"cold-{run}", f"{graph.title} {uuid.uuid4().hex[:8]}")
            put(base, token, fresh)
            started = time.perf_counter()
            answer = httpx2.get(f"{base}/graphs/{fresh.slug}.svg", timeout=300)
            https.append(time.perf_counter() - started)
            answer.raise_for_status()
            scene = select(fresh, View(), dt.date.today())
            source = prepare(scene, "svg", RenderOptions(dot=DotOptions(link_base=None, theme="light"))).text
            if httpx2.get(f"{base}/graphs/{fresh.slug}.dot", timeout=60).text != source:
                raise RuntimeError("the DOT built here is not the server's: the comparison would be unfair")
            started = time.perf_counter()
            subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True)
            dots.append(time.perf_counter() - started)
    http, dot = statistics.median(https), statistics.median(dots)
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
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running([*BETGRAPH, "serve", "--port", str(port), "--workers", "2"], f"{base}/healthz", env):
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


def install_tools() -> None:
    """wrk and nginx from Debian's packages, where they are missing and this may install them."""
    missing = [package for package in ("wrk", "nginx") if shutil.which(package) is None]
    if not missing or shutil.which("apt-get") is None or os.geteuid() != 0:
        return
    print(f"installing {' '.join(missing)} from Debian's packages", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL, check=False)
    environment = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", *missing]
    subprocess.run(install, env=environment, stdout=subprocess.DEVNULL, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=5, help="cold renders; the median is kept")
    args = parser.parse_args()
    install_tools()
    for tool in ("wrk", "nginx", "dot"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (Debian: apt-get install wrk nginx graphviz)")
    graph = public(synthetic_graph(BETS), "synthetic")
    with tempfile.TemporaryDirectory(prefix="betgraph-embed-bench-") as folder:
        tmp = Path(folder)
        serving(tmp, graph, args)
        cold(tmp, graph, args)
        single_flight(tmp, graph)


if __name__ == "__main__":
    main()
