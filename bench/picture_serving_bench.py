"""Serving a cached picture: Betgraph against nginx and a bare ASGI app, and the shipped proxy in front.

What it measures, all on 127.0.0.1, with `wrk -c32 -t2` (Debian's wrk) in short runs repeated
--rounds times and interleaved (drift on a shared machine hits every server alike), medians kept:

(a) A cached public 200-bet picture (app/domain/synthetic.py), asked as wrk asks (no gzip): requests/s
    of `betgraph serve --workers N` (SQLite, or PostgreSQL with --postgres) against nginx serving
    the same bytes from a file with the same headers, with N worker processes too.
    Goal: at least 0.4x nginx.
(b) 304 revalidations (If-None-Match with the picture's ETag) from Betgraph against a bare ASGI
    app under the same uvicorn settings as `betgraph serve` (workers, proxy headers, the guarded
    httptools protocol, access log) answering the same 304 with the same headers. Goal: at least 0.9x.
(c) deploy/nginx.conf (ports and paths changed, nothing else; N worker processes) in front of
    Betgraph, the same picture answered from its cache (X-Cache-Status: HIT), against nginx
    serving the file. Goal: about 1.0x.

nginx runs in the foreground with its own prefix in a temporary folder (pid, logs, cache).

Run: .venv/bin/python bench/picture_serving_bench.py [--workers 1] [--seconds 5] [--rounds 3]
     [--connections 32] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx2
from common import (  # the bench folder is on the path of its scripts
    POSTGRES,
    bench_database,
    betgraph_env,
    free_port,
    install_tools,
    nginx,
    proxy_config,
    public,
    put,
    running,
    serve,
    token_for,
    wrk,
)

from app.domain.synthetic import synthetic_graph

BETS = 200
PLAIN = {"Accept-Encoding": "identity"}  # as wrk asks

STATIC_CONF = """worker_processes {workers};
pid {folder}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ image/svg+xml svg; }}
    charset utf-8;
    charset_types image/svg+xml;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {folder}/www;
{headers}
    }}
}}
"""

# A raw ASGI callable: the least any Python server under uvicorn does to answer a revalidation.
BARE_APP = """
ETAG = {etag!r}.encode()
HEADERS = {headers!r}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({{"type": "http.response.start", "status": 304, "headers": HEADERS}})
    await send({{"type": "http.response.body", "body": b""}})
