"""Several server processes on one PostgreSQL database: a write through one is read through another."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import postgresql_database
from tests.servers import ROOT, betgraph, serving


@pytest.fixture
def servers() -> Iterator[tuple[list[str], dict[str, str]]]:
    with postgresql_database() as url:
        env = os.environ | {"DATABASE_URL": url}
        with serving(env) as first, serving(env) as second:
            yield [first, second], env


def test_a_write_through_one_server_is_read_through_the_other(servers: tuple[list[str], dict[str, str]]) -> None:
    (first, second), env = servers
    token = betgraph(env, "token", "create", "--scope", "write").stdout.strip()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"}
    document = (ROOT / "examples" / "acme.yaml").read_bytes()
    written = httpx2.put(f"{first}/api/graphs/acme", content=document, headers=headers, timeout=30)
    assert written.status_code in (200, 201), written.text
    read = httpx2.get(f"{second}/api/graphs/acme", headers={"Accept": "application/yaml"}, timeout=30)
    assert read.status_code == 200
    assert read.headers["etag"] == written.headers["etag"][:-1] + '-yaml"'  # the same revision, as YAML
    assert "Acme product map" in read.text


def _etag(url: str) -> str:
    answer = httpx2.get(url, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.headers["etag"]


def test_a_warm_picture_follows_a_write_through_the_other_server(servers: tuple[list[str], dict[str, str]]) -> None:
    (first, second), env = servers
    token = betgraph(env, "token", "create", "--scope", "write").stdout.strip()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"}
    document = (ROOT / "examples" / "acme.yaml").read_text()
    httpx2.put(f"{first}/api/graphs/acme", content=document.encode(), headers=headers, timeout=30)
    picture = f"{second}/graphs/acme/why/employee-invite-flow.svg"
    before = [_etag(picture) for _ in range(3)][-1]  # drawn, then repeated from memory
    changed = document.replace("title: Employee invite flow for bank and tax details", "title: Invite flow")
    httpx2.put(f"{first}/api/graphs/acme", content=changed.encode(), headers=headers, timeout=30)
    deadline = time.monotonic() + 5  # the other server hears of the write as it commits
    while _etag(picture) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _etag(picture) != before
    assert "Invite flow" in httpx2.get(picture, timeout=30).text


def test_a_warm_picture_follows_an_import_by_another_process(tmp_path: Path) -> None:
    env = os.environ | {"BETGRAPH_DATA": str(tmp_path), "DATABASE_URL": ""}
    betgraph(env, "db", "upgrade")
    betgraph(env, "import", str(ROOT / "examples" / "acme.yaml"))
    with serving(env) as base:
        picture = f"{base}/graphs/acme.svg"
        before = [_etag(picture) for _ in range(3)][-1]
        changed = tmp_path / "acme.yaml"
        changed.write_text((ROOT / "examples" / "acme.yaml").read_text().replace("Acme product map", "Acme map"))
        betgraph(env, "import", str(changed))
        assert _etag(picture) != before  # SQLite's data_version moved with the other process's commit
        assert "Acme map" in httpx2.get(picture, timeout=30).text
