"""The viewer reads its URL by the rule oEmbed reads a copied address with, and names the picture it shows."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from lxml import etree

from tests.api.conftest import Api
from tests.api.test_oembed import two_revisions


def discovered(page: str) -> str | None:
    """The oEmbed endpoint a page names, found as consumers find it (the first JSON oEmbed link)."""
    for link in etree.HTML(page).iter("link"):
        if link.get("rel") == "alternate" and link.get("type") == "application/json+oembed":
            return link.get("href")
    return None


def test_an_as_of_page_discovers_its_pinned_picture(api: Api) -> None:
    two_revisions(api)
    for page, expected in (
        ("/graphs/acme?as_of=1", "/graphs/acme/r/1.svg"),
        ("/graphs/acme?as_of=2999-01-01", "/graphs/acme/r/2.svg"),
        ("/graphs/acme?view=why&focus=wizard&as_of=1", "/graphs/acme/r/1/why/wizard.svg"),
        ("/graphs/acme?view=why&focus=wizard", "/graphs/acme/why/wizard.svg"),
        ("/graphs/acme?view=why&focus=wizard&band=6w", "/graphs/acme/why/wizard.svg"),  # filters narrow maps only
        ("/graphs/acme?view=diff&focus=1..", "/graphs/acme/diff/1...svg"),
        ("/graphs/acme?min=abc&band=zz", "/graphs/acme.svg"),  # values the page ignores filter nothing
    ):
        shown = api.client.get(page)
        assert shown.status_code == 200, page
        link = discovered(shown.text)
        assert link is not None, page
        assert urlsplit(link).netloc == "testserver"  # absolute: consumers take it as it is
        assert parse_qs(urlsplit(link).query)["url"] == ["http://testserver" + expected], page
        answer = api.client.get(link)
        assert answer.status_code == 200, (page, answer.text)


def test_a_page_that_no_picture_url_can_say_names_none(api: Api) -> None:
    two_revisions(api)
    for page in ("/graphs/acme?band=6w", "/graphs/acme?view=map&team=onboarding", "/graphs/acme?view=why&focus=nope"):
        shown = api.client.get(page)
        assert shown.status_code == 200, page
        assert discovered(shown.text) is None, page


def test_the_page_reads_as_of_as_oembed_does(api: Api) -> None:
    two_revisions(api)
    latest = api.client.get("/graphs/acme?view=why&focus=wizard")
    pinned = api.client.get("/graphs/acme?view=why&focus=wizard&as_of=1")
    assert "Setup assistant" in latest.text
    assert "Setup wizard" in pinned.text
    assert "Back to the latest" in pinned.text
    assert "Setup wizard" in api.client.get("/oembed?url=/graphs/acme%3Fview%3Dwhy%26focus%3Dwizard%26as_of%3D1").text
