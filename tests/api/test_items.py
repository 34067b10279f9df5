from __future__ import annotations

from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE


def _graph(api: Api) -> dict[str, str]:
    writer = api.token()
    api.client.put(
        "/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers={"Content-Type": "application/yaml"} | writer
    )
    return writer


def test_list_and_get(api: Api) -> None:
    writer = _graph(api)
    listed = api.client.get("/api/graphs/acme/bets?limit=2", headers=writer).json()
    assert [b["id"] for b in listed["items"]] == ["self-serve", "vision"]
    assert listed["next"] == "vision"
    rest = api.client.get("/api/graphs/acme/bets?after=vision", headers=writer).json()
    assert [b["id"] for b in rest["items"]] == ["wizard"]
    wizard = api.client.get("/api/graphs/acme/bets/wizard", headers=writer)
    assert wizard.json()["title"] == "Setup wizard"
    assert wizard.headers["etag"] == '"b1"'
    assumption = api.client.get("/api/graphs/acme/assumptions/setup-pain", headers=writer)
    assert assumption.json()["certainty"] == 0.3
    assert api.client.get("/api/graphs/acme/bets/nope", headers=writer).status_code == 404


def test_create_patch_delete(api: Api) -> None:
    writer = _graph(api)
    new = {
        "id": "invite-flow",
        "kind": "initiative",
        "title": "Invite flow",
        "parents": ["self-serve"],
        "horizon": "6w",
    }
    created = api.client.post("/api/graphs/acme/bets", json=new, headers=writer)
    assert created.status_code == 201
    assert created.headers["location"] == "/api/graphs/acme/bets/invite-flow"
    tag = created.headers["etag"]
    patched = api.client.patch(
        "/api/graphs/acme/bets/invite-flow",
        json={"certainty": 0.4, "horizon": None},
        headers=writer | {"If-Match": tag},
    )
    assert patched.status_code == 200
    assert patched.json()["certainty"] == 0.4
    assert "horizon" not in patched.json()
    stale = api.client.patch(
        "/api/graphs/acme/bets/invite-flow", json={"certainty": 0.9}, headers=writer | {"If-Match": tag}
    )
    assert stale.status_code == 412
    document = api.client.get("/api/graphs/acme", headers=writer).json()
    assert next(b for b in document["bets"] if b["id"] == "invite-flow")["certainty"] == 0.4
    assert api.client.delete("/api/graphs/acme/bets/invite-flow", headers=writer).status_code == 204
    assert api.client.get("/api/graphs/acme/bets/invite-flow", headers=writer).status_code == 404


def test_edits_to_other_bets_do_not_conflict(api: Api) -> None:
    writer = _graph(api)
    vision_tag = api.client.get("/api/graphs/acme/bets/vision", headers=writer).headers["etag"]
    api.client.patch("/api/graphs/acme/bets/wizard", json={"certainty": 0.5}, headers=writer)
    later = api.client.patch(
        "/api/graphs/acme/bets/vision", json={"certainty": 0.7}, headers=writer | {"If-Match": vision_tag}
    )
    assert later.status_code == 200


def test_invalid_changes_are_refused_and_change_nothing(api: Api) -> None:
    writer = _graph(api)
    before = api.client.get("/api/graphs/acme", headers=writer).content
    bad = api.client.patch("/api/graphs/acme/bets/wizard", json={"certainty": 1.5}, headers=writer)
    assert bad.status_code == 422
    assert bad.json()["errors"][0] == {"message": "certainty must be between 0 and 1, got 1.5", "pointer": "/certainty"}
    cycle = api.client.patch("/api/graphs/acme/bets/vision", json={"parents": ["wizard"]}, headers=writer)
    assert cycle.status_code == 422
    assert "cycle" in cycle.text
    dangling = {"id": "x", "kind": "goal", "title": "X", "parents": ["nope"]}
    unknown = api.client.post("/api/graphs/acme/bets", json=dangling, headers=writer)
    assert unknown.status_code == 422
    duplicate = api.client.post("/api/graphs/acme/assumptions", json={"id": "wizard", "statement": "S"}, headers=writer)
    assert duplicate.status_code == 409
    in_use = api.client.delete("/api/graphs/acme/bets/self-serve", headers=writer)
    assert in_use.status_code == 409
    assert "wizard" in in_use.json()["detail"]
    renamed = api.client.patch("/api/graphs/acme/bets/wizard", json={"id": "other"}, headers=writer)
    assert renamed.status_code == 422
    assert api.client.get("/api/graphs/acme", headers=writer).content == before


def test_reading_a_private_graph_needs_a_token_and_writing_the_write_scope(api: Api) -> None:
    _graph(api)
    assert api.client.get("/api/graphs/acme/bets").status_code == 401
    reader = api.token(Scope.READ)
    assert api.client.get("/api/graphs/acme/bets", headers=reader).status_code == 200
    assert api.client.patch("/api/graphs/acme/bets/wizard", json={"certainty": 0.1}, headers=reader).status_code == 403
