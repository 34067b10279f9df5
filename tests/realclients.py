"""Where the real clients of our embeds live on this machine, installed by `make client-deps`.

A test that needs one fails (never skips) when it is missing: a missing client must not pass as a
working embed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.servers import ROOT

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
