"""Since your last visit, through the app on the test databases: a person signed in (a sign-in made
as the provider's callback would make it), the page's post of what it showed, and the banner."""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import select

from app.services import people
from app.storage import signins
from app.storage.graphs import get_graph_row
from app.storage.tables import VisitRow
from app.storage.tokens import Scope
from app.web.auth import SESSION_COOKIE, TOKEN_COOKIE
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE

YAML = {"Content-Type": "application/yaml"}
BANNER = '//section[@aria-label="Since your last visit"]'


@pytest.fixture
def writer(api: Api) -> dict[str, str]:
    """The example graph, private (revision 1), a write token, and Pat, a viewer of it, signed in."""
    token = api.token()
    assert api.client.put("/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers=YAML | token).status_code == 201
    with api.sessions() as session:
        person = people.person(session, "pat@example.org", name="Pat")
        row = get_graph_row(session, "acme")
        assert row is not None
        people.set_member(session, row, "pat@example.org", "viewer")
        _, secret = signins.start(session, person, admin_group=False, id_token=None)
        session.commit()
    api.client.cookies.set(SESSION_COOKIE, secret)
    return token


def _visits(api: Api) -> list[int]:
    with api.sessions() as session:
        row = get_graph_row(session, "acme")
        assert row is not None
        return list(session.scalars(select(VisitRow.revision).where(VisitRow.graph_id == row.id)))


def _page(api: Api, query: str = "") -> lxml.html.HtmlElement:
    answer = api.client.get(f"/graphs/acme{query}")
    assert answer.status_code == 200, answer.text
    return lxml.html.fromstring(answer.text)


def _post(api: Api, revision: str, csrf: str | None = None) -> int:
    sent = csrf if csrf is not None else api.client.cookies.get("betgraph_csrf")
    return api.client.post("/graphs/acme/visits", data={"csrf": sent or "", "revision": revision}).status_code


def test_the_page_asks_to_record_the_visit_and_only_the_post_records_it(api: Api, writer: dict[str, str]) -> None:
    page = _page(api)
    assert page.xpath(BANNER) == []  # a first visit
    [form] = page.xpath('//form[@id="visit"]')
    assert form.get("action") == "/graphs/acme/visits"
    assert form.xpath('.//input[@name="revision"]/@value') == ["1"]
    assert form.xpath('.//input[@name="csrf"]/@value') == [api.client.cookies.get("betgraph_csrf")]
    assert _visits(api) == []  # reads never write
    assert _post(api, "1") == 204
    assert _visits(api) == [1]


def test_the_banner_lists_what_changed_since_the_last_visit(api: Api, writer: dict[str, str]) -> None:
    _page(api)
    assert _post(api, "1") == 204
    assert api.client.patch("/api/graphs/acme/bets/wizard", json={"certainty": 0.5}, headers=writer).status_code == 200
    new = {"id": "invite-flow", "kind": "initiative", "title": "Invite flow", "parents": ["self-serve"]}
    assert api.client.post("/api/graphs/acme/bets", json=new, headers=writer).status_code == 201

    page = _page(api)
    [banner] = page.xpath(BANNER)
    heading = " ".join(banner.xpath(".//h2")[0].text_content().split())
    assert re.fullmatch(r"Since your last visit \(revision 1, (just now|1 minute ago)\)", heading)
    items = [" ".join(li.text_content().split()) for li in banner.xpath(".//li")]
    assert items == ["bet Invite flow added", "bet Setup wizard changed: certainty 80% → 50%"]
    links = {a.text_content(): a.get("href") for a in banner.xpath(".//a")}
    assert links == {
        "Invite flow": "/graphs/acme?focus=invite-flow",
        "Setup wizard": "/graphs/acme?focus=wizard",
        "Mark them on the map": "/graphs/acme?view=diff&focus=1..3",
    }
    assert banner.get("data-changed") == "invite-flow wizard"
    assert page.xpath('//form[@id="visit"]//input[@name="revision"]/@value') == ["3"]
    assert _visits(api) == [1]  # the page that told of the changes moved nothing

    diff = api.client.get("/graphs/acme?view=diff&focus=1..3")  # where the link goes: the changes marked
    assert diff.status_code == 200
    assert "Invite flow" in diff.text
    assert lxml.html.fromstring(diff.text).xpath(BANNER) == []  # only the map tells of the last visit

    assert _post(api, "3") == 204
    [quiet] = _page(api).xpath(BANNER)
    assert " ".join(quiet.text_content().split()) == "Nothing changed since your last visit."
    assert _post(api, "2") == 204  # a tab opened in between, shown later: it does not set the clock back
    assert _visits(api) == [3]


def test_a_visit_needs_the_form_s_csrf_value_and_a_revision_of_the_graph(api: Api, writer: dict[str, str]) -> None:
    _page(api)
    assert _post(api, "1", csrf="guess") == 403
    for beyond in ("2", "0", "one", ""):
        answer = api.client.post(
            "/graphs/acme/visits", data={"csrf": api.client.cookies.get("betgraph_csrf") or "", "revision": beyond}
        )
        assert answer.status_code == 422, beyond
        assert "revision must be a revision of this graph, from 1 to 1" in answer.text
    assert _post(api, "1") == 204
    assert _visits(api) == [1]


def test_a_graph_the_person_may_not_read_keeps_no_visit(api: Api, writer: dict[str, str]) -> None:
    other = DESIGN_EXAMPLE.replace("slug: acme", "slug: other")
    assert api.client.put("/api/graphs/other", content=other.encode(), headers=YAML | writer).status_code == 201
    _page(api)
    csrf = api.client.cookies.get("betgraph_csrf") or ""
    for slug in ("other", "nope"):  # hidden and missing read the same
        assert api.client.post(f"/graphs/{slug}/visits", data={"csrf": csrf, "revision": "1"}).status_code == 404
    with api.sessions() as session:
        assert session.scalars(select(VisitRow)).all() == []


def test_whoever_is_no_person_keeps_no_visits(api: Api, writer: dict[str, str]) -> None:
    api.client.cookies.delete(SESSION_COOKIE)
    reader = api.token(Scope.READ)["Authorization"].removeprefix("Bearer ")
    api.client.cookies.set(TOKEN_COOKIE, reader)  # a service token kept by the viewer's sign-in form
    page = _page(api)
    assert page.xpath('//form[@id="visit"]') == []
    assert page.xpath(BANNER) == []
    assert _post(api, "1") == 204
    assert _visits(api) == []
    api.client.cookies.delete(TOKEN_COOKIE)  # nobody: a public graph's reader, or a tab whose sign-in ended
    assert (
        api.client.post(
            "/graphs/acme/visits", data={"csrf": api.client.cookies.get("betgraph_csrf") or "", "revision": "1"}
        ).status_code
        == 401
    )
    assert _visits(api) == []


def test_views_other_than_the_latest_map_neither_tell_nor_ask(api: Api, writer: dict[str, str]) -> None:
    _page(api)
    assert _post(api, "1") == 204
    assert api.client.patch("/api/graphs/acme/bets/wizard", json={"certainty": 0.5}, headers=writer).status_code == 200
    for query in ("?view=why&focus=wizard", "?view=impact&focus=wizard", "?as_of=1", "?view=diff&focus=1..2"):
        page = _page(api, query)
        assert page.xpath(BANNER) == [], query
        assert page.xpath('//form[@id="visit"]') == [], query
    assert len(_page(api).xpath(BANNER)) == 1
