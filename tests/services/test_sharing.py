"""How Markdown renderers read our escapes: Debian's cmark-gfm (GitHub's own CommonMark), in its
safe mode (raw HTML dropped, as on most Markdown sites) and with --unsafe (as GitHub keeps HTML)."""

from __future__ import annotations

import subprocess

import lxml.html

from app.rendering.escape import markdown_text, markdown_url
from tests.realclients import command


def cmark(markdown: str, *, unsafe: bool = False) -> str:
    # GitHub's extensions; without --unsafe cmark-gfm drops raw HTML and dangerous URLs.
    extensions = [arg for name in ("table", "autolink", "strikethrough", "tagfilter") for arg in ("-e", name)]
    argv = [command("cmark-gfm"), *extensions, *(["--unsafe"] if unsafe else [])]
    return subprocess.run(argv, input=markdown, capture_output=True, text=True, check=True, timeout=30).stdout


def linked_image(rendered: str) -> tuple[str, str, str]:
    """(the link's href, the image's src, its alt) of the only linked image in `rendered`."""
    tree = lxml.html.fragment_fromstring(rendered, create_parent="div")
    [image] = tree.xpath("//a//img")
    [link] = image.xpath("ancestor::a")
    assert tree.xpath("//a") == [link]
    return link.get("href"), image.get("src"), image.get("alt")


def test_markdown_escapes_keep_text_and_urls_whole() -> None:
    alt = "line one\nline [two]\\ (three)\r\n\n<i>four</i>"
    url = "https://example.com/a (b)/c\\d<e>.svg?x=1&y=[2]"
    viewer = "https://example.com/graphs/acme?focus=a b)"
    rendered = cmark(f"[![{markdown_text(alt)}]({markdown_url(url)})]({markdown_url(viewer)})")
    href, src, shown = linked_image(rendered)
    assert shown == "line one line [two]\\ (three) <i>four</i>"
    assert src == "https://example.com/a%20(b)/c%5Cd%3Ce%3E.svg?x=1&y=%5B2%5D"  # cmark-gfm writes [ ] encoded
    assert href == "https://example.com/graphs/acme?focus=a%20b)"
