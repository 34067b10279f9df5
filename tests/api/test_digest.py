"""GET /api/graphs/{slug}/digest on SQLite and PostgreSQL: JSON, Markdown, who may read it, and bad periods."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.html
from markdown_it import MarkdownIt

from app.storage.tokens import Scope, create_token
from tests.api.conftest import Api, problem_of, spread_revisions

YAML = {"Content-Type": "application/yaml"}
ACME = (Path(__file__).resolve().parent.parent.parent / "examples" / "acme.yaml").read_text()
T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
WEEK = "/api/graphs/acme/digest?since=2026-01-02&until=2026-01-08"


def _history(api: Api) -> dict[str, str]:
    """acme: r1 at T0, r2 a day later (a certainty, with its reason), r3 two days later (a verdict)."""
    with api.sessions() as session:
        _, token = create_token(session, Scope.WRITE, label="ci bot")
        session.commit()
    writer = {"Authorization": f"Bearer {token}"}
    api.client.put("/api/graphs/acme?reason=first", content=ACME.encode(), headers=YAML | writer)
    api.client.patch(
        "/api/graphs/acme/bets/instant-pay-pilot?reason=pilot data", json={"certainty": 0.2}, headers=writer
    )
    resolved = api.client.post(
        "/api/graphs/acme/assumptions/employers-fund-early-pay/resolve?reason=pilot over",
        json={"verdict": "invalidated", "resolved_on": "2026-01-03"},
        headers=writer,
    )
    assert resolved.status_code == 200, resolved.text
    assert spread_revisions(api, "acme", T0) == 3
    return writer


def test_the_digest_as_json(api: Api) -> None:
    writer = _history(api)
    answer = api.client.get(WEEK, headers=writer)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "private, no-cache"
    assert "Accept" in answer.headers["vary"]
    data = answer.json()
    assert (data["graph"], data["from_revision"], data["to_revision"]) == ("acme", 1, 3)
    assert (data["since"], data["until"]) == ("2026-01-02T00:00:00+00:00", "2026-01-08T23:59:59.999999+00:00")
    items = data["revisions"]["items"]
    assert [(i["number"], i["reason"]) for i in items] == [(2, "pilot data"), (3, "pilot over")]
    assert [i["who"] for i in items] == ["ci bot", "ci bot"]  # the token's label, to a caller with a token
    assert [c["id"] for c in data["changes"]["bets"]["changed"]] == ["instant-pay-pilot"]
    assert "employers-fund-early-pay" not in [leap["id"] for leap in data["leaps"]]  # tested now: invalidated
    moved = data["calibration"]
    assert (moved["before"]["resolved"], moved["after"]["resolved"], moved["resolved"]) == (2, 3, 1)
    assert moved["resolved_in_period"][0]["id"] == "employers-fund-early-pay"
    anonymous = api.client.get(WEEK).json()  # acme is public: anyone may read its digest…
    assert [i["who"] for i in anonymous["revisions"]["items"]] == [None, None]  # …but not who wrote it


def test_the_digest_as_markdown_links_to_the_viewer(api: Api) -> None:
    _history(api)
    answer = api.client.get(WEEK, headers={"Accept": "text/markdown"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/markdown; charset=utf-8"
    page = lxml.html.fragment_fromstring(MarkdownIt("gfm-like").render(answer.text), create_parent="div")
    assert page.xpath("//h1//a/@href") == ["http://testserver/graphs/acme"]
    hrefs = page.xpath("//a/@href")
    assert "http://testserver/graphs/acme?view=diff&focus=1..3" in hrefs
    assert "http://testserver/graphs/acme?focus=instant-pay-pilot" in hrefs
    assert "pilot data" in page.text_content()


def test_who_may_read_a_digest(api: Api) -> None:
    writer = _history(api)
    private = ACME.replace("visibility: public", "visibility: private").replace("slug: acme", "slug: shut")
    assert api.client.put("/api/graphs/shut", content=private.encode(), headers=YAML | writer).status_code == 201
    assert api.client.get("/api/graphs/shut/digest", headers=writer).status_code == 200
    assert "is private" in problem_of(api.client.get("/api/graphs/shut/digest"), 401)["detail"]
    other = api.token(graph="acme")
    assert problem_of(api.client.get("/api/graphs/shut/digest", headers=other), 404)["detail"] == "no graph 'shut'"
    problem_of(api.client.get("/api/graphs/nowhere/digest", headers=writer), 404)


def test_a_period_it_cannot_read_is_a_clearproblem_of(api: Api) -> None:
    _history(api)
    for query, name, said in (
        ("since=yesterday", "since", "since must be a revision number or an ISO date"),
        ("since=2", "since", "since must be an ISO date or date-time"),
        ("until=2026-02-30", "until", "until must be a revision number or an ISO date"),
        ("since=2026-01-05&until=2026-01-04", "since", "is not before until"),
        ("until=9999-12-30", "until", "until must lie from 1970-01-01 to 8999-12-31"),
        ("since=" + "1" * 100, "since", "at most 64 characters"),
    ):
        problem = problem_of(api.client.get(f"/api/graphs/acme/digest?{query}"), 422)
        assert problem["errors"][0]["pointer"] == f"/query/{name}", query
        assert said in problem["detail"] or said in str(problem["errors"]), (query, problem)
    early = problem_of(api.client.get("/api/graphs/acme/digest?until=2025-12-31"), 404)
    assert "did not exist yet at until=" in early["detail"]
