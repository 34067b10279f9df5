"""Warm pictures repeated before routing, and never once the database has changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.fastpath import FastPath
from app.server import served
from app.storage.changes import wait_listening
from tests.api.conftest import Api

YAML = {"Content-Type": "application/yaml"}
ACME = Path("examples/acme.yaml").read_text()


@pytest.fixture
def fast(api: Api) -> Iterator[FastPath]:
    """The app as uvicorn serves it, in front of the test's app and its rolled-back transaction."""
    app: FastAPI = api.client.app  # type: ignore[assignment]
    front = served(app)
    assert wait_listening(app.state.watcher())  # PostgreSQL's listener: until then nothing is kept
    client = api.client
    api.client = TestClient(front, raise_server_exceptions=False)  # the lifespan already ran
    yield front.fast
    api.client = client


def test_a_warm_picture_is_repeated_until_a_write(api: Api, fast: FastPath) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    api.client.get("/graphs/acme.svg")  # drawn, and stored in the render cache: itself a write
    first = api.client.get("/graphs/acme.svg")
    hits = fast.hits
    again = api.client.get("/graphs/acme.svg")
    assert fast.hits == hits + 1
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    revalidated = api.client.get("/graphs/acme.svg", headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["etag"] == first.headers["etag"]
    assert fast.hits == hits + 2

    api.client.patch("/api/graphs/acme/bets/instant-pay-pilot", json={"certainty": 0.05}, headers=writer)
    changed = api.client.get("/graphs/acme.svg")
    assert fast.hits == hits + 2  # the write moved the database's version: routed again
    assert changed.headers["etag"] != first.headers["etag"]
    stale = api.client.get("/graphs/acme.svg", headers={"If-None-Match": first.headers["etag"]})
    assert stale.status_code == 200


def test_what_depends_on_the_asker_is_never_repeated(api: Api, fast: FastPath) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    for _ in range(2):
        api.client.get("/graphs/acme.svg", headers=writer)
        # Only the redirect: the pinned picture it names is a public URL, rightly repeated.
        api.client.get("/graphs/acme.svg?as_of=1", follow_redirects=False)
        api.client.get("/graphs/acme")  # the viewer's page
        api.client.get("/graphs/nope.svg")  # a 404
    assert fast.hits == 0


def test_gzip_and_plain_are_kept_apart(api: Api, fast: FastPath) -> None:
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | api.token())
    api.client.get("/graphs/acme.svg")
    for _ in range(2):
        zipped = api.client.get("/graphs/acme.svg", headers={"Accept-Encoding": "gzip"})
        plain = api.client.get("/graphs/acme.svg", headers={"Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert zipped.content == plain.content  # httpx unzips
    # The first request drew the gzip picture and stored it, which changes no answer: warm at once.
    assert fast.hits == 3


def test_the_viewer_and_signed_in_visitors_are_never_repeated(api: Api, fast: FastPath) -> None:
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | api.token())
    for _ in range(3):
        api.client.get("/graphs/acme/nodes/vision.svg")  # not a diagram's shape
        api.client.get("/graphs/acme.svg", headers={"Cookie": "betgraph_token=bg_x"})
    assert fast.hits == 0


def test_a_refused_write_or_a_stored_picture_keeps_warm_answers(api: Api, fast: FastPath) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | writer)
    api.client.get("/graphs/acme.svg")
    api.client.get("/graphs/acme.svg")
    hits = fast.hits
    refused = api.client.patch("/api/graphs/acme/bets/instant-pay-pilot", json={"certainty": 7}, headers=writer)
    assert refused.status_code == 422
    api.client.get("/graphs/acme/why/instant-pay-pilot.svg")  # a cold picture, drawn and stored
    api.client.get("/graphs/acme.svg")
    assert fast.hits == hits + 1  # neither changed an answer: still warm


def test_a_repeated_answer_honours_every_spelling_of_if_none_match(api: Api, fast: FastPath) -> None:
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | api.token())
    tag = api.client.get("/graphs/acme.svg").headers["etag"]
    api.client.get("/graphs/acme.svg")
    hits = fast.hits
    for header in (tag, f'"other", W/{tag}', "*", f" {tag} "):
        assert api.client.get("/graphs/acme.svg", headers={"If-None-Match": header}).status_code == 304, header
    assert api.client.get("/graphs/acme.svg", headers={"If-None-Match": '"other"'}).status_code == 200
    assert fast.hits == hits + 5


def test_the_day_a_repeated_answer_is_kept_for_is_the_local_day(api: Api, fast: FastPath) -> None:
    # Relative horizons are read against the day: an answer is repeated only on the day it was made.
    api.client.put("/api/graphs/acme", content=ACME.encode(), headers=YAML | api.token())
    api.client.get("/graphs/acme.svg")
    api.client.get("/graphs/acme.svg")
    assert fast._today() == dt.date.today()
    fast._day = (0.0, 1.0, dt.date(2000, 1, 1))  # as if the clock had been read on another day
    hits = fast.hits
    api.client.get("/graphs/acme.svg")
    assert fast._today() == dt.date.today()
    assert fast.hits == hits + 1
