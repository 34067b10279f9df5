"""What the benchmarks share: a real `betgraph serve` on 127.0.0.1, temporary databases, tokens, loads.

Not a benchmark itself. The scripts in this folder import it as `common` (Python puts a script's own
folder first on the path), and so does mypy, which checks bench/ as top-level modules.

Also the cold render measurement that embed_bench.py and cold_render_bench.py both print: a picture
nobody has drawn, over HTTP, against `dot -Tsvg` on exactly the DOT the service drew.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.domain.model import Graph, Visibility
from app.formats.writing import dump_yaml
from app.rendering.dot import DotOptions
from app.rendering.render import RenderOptions, prepare
from app.rendering.runner import Limits, run_dot
from app.rendering.svg import sanitize
from app.rendering.views import View, select

BETGRAPH = (sys.executable, "-m", "app.cli")
ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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
    """Run a server until the block ends; `url` answering (any status) means it is up."""
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


@contextmanager
def serve(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """`betgraph serve` on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [*BETGRAPH, "serve", "--port", str(port), "--workers", str(workers)]
    with running(argv, f"{base}/healthz", env):
        yield base


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own for the block, dropped afterwards; yields its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"betgraph_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def bench_database(postgres: str | None, name: str) -> Iterator[str]:
    """A database of its own for one benchmark: on PostgreSQL when `postgres` (an admin URL) is given."""
    if postgres:
        with postgres_database(postgres) as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix=f"betgraph-{name}-bench-") as folder:
            yield f"sqlite:///{folder}/{name}.db"


def betgraph_env(url: str, path_first: Path | None = None) -> dict[str, str]:
    """The environment of a `betgraph` process on database `url`."""
    env = os.environ | {"DATABASE_URL": url}
    env.pop("BETGRAPH_PUBLIC_URL", None)  # DOT built in this process has no link base, like the server's
    if path_first is not None:
        env["PATH"] = f"{path_first}:{env['PATH']}"
    return env


def token_for(env: dict[str, str], scope: str = "admin") -> str:
    """Upgrade the database of `env` and make a token for it."""
    subprocess.run([*BETGRAPH, "db", "upgrade"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*BETGRAPH, "token", "create", "--scope", scope], env=env, check=True, capture_output=True, text=True
    )
    return made.stdout.strip()


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


async def load(url: str | list[str], headers: dict[str, str], clients: int, seconds: float) -> list[float]:
    """`clients` concurrent clients asking for `url` (or each of a list in turn) for `seconds`:
    the time of each answer."""
    timings: list[float] = []
    turns = itertools.cycle([url] if isinstance(url, str) else url)
    stop = time.monotonic() + seconds
    async with httpx2.AsyncClient(headers=headers, timeout=30) as client:

        async def worker() -> None:
            while time.monotonic() < stop:
                url = next(turns)
                started = time.perf_counter()
                response = await client.get(url)
                timings.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(clients)))
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> float:
    """Requests per second of `wrk` (two threads) on `url`; any non-2xx/3xx answer is an error."""
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


@contextmanager
def nginx(conf: Path, url: str) -> Iterator[None]:
    """nginx in the foreground on `conf`, its prefix (temporary files, pid, logs) the config's folder."""
    prefix = conf.parent
    command = ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    with running(command, url):
        yield


def proxy_config(folder: Path, port: int, upstream: str, workers: int) -> Path:
    """The shipped deploy/nginx.conf, in `folder`, with only its ports and paths changed: it listens on
    127.0.0.1:`port`, passes on to `upstream` (host:port) and keeps its cache, pid and logs in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""  # its workers must reach `folder`
    changes = {
        "user www-data;": user,
        "worker_processes auto;": f"worker_processes {workers};",
        "/run/betgraph-nginx.pid": str(folder / "nginx.pid"),
        "/var/log/nginx/": f"{folder}/",
        "/var/cache/nginx/betgraph": str(folder / "cache"),
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server {upstream};",
    }
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in changes.items():
        if old not in text:
            raise RuntimeError(f"deploy/nginx.conf no longer says {old!r}: the benchmark cannot point it here")
        text = text.replace(old, new)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


# The Debian package each command comes from, where the names differ.
PACKAGES = {"nginx": "nginx-light", "dot": "graphviz"}


def install_tools(*tools: str) -> None:
    """Install `tools` from Debian's packages, where they are missing and this may install them;
    exit saying what to install when one is still missing."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing and shutil.which("apt-get") is not None and os.geteuid() == 0:
        print(f"installing {' '.join(missing)} from Debian's packages", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL, check=False)
        environment = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", *(PACKAGES.get(tool, tool) for tool in missing)]
        subprocess.run(install, env=environment, stdout=subprocess.DEVNULL, check=False)
    still = [tool for tool in tools if shutil.which(tool) is None]
    if still:
        packages = " ".join(PACKAGES.get(tool, tool) for tool in still)
        sys.exit(f"{', '.join(still)} not installed (Debian: apt-get install {packages})")


# The cold render: over HTTP, against dot on the same DOT, and where its time goes.


@dataclasses.dataclass(frozen=True)
class ColdRun:
    http: float  # seconds of GET /graphs/{slug}.svg for a picture nobody has drawn
    dot: float  # seconds of `dot -Tsvg` on the DOT the service drew

    @property
    def ratio(self) -> float:
        return self.http / self.dot


def server_dot(graph: Graph) -> str:
    """The DOT the service draws for `graph`'s default picture (no link base, light theme)."""
    scene = select(graph, View(), dt.date.today())
    return prepare(scene, "svg", RenderOptions(dot=DotOptions(theme="light"))).text


def cold_render(base: str, token: str, graph: Graph, slug: str) -> ColdRun:
    """Store `graph` as a new public graph `slug` with a title of its own (a DOT no cache has seen),
    time its first picture over HTTP, then `dot -Tsvg` on the same DOT, checked against `.dot`."""
    fresh = public(graph, slug, f"{graph.title} {uuid.uuid4().hex[:8]}")
    put(base, token, fresh)
    started = time.perf_counter()
    answer = httpx2.get(f"{base}/graphs/{fresh.slug}.svg", timeout=300)
    http = time.perf_counter() - started
    answer.raise_for_status()
    source = server_dot(fresh)
    if httpx2.get(f"{base}/graphs/{fresh.slug}.dot", timeout=60).text != source:
        raise RuntimeError("the DOT built here is not the server's: the comparison would be unfair")
    started = time.perf_counter()
    subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True)
    return ColdRun(http, time.perf_counter() - started)


def stages(graph: Graph, runs: int) -> dict[str, float]:
    """Where a cold render's time goes, measured in this process (medians of `runs`)."""
    options = RenderOptions(dot=DotOptions(theme="light"), limits=Limits(timeout=60))
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


def median_time(runs: int, action: Callable[[], object]) -> float:
    """The median of `runs` timings of `action`, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
