"""People in the viewer, end to end: Chromium signs in through the real OpenID provider to a real
`betgraph serve`, on SQLite and PostgreSQL.

One story per database, in the order an organisation lives it: an owner signs in and names members
on the settings page; a viewer reads and cannot edit; an editor edits and history names them; a
member taken off the graph loses it on their next request; signing out and an administrator's
revocation take effect at once; a person makes a token of their own, which never does more than they.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.realclients import oidc_provider
from tests.servers import ROOT, betgraph, database, free_port, serving

PRIVATE = (ROOT / "examples" / "acme.yaml").read_text().replace("visibility: public", "visibility: private")
INVITE = "employee-invite-flow"
ACCOUNTS = {
    "olga": {"email": "olga@example.org", "name": "Olga Owner"},
    "carol": {"email": "carol@example.org", "name": "Carol Viewer"},
    "bob": {"email": "bob@example.org", "name": "Bob Editor"},
}


@dataclass
class World:
    base: str
    env: dict[str, str]
    admin: str  # an administrator's service token, as `betgraph token create` makes it
    browser: Browser

    def url(self, path: str) -> str:
        return self.base + path

    def person(self, login: str) -> Page:
        """A fresh browser, signed in as `login` through the provider's own pages."""
        context: BrowserContext = self.browser.new_context(viewport={"width": 1300, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(self.url("/graphs/acme"))
        page.get_by_role("link", name="Sign in", exact=True).last.click()
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill("any password")
        page.locator("button[type=submit]").click()
        page.locator("button[type=submit]").click()  # the provider's consent: "Continue"
        page.wait_for_url(self.url("/graphs/acme"))
        return page

    def api(self, method: str, path: str, **kwargs: object) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {self.admin}"}
        return httpx2.request(method, self.url(path), headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def _accessible(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    found = [f"{v['id']}: {v['help']} (e.g. {v['nodes'][0]['target']})" for v in results.response["violations"]]
    assert found == [], f"{page.url}: {found}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("people")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client = {
        "client_id": "betgraph",
        "client_secret": "betgraph-secret",
        "redirect_uris": [f"{base}/auth/callback"],
        "post_logout_redirect_uris": [f"{base}/"],
    }
    with oidc_provider({"clients": [client], "accounts": ACCOUNTS}) as issuer, database(request.param, folder) as url:
        env = os.environ | {
            "BETGRAPH_DATA": str(folder / "data"),
            "DATABASE_URL": url,
            "BETGRAPH_PUBLIC_URL": base,
            "BETGRAPH_OIDC_ISSUER": issuer,
            "BETGRAPH_OIDC_CLIENT_ID": "betgraph",
            "BETGRAPH_OIDC_CLIENT_SECRET": "betgraph-secret",
        }
        (folder / "acme.yaml").write_text(PRIVATE)
        betgraph(env, "db", "upgrade")
        betgraph(env, "import", str(folder / "acme.yaml"))
        betgraph(env, "member", "add", "acme", "olga@example.org", "--role", "owner")
        admin = betgraph(env, "token", "create", "--scope", "admin", "--label", "ops").stdout.strip()
        with serving(env, port=port) as served:
            yield World(served, env, admin, browser)


def test_an_organisation_works_on_a_private_graph(world: World) -> None:
    # Nobody signed in sees a private graph: they are asked to sign in.
    anonymous = httpx2.get(world.url("/graphs/acme"))
    assert anonymous.status_code == 401

    olga = world.person("olga")
    expect(olga.locator("header")).to_contain_text("Signed in as Olga Owner")
    olga.get_by_role("link", name="Settings and members").click()
    for email, role in (("carol@example.org", "viewer"), ("bob@example.org", "editor")):
        olga.get_by_label("Add someone by e-mail address").fill(email)
        olga.get_by_label("Role", exact=True).select_option(role)
        olga.get_by_role("button", name="Add member").click()
        expect(olga.locator("#members ~ table, table").first).to_contain_text(email)

    _accessible(olga)

    # A viewer reads, and is offered nothing to change; the form is refused if they find it anyway.
    carol = world.person("carol")
    expect(carol.locator("header")).to_contain_text("Signed in as Carol Viewer")
    expect(carol.get_by_role("link", name="New bet")).to_have_count(0)
    expect(carol.get_by_role("link", name="Settings and members")).to_have_count(0)
    carol.goto(world.url(f"/graphs/acme/bets/{INVITE}/edit"))
    expect(carol.locator("main")).to_contain_text("may only read")

    # An editor edits; history names them.
    bob = world.person("bob")
    expect(bob.get_by_role("link", name="Settings and members")).to_have_count(0)
    bob.goto(world.url(f"/graphs/acme/bets/{INVITE}/edit"))
    bob.get_by_label("Certainty", exact=True).fill("0.7")
    bob.get_by_role("button", name="Save bet").click()
    bob.wait_for_url(re.compile(rf"/graphs/acme\?focus={INVITE}$"))
    history = world.api("GET", "/api/graphs/acme/revisions").json()
    newest = history["items"][0] if "items" in history else history["revisions"][0]
    assert newest["who"]["person"] == {"name": "Bob Editor", "email": "bob@example.org"}
    bob.locator("#history summary").click()
    expect(bob.locator("#history li").first).to_contain_text("Bob Editor")

    # Taken off the graph, Carol has lost it on her very next request.
    olga.goto(world.url("/graphs/acme/settings"))
    olga.get_by_role("button", name="Remove carol@example.org").click()
    expect(olga.locator("table").first).not_to_contain_text("carol@example.org")
    carol.reload()
    expect(carol.locator("h1")).to_have_text("Not found")

    # A personal token acts as its person: Bob's write token may edit, never change the settings.
    bob.goto(world.url("/account"))
    bob.get_by_label("What it is for").fill("CI")
    bob.get_by_label("Scope").select_option("write")
    bob.get_by_role("button", name="Make a token").click()
    token = bob.locator("#new-token").inner_text()
    _accessible(bob)
    mine = {"Authorization": f"Bearer {token}"}
    patched = httpx2.patch(
        world.url(f"/api/graphs/acme/bets/{INVITE}"), json={"certainty": 0.72}, headers=mine, timeout=30
    )
    assert patched.status_code == 200, patched.text
    header = httpx2.get(world.url("/api/graphs/acme"), headers=mine, timeout=30).json()
    header["graph"]["title"] = "Renamed by a token"
    renamed = httpx2.put(world.url("/api/graphs/acme"), json=header, headers=mine, timeout=30)
    assert renamed.status_code == 403

    # Signing out ends the session here at once, and goes on to the provider's own sign-out.
    bob.goto(world.url("/graphs/acme"))
    bob.get_by_role("button", name="Sign out").click()
    bob.wait_for_url(re.compile(r"/session/end"))
    response = bob.goto(world.url("/graphs/acme"))
    assert response is not None
    assert response.status == 401

    # An administrator ends Olga's session; her next request is signed out.
    sessions = world.api("GET", "/api/sessions").json()["sessions"]
    olgas = [entry["id"] for entry in sessions if entry["person"]["email"] == "olga@example.org"]
    assert len(olgas) == 1
    assert world.api("DELETE", f"/api/sessions/{olgas[0]}").status_code == 204
    response = olga.goto(world.url("/graphs/acme"))
    assert response is not None
    assert response.status == 401
