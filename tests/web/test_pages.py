"""The viewer, end to end: Debian's chromium clicks through it against a real server.

Each flow a front-line team uses is walked the way a person would: open a graph, select a bet,
focus its why-chain, filter, jump from a lint finding, sign in, edit, lose a race to a
colleague's edit, share. With BETGRAPH_SCREENSHOTS set (`make docs`) they save screenshots of the
main pages for the README.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.receiver import receiving
from tests.web.conftest import Server, Visit, screenshot, sign_in

INVITE = "employee-invite-flow"  # an initiative of examples/acme.yaml with a deep why-chain
INVITE_TITLE = "Employee invite flow for bank and tax details"


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _node(page: Page, node_id: str) -> str:
    return f'#canvas a[*|href$="focus={node_id}"]'


def test_the_index_lists_what_the_visitor_may_see(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url("/"))
    # copies of the example that other tests change share its title, under slugs of their own
    expect(page.locator('main a[href="/graphs/acme"]')).to_have_text("Acme product map")
    expect(page.get_by_text("failures")).to_have_count(0)  # private: not listed before signing in
    screenshot(page, "index")
    sign_in(visit, server, server.reader)
    expect(page.get_by_text("failures · private")).to_be_visible()
    cookie = next(c for c in visit.context.cookies() if c["name"] == "betgraph_token")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    assert visit.problems == []


def test_a_private_graph_asks_to_sign_in(visit: Visit, server: Server) -> None:
    answer = visit.page.goto(server.url("/graphs/failures"))
    assert answer is not None
    assert answer.status == 401
    expect(visit.page.get_by_role("heading", name="Sign in to see this graph")).to_be_visible()


def test_the_map_pans_zooms_and_selects_a_bet(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url("/graphs/acme"))
    expect(page.get_by_role("heading", name="Acme product map")).to_be_visible()
    viewport = page.locator("#canvas svg g.svg-pan-zoom_viewport")
    expect(viewport).to_have_count(1)
    before = viewport.get_attribute("transform") or viewport.get_attribute("style")
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_function(
        """before => {
            const viewport = document.querySelector("#canvas svg g.svg-pan-zoom_viewport");
            return (viewport.getAttribute("transform") || viewport.getAttribute("style")) !== before;
        }""",
        arg=before,
    )
    page.get_by_role("button", name="Fit").click()

    page.locator(_node(page, INVITE)).first.click()
    expect(page.locator("#details h2")).to_have_text(INVITE_TITLE)
    assert _query(page)["focus"] == [INVITE]
    expect(page.locator("#details")).to_contain_text("Chain certainty")
    expect(page.locator("#details")).to_contain_text("Weakest link")
    expect(page.locator("#canvas g.selected")).to_have_count(1)
    screenshot(page, "map")
    assert visit.problems == []


def test_a_2000_bet_map_stays_usable(visit: Visit, server: Server) -> None:
    page = visit.page
    page.set_default_timeout(60_000)  # the first drawing of the map runs Graphviz; later ones are cached
    page.goto(server.url("/graphs/big"))
    expect(page.locator("#canvas svg g.svg-pan-zoom_viewport")).to_have_count(1)
    page.get_by_role("button", name="Zoom in").click()
    page.set_default_timeout(10_000)
    anchor = page.locator('#canvas a[*|href*="focus="]').nth(40)
    node = parse_qs(urlsplit(anchor.get_attribute("xlink:href") or "").query)["focus"][0]
    anchor.dispatch_event("click")  # it may sit outside the visible part of the picture
    expect(page.locator("#details code").first).to_have_text(node)
    assert visit.problems == []


def test_a_bet_opens_from_the_keyboard(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url("/graphs/acme"))
    page.locator(_node(page, INVITE)).first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#details h2")).to_have_text(INVITE_TITLE)
    expect(page.locator("#details h2")).to_be_focused()


def test_focus_draws_the_why_chain_and_the_impact(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url(f"/graphs/acme?focus={INVITE}"))
    page.get_by_role("link", name="Why it matters").click()
    expect(page.locator("#canvas svg title").first).to_contain_text("why")
    assert _query(page)["view"] == ["why"]
    expect(page.locator("#picture-text")).to_contain_text("chain certainty")
    screenshot(page, "why")
    page.get_by_role("link", name="What rests on it").click()
    assert _query(page)["view"] == ["impact"]
    expect(page.locator("#canvas svg title").first).to_contain_text("impact")
    assert visit.problems == []


def test_filters_narrow_the_map_and_live_in_the_url(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url("/graphs/acme"))
    page.get_by_label("≤ 6 weeks").check()
    page.get_by_label("Team").select_option("onboarding")
    page.get_by_label("Up for debate").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    query = _query(page)
    assert query["band"] == ["6w"]
    assert query["team"] == ["onboarding"]
    heading = page.get_by_role("heading", name=re.compile(r"\d+ bets? match the filters"))
    expect(heading).to_be_visible()
    count = int((heading.text_content() or "").split()[0])
    assert 0 < count < 29
    expect(page.locator(".matches li")).to_have_count(count)
    # the same address in a new tab shows the same view
    shared = page.url
    other = visit.context.new_page()
    other.goto(shared)
    expect(other.get_by_label("≤ 6 weeks")).to_be_checked()
    expect(other.locator(".matches li")).to_have_count(count)
    screenshot(page, "filtered")
    page.get_by_role("link", name="Clear").click()
    assert "band" not in _query(page)


def test_the_lint_panel_jumps_to_the_bet(visit: Visit, server: Server) -> None:
    page = visit.page
    sign_in(visit, server, server.reader)
    page.goto(server.url("/graphs/failures"))
    panel = page.locator("#lint")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    finding = panel.locator("a.select").filter(has_text="orphan").first
    subject = (finding.get_attribute("data-node") or "").strip()
    assert subject
    finding.click()
    expect(page.locator("#details code").first).to_have_text(subject)
    expect(page.locator("#details")).to_contain_text("orphan")
    expect(page.locator("#canvas g.selected")).to_have_count(1)
    screenshot(page, "lint")
    assert visit.problems == []


@pytest.mark.parametrize("lens", ["board", "assumptions", "portfolio"])
def test_a_card_or_point_of_a_lens_opens_its_details(visit: Visit, server: Server, lens: str) -> None:
    page = visit.page
    page.goto(server.url(f"/graphs/acme?view={lens}"))
    expect(page.locator("#canvas svg g.svg-pan-zoom_viewport")).to_have_count(1)
    anchor = page.locator('#canvas a[*|href*="focus="]').first
    node = parse_qs(urlsplit(anchor.get_attribute("xlink:href") or "").query)["focus"][0]
    anchor.dispatch_event("click")  # a card may sit under the pan-and-zoom's edge
    expect(page.locator("#details code").first).to_have_text(node)
    assert _query(page)["focus"] == [node]
    assert _query(page)["view"] == [lens]  # the lens stays on screen beside the details
    expect(page.locator("#canvas g.selected")).to_have_count(1)
    assert visit.problems == []


def test_an_owner_subscribes_a_webhook_and_reads_its_log(visit: Visit, server: Server, own_acme: str) -> None:
    page = visit.page
    sign_in(visit, server, server.admin)
    with receiving() as receiver:
        page.goto(server.url(f"/graphs/{own_acme}/settings"))
        page.get_by_label("Send to").fill(receiver.hook("page"))
        page.get_by_label("bet.resolved").check()
        page.get_by_label("Format").select_option("slack")
        page.get_by_label("What it is for").fill("The growth channel")
        page.get_by_role("button", name="Add webhook").click()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        receiver.secrets["page"] = secret

        changed = httpx2.patch(
            server.url(f"/api/graphs/{own_acme}/bets/{INVITE}"),
            json={"certainty": 0.33},
            headers={"Authorization": f"Bearer {server.admin}"},
            timeout=30,
        )
        assert changed.status_code == 200, changed.text
        receiver.wait(lambda: len(receiver.of("page")) == 1)
        assert receiver.of("page")[0].verified
        assert "blocks" in receiver.of("page")[0].json  # Slack's shape

        page.goto(server.url(f"/graphs/{own_acme}/settings#webhooks"))
        expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once
        hook = page.locator("article.webhook").filter(has_text="The growth channel")
        expect(hook.locator("tbody tr")).to_have_count(1)
        expect(hook.locator("tbody tr").first).to_contain_text("revision.created")
        expect(hook.locator("tbody tr").first).to_contain_text("delivered")
        expect(hook.locator("tbody tr").first).to_contain_text("HTTP 200")
        hook.get_by_role("button", name="Turn off").click()
        expect(page.locator("article.webhook").filter(has_text="The growth channel")).to_contain_text(
            "Off: turned off by its owner"
        )
    assert visit.problems == []


def test_editing_shows_errors_by_the_field_and_saves(visit: Visit, server: Server, own_acme: str) -> None:
    page = visit.page
    sign_in(visit, server, server.admin)
    page.goto(server.url(f"/graphs/{own_acme}?focus={INVITE}"))
    page.locator("#details").get_by_role("link", name="Edit").click()
    certainty = page.get_by_label("Certainty", exact=True)
    certainty.fill("1.5")
    page.get_by_label("Links").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save bet").click()
    expect(page.locator("#certainty-error")).to_contain_text("between 0 and 1")
    expect(page.locator("#links-error")).to_contain_text("http")
    expect(certainty).to_have_attribute("aria-invalid", "true")
    screenshot(page, "edit-errors")
    stored = httpx2.get(server.url(f"/api/graphs/{own_acme}/bets/{INVITE}")).json()
    assert stored["certainty"] != 1.5  # nothing was written

    certainty.fill("65%")
    page.get_by_label("Links").fill("https://wiki.example.com/invite-flow")
    page.get_by_role("button", name="Save bet").click()
    page.wait_for_url(re.compile(rf"/graphs/{own_acme}\?focus={INVITE}$"))
    expect(page.locator("#details")).to_contain_text("65%")
    expect(page.locator("#details").get_by_role("link", name="https://wiki.example.com/invite-flow")).to_be_visible()
    stored = httpx2.get(server.url(f"/api/graphs/{own_acme}/bets/{INVITE}")).json()
    assert stored["certainty"] == 0.65
    assert stored["links"] == ["https://wiki.example.com/invite-flow"]


def test_a_stale_form_cannot_overwrite_a_newer_edit(visit: Visit, server: Server, own_acme: str) -> None:
    page = visit.page
    sign_in(visit, server, server.admin)
    page.goto(server.url(f"/graphs/{own_acme}/bets/tax-id-helper/edit"))
    page.get_by_label("Title").fill("My title, from a form opened before theirs")
    # a colleague saves the same bet through the API meanwhile
    changed = httpx2.patch(
        server.url(f"/api/graphs/{own_acme}/bets/tax-id-helper"),
        json={"title": "Their newer title"},
        headers={"Authorization": f"Bearer {server.admin}"},
    )
    assert changed.status_code == 200, changed.text
    page.get_by_role("button", name="Save bet").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone saved this bet after you opened it")
    expect(page.get_by_text("Saved meanwhile:")).to_contain_text("Their newer title")
    expect(page.get_by_label("Title")).to_have_value("My title, from a form opened before theirs")
    screenshot(page, "conflict")
    assert httpx2.get(server.url(f"/api/graphs/{own_acme}/bets/tax-id-helper")).json()["title"] == "Their newer title"
    # saving again, knowingly, keeps ours
    page.get_by_role("button", name="Save bet").click()
    page.wait_for_url(re.compile(r"focus=tax-id-helper$"))
    title = httpx2.get(server.url(f"/api/graphs/{own_acme}/bets/tax-id-helper")).json()["title"]
    assert title == "My title, from a form opened before theirs"


def test_assumptions_and_their_evidence_are_created_edited_and_deleted(
    visit: Visit, server: Server, own_acme: str
) -> None:
    page = visit.page
    sign_in(visit, server, server.admin)
    page.goto(server.url(f"/graphs/{own_acme}"))
    page.get_by_role("link", name="New assumption").click()
    page.get_by_label("Id").fill("payroll-admins-read-email")
    page.get_by_label("We believe that…").fill("Payroll admins read the invite reminder emails")
    page.get_by_label("Certainty", exact=True).fill("40%")
    evidence = page.locator("fieldset.evidence-row").last
    evidence.get_by_label("Kind").select_option("data")
    evidence.get_by_label("Summary").fill("Open rate of reminder emails is 62%")
    evidence.get_by_label("Level").select_option("launch-data")
    page.get_by_role("button", name="Create assumption").click()
    page.wait_for_url(re.compile(r"focus=payroll-admins-read-email$"))
    expect(page.locator("#details")).to_contain_text("Open rate of reminder emails is 62%")

    page.locator("#details").get_by_role("link", name="Edit").click()
    page.locator("fieldset.evidence-row").first.get_by_label("Remove this evidence").check()
    page.get_by_role("button", name="Save assumption").click()
    expect(page.locator("#details")).to_contain_text("No evidence yet.")

    page.locator("#details").get_by_role("link", name="Edit").click()
    page.locator("details.danger summary").click()
    page.get_by_role("button", name="Delete payroll-admins-read-email").click()
    page.wait_for_url(server.url(f"/graphs/{own_acme}"))
    assert httpx2.get(server.url(f"/api/graphs/{own_acme}/assumptions/payroll-admins-read-email")).status_code == 404


def test_share_gives_snippets_with_a_preview(visit: Visit, server: Server) -> None:
    page = visit.page
    page.goto(server.url(f"/graphs/acme?view=why&focus={INVITE}"))
    page.locator("#share summary").click()
    preview = page.locator("#share figure img")
    expect(preview).to_be_visible()
    page.wait_for_function("() => document.querySelector('#share figure img').naturalWidth > 0")
    markdown = page.locator("#snippet-markdown").input_value()
    assert f"/graphs/acme/why/{INVITE}.svg" in markdown
    assert "prefers-color-scheme: dark" in page.locator("#snippet-markdown_github").input_value()
    assert page.locator("#snippet-confluence").input_value().startswith("!")
    screenshot(page, "share")
    assert visit.problems == []


def test_a_private_graph_gets_an_embed_link(visit: Visit, server: Server) -> None:
    page = visit.page
    sign_in(visit, server, server.admin)
    page.goto(server.url("/graphs/failures"))
    page.locator("#share summary").click()
    page.get_by_role("button", name="Make an embed link").click()
    url = page.locator("#snippet-url").input_value()
    assert "/e/bg_" in url
    assert httpx2.get(url).status_code == 200
    assert httpx2.get(url.replace("/e/", "/e/x")).status_code == 404


def test_pages_pass_axe_in_both_themes(visit: Visit, server: Server) -> None:
    page = visit.page
    axe = Axe()
    sign_in(visit, server, server.admin)
    for theme in ("light", "dark"):
        for path in (
            "/",
            f"/graphs/acme?focus={INVITE}&theme={theme}",
            f"/graphs/acme?view=board&theme={theme}",
            f"/graphs/acme?view=assumptions&theme={theme}",
            f"/graphs/acme?view=portfolio&theme={theme}",
            "/graphs/acme/bets/new",
            "/graphs/acme/settings",
            "/account",
            f"/search?q=self&theme={theme}",
        ):
            page.goto(server.url(path + ("" if "theme=" in path else f"?theme={theme}")))
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
            found = [
                f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})"
                for v in results.response["violations"]
            ]
            assert found == [], f"{path} ({theme}): {found}"
    page.goto(server.url("/graphs/acme?theme=dark"))
    screenshot(page, "map-dark")


def test_history_shows_the_graph_as_it_was_and_what_changed(visit: Visit, server: Server, own_acme: str) -> None:
    page = visit.page
    changed = httpx2.patch(
        server.url(f"/api/graphs/{own_acme}/bets/setup-nudge-emails?reason=Nudges+tested+well"),
        json={"certainty": 0.85, "status": "validated"},
        headers={"Authorization": f"Bearer {server.admin}"},
    )
    assert changed.status_code == 200, changed.text
    head = int(httpx2.get(server.url(f"/api/graphs/{own_acme}")).headers["etag"].strip('"r'))
    page.goto(server.url(f"/graphs/{own_acme}"))
    page.locator("#history summary").click()
    expect(page.locator("#history")).to_contain_text("Nudges tested well")
    page.locator("#history li").first.get_by_role("link", name="what changed").click()
    assert _query(page) == {"view": ["diff"], "focus": [f"{head - 1}..{head}"]}
    expect(page.locator(".changes")).to_contain_text("status active → validated")
    expect(page.locator("#canvas svg title").first).to_contain_text("changes")
    screenshot(page, "diff")
    page.goto(server.url(f"/graphs/{own_acme}?as_of={head - 1}&focus=setup-nudge-emails"))
    expect(page.get_by_role("status")).to_contain_text(f"revision {head - 1}")
    expect(page.locator("#details")).not_to_contain_text("validated")
    expect(page.locator("#details").get_by_role("link", name="Edit")).to_have_count(0)  # the past is read only
    assert visit.problems == []
