from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE

YAML = {"Content-Type": "application/yaml"}


def test_snippets_say_what_the_view_shows(api: Api) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers=YAML | writer)
    body = api.client.get("/api/graphs/acme/snippets?view=why&focus=wizard", headers=writer).json()
    assert body["alt"].startswith("3 bets, 1 assumption; why “Setup wizard” matters")
    assert body["url"] == "http://testserver/graphs/acme/why/wizard.svg"
    assert body["dark_url"] == "http://testserver/graphs/acme/why/wizard.dark.svg"
    assert '<source media="(prefers-color-scheme: dark)"' in body["markdown_github"]
    assert 'alt="3 bets' in body["html"]
    assert body["confluence"].startswith("!http://testserver/graphs/acme/why/wizard.svg|alt=")
    assert (
        body["mediawiki"]
        == "[http://testserver/graphs/acme?view=why&focus=wizard http://testserver/graphs/acme/why/wizard.png]"
    )
    assert api.client.get("/api/graphs/acme/snippets?view=why&focus=nope", headers=writer).status_code == 404


def test_oembed_and_snippets_of_pinned_urls(api: Api) -> None:
    writer = api.token()
    api.client.put("/api/graphs/acme", content=DESIGN_EXAMPLE.encode(), headers=YAML | writer)
    api.client.patch("/api/graphs/acme/bets/wizard", json={"title": "Setup assistant"}, headers=writer)
    body = api.client.get("/api/graphs/acme/snippets?view=why&focus=wizard", headers=writer).json()
    assert body["pinned_url"] == "http://testserver/graphs/acme/r/2/why/wizard.svg"
    assert api.client.get("/api/graphs/acme/snippets", headers=writer).json()["pinned_url"].endswith("/acme/r/2.svg")
    token = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    first = api.client.get(f"/oembed?url={quote(f'http://testserver/e/{token}/graphs/acme/r/1/why/wizard.svg')}")
    assert first.status_code == 200
    assert "Setup wizard" in first.json()["title"]  # the bet's title at revision 1
    second = api.client.get(f"/oembed?url={quote(f'http://testserver/e/{token}/graphs/acme/r/2/why/wizard.svg')}")
    assert "Setup assistant" in second.json()["title"]
    assert api.client.get(f"/oembed?url=http://testserver/e/{token}/graphs/acme/r/1.dark.png").status_code == 200
    assert api.client.get(f"/oembed?url=http://testserver/e/{token}/graphs/acme/r/3.svg").status_code == 404
    assert api.client.get("/oembed?url=http://testserver/graphs/acme/r/1.svg").status_code == 401


def test_snippets_take_only_an_embed_token_of_this_graph(api: Api) -> None:
    api.client.put("/api/graphs/acme", content=Path("examples/acme.yaml").read_bytes(), headers=YAML | api.token())
    refused = api.client.get('/api/graphs/acme/snippets?token="><x')
    assert refused.status_code == 422
    assert "<x" not in refused.text
