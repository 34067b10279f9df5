"""Where the real clients of our embeds live on this machine, installed by `make client-deps`.

A test that needs one fails (never skips) when it is missing: a missing client must not pass as a
working embed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx2
import lxml.html
import pytest
from lxml import etree
from playwright.sync_api import Browser, sync_playwright

from tests.servers import ROOT, free_port, running

CLIENTS = ROOT / "tests" / "clients"
# mermaid-cli on Debian's chromium, as puppeteer.json tells it (no sandbox as root, no calls home).
MMDC = CLIENTS / "node_modules" / ".bin" / "mmdc"
PUPPETEER_CONFIG = CLIENTS / "puppeteer.json"


CHROMIUM = os.environ.get("BETGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's own probe starts it: no sandbox as root, no calls home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright (no browser download), closed on leaving."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium is not at {CHROMIUM}: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def command(name: str) -> str:
    """The path of a Debian command the embed tests run (cmark-gfm, php, nginx, wrk)."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `make client-deps` installs it from Debian's packages")
    return found


def mmdc() -> list[str]:
    """The mermaid-cli command line, ready for `-i` and `-o`."""
    if not MMDC.exists():
        pytest.fail("mermaid-cli is not installed: `make client-deps` installs it from npm")
    return [str(MMDC), "--puppeteerConfigFile", str(PUPPETEER_CONFIG), "--quiet"]


def mermaid_drawn(sources: list[str], folder: Path) -> list[etree._Element]:
    """Each Mermaid source as mermaid-cli draws it (its SVG, parsed), in one run over a Markdown
    file of them all: one browser start for the lot."""
    (folder / "in.md").write_text("".join(f"```mermaid\n{source}```\n\n" for source in sources))
    done = subprocess.run(
        [*mmdc(), "--jobs", "2", "-i", str(folder / "in.md"), "-o", str(folder / "out.md")],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    return [etree.fromstring((folder / f"out-{n}.svg").read_bytes(), parser) for n in range(1, len(sources) + 1)]


def mediawiki() -> Path:
    """Debian's MediaWiki installation (its code, read-only; a test makes its own wiki from it)."""
    root = Path("/usr/share/mediawiki")
    if not (root / "maintenance" / "install.php").exists():
        pytest.fail("MediaWiki is not installed: `make client-deps` installs Debian's mediawiki package")
    return root


OIDC_PROVIDER = CLIENTS / "oidc" / "provider.mjs"


@contextmanager
def oidc_provider(config: dict[str, Any]) -> Iterator[str]:
    """panva's oidc-provider on a free loopback port with `config`'s clients and accounts (as
    tests/clients/oidc/provider.mjs describes them); yields its issuer URL, stopped on leaving.

    Each call is a provider of its own: another issuer, other keys, no sessions shared.
    """
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the OpenID provider runs on Node.js 18 or later (Debian's nodejs)")
    if not (CLIENTS / "node_modules" / "oidc-provider" / "package.json").exists():
        pytest.fail("oidc-provider is not installed: `make client-deps` installs it from npm")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="betgraph-oidc-") as folder:
        path = Path(folder) / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        # Its warnings and any server_error go to stderr, which pytest shows when a test fails.
        process = subprocess.Popen(
            [node, str(OIDC_PROVIDER), str(port), str(path)], cwd=CLIENTS, stdout=subprocess.DEVNULL
        )
        with running(process, f"{issuer}/.well-known/openid-configuration", what=f"oidc-provider on port {port}"):
            yield issuer


def provider_page(response: httpx2.Response) -> lxml.html.HtmlElement:
    """The provider's HTML page (its forms, its text)."""
    return lxml.html.document_fromstring(response.text)


def provider_sign_in(browser: httpx2.Client, url: str, login: str, *, callback: str) -> httpx2.Response:
    """What a person does from the authorization URL on: each redirect followed, the sign-in form
    filled with `login`, the consent form accepted; the answer that sends them back to Betgraph."""
    response = browser.get(url)
    for _ in range(12):
        location = response.headers.get("location")
        if location is not None:
            if location.startswith(callback):
                return response
            response = browser.get(urljoin(str(response.url), location))
            continue
        forms = provider_page(response).forms if response.status_code == 200 else []
        assert forms, f"neither a redirect nor a form: {response.status_code} {response.text[:500]}"
        form = forms[0]
        fields = dict(form.form_values())
        if "login" in form.inputs.keys():  # noqa: SIM118 (lxml's InputGetter has no __iter__)
            fields |= {"login": login, "password": "any password"}
        response = browser.post(urljoin(str(response.url), form.action), data=fields)
    raise AssertionError("the provider never sent the browser back to the redirect_uri")
