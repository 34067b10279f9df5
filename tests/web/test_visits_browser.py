"""Since your last visit in Chromium, against a real server on SQLite (`betgraph serve`): the page
records the visit only once it is shown, and the next visit tells what changed and outlines it.

The person is signed in as the provider's callback would sign them in (a sign-in row, its secret
in the session cookie); signing in through a provider is tests/web/test_sso.py's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, select, update

from app.services import people
from app.storage import signins
from app.storage.db import make_engine, make_sessionmaker
from app.storage.graphs import get_graph_row
from app.storage.tables import SignInRow, VisitRow, as_utc
from app.web.auth import SESSION_COOKIE
from tests.servers import ROOT, betgraph, serving
from tests.web.conftest import Visit

INVITE = "employee-invite-flow"  # an initiative of examples/acme.yaml
# A tab opened in the background: its document is hidden until `window.shown` is set.
HIDDEN_UNTIL_SHOWN = (
    "Object.defineProperty(document, 'visibilityState', "
    "{ get: function () { return window.shown ? 'visible' : 'hidden'; } });"
)


@dataclass
class Site:
    base: str
    engine: Engine
    writer: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("visits")
    env = os.environ | {"BETGRAPH_DATA": str(data), "DATABASE_URL": ""}
    betgraph(env, "db", "upgrade")
    betgraph(env, "import", str(ROOT / "examples" / "acme.yaml"))
    writer = betgraph(env, "token", "create", "--scope", "write", "--label", "visit tests").stdout.strip()
    engine = make_engine(f"sqlite:///{Path(data) / 'betgraph.db'}")
    with serving(env) as base:
        yield Site(base, engine, writer)
    engine.dispose()


def _signed_in(site: Site, visit: Visit, email: str) -> int:
    """A sign-in for `email`, last used two minutes ago (so its next request records that it was
    used), its secret in the browser's session cookie; the person's id."""
    with make_sessionmaker(site.engine)() as session:
        person = people.person(session, email)
        row, secret = signins.start(session, person, admin_group=False, id_token=None)
        session.flush()
        earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
        session.execute(update(SignInRow).where(SignInRow.id == row.id).values(seen_at=earlier))
        session.commit()
        person_id: int = person.id
    visit.context.add_cookies([{"name": SESSION_COOKIE, "value": secret, "url": site.base}])
    return person_id


def _visited(site: Site, person_id: int) -> int | None:
    with make_sessionmaker(site.engine)() as session:
        row = get_graph_row(session, "acme")
        assert row is not None
        query = select(VisitRow.revision).where(VisitRow.person_id == person_id, VisitRow.graph_id == row.id)
        revision: int | None = session.scalar(query)
        return revision


def _until_visited(site: Site, person_id: int, want: int) -> None:
    """Until the page's script has posted: it does not wait for it."""
    deadline = time.monotonic() + 10
    while (found := _visited(site, person_id)) != want and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found == want


def test_the_page_records_the_visit_once_shown_and_tells_the_next_one_what_changed(
    visit: Visit, browser: Browser, site: Site
) -> None:
    person = _signed_in(site, visit, "pat@example.org")
    page = visit.page
    page.goto(f"{site.base}/graphs/acme")
    expect(page.get_by_role("region", name="Since your last visit")).to_have_count(0)
    _until_visited(site, person, 1)

    changed = httpx2.patch(
        f"{site.base}/api/graphs/acme/bets/{INVITE}",
        json={"certainty": 0.05},
        headers={"Authorization": f"Bearer {site.writer}"},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text

    page.goto(f"{site.base}/graphs/acme")
    banner = page.get_by_role("region", name="Since your last visit")
    expect(banner).to_contain_text("Since your last visit (revision 1, ")
    expect(banner.get_by_role("listitem")).to_have_count(1)
    expect(banner.get_by_role("listitem")).to_contain_text("certainty")
    # the changed bet is outlined in the picture, and only it
    expect(page.locator("#canvas g.changed-since")).to_have_count(1)
    expect(page.locator(f'#canvas g.changed-since a[*|href$="focus={INVITE}"]')).to_have_count(1)
    _until_visited(site, person, 2)

    # its link selects the bet in place, as a click on the map does
    banner.get_by_role("listitem").get_by_role("link").click()
    expect(page.locator("#details-title")).to_be_visible()
    assert page.url.endswith(f"?focus={INVITE}")

    banner.get_by_role("link", name="Mark them on the map").click()
    page.wait_for_url(f"{site.base}/graphs/acme?view=diff&focus=1..2")
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    assert visit.problems == []


def test_a_page_opened_but_never_shown_records_nothing(visit: Visit, browser: Browser, site: Site) -> None:
    person = _signed_in(site, visit, "sam@example.org")
    page = visit.page
    page.add_init_script(HIDDEN_UNTIL_SHOWN)
    page.goto(f"{site.base}/graphs/acme")
    expect(page.locator("#canvas svg")).to_be_visible()
    time.sleep(0.5)
    assert _visited(site, person) is None
    page.evaluate("window.shown = true; document.dispatchEvent(new Event('visibilitychange'))")
    shown = page.evaluate("Number(document.querySelector('#visit [name=revision]').value)")
    _until_visited(site, person, shown)  # the latest: another test may have written meanwhile
    assert visit.problems == []


def test_a_post_after_a_minute_of_reading_is_answered(site: Site) -> None:
    """A POST by a person whose sign-in was last recorded over a minute ago records its use in the
    request's own transaction: on SQLite a second writer would wait for it and time out (503)."""
    with make_sessionmaker(site.engine)() as session:
        person = people.person(session, "reader@example.org")
        row, secret = signins.start(session, person, admin_group=False, id_token=None)
        session.commit()
        sign_in = row.id
    with httpx2.Client(base_url=site.base, cookies={SESSION_COOKIE: secret}, timeout=30) as client:
        page = client.get("/graphs/acme")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None
        earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
        with make_sessionmaker(site.engine)() as session:
            session.execute(update(SignInRow).where(SignInRow.id == sign_in).values(seen_at=earlier))
            session.commit()
        answer = client.post("/graphs/acme/visits", data={"csrf": found.group(1), "revision": "1"})
        assert answer.status_code == 204, answer.text
    with make_sessionmaker(site.engine)() as session:
        seen = session.get(SignInRow, sign_in)
        assert seen is not None
        assert as_utc(seen.seen_at) > earlier + dt.timedelta(minutes=1)
    assert _visited(site, person.id) == 1
