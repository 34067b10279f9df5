"""GET /api/search: what it answers, and only over the graphs the caller may read."""

from __future__ import annotations

from typing import Any

import pytest

from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.api.test_members import personal

SHARED = "lighthouse"  # a word in every graph


def document(slug: str, visibility: str) -> dict[str, Any]:
    return {
        "betgraph": 1,
        "graph": {"slug": slug, "title": f"{slug.title()} plans", "visibility": visibility},
        "bets": [
            {"id": "v", "kind": "vision", "title": f"{SHARED} {slug}"},
            {
                "id": "grow",
                "kind": "goal",
                "title": "Grow self-serve revenue",
                "parents": ["v"],
                "assumes": ["owners"],
                "description": "Small companies sign up without talking to sales, and the revenue follows.",
                "owner": "Priya Raman",
                "team": "Growth",
                "tags": ["northstar"],
            },
            {"id": "later", "kind": "goal", "title": "Approvals", "parents": ["v"], "description": "revenue, later"},
        ],
        "assumptions": [{"id": "owners", "statement": "Owners prefer doing payroll themselves"}],
    }


@pytest.fixture
def graphs(api: Api) -> dict[str, str]:
    admin = api.token(Scope.ADMIN)
    for slug, visibility in (("open", "public"), ("shut", "private"), ("closed", "private")):
        answer = api.client.put(f"/api/graphs/{slug}", json=document(slug, visibility), headers=admin)
        assert answer.status_code == 201, answer.text
    return admin


def _found(api: Api, headers: dict[str, str] | None = None, **params: Any) -> list[tuple[str, str]]:
    answer = api.client.get("/api/search", params=params, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return [(item["graph"], item["id"]) for item in answer.json()["items"]]


def _graphs(api: Api, headers: dict[str, str] | None = None, **params: Any) -> set[str]:
    return {graph for graph, _ in _found(api, headers, q=SHARED, **params)}


def test_an_answer_names_each_item_ranks_it_and_links_to_it(api: Api, graphs: dict[str, str]) -> None:
    answer = api.client.get("/api/search", params={"q": " revenue ", "graph": "open"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["query"] == "revenue"
    first, second = body["items"]
    assert (first["id"], second["id"]) == ("grow", "later")  # the title above the description
    assert first["score"] > second["score"]
    assert first == {
        "graph": "open",
        "graph_title": "Open plans",
        "kind": "bet",
        "id": "grow",
        "bet_kind": "goal",
        "title": "Grow self-serve revenue",
        "snippet": "Small companies sign up without talking to sales, and the revenue follows.",
        "url": "/graphs/open?focus=grow",
        "score": first["score"],
    }
    owners = api.client.get("/api/search", params={"q": "payro", "graph": "open"}).json()["items"]
    assert [(o["kind"], o["title"], o["url"]) for o in owners] == [
        ("assumption", "Owners prefer doing payroll themselves", "/graphs/open?focus=owners")
    ]
    assert api.client.get(first["url"]).status_code == 200


@pytest.mark.parametrize("q", ["Priya", "growth", "northstar", "small companies", "self-se", "OWNERS PREFER"])
def test_every_field_is_searched(api: Api, graphs: str, q: str) -> None:
    assert _found(api, q=q, graph="open") in ([("open", "grow")], [("open", "owners")])


def test_an_edit_is_found_at_once_and_a_deletion_is_gone(api: Api, graphs: dict[str, str]) -> None:
    changed = document("open", "public")
    changed["bets"][1]["title"] = "Quokka revenue"
    assert api.client.put("/api/graphs/open", json=changed, headers=graphs).status_code == 200
    assert _found(api, q="quokka") == [("open", "grow")]
    assert _found(api, q="self serve", graph="open") == []
    patched = api.client.patch(
        "/api/graphs/open/bets/later", json={"title": "Wombat approvals"}, headers=graphs | {"If-Match": "*"}
    )
    assert patched.status_code == 200, patched.text  # the item routes: another write path, the same save
    assert _found(api, q="wombat") == [("open", "later")]
    assert api.client.delete("/api/graphs/open", headers=graphs).status_code == 204
    assert _found(api, q="quokka") == []


def test_private_graphs_only_for_those_who_may_read_them(api: Api, graphs: dict[str, str]) -> None:
    assert _graphs(api) == {"open"}  # anonymous
    assert _graphs(api, graphs) == {"open", "shut", "closed"}  # an admin token
    assert _graphs(api, api.token(Scope.READ)) == {"open", "shut", "closed"}  # a service token reads everything
    assert _graphs(api, api.token(Scope.READ, graph="shut")) == {"shut"}  # one graph's token: only it
    assert _graphs(api, api.token(Scope.READ, graph="open")) == {"open"}
    member = personal(api, "mia@example.com", Scope.READ, role=("shut", "viewer"))
    assert _graphs(api, member) == {"open", "shut"}
    stranger = personal(api, "sam@example.com", Scope.READ)
    assert _graphs(api, stranger) == {"open"}


def test_graph_narrows_and_hides_like_reading_it(api: Api, graphs: dict[str, str]) -> None:
    assert _graphs(api, graph="open") == {"open"}
    assert api.client.get("/api/search", params={"q": SHARED, "graph": "shut"}).status_code == 401
    stranger = personal(api, "sam@example.com", Scope.READ)
    for slug in ("shut", "nowhere"):
        answer = api.client.get("/api/search", params={"q": SHARED, "graph": slug}, headers=stranger)
        assert answer.status_code == 404
    one = api.token(Scope.READ, graph="shut")
    assert api.client.get("/api/search", params={"q": SHARED, "graph": "open"}, headers=one).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 201},
        {"q": "a", "limit": 0},
        {"q": "a", "limit": 101},
        {"q": "a", "graph": "g" * 64},
    ],
)
def test_refusals_are_problems(api: Api, params: dict[str, Any]) -> None:
    answer = api.client.get("/api/search", params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "q",
    ['"', "revenue*", "NEAR(revenue, grow)", "-revenue", "(revenue", "title:revenue", "revenue & | ! grow",
     "'revenue':*", "\\", "😀 増長 Ünïcödé", "OR", "AND NOT", "%", "_", "a b c d e f g h i j k l m n o p"],
)  # fmt: skip
def test_hostile_queries_never_fail(api: Api, graphs: str, q: str) -> None:
    answer = api.client.get("/api/search", params={"q": q})
    assert answer.status_code == 200, answer.text


def test_limit(api: Api, graphs: dict[str, str]) -> None:
    assert len(_found(api, graphs, q=SHARED, limit=2)) == 2
    assert len(_found(api, graphs, q=SHARED)) == 3
