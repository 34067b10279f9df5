"""Picture URLs for any focus, and links that leave the service never taken from the Host header."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.api.conftest import Api

YAML = {"Content-Type": "application/yaml"}
TEAM = "Growth / EMEA & co?"
DOCUMENT = f"""\
betgraph: 1
graph: {{slug: teams, title: Teams, visibility: public}}
bets:
  - {{id: v, kind: vision, title: Vision}}
  - {{id: g, kind: goal, title: Goal, parents: [v], team: "{TEAM}"}}
"""


def test_a_team_with_a_slash_gets_working_picture_and_snippet_urls(api: Api) -> None:
    assert api.client.put("/api/graphs/teams", content=DOCUMENT, headers=YAML | api.token()).status_code == 201
    snippets = api.client.get("/api/graphs/teams/snippets", params={"view": "team", "focus": TEAM})
    assert snippets.status_code == 200, snippets.text
    for key in ("url", "dark_url", "pinned_url"):
        path = urlsplit(snippets.json()[key]).path
        assert "/team/Growth%20%2F%20EMEA%20%26%20co%3F" in path
        picture = api.client.get(path)
        assert picture.status_code == 200, (key, picture.text)
        assert picture.headers["content-type"].startswith("image/svg+xml")
        assert b"Goal" in picture.content
    embed = api.client.get("/oembed", params={"url": snippets.json()["url"]})
    assert embed.status_code == 200, embed.text
    assert urlsplit(embed.json()["url"]).path == urlsplit(snippets.json()["url"]).path


def test_links_never_come_from_the_host_header(api: Api) -> None:
    api.client.put("/api/graphs/teams", content=DOCUMENT, headers=YAML | api.token())
    evil = {"Host": "evil.example"}
    snippets = api.client.get("/api/graphs/teams/snippets", headers=evil)
    assert snippets.status_code == 200
    assert "evil.example" not in snippets.text
    embed = api.client.get("/oembed", params={"url": "http://testserver/graphs/teams.svg"}, headers=evil)
    assert embed.status_code == 200
    assert "evil.example" not in embed.text
    # Nor is the Host header what oEmbed takes for this service's address.
    assert (
        api.client.get("/oembed", params={"url": "http://evil.example/graphs/teams.svg"}, headers=evil).status_code
        == 404
    )
    page = api.client.get("/graphs/teams", headers=evil)
    assert page.status_code == 200
    assert "evil.example" not in page.text


def test_oembed_reads_a_focus_whose_slash_a_client_left_unencoded(api: Api) -> None:
    api.client.put("/api/graphs/teams", content=DOCUMENT, headers=YAML | api.token())
    url = "http://testserver/graphs/teams/team/Growth%20/%20EMEA%20%26%20co%3F.svg"
    embed = api.client.get("/oembed", params={"url": url})
    assert embed.status_code == 200, embed.text
    assert embed.json()["title"]
