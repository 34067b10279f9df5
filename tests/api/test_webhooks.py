"""/api/webhooks: who may subscribe to what, what a subscription may say, and its log; both databases.

Sending is tests/api/test_webhook_deliveries.py; the targets' rules tests/services/test_targets.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.api.test_members import document, personal

HOOK = "https://93.184.215.14/hooks/betgraph"  # a public address, written as one: no name to resolve


def _hook(graph: str | None = "open", **more: Any) -> dict[str, Any]:
    return {"url": HOOK, "events": ["revision.created"], "graph": graph, **more}


@pytest.fixture
def admin(api: Api) -> dict[str, str]:
    headers = api.token(Scope.ADMIN)
    for slug, visibility in (("open", "public"), ("shut", "private")):
        assert (
            api.client.put(f"/api/graphs/{slug}", json=document(slug, visibility), headers=headers).status_code == 201
        )
    return headers


def test_an_owner_subscribes_and_sees_the_secret_once(api: Api, admin: dict[str, str]) -> None:
    owner = api.token(Scope.WRITE)  # a service token that may write: an owner of every graph
    made = api.client.post("/api/webhooks", json=_hook(description="the team channel"), headers=owner)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert (body["graph"], body["format"], body["enabled"], body["deliveries"]) == ("open", "standard", True, {})
    shown = api.client.get(f"/api/webhooks/{body['id']}", headers=owner).json()
    assert "secret" not in shown
    assert shown["description"] == "the team channel"
    assert [item["id"] for item in api.client.get("/api/webhooks", headers=owner).json()["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("who", "graph", "status"),
    [
        ("anonymous", "open", 401),
        ("reader", "open", 403),  # may read the graph, not its webhooks
        ("reader", "shut", 403),
        ("writer", None, 403),  # every graph's: an administrator's
        ("shut-writer", "shut", 201),  # a service token that may write one graph owns it
        ("open-only", "shut", 404),  # a token for one graph sees no other
        ("open-only", "open", 403),  # and reads only
        ("editor", "shut", 403),
        ("stranger", "shut", 404),
        ("owner-writing", "shut", 403),  # a write token lends a person no more than an editor's rights
        ("administrator", None, 201),
    ],
)
def test_who_may_subscribe(api: Api, admin: dict[str, str], who: str, graph: str | None, status: int) -> None:
    headers = {
        "anonymous": {},
        "reader": api.token(Scope.READ),
        "writer": api.token(Scope.WRITE),
        "open-only": api.token(Scope.READ, graph="open"),
        "shut-writer": api.token(Scope.WRITE, graph="shut"),
        "editor": personal(api, "ed@example.com", Scope.WRITE, role=("shut", "editor")),
        "stranger": personal(api, "stu@example.com", Scope.WRITE),
        # a person's token lends them an editor's rights at most: an owner acts as one signed in
        # (tests/services/test_webhooks.py)
        "owner-writing": personal(api, "olga@example.com", Scope.WRITE, role=("shut", "owner")),
        "administrator": admin,
    }[who]
    answer = api.client.post("/api/webhooks", json=_hook(graph), headers=headers)
    assert answer.status_code == status, answer.text
    if status != 201:
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_subscription_is_hidden_from_who_may_not_manage_it(api: Api, admin: dict[str, str]) -> None:
    shut = api.client.post("/api/webhooks", json=_hook("shut"), headers=admin).json()["id"]
    every = api.client.post("/api/webhooks", json=_hook(None), headers=admin).json()["id"]
    editor = personal(api, "ed@example.com", Scope.WRITE, role=("shut", "editor"))
    owner = api.token(Scope.WRITE, graph="shut")  # a service token for that graph: its owner
    for hidden in (shut, every):
        for method in ("GET", "PATCH", "DELETE"):
            answer = api.client.request(method, f"/api/webhooks/{hidden}", json={}, headers=editor)
            assert answer.status_code == 404, (method, answer.text)
        assert api.client.get(f"/api/webhooks/{hidden}/deliveries", headers=editor).status_code == 404
    assert api.client.get("/api/webhooks", headers=editor).json()["items"] == []
    assert [item["id"] for item in api.client.get("/api/webhooks", headers=owner).json()["items"]] == [shut]
    assert api.client.get(f"/api/webhooks/{every}", headers=owner).status_code == 404
    assert api.client.get(f"/api/webhooks/{shut}", headers=owner).status_code == 200
    assert {item["id"] for item in api.client.get("/api/webhooks", headers=admin).json()["items"]} == {shut, every}
    assert api.client.get("/api/webhooks", headers={}).status_code == 401


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"events": []}, "events", ""),
        ({"events": ["revision.deleted"]}, "events", "unknown event"),
        ({"format": "discord"}, "format", ""),
        ({"url": "http://127.0.0.1:8000/hook"}, "url", "a loopback address"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "url", "a link-local address"),
        ({"url": "javascript:alert(1)"}, "url", "http or https"),
        ({"url": "https://93.184.215.14/hook\x00"}, "url", ""),
        ({"description": "x" * 501}, "description", ""),
        ({"graph": "nowhere"}, "graph", "no graph"),
        ({"surprise": 1}, "surprise", ""),
    ],
)
def test_a_bad_subscription_is_refused_with_its_field(
    api: Api, admin: dict[str, str], change: dict[str, Any], field: str, says: str
) -> None:
    answer = api.client.post("/api/webhooks", json=_hook() | change, headers=admin)
    assert answer.status_code in (404, 422), answer.text
    problem = answer.json()
    assert says in problem["detail"]
    if answer.status_code == 422:
        assert field in str(problem.get("errors", problem))
    assert api.client.get("/api/webhooks", headers=admin).json()["items"] == []


def test_a_subscription_is_changed_turned_off_and_on_and_deleted(api: Api, admin: dict[str, str]) -> None:
    made = api.client.post("/api/webhooks", json=_hook(), headers=admin).json()
    path = f"/api/webhooks/{made['id']}"
    changed = api.client.patch(
        path, json={"events": ["bet.resolved", "bet.resolved"], "format": "slack"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["events"], changed.json()["format"]) == (["bet.resolved"], "slack")
    off = api.client.patch(path, json={"enabled": False}, headers=admin).json()
    assert (off["enabled"], off["disabled_reason"]) == (False, "turned off by its owner")
    on = api.client.patch(path, json={"enabled": True}, headers=admin).json()
    assert (on["enabled"], on["disabled_reason"]) == (True, None)
    assert api.client.patch(path, json={"url": "http://10.0.0.1/"}, headers=admin).status_code == 422
    assert api.client.delete(path, headers=admin).status_code == 204
    assert api.client.get(path, headers=admin).status_code == 404
    assert api.client.delete(path, headers=admin).status_code == 404


def test_the_log_lists_each_delivery_newest_first_in_pages(api: Api, admin: dict[str, str]) -> None:
    made = api.client.post("/api/webhooks", json=_hook(), headers=admin).json()
    for title in ("A", "B", "C"):
        assert (
            api.client.put("/api/graphs/open", json=document("open", "public", title), headers=admin).status_code == 200
        )
    first = api.client.get(f"/api/webhooks/{made['id']}/deliveries?limit=2", headers=admin).json()
    assert [item["revision"] for item in first["items"]] == [4, 3]
    assert all(item["status"] == "pending" and item["attempts"] == 0 for item in first["items"])
    assert first["items"][0]["event"] == "revision.created"
    rest = api.client.get(first["next"], headers=admin).json()
    assert [item["revision"] for item in rest["items"]] == [2]
    assert api.client.get(f"/api/webhooks/{made['id']}", headers=admin).json()["deliveries"] == {"pending": 3}
