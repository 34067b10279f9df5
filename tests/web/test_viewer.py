"""The viewer's lens tabs through the app, on both databases: each lens drawn in the page with its
text alternative, for every team or one, linking its cards to their details; shared and embedded
like every other view."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.api.conftest import Api

ACME = Path("examples/acme.yaml").read_text()


def _load(api: Api) -> None:
    answer = api.client.put(
        "/api/graphs/acme", content=ACME.encode(), headers=api.token() | {"Content-Type": "application/yaml"}
    )
    assert answer.status_code == 201, answer.text


def test_each_lens_is_a_tab_beside_the_views(api: Api) -> None:
    _load(api)
    page = api.client.get("/graphs/acme").text
    for lens, name in (("board", "Board"), ("assumptions", "Assumptions"), ("portfolio", "Portfolio")):
        assert re.search(rf'href="\?view={lens}"\s*>{name}</a>', page)
        shown = api.client.get(f"/graphs/acme?view={lens}")
        assert shown.status_code == 200
        assert re.search(rf'aria-current="page">{name}</a>', shown.text)
        assert 'class="canvas"' in shown.text
        assert "What the picture shows, in words" in shown.text


def test_a_board_card_opens_its_bets_details_and_the_text_lists_the_columns(api: Api) -> None:
    _load(api)
    page = api.client.get("/graphs/acme?view=board&focus=payments").text
    assert 'aria-current="page">Board of payments</a>' in page
    assert "/graphs/acme?focus=payout-auto-retry" in page  # the card links to the bet on the map
    text = html.unescape(page)
    assert "Now (≤ 6 weeks): Ask the employee to fix details and retry a failed payout automatically" in text
    assert "growth:" not in text  # one team alone


def test_a_lens_that_cannot_be_drawn_says_why_in_the_page(api: Api) -> None:
    _load(api)
    page = api.client.get("/graphs/acme?view=portfolio&focus=nobody")
    assert page.status_code == 200
    assert "no bet belongs to team &#39;nobody&#39;; teams are growth, onboarding, payments" in page.text


def test_a_lens_is_shared_and_embedded_like_any_view(api: Api) -> None:
    _load(api)
    snippets = api.client.get("/api/graphs/acme/snippets", params={"view": "assumptions"}).json()
    assert snippets["url"] == "http://testserver/graphs/acme/assumptions.svg"
    assert snippets["viewer_url"] == "http://testserver/graphs/acme?view=assumptions"
    assert "leap" in snippets["alt"]
    embedded = api.client.get("/oembed", params={"url": "http://testserver/graphs/acme?view=board&focus=growth"})
    assert embedded.status_code == 200, embedded.text
    body = embedded.json()
    assert body["url"] == "http://testserver/graphs/acme/board/growth.svg"
    assert body["title"] == "Acme product map: Now, Next, Later for growth"
    assert body["width"] > 0
    assert body["height"] > 0
    page = api.client.get("/graphs/acme/snippets", params={"view": "portfolio"})
    assert page.status_code == 200
    assert "/graphs/acme/portfolio.svg" in page.text
