"""A real server on a temporary SQLite database, and Debian's chromium driven by Playwright.

The server is started once for the module's tests (`betgraph serve`, as a person would), with
the public example, the failures example made private, a synthetic
2,000-bet map, and tokens made by `betgraph token create`. A test that writes asks for
`own_acme`, a copy of the example under a slug of its own, and leaves the shared graphs as they
were: the tests do not depend on their order, and run side by side.
Each test gets a fresh browser context: no cookie or storage leaks from one test to the next.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from app.domain.model import Visibility
from app.domain.synthetic import synthetic_graph
from app.formats.writing import dump_yaml
from tests.api.conftest import api  # noqa: F401 - the app on SQLite and PostgreSQL, for the page tests
from tests.realclients import chromium
from tests.servers import ROOT, betgraph, serving

SCREENSHOTS = os.environ.get("BETGRAPH_SCREENSHOTS", "")  # make docs names docs/screenshots


@dataclass
class Server:
    base: str
    env: dict[str, str]
    admin: str
    reader: str

    def betgraph(self, *args: str) -> str:
        return betgraph(self.env, *args).stdout.strip()

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("viewer")
    # Webhooks may go to the tests' receivers, on 127.0.0.1.
    env = os.environ | {"BETGRAPH_DATA": str(data), "DATABASE_URL": "", "BETGRAPH_WEBHOOK_ALLOW_PRIVATE": "1"}
    private = (ROOT / "examples" / "failures.yaml").read_text().replace("visibility: public", "visibility: private")
    (data / "failures.yaml").write_text(private)
    big = dataclasses.replace(synthetic_graph(2000), slug="big", visibility=Visibility.PUBLIC)
    (data / "big.yaml").write_text(dump_yaml(big))
    probe = Server("", env, "", "")
    probe.betgraph("db", "upgrade")
    probe.betgraph("import", str(ROOT / "examples" / "acme.yaml"))
    probe.betgraph("import", str(data / "failures.yaml"))
    probe.betgraph("import", str(data / "big.yaml"))
    admin = probe.betgraph("token", "create", "--scope", "admin", "--label", "viewer tests")
    reader = probe.betgraph("token", "create", "--scope", "read", "--label", "viewer tests")
    with serving(env) as base:
        yield Server(base, env, admin, reader)


@pytest.fixture
def own_acme(server: Server) -> str:
    """The slug of a fresh copy of examples/acme.yaml (its title unchanged), for one test to change."""
    slug = f"acme-{uuid.uuid4().hex[:8]}"
    document = (ROOT / "examples" / "acme.yaml").read_text().replace("slug: acme\n", f"slug: {slug}\n", 1)
    stored = httpx2.put(
        server.url(f"/api/graphs/{slug}"),
        content=document.encode(),
        headers={"Authorization": f"Bearer {server.admin}", "Content-Type": "application/yaml"},
        timeout=30,
    )
    assert stored.status_code == 201, stored.text
    return slug


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # One per module, not per session: a Playwright left running holds an event loop that a later
    # module's `asyncio.run` (tests/test_server.py) would find in its way.
    with chromium() as launched:
        yield launched


@dataclass
class Visit:
    page: Page
    context: BrowserContext
    problems: list[str]  # console errors, CSP violations and uncaught exceptions


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield Visit(page, context, problems)
    context.close()


def screenshot(page: Page, name: str) -> None:
    if not SCREENSHOTS:
        return
    folder = ROOT / SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def sign_in(visit: Visit, server: Server, token: str) -> None:
    visit.page.goto(server.url("/signin"))
    visit.page.get_by_label("Token").fill(token)
    visit.page.get_by_role("button", name="Sign in").click()
    visit.page.wait_for_url(server.url("/"))
