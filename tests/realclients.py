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

import pytest
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
