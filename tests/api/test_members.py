"""People, members and roles through the API: who may do what with which graph, cell by cell."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from app.services import people
from app.storage.graphs import get_graph_row
from app.storage.tokens import Scope, create_token
from tests.api.conftest import Api

JSON = {"Content-Type": "application/json"}


def document(slug: str, visibility: str, title: str = "T") -> dict[str, object]:
    return {
        "betgraph": 1,
        "graph": {"slug": slug, "title": title, "visibility": visibility},
        "bets": [{"id": "v", "kind": "vision", "title": "V"}],
    }


def personal(
    api: Api, email: str, scope: Scope, *, admin: bool = False, role: tuple[str, str] | None = None
) -> dict[str, str]:
    """A personal token for `email` (made with `admin`), who has `role` = (graph, role) when given."""
    with api.sessions() as session:
        people.person(session, email, name=email.split("@", maxsplit=1)[0].title(), admin=admin)
        if role is not None:
            row = get_graph_row(session, role[0])
            assert row is not None
            people.set_member(session, row, email, role[1])
        _, token = people.create_personal_token(session, email, scope)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def graphs(api: Api) -> dict[str, str]:
    admin = api.token(Scope.ADMIN)
    for slug, visibility in (("open", "public"), ("shut", "private")):
        answer = api.client.put(f"/api/graphs/{slug}", json=document(slug, visibility), headers=admin)
        assert answer.status_code == 201, answer.text
    # Every private graph has an owner who is not the caller under test.
    for slug in ("open", "shut"):
        assert (
            api.client.put(
                f"/api/graphs/{slug}/members/olga@example.com", json={"role": "owner"}, headers=admin
            ).status_code
            == 201
        )
    return admin


def actions(client: TestClient, slug: str, headers: dict[str, str]) -> dict[str, int]:
    """The status of each action on `slug` as `headers` names the caller; nothing is left changed
    that the next action would notice (the header change is undone when it succeeded)."""
    read = client.get(f"/api/graphs/{slug}", headers=headers).status_code
    bet = client.patch(f"/api/graphs/{slug}/bets/v", json={"title": "V2"}, headers=headers).status_code
    header = client.put(
        f"/api/graphs/{slug}", json=document(slug, "public" if slug == "open" else "private", "New"), headers=headers
    )
    if header.status_code == 200:
        client.put(
            f"/api/graphs/{slug}", json=document(slug, "public" if slug == "open" else "private"), headers=headers
        )
    members = client.put(f"/api/graphs/{slug}/members/zed@example.com", json={"role": "viewer"}, headers=headers)
    if members.status_code in (200, 201):
        client.delete(f"/api/graphs/{slug}/members/zed@example.com", headers=headers)
    listed = [item["slug"] for item in client.get("/api/graphs", headers=headers).json()["items"]]
    return {
        "read": read,
        "bet": bet,
        "header": header.status_code,
        "members": members.status_code,
        "listed": slug in listed,
    }


OK, CREATED = 200, 201
# (caller, graph) -> read, write a bet, change the header, manage members, listed
MATRIX = {
    ("anonymous", "open"): (200, 401, 401, 401, True),
    ("anonymous", "shut"): (401, 401, 401, 401, False),
    ("service read", "open"): (200, 403, 403, 403, True),
    ("service read", "shut"): (200, 403, 403, 403, True),
    ("service write", "open"): (200, 200, 200, 403, True),
    ("service write", "shut"): (200, 200, 200, 403, True),
    ("service admin", "shut"): (200, 200, 200, 201, True),
    ("service write for another graph", "shut"): (404, 404, 404, 404, False),
    ("service write for another graph", "open"): (404, 404, 404, 404, True),  # listed with the public ones
    ("write, no role", "open"): (200, 403, 403, 403, True),
    ("write, no role", "shut"): (404, 404, 404, 404, False),
    ("read, viewer", "shut"): (200, 403, 403, 403, True),
    ("write, viewer", "shut"): (200, 403, 403, 403, True),
    ("read, editor", "shut"): (200, 403, 403, 403, True),
    ("write, editor", "shut"): (200, 200, 403, 403, True),
    ("read, owner", "shut"): (200, 403, 403, 403, True),
    ("write, owner", "shut"): (200, 200, 403, 403, True),  # a token acts at most as an editor
    ("read, admin person", "shut"): (200, 403, 403, 403, True),
    ("write, admin person", "shut"): (200, 200, 403, 403, True),
    ("admin, admin person", "shut"): (200, 200, 200, 201, True),
    ("admin, admin person", "open"): (200, 200, 200, 201, True),
}


def _caller(api: Api, name: str, slug: str) -> dict[str, str]:
    scopes = {"read": Scope.READ, "write": Scope.WRITE, "admin": Scope.ADMIN}
    if name == "anonymous":
        return {}
    if name.startswith("service"):
        scope = scopes[name.split()[1]]
        return api.token(scope, graph="other" if "another" in name else None)
    scope_name, _, role = name.partition(", ")
    email = f"{role.replace(' ', '-')}-{scope_name}@example.com"
    if role == "admin person":
        return personal(api, email, scopes[scope_name], admin=True)
    return personal(api, email, scopes[scope_name], role=None if role == "no role" else (slug, role))


@pytest.mark.parametrize(("who", "slug"), list(MATRIX), ids=[f"{who}-{slug}" for who, slug in MATRIX])
def test_access_matrix(api: Api, graphs: dict[str, str], who: str, slug: str) -> None:
    api.client.put("/api/graphs/other", json=document("other", "private"), headers=graphs)
    headers = _caller(api, who, slug)
    expected = dict(zip(("read", "bet", "header", "members", "listed"), MATRIX[(who, slug)], strict=True))
    assert actions(api.client, slug, headers) == expected


def test_default_role_viewer_lets_every_person_read_private_graphs(api: Api, graphs: dict[str, str]) -> None:
    headers = personal(api, "nina@example.com", Scope.WRITE)
    assert api.client.get("/api/graphs/shut", headers=headers).status_code == 404
    app = api.client.app
    services = app.state.services  # type: ignore[attr-defined]
    app.state.services = replace(services, settings=replace(services.settings, default_role="viewer"))  # type: ignore[attr-defined]
    try:
        assert api.client.get("/api/graphs/shut", headers=headers).status_code == 200
        assert api.client.patch("/api/graphs/shut/bets/v", json={"title": "X"}, headers=headers).status_code == 403
        assert "shut" in [g["slug"] for g in api.client.get("/api/graphs", headers=headers).json()["items"]]
        assert api.client.get("/api/graphs/shut").status_code == 401  # anonymous readers are no people
    finally:
        app.state.services = services  # type: ignore[attr-defined]


def test_removal_and_demotion_take_effect_on_the_next_request(api: Api, graphs: dict[str, str]) -> None:
    headers = personal(api, "ed@example.com", Scope.WRITE, role=("shut", "editor"))
    assert api.client.patch("/api/graphs/shut/bets/v", json={"title": "E"}, headers=headers).status_code == 200
    assert api.client.get("/graphs/shut.svg", headers=headers).status_code == 200  # the picture, by bearer
    put = api.client.put("/api/graphs/shut/members/ed@example.com", json={"role": "viewer"}, headers=graphs)
    assert put.status_code == 200
    assert api.client.patch("/api/graphs/shut/bets/v", json={"title": "F"}, headers=headers).status_code == 403
    assert api.client.delete("/api/graphs/shut/members/ED@example.com", headers=graphs).status_code == 204
    assert api.client.get("/api/graphs/shut", headers=headers).status_code == 404
    assert api.client.get("/graphs/shut.svg", headers=headers).status_code == 404
    assert api.client.delete("/api/graphs/shut/members/ed@example.com", headers=graphs).status_code == 404


def test_members_are_listed_for_token_holders_who_may_read(api: Api, graphs: dict[str, str]) -> None:
    viewer = personal(api, "vic@example.com", Scope.READ, role=("shut", "viewer"))
    listed = api.client.get("/api/graphs/shut/members", headers=viewer)
    assert listed.status_code == 200
    assert listed.json() == {
        "graph": "shut",
        "items": [
            {"email": "olga@example.com", "name": "", "role": "owner"},
            {"email": "vic@example.com", "name": "Vic", "role": "viewer"},
        ],
    }
    assert api.client.get("/api/graphs/open/members").status_code == 401  # addresses are not for everyone
    assert (
        api.client.get("/api/graphs/shut/members", headers=personal(api, "x@example.com", Scope.READ)).status_code
        == 404
    )


def test_the_last_owner_stays(api: Api, graphs: dict[str, str]) -> None:
    for refused in (
        api.client.put("/api/graphs/shut/members/olga@example.com", json={"role": "editor"}, headers=graphs),
        api.client.delete("/api/graphs/shut/members/olga@example.com", headers=graphs),
    ):
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert "last owner" in refused.json()["detail"]
    assert (
        api.client.put("/api/graphs/shut/members/pat@example.com", json={"role": "owner"}, headers=graphs).status_code
        == 201
    )
    assert api.client.delete("/api/graphs/shut/members/olga@example.com", headers=graphs).status_code == 204


@pytest.mark.parametrize(
    ("email", "body"),
    [
        ("ana%00@example.com", {"role": "viewer"}),
        ("%ED%A0%80@example.com", {"role": "viewer"}),
        ("a" * 300 + "@example.com", {"role": "viewer"}),
        ("not-an-address", {"role": "viewer"}),
        ("two@@example.com", {"role": "viewer"}),
        ("ana@example.com", {"role": "boss"}),
        ("ana@example.com", '{"role": "\\ud800"}'),
        ("ana@example.com", {"role": "x\x00"}),
        ("ana@example.com", {"role": "v" * 100_000}),
        ("ana@example.com", {}),
        ("ana@example.com", {"role": 3}),
    ],
)
def test_bad_member_input_is_a_problem_and_changes_nothing(
    api: Api, graphs: dict[str, str], email: str, body: dict[str, object] | str
) -> None:
    sent = {"content": body.encode()} if isinstance(body, str) else {"json": body}
    answer = api.client.put(f"/api/graphs/shut/members/{email}", headers=graphs | JSON, **sent)
    assert answer.status_code in (400, 422), answer.text  # 400: the URL itself (a NUL byte)
    assert answer.headers["content-type"] == "application/problem+json"
    assert len(answer.content) < 4096
    removed = api.client.delete(f"/api/graphs/shut/members/{email}", headers=graphs)
    assert removed.status_code in (400, 404, 422)
    members = api.client.get("/api/graphs/shut/members", headers=graphs).json()["items"]
    assert [m["email"] for m in members] == ["olga@example.com"]


def test_a_person_who_creates_a_graph_owns_it_and_history_names_them(api: Api, graphs: dict[str, str]) -> None:
    headers = personal(api, "Cara@Example.com", Scope.WRITE)
    made = api.client.put("/api/graphs/caras", json=document("caras", "private"), headers=headers)
    assert made.status_code == 201, made.text
    members = api.client.get("/api/graphs/caras/members", headers=headers).json()["items"]
    assert members == [{"email": "cara@example.com", "name": "Cara", "role": "owner"}]
    assert api.client.patch("/api/graphs/caras/bets/v", json={"title": "W"}, headers=headers).status_code == 200
    revisions = api.client.get("/api/graphs/caras/revisions", headers=headers).json()["items"]
    assert [r["who"]["person"] for r in revisions] == [{"name": "Cara", "email": "cara@example.com"}] * 2
    # The viewer's history names them too, for whoever is signed in.
    with api.sessions() as session:
        _, token = create_token(session, Scope.READ)
        session.commit()
    api.client.cookies.set("betgraph_token", token)
    try:
        assert "Cara" in api.client.get("/graphs/caras").text
    finally:
        api.client.cookies.clear()
    # An editor may send the whole document back only with the header as it stands.
    with api.sessions() as session:
        row = get_graph_row(session, "caras")
        assert row is not None
        people.set_member(session, row, "ed@example.com", "editor")
        _, edit = people.create_personal_token(session, "ed@example.com", Scope.WRITE)
        session.commit()
    editor = {"Authorization": f"Bearer {edit}"}
    same = document("caras", "private") | {"bets": [{"id": "v", "kind": "vision", "title": "Z"}]}
    assert api.client.put("/api/graphs/caras", json=same, headers=editor).status_code == 200
    public = api.client.put("/api/graphs/caras", json=document("caras", "public"), headers=editor)
    assert public.status_code == 403
    assert "only an owner" in public.json()["detail"]
    assert api.client.delete("/api/graphs/caras", headers=editor).status_code == 403


def test_an_admin_scope_is_for_administrators(api: Api) -> None:
    with api.sessions() as session:
        people.person(session, "pam@example.com")
        with pytest.raises(people.InvalidParameterError):
            people.create_personal_token(session, "pam@example.com", Scope.ADMIN)
        with pytest.raises(people.InvalidParameterError):
            people.create_personal_token(session, "nobody@example.com", Scope.READ)


@pytest.mark.parametrize(("role", "offered"), [("viewer", False), ("editor", True), ("owner", True)])
def test_the_viewer_offers_its_editors_by_the_same_rule(
    api: Api, graphs: dict[str, str], role: str, offered: bool
) -> None:
    token = personal(api, f"{role}@example.com", Scope.WRITE, role=("shut", role))["Authorization"].removeprefix(
        "Bearer "
    )
    api.client.cookies.set("betgraph_token", token)
    try:
        page = api.client.get("/graphs/shut")
        assert page.status_code == 200
        assert ('href="/graphs/shut/bets/new"' in page.text) is offered
        details = api.client.get("/graphs/shut/nodes/v")
        assert details.status_code == 200
        assert ('href="/graphs/shut/bets/v/edit"' in details.text) is offered
    finally:
        api.client.cookies.clear()
