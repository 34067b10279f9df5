"""A real server whose PostgreSQL refuses or goes silent: 503 at once, never a hang, and back by itself.

The server reaches PostgreSQL through a proxy the test breaks (tests/outage.py); operators and
other processes reach it directly, as they would across a partition that cuts only the server.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from app.formats.document import graph_from_data
from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.graphs import get_graph_row, save_graph
from app.storage.migrate import upgrade
from app.storage.tokens import Scope, create_token
from tests.conftest import postgresql_database
from tests.domain.builders import DESIGN_EXAMPLE
from tests.outage import Proxy, proxy_to
from tests.servers import betgraph, serving

TIMEOUT = 2  # BETGRAPH_DATABASE_TIMEOUT of the server under test
PROMPT = 3 * TIMEOUT  # an outage is told within this, never later
PUBLIC = DESIGN_EXAMPLE.replace("slug: acme,", "slug: open, visibility: public,")
PRIVATE = DESIGN_EXAMPLE.replace("slug: acme,", "slug: secret,")


@dataclass
class Service:
    base: str
    proxy: Proxy
    sessions: sessionmaker[Session]  # straight to PostgreSQL, as another process
    env: dict[str, str]  # for `betgraph` commands, straight to PostgreSQL too
    writer: dict[str, str]


def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _status(url: str, **options: object) -> int:
    try:
        return httpx2.get(url, timeout=PROMPT * 2, **options).status_code  # type: ignore[arg-type]
    except httpx2.TransportError:
        return 0


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with postgresql_database() as url, proxy_to(url) as proxy:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with transaction(sessions, write=True) as session:
            _, secret = create_token(session, Scope.WRITE)
        writer = {"Authorization": f"Bearer {secret}"}
        env = os.environ | {"DATABASE_URL": proxy.url(url), "BETGRAPH_DATABASE_TIMEOUT": str(TIMEOUT)}
        try:
            with serving(env) as base:
                for slug, document in (("open", PUBLIC), ("secret", PRIVATE)):
                    put = httpx2.put(f"{base}/api/graphs/{slug}", content=document, headers=writer, timeout=30)
                    assert put.status_code in (200, 201), put.text
                yield Service(base, proxy, sessions, os.environ | {"DATABASE_URL": url}, writer)
        finally:
            engine.dispose()


@pytest.fixture
def healthy(service: Service) -> Iterator[Service]:
    """The service, and the database back in reach when the test is done with it."""
    yield service
    service.proxy.forward()
    assert _within(15, lambda: _status(f"{service.base}/readyz") == 200)


def _requests(service: Service, cold: str) -> dict[str, tuple[str, str, dict[str, object]]]:
    return {
        "api read": ("GET", "/api/graphs/open", {"headers": service.writer}),
        "api write": ("PUT", "/api/graphs/open", {"headers": service.writer, "content": PUBLIC}),
        "cold picture": ("GET", cold, {}),
        "viewer page": ("GET", "/graphs/open", {}),
        "readiness": ("GET", "/readyz", {}),
    }


def _timed(service: Service, method: str, path: str, options: dict[str, object]) -> tuple[httpx2.Response, float]:
    started = time.monotonic()
    answer = httpx2.request(method, service.base + path, timeout=PROMPT * 3, **options)  # type: ignore[arg-type]
    return answer, time.monotonic() - started


@pytest.mark.parametrize(("outage", "focus"), [("refuse", "wizard"), ("blackhole", "self-serve")])
def test_an_outage_is_told_at_once_and_passes_by_itself(healthy: Service, outage: str, focus: str) -> None:
    requests = _requests(healthy, cold=f"/graphs/open/why/{focus}.svg")
    getattr(healthy.proxy, outage)()
    with ThreadPoolExecutor(len(requests)) as pool:  # together, as clients keep coming during an outage
        answers = dict(zip(requests, pool.map(lambda r: _timed(healthy, *r), requests.values()), strict=True))
    for name, (answer, seconds) in answers.items():
        assert answer.status_code == 503, (name, answer.status_code, answer.text[:300])
        assert int(answer.headers["retry-after"]) > 0, name
        assert seconds < PROMPT, (name, seconds)
        if name.startswith("api"):
            assert answer.headers["content-type"] == "application/problem+json", name
    assert answers["viewer page"][0].headers["content-type"].startswith("text/html")
    assert _status(f"{healthy.base}/healthz") == 200  # alive, only not ready

    healthy.proxy.forward()
    for name, (method, path, options) in requests.items():
        assert _within(10, lambda: _timed(healthy, method, path, options)[0].status_code == 200), name  # noqa: B023


def _warm(service: Service, url: str) -> None:
    """Until `url` is answered from memory: the server then sends nothing to the database for it."""

    def from_memory() -> bool:
        before = service.proxy.sent
        assert _status(url) == 200
        return service.proxy.sent == before

    assert _within(10, from_memory)


@pytest.mark.parametrize("listener", ["heard", "cut off"])
def test_a_revoked_embed_url_stops_answering_within_seconds(healthy: Service, listener: str) -> None:
    with transaction(healthy.sessions, write=True) as session:
        token, secret = create_token(session, Scope.READ, graph=get_graph_row(session, "secret"))
    embed = f"{healthy.base}/e/{secret}/graphs/secret.svg"
    _warm(healthy, embed)
    if listener == "cut off":
        healthy.proxy.blackhole(listeners=True)  # its pool still reaches the database
    betgraph(healthy.env, "token", "revoke", str(token.id))
    revoked = time.monotonic()
    assert _within(5, lambda: _status(embed) != 200)
    assert time.monotonic() - revoked < 5
    assert _status(embed) == 404  # what an unknown token sees


def test_an_edit_elsewhere_reaches_a_warm_picture_with_the_listener_cut_off(healthy: Service) -> None:
    picture = f"{healthy.base}/graphs/open.svg"
    _warm(healthy, picture)
    healthy.proxy.blackhole(listeners=True)
    edited = PUBLIC.replace("title: Setup wizard", "title: Setup assistant")
    with transaction(healthy.sessions, write=True) as session:  # another process's edit
        save_graph(session, graph_from_data(yaml.safe_load(edited)))
    written = time.monotonic()
    assert _within(5, lambda: "Setup assistant" in httpx2.get(picture, timeout=PROMPT * 2).text)
    assert time.monotonic() - written < 5


def test_a_sqlite_write_lock_held_elsewhere_is_503_not_a_hang(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'betgraph.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine), write=True) as session:
        _, token = create_token(session, Scope.WRITE)
    engine.dispose()
    env = os.environ | {"BETGRAPH_DATA": str(tmp_path), "DATABASE_URL": "", "BETGRAPH_DATABASE_TIMEOUT": str(TIMEOUT)}
    with serving(env) as base:
        holder = sqlite3.connect(tmp_path / "betgraph.db", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the timeout
            started = time.monotonic()
            answer = httpx2.put(
                f"{base}/api/graphs/open",
                content=PUBLIC,
                headers={"Authorization": f"Bearer {token}"},
                timeout=PROMPT * 3,
            )
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["retry-after"]) > 0
            assert time.monotonic() - started < PROMPT
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        answer = httpx2.put(f"{base}/api/graphs/open", content=PUBLIC, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.text
