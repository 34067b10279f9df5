"""deploy/nginx.conf as shipped (only its ports and paths changed), real nginx in front of a real
`betgraph serve`: what it caches, what it never caches, and what passes through."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.graphs import get_graph_row
from app.storage.tokens import Scope, create_token, revoke_token
from tests.realclients import command
from tests.servers import ROOT, free_port, running, serving

ACME = (ROOT / "examples" / "acme.yaml").read_text()
PLAIN = {"Accept-Encoding": "identity"}


def proxy_config(folder: Path, port: int, upstream: str) -> Path:
    """The shipped configuration in `folder`, listening on 127.0.0.1:`port`, passing on to `upstream`."""
    changes = {
        "user www-data;": "user root;" if os.geteuid() == 0 else "",  # its workers must reach `folder`
        "worker_processes auto;": "worker_processes 1;",
        "/run/betgraph-nginx.pid": str(folder / "nginx.pid"),
        "/var/log/nginx/": f"{folder}/",
        "/var/cache/nginx/betgraph": str(folder / "cache"),
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server {upstream};",
    }
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in changes.items():
        assert old in text, f"deploy/nginx.conf no longer says {old!r}"
        text = text.replace(old, new)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


@contextlib.contextmanager
def nginx(conf: Path, base: str) -> Iterator[None]:
    prefix = conf.parent
    argv = [command("nginx"), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
    checked = subprocess.run([*argv, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*argv, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with running(process, f"{base}/healthz", what="nginx in front of Betgraph", seconds=10):
        yield


@dataclass(frozen=True)
class Site:
    proxy: str  # nginx, as people reach the service
    direct: str  # the betgraph worker behind it
    sessions: sessionmaker[Session]  # the same database, for tokens (the server sees them as any write)
    admin: dict[str, str]

    def token(self, scope: Scope, slug: str | None = None) -> tuple[int, str]:
        with transaction(self.sessions, write=True) as session:
            row, secret = create_token(session, scope, graph=get_graph_row(session, slug) if slug else None)
            return row.id, secret

    def revoke(self, token_id: int) -> None:
        with transaction(self.sessions, write=True) as session:
            assert revoke_token(session, token_id)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("deploy")
    port = free_port()
    proxy = f"http://127.0.0.1:{port}"
    url = f"sqlite:///{folder / 'betgraph.db'}"
    env = os.environ | {"DATABASE_URL": url, "BETGRAPH_PUBLIC_URL": proxy}
    (folder / "nginx").mkdir()
    with serving(env) as direct, nginx(proxy_config(folder / "nginx", port, direct.removeprefix("http://")), proxy):
        engine = make_engine(url)  # `betgraph serve` made it
        site = Site(proxy, direct, make_sessionmaker(engine), {})
        admin = {"Authorization": f"Bearer {site.token(Scope.ADMIN)[1]}"}
        site = dataclasses.replace(site, admin=admin)
        yaml = admin | {"Content-Type": "application/yaml"}
        private = ACME.replace("visibility: public", "visibility: private").replace("slug: acme", "slug: secret")
        for slug, document in (("acme", ACME), ("secret", private)):
            stored = httpx2.put(f"{proxy}/api/graphs/{slug}", content=document, headers=yaml, timeout=60)
            assert stored.status_code in (200, 201), stored.text
        yield site
        engine.dispose()


def status(answer: httpx2.Response) -> str | None:
    return answer.headers.get("x-cache-status")


def test_a_public_picture_is_cached_and_revalidated_by_its_etag(site: Site) -> None:
    url = f"{site.proxy}/graphs/acme/why/employee-invite-flow.svg"
    first = httpx2.get(url, headers=PLAIN, timeout=60)
    second = httpx2.get(url, headers=PLAIN, timeout=60)
    assert (first.status_code, status(first)) == (200, "MISS")
    assert (second.status_code, status(second)) == (200, "HIT")
    assert second.content == first.content
    for name in ("etag", "cache-control", "content-security-policy", "access-control-allow-origin", "vary"):
        assert second.headers[name] == first.headers[name]
    assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=600"
    # Node links are made from BETGRAPH_PUBLIC_URL: they lead through the proxy.
    assert f'href="{site.proxy}/graphs/acme' in first.text

    unchanged = httpx2.get(url, headers=PLAIN | {"If-None-Match": first.headers["etag"]}, timeout=60)
    assert (unchanged.status_code, status(unchanged)) == (304, "HIT")
    assert unchanged.headers["etag"] == first.headers["etag"]

    zipped = [httpx2.get(url, headers={"Accept-Encoding": "gzip"}, timeout=60) for _ in range(2)]
    assert [status(answer) for answer in zipped] == ["MISS", "HIT"]  # its own copy, gzip
    assert zipped[1].headers["content-encoding"] == "gzip"
    assert zipped[1].content == first.content  # httpx unzips


def test_private_and_embed_token_pictures_are_never_cached_and_a_revoked_token_stops_at_once(site: Site) -> None:
    url = f"{site.proxy}/graphs/secret.svg"
    for _ in range(2):
        refused = httpx2.get(url, timeout=60)
        assert (refused.status_code, status(refused)) == (401, "MISS")
        assert refused.headers["cache-control"] == "no-store"
        signed = httpx2.get(url, headers=site.admin, timeout=60)
        assert (signed.status_code, status(signed)) == (200, "BYPASS")
        assert signed.headers["cache-control"] == "private, max-age=60"

    token_id, secret = site.token(Scope.READ, "secret")
    embedded = f"{site.proxy}/e/{secret}/graphs/secret.svg"
    answers = [httpx2.get(embedded, headers=PLAIN, timeout=60) for _ in range(2)]
    assert [(answer.status_code, status(answer)) for answer in answers] == [(200, "BYPASS")] * 2
    etag = answers[0].headers["etag"]
    # Betgraph itself answers the revalidation, after checking the token.
    unchanged = httpx2.get(embedded, headers=PLAIN | {"If-None-Match": etag}, timeout=60)
    assert (unchanged.status_code, status(unchanged)) == (304, "BYPASS")

    site.revoke(token_id)
    for headers in (PLAIN, PLAIN | {"If-None-Match": etag}):
        gone = httpx2.get(embedded, headers=headers, timeout=60)
        assert gone.status_code in (401, 404), gone.text
        assert status(gone) == "BYPASS"


def test_after_a_write_the_latest_picture_is_cached_for_its_max_age_and_the_api_passes_through(site: Site) -> None:
    url = f"{site.proxy}/graphs/acme.svg"
    before = [httpx2.get(url, headers=PLAIN, timeout=60) for _ in range(2)]
    assert status(before[1]) == "HIT"
    bet = f"{site.proxy}/api/graphs/acme/bets/instant-pay-pilot"
    written = httpx2.patch(bet, json={"certainty": 0.05}, headers=site.admin, timeout=60)
    assert written.status_code == 200, written.text
    assert status(written) is None  # the API is never cached, and says nothing of a cache

    read = httpx2.get(bet, headers=site.admin, timeout=60)
    assert read.json()["certainty"] == 0.05
    assert status(read) is None
    # The latest picture is `public, max-age=60`: the proxy (like any cache) may keep answering the
    # one it has for up to a minute after a write; Betgraph itself draws the new one at once...
    kept = httpx2.get(url, headers=PLAIN, timeout=60)
    assert (status(kept), kept.headers["etag"]) == ("HIT", before[0].headers["etag"])
    fresh = httpx2.get(f"{site.direct}/graphs/acme.svg", headers=PLAIN, timeout=60)
    assert fresh.headers["etag"] != before[0].headers["etag"]
    # ...and the new revision's pinned picture, a URL no cache has seen, is the new one through the proxy.
    pinned = f"{site.proxy}/graphs/acme.svg?as_of=2999-01-01"
    moved = httpx2.get(pinned, headers=PLAIN, timeout=60, follow_redirects=True)
    assert moved.status_code == 200
    assert "/r/" in str(moved.url)
    assert moved.headers["etag"] == fresh.headers["etag"]
    assert moved.headers["cache-control"] == "public, max-age=31536000, immutable"
