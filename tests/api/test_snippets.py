"""GET /api/graphs/{slug}/snippets on SQLite and PostgreSQL: each snippet named for where it suits,
the clickable HTML drawn from the picture, and bad parameters refused with problem+json."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from app.api.problems import PROBLEM_JSON
from app.services.sharing import KINDS
from app.storage.tokens import Scope
from tests.api.conftest import Api
from tests.domain.builders import DESIGN_EXAMPLE
from tests.services.test_sharing import cmark, linked_image

ACME = Path("examples/acme.yaml").read_bytes()
YAML = {"Content-Type": "application/yaml"}
INVITE = "employee-invite-flow"
TRICKY = r"Acme [map](x) \ <b>bold</b> *not* `code` ~~s~~ | ! &amp; #1"


def _acme(api: Api, visibility: str = "public") -> dict[str, str]:
    writer = api.token()
    document = ACME.replace(b"visibility: public", f"visibility: {visibility}".encode())
    assert api.client.put("/api/graphs/acme", content=document, headers=YAML | writer).status_code == 201
    return writer


def test_every_snippet_is_named_and_links_the_viewer(api: Api) -> None:
    _acme(api)
    body = api.client.get(f"/api/graphs/acme/snippets?view=why&focus={INVITE}").json()
    viewer = f"http://testserver/graphs/acme?view=why&focus={INVITE}"
    assert body["viewer_url"] == viewer
    assert body["png_url"] == f"http://testserver/graphs/acme/why/{INVITE}.png"
    assert body["markdown"] == f"[![{body['alt']}](http://testserver/graphs/acme/why/{INVITE}.svg)]({viewer})"
    assert body["markdown_github"].startswith(f'<a href="{viewer.replace("&", "&amp;")}"><picture>')
    assert 'srcset="http://testserver/graphs/acme/why/employee-invite-flow.dark.svg"' in body["markdown_github"]
    assert body["html"].startswith(f'<a href="{viewer.replace("&", "&amp;")}"><img ')
    assert body["mediawiki"] == f"[{viewer} {body['png_url']}]"
    assert set(body["hints"]) == {name for name, _, _ in KINDS}
    for name, _, _ in KINDS:
        assert body[name], name


def test_the_clickable_html_has_an_area_for_every_bet_it_draws(api: Api) -> None:
    _acme(api)
    body = api.client.get(f"/api/graphs/acme/snippets?view=why&focus={INVITE}").json()
    clickable = body["html_clickable"]
    assert f'src="{body["png_url"]}"' in clickable
    name = re.search(r'<map name="([^"]+)">', clickable)
    assert name is not None
    assert f'usemap="#{name[1]}"' in clickable
    drawn = api.client.get(f"/graphs/acme/why/{INVITE}.svg").text
    shown = set(re.findall(r'<g id="(?:bet|assumption)-([^"]+)" class="node"', drawn))
    linked = set(re.findall(r'href="http://testserver/graphs/acme\?focus=([^"]+)" target="_top"', clickable))
    assert shown
    assert linked == shown
    width, height = (int(v) for v in re.findall(r'<svg[^>]* width="(\d+)pt" height="(\d+)pt"', drawn)[0])
    assert f'width="{round(width * 4 / 3)}" height="{round(height * 4 / 3)}"' in clickable


def test_pinned_snippets_name_the_revision_everywhere(api: Api) -> None:
    writer = _acme(api)
    api.client.patch(f"/api/graphs/acme/bets/{INVITE}", json={"title": "Invite flow"}, headers=writer)
    body = api.client.get(f"/api/graphs/acme/snippets?view=why&focus={INVITE}&as_of=1").json()
    assert body["url"] == f"http://testserver/graphs/acme/r/1/why/{INVITE}.svg"
    assert body["png_url"] == f"http://testserver/graphs/acme/r/1/why/{INVITE}.png"
    assert body["dark_url"] == f"http://testserver/graphs/acme/r/1/why/{INVITE}.dark.svg"
    assert body["auto_url"] == f"http://testserver/graphs/acme/r/1/why/{INVITE}.auto.svg"
    assert body["viewer_url"] == f"http://testserver/graphs/acme?view=why&focus={INVITE}&as_of=1"
    assert "/r/1/why/" in body["html_clickable"]


def test_a_private_graph_embeds_through_its_token_and_links_the_viewer(api: Api) -> None:
    writer = _acme(api, "private")
    token = api.token(Scope.READ, graph="acme")["Authorization"].removeprefix("Bearer ")
    body = api.client.get(f"/api/graphs/acme/snippets?token={token}", headers=writer).json()
    assert body["png_url"] == f"http://testserver/e/{token}/graphs/acme.png"
    assert f"/e/{token}/graphs/acme.png" in body["html_clickable"]
    assert body["viewer_url"] == "http://testserver/graphs/acme"
    assert body["mediawiki"] == f"[http://testserver/graphs/acme http://testserver/e/{token}/graphs/acme.png]"
    assert api.client.get("/api/graphs/acme/snippets").status_code == 401


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("view=why&focus=%00", 400),
        ("view=why&focus=" + "x" * 5000, 422),
        ("view=nowhere", 422),
        ("view=why&focus=nope", 404),
        ("as_of=%00", 400),
        ("as_of=99", 404),
        ("token=%00", 400),
        ("token=" + quote("<x>"), 422),
    ],
)
def test_bad_parameters_are_problems(api: Api, query: str, status: int) -> None:
    _acme(api)
    answer = api.client.get(f"/api/graphs/acme/snippets?{query}")
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    assert "<x>" not in answer.text
    assert api.client.get("/api/graphs/nope/snippets").status_code == 404


def _snippets(api: Api, query: str = "") -> dict[str, str]:
    document = DESIGN_EXAMPLE.replace("title: Acme product map", f"title: '{TRICKY}'")
    document = document.replace("title: Setup wizard", f"title: '{TRICKY}'")
    writer = api.token()
    assert api.client.put("/api/graphs/acme", content=document.encode(), headers=YAML | writer).status_code == 201
    body: dict[str, str] = api.client.get(f"/api/graphs/acme/snippets{query}", headers=writer).json()
    assert TRICKY in body["alt"]
    return body


def test_plain_markdown_shows_the_picture_linked_to_the_viewer_in_safe_mode(api: Api) -> None:
    body = _snippets(api, "?view=why&focus=wizard")
    rendered = cmark(body["markdown"])
    assert "raw HTML omitted" not in rendered
    assert linked_image(rendered) == (body["viewer_url"], body["url"], body["alt"])
    assert linked_image(cmark(body["markdown"], unsafe=True)) == (body["viewer_url"], body["url"], body["alt"])


def test_the_picture_form_is_dropped_in_safe_mode_and_kept_with_its_dark_variant_unsafe(api: Api) -> None:
    body = _snippets(api)
    safe = cmark(body["markdown_github"])
    assert "<img" not in safe
    assert "raw HTML omitted" in safe
    unsafe = cmark(body["markdown_github"], unsafe=True)
    assert linked_image(unsafe) == (body["viewer_url"], body["url"], body["alt"])
    [source] = lxml.html.fragment_fromstring(unsafe, create_parent="div").xpath("//a/picture/source")
    assert source.get("srcset") == body["dark_url"]
    assert source.get("media") == "(prefers-color-scheme: dark)"
