"""The snippets where people paste them: a real MediaWiki (Debian's, on PHP's built-in server) and a
page on another origin in Chromium, next to a real `betgraph serve`.

Snippets come from the running server's API, Markdown ones as cmark-gfm renders them, so what is
tested is what a reader's browser or a wiki gets.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import lxml.html
import pytest
from playwright.sync_api import Browser, Page, expect

from app.services.sharing import KINDS
from tests.realclients import command, mediawiki
from tests.servers import free_port, running
from tests.services.test_sharing import cmark
from tests.web.conftest import Server, Visit

INVITE = "employee-invite-flow"  # an initiative of examples/acme.yaml with a deep why-chain
WHY = f"?view=why&focus={INVITE}"


def _snippets(server: Server, query: str = WHY) -> dict[str, Any]:
    answer = httpx2.get(server.url(f"/api/graphs/acme/snippets{query}"), timeout=60)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def wiki(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away MediaWiki whose admin allows Betgraph's pictures; yields its api.php URL."""
    root = mediawiki()
    folder = tmp_path_factory.mktemp("wiki")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    php = command("php")
    install = [php, str(root / "maintenance" / "install.php"), "--dbtype", "sqlite", "--dbpath", str(folder)]
    install += ["--confpath", str(folder), "--server", base, "--scriptpath", "", "--pass", "a-long-test-password-1"]
    subprocess.run([*install, "Wiki", "Admin"], capture_output=True, check=True, timeout=60)
    settings = folder / "LocalSettings.php"
    # What the README tells a wiki's admin to set.
    settings.write_text(settings.read_text() + f"\n$wgAllowExternalImagesFrom = [ '{server.base}/' ];\n")
    env = os.environ | {"MW_CONFIG_FILE": str(settings)}
    process = subprocess.Popen(
        [php, "-S", f"127.0.0.1:{port}", "-t", str(root)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"{base}/api.php"
    with running(process, f"{api}?action=query&meta=siteinfo&format=json", what="MediaWiki"):
        yield api


def _parse(wiki: str, text: str) -> lxml.html.HtmlElement:
    answer = httpx2.post(
        wiki,
        data={"action": "parse", "contentmodel": "wikitext", "text": text, "format": "json", "formatversion": "2"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    rendered: str = answer.json()["parse"]["text"]
    return lxml.html.fragment_fromstring(rendered, create_parent="div")


@pytest.mark.parametrize("query", [WHY, "", f"{WHY}&as_of=1"])
def test_mediawiki_shows_the_picture_linked_to_the_viewer(wiki: str, server: Server, query: str) -> None:
    body = _snippets(server, query)
    [image] = _parse(wiki, body["mediawiki"]).xpath("//a/img")
    assert image.get("src") == body["png_url"]
    assert image.getparent().get("href") == body["viewer_url"]
    assert httpx2.get(body["png_url"], timeout=60).headers["content-type"] == "image/png"


def test_mediawiki_shows_only_allowed_pictures(wiki: str, server: Server) -> None:
    body = _snippets(server)
    elsewhere = body["mediawiki"].replace(server.base, "http://127.0.0.2:9")
    parsed = _parse(wiki, elsewhere)
    assert parsed.xpath("//img") == []
    assert parsed.xpath("//a")  # still a link, as in a wiki whose admin allows no external images


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def elsewhere(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page on another origin (another port) holding every HTML snippet; yields its URL."""
    folder = tmp_path_factory.mktemp("elsewhere")
    body = _snippets(server)
    parts = {
        "html": body["html"],
        "clickable": body["html_clickable"],
        "github": cmark(body["markdown_github"], unsafe=True),  # as GitHub keeps it
        "markdown": cmark(body["markdown"]),  # as any Markdown site shows it
    }
    sections = "".join(f'<section id="{name}">{markup}</section>' for name, markup in parts.items())
    (folder / "index.html").write_text(f"<!doctype html><html><body>{sections}</body></html>")
    handler = functools.partial(_Quiet, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as site:
        thread = threading.Thread(target=site.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{site.server_address[1]}/index.html"
        site.shutdown()


def _loaded(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "() => [...document.images].every(img => img.complete)"
        " && [...document.images].every(img => img.naturalWidth > 0)",
        timeout=60_000,
    )


def test_every_snippet_shows_its_picture_on_another_origin(browser: Browser, elsewhere: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _loaded(page, elsewhere)
    widths = page.eval_on_selector_all("img", "images => images.map(img => img.naturalWidth)")
    assert len(widths) == 4
    assert all(width > 0 for width in widths)
    context.close()


def test_clicking_a_bet_in_the_clickable_snippet_opens_it_in_the_viewer(
    browser: Browser, server: Server, elsewhere: str
) -> None:
    body = _snippets(server)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    _loaded(page, elsewhere)
    image = page.locator("#clickable img")
    shown = image.bounding_box()
    assert shown is not None
    assert (round(shown["width"]), round(shown["height"])) == (
        int(image.get_attribute("width") or 0),
        int(image.get_attribute("height") or 0),
    )
    for bet in (INVITE, "self-serve"):
        href = server.url(f"/graphs/acme?focus={bet}")
        area = page.locator(f'#clickable area[href="{href}"]')
        coords = [int(value) for value in (area.get_attribute("coords") or "").split(",")]
        xs, ys = coords[0::2], coords[1::2]
        x, y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2  # our shapes are convex enough
        image.scroll_into_view_if_needed()
        box = image.bounding_box()
        assert box is not None
        with page.expect_navigation():
            page.mouse.click(box["x"] + x, box["y"] + y)
        assert page.url == href
        _loaded(page, elsewhere)
    assert body["html_clickable"].count("<area ") >= 5
    context.close()


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_picture_form_follows_the_colour_scheme(
    browser: Browser, server: Server, elsewhere: str, scheme: str
) -> None:
    body = _snippets(server)
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    _loaded(page, elsewhere)
    current = page.eval_on_selector("#github img", "img => img.currentSrc")
    assert current == (body["dark_url"] if scheme == "dark" else body["url"])
    assert page.eval_on_selector("#markdown img", "img => img.currentSrc") == body["url"]
    context.close()


def test_the_share_panel_names_each_snippet_and_makes_the_clickable_one(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url(f"/graphs/acme?view=impact&focus={INVITE}&theme=dark"))
    page.locator("#share summary").click()
    for name, label, hint in KINDS:
        expect(page.locator(f'#share label[for="snippet-{name}"]')).to_have_text(label)
        expect(page.locator(f"#share #hint-{name}")).to_have_text(hint)
    assert page.locator("#snippet-markdown").input_value().startswith("[![")
    # Nobody drew this view's light picture yet (the page is dark): the panel does not wait for it.
    page.locator("#share #snippet-html_clickable").click()
    page.wait_for_url(server.url(f"/graphs/acme/snippets?view=impact&focus={INVITE}"))
    markup = page.locator("#snippet-html_clickable").input_value()
    assert f"/graphs/acme/impact/{INVITE}.png" in markup
    assert f'href="{server.url(f"/graphs/acme?focus={INVITE}")}"' in markup
    page.get_by_role("link", name="Back to the graph").click()
    page.locator("#share summary").click()
    assert page.locator("#share #snippet-html_clickable").input_value() == markup  # drawn once, kept
    assert visit.problems == []
