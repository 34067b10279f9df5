"""The search page and the search boxes, through the app on both databases (no browser needed)."""

from __future__ import annotations

import re
from html import unescape

from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.api.test_search import SHARED, document


def _graphs(api: Api) -> dict[str, str]:
    admin = api.token(Scope.ADMIN)
    for slug, visibility in (("open", "public"), ("shut", "private")):
        assert api.client.put(f"/api/graphs/{slug}", json=document(slug, visibility), headers=admin).status_code == 201
    return admin


def _links(html: str) -> list[str]:
    found = re.search(r'<ol class="search-results">(.*?)</ol>', html, re.S)
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)"', found[1])] if found else []


def test_every_page_has_a_search_box_that_works_without_scripts(api: Api) -> None:
    _graphs(api)
    for path in ("/", "/graphs/open", "/search"):
        page = api.client.get(path).text
        form = re.search(r'<form method="get" action="/search" role="search"[^>]*>(.*?)</form>', page, re.S)
        assert form is not None, path
        assert re.search(r'<label for="search-q"[^>]*>', form[1])
        assert 'id="search-q" type="search" name="q"' in form[1]
    viewer = api.client.get("/graphs/open").text
    assert '<input type="hidden" name="graph" value="open">' in viewer  # the graph's own box searches it alone


def test_the_page_lists_what_the_visitor_may_read_and_links_into_the_viewer(api: Api) -> None:
    admin = _graphs(api)
    answer = api.client.get("/search", params={"q": "revenue"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert _links(answer.text) == ["/graphs/open?focus=grow", "/graphs/open?focus=later"]
    assert "Small companies sign up" in answer.text  # the snippet
    assert api.client.get(_links(answer.text)[0]).status_code == 200
    api.client.cookies.set("betgraph_token", admin["Authorization"].removeprefix("Bearer "))
    both = _links(api.client.get("/search", params={"q": SHARED}).text)
    assert sorted(both) == ["/graphs/open?focus=v", "/graphs/shut?focus=v"]


def test_a_graphs_own_search_and_its_refusals(api: Api) -> None:
    _graphs(api)
    scoped = api.client.get("/search", params={"q": SHARED, "graph": "open"})
    assert _links(scoped.text) == ["/graphs/open?focus=v"]
    assert "Search in Open plans" in scoped.text
    assert api.client.get("/search", params={"q": SHARED, "graph": "shut"}).status_code == 401
    assert api.client.get("/search", params={"q": SHARED, "graph": "nowhere"}).status_code == 404
    assert api.client.get("/search", params={"q": "x" * 201}).status_code == 422


def test_nothing_found_and_nothing_asked(api: Api) -> None:
    _graphs(api)
    none = api.client.get("/search", params={"q": 'quokka "NEAR" *'})
    assert none.status_code == 200
    assert "Nothing holds all of these words" in none.text
    empty = api.client.get("/search", params={"q": "  "})
    assert empty.status_code == 200
    assert _links(empty.text) == []
    assert "Nothing holds" not in empty.text