"""

# `betgraph serve`'s uvicorn settings (app/cli/database.py), around the bare app.
BARE_SERVE = (
    "import uvicorn; uvicorn.run('bare:app', host='127.0.0.1', port={port}, workers={workers}, "
    "proxy_headers=True, http='app.serving:GuardedHttpToolsProtocol')"
)

SKIPPED = {"content-length", "content-type", "etag", "last-modified", "date", "server"}  # nginx makes its own


@contextmanager
def static(folder: Path, body: bytes, headers: httpx2.Headers, workers: int) -> Iterator[str]:
    """nginx serving `body` from a file with Betgraph's headers; yields the file's URL."""
    (folder / "www").mkdir(parents=True)
    (folder / "www" / "map.svg").write_bytes(body)
    port = free_port()
    added = "\n".join(f'        add_header {name} "{value}";' for name, value in headers.items() if name not in SKIPPED)
    conf = folder / "nginx.conf"
    conf.write_text(STATIC_CONF.format(workers=workers, folder=folder, port=port, headers=added))
    url = f"http://127.0.0.1:{port}/map.svg"
    with nginx(conf, url):
        answer = httpx2.get(url, headers=PLAIN, timeout=10)
        if answer.content != body:
            raise RuntimeError("nginx does not serve the same bytes")
        yield url


@contextmanager
def bare(folder: Path, path: str, unchanged: httpx2.Headers, workers: int) -> Iterator[str]:
    """The bare ASGI app answering Betgraph's 304 (same headers); yields the picture's URL on it."""
    folder.mkdir(parents=True)
    headers = [(name.encode(), value.encode()) for name, value in unchanged.items() if name not in ("date", "server")]
    (folder / "bare.py").write_text(BARE_APP.format(etag=unchanged["etag"], headers=headers))
    port = free_port()
    url = f"http://127.0.0.1:{port}{path}"
    with running([sys.executable, "-c", BARE_SERVE.format(port=port, workers=workers)], url, cwd=folder):
        yield url


def report(rates: dict[str, list[float]], args: argparse.Namespace, body: int, cache: str) -> None:
    rate = {name: statistics.median(values) for name, values in rates.items()}

    def ratio(ours: str, theirs: str) -> float:
        """The median of each round's ratio: the load of the machine moves both sides of one round alike."""
        return statistics.median(a / b for a, b in zip(rates[ours], rates[theirs], strict=True))

    size = body / 1024
    seconds, connections = args.seconds, args.connections
    print(
        f"workers: {args.workers} (Betgraph, bare app and each nginx) | wrk -c{connections} -t2 -d{seconds:g}s, "
        f"{args.rounds} interleaved rounds, medians | {'PostgreSQL' if args.postgres else 'SQLite'}"
    )
    print(
        f"(a) cached {BETS}-bet SVG ({size:.0f} KiB)     Betgraph {rate['betgraph 200']:7.0f} req/s | "
        f"nginx, the file {rate['nginx 200']:7.0f} | {ratio('betgraph 200', 'nginx 200'):.2f}x nginx (goal >= 0.4)"
    )
    print(
        f"(b) 304 revalidation              Betgraph {rate['betgraph 304']:7.0f} req/s | "
        f"bare ASGI app   {rate['bare 304']:7.0f} | {ratio('betgraph 304', 'bare 304'):.2f}x bare (goal >= 0.9)"
    )
    print(
        f"(c) deploy/nginx.conf, the cache  proxy    {rate['proxy HIT']:7.0f} req/s | "
        f"nginx, the file {rate['nginx 200']:7.0f} | {ratio('proxy HIT', 'nginx 200'):.2f}x nginx (goal ~ 1.0)"
    )
    # Past the picture's max-age (60 s) nginx answers its stale copy (STALE) while it revalidates.
    print(f"    the proxy's X-Cache-Status before and after the runs: {cache}")
    for name, values in rates.items():
        print(f"    {name:<13} runs: {', '.join(f'{value:.0f}' for value in values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1, help="Betgraph workers, and nginx worker processes")
    parser.add_argument("--seconds", type=float, default=5, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs of each; the median is kept")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres", nargs="?", const=POSTGRES, help="on PostgreSQL (an admin URL)")
    args = parser.parse_args()
    install_tools("wrk", "nginx", "dot")
    graph = public(synthetic_graph(BETS), "synthetic")
    path = f"/graphs/{graph.slug}.svg"
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="betgraph-serving-bench-")))
        tmp.chmod(0o755)  # nginx's workers may run as another user than its master
        url = stack.enter_context(bench_database(args.postgres, "serving"))
        env = betgraph_env(url)
        token = token_for(env)
        base = stack.enter_context(serve(env, workers=args.workers))
        put(base, token, graph)
        first = httpx2.get(f"{base}{path}", headers=PLAIN, timeout=120)
        first.raise_for_status()
        etag = first.headers["etag"]
        revalidation = {"If-None-Match": etag}
        unchanged = httpx2.get(f"{base}{path}", headers=PLAIN | revalidation, timeout=30)
        if unchanged.status_code != 304:
            raise RuntimeError(f"Betgraph answered {unchanged.status_code} to its own ETag")

        nginx_url = stack.enter_context(static(tmp / "static", first.content, first.headers, args.workers))
        bare_url = stack.enter_context(bare(tmp / "bare", path, unchanged.headers, args.workers))
        port = free_port()
        conf = proxy_config(tmp / "proxy", port, base.removeprefix("http://"), args.workers)
        proxied = f"http://127.0.0.1:{port}{path}"
        stack.enter_context(nginx(conf, f"http://127.0.0.1:{port}/healthz"))
        statuses = [httpx2.get(proxied, headers=PLAIN, timeout=60).headers.get("x-cache-status") for _ in range(3)]
        if statuses[-1] != "HIT" or httpx2.get(proxied, headers=PLAIN, timeout=60).content != first.content:
            raise RuntimeError(f"the proxy does not answer the picture from its cache: {statuses}")

        seconds, connections = args.seconds, args.connections
        # In this order: each ratio's two sides run one after the other.
        loads = {
            "betgraph 200": (f"{base}{path}", {}),
            "nginx 200": (nginx_url, {}),
            "proxy HIT": (proxied, {}),
            "betgraph 304": (f"{base}{path}", revalidation),
            "bare 304": (bare_url, revalidation),
        }
        for target, headers in loads.values():  # every worker has answered it once
            wrk(target, 1, connections, headers)
        rates: dict[str, list[float]] = {name: [] for name in loads}
        for _ in range(args.rounds):
            for name, (target, headers) in loads.items():
                rates[name].append(wrk(target, seconds, connections, headers))
        after = httpx2.get(proxied, headers=PLAIN, timeout=60).headers.get("x-cache-status")

    report(rates, args, len(first.content), f"{statuses[-1]}, then {after}")


if __name__ == "__main__":
    main()
