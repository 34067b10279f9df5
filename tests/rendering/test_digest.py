"""A digest as text and as GitHub Markdown, read back by real GFM renderers: markdown-it's GFM-like
preset and Debian's cmark-gfm (GitHub's own). User text shows as written and never becomes markup,
raw HTML or a link; the only links are the viewer's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import lxml.html
import pytest
from markdown_it import MarkdownIt

from app.domain.digest import Digest, RevisionNote, digest
from app.domain.lint import RULES
from app.domain.model import Kind, Resolution, Status, Verdict
from app.rendering.digest import digest_markdown, digest_text, digests_markdown
from app.services.digest import links
from tests.domain.builders import assumption, bet, graph
from tests.services.test_sharing import cmark

SINCE = dt.datetime(2026, 10, 25, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
BASE = "https://betgraph.example"
HOSTILE = (
    "*bold* _it_ <script>alert(1)</script> [x](javascript:alert(1)) a | b ~~gone~~ `code` "
    "https://evil.example/x www.evil.example evil.com ana@evil.example <b>b</b> &amp; #1 1. - + \\ end"
)
ALLOWED_TAGS = {
    "div",
    "h1",
    "h2",
    "h3",
    "p",
    "ul",
    "li",
    "a",
    "strong",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def gfm(markdown: str) -> str:
    rendered: str = MarkdownIt("gfm-like").render(markdown)
    return rendered


RENDERERS: dict[str, Callable[[str], str]] = {"markdown-it": gfm, "cmark-gfm": cmark}


def tree(rendered: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(rendered, create_parent="div")


def texts(found: list[lxml.html.HtmlElement]) -> list[str]:
    return [" ".join(element.text_content().split()) for element in found]


def hostile_digest() -> Digest:
    """A digest in which every section holds user text."""
    vision = bet("vision", Kind.VISION, title=HOSTILE)
    pilot = bet("pilot", Kind.HYPOTHESIS, ["vision"], certainty=0.7, status=Status.ACTIVE, title=HOSTILE)
    before = dataclasses.replace(
        graph(vision, pilot, bet("gone", Kind.GOAL, ["vision"], title=HOSTILE), as_of=None), title=HOSTILE
    )
    resolved = dataclasses.replace(pilot, status=Status.VALIDATED, resolution=Resolution(Verdict.VALIDATED))
    after = dataclasses.replace(
        before,
        bets=(
            vision,
            resolved,
            bet("late", Kind.GOAL, ["vision"], review_by=dt.date(2026, 10, 27), title=HOSTILE),
            bet("stray", Kind.GOAL, title=HOSTILE),
        ),
        assumptions=(assumption("leap", importance=5, statement=HOSTILE),),
    )
    notes = [RevisionNote(4, dt.datetime(2026, 10, 27, 9, 30, tzinfo=dt.UTC), HOSTILE, HOSTILE + "\n\n# not a heading")]
    return digest(before, after, notes, since=SINCE, until=UNTIL, start=3, end=4)


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_the_markdown_has_headings_lists_a_table_and_links_to_the_viewer(renderer: str) -> None:
    page = tree(RENDERERS[renderer](digest_markdown(hostile_digest(), links(BASE))))
    [title] = page.xpath("//h1")
    assert title.xpath(".//a/@href") == [f"{BASE}/graphs/test"]
    assert texts(page.xpath("//h2")) == [
        "What changed",
        "What fell due",
        "Leaps of faith still untested",
        "How calibration moved",
        "New lint findings",
    ]
    assert texts(page.xpath("//h3")) == ["Newly due (1)"]
    assert texts(page.xpath("//table//th")) == [
        "Claimed",
        "Resolved",
        "Validated",
        "Invalidated",
        "Inconclusive",
        "Hit rate",
    ]
    assert texts(page.xpath("//table//td"))[:2] == ["60–80%", "0 → 1"]
    hrefs = page.xpath("//a/@href")
    assert f"{BASE}/graphs/test?focus=late" in hrefs  # what fell due opens on the map
    assert f"{BASE}/graphs/test?focus=leap" in hrefs
    assert f"{BASE}/graphs/test?view=diff&focus=3..4" in hrefs
    items = texts(page.xpath("//li"))
    assert any(item.startswith("r4 · 2026-10-27 09:30 UTC") for item in items)
    assert "bet “" + " ".join(HOSTILE.split()) + "” removed" in items


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_user_text_is_shown_as_written_and_injects_no_markup_or_link(renderer: str) -> None:
    rendered = RENDERERS[renderer](digest_markdown(hostile_digest(), links(BASE)))
    page = tree(rendered)
    assert {element.tag for element in page.iter()} <= ALLOWED_TAGS
    for href in page.xpath("//a/@href"):
        # GitHub's renderer links an e-mail address whatever escapes it (to itself, nothing else).
        assert href.startswith(f"{BASE}/graphs/") or (renderer == "cmark-gfm" and href == "mailto:ana@evil.example")
    assert set(texts(page.xpath("//code"))) <= set(RULES)  # the rule names are ours: no user text made code
    shown = " ".join(HOSTILE.split())
    linked = texts(page.xpath("//a[not(starts-with(@href, 'mailto:'))]"))
    # The graph's title, the bet added, the one that fell due and the leap of faith, each a link to the viewer.
    assert linked.count(shown) >= 4
    text = " ".join(page.text_content().split())
    assert f"{shown} · “{shown} # not a heading”" in text  # who, and the reason on one line
    assert "<script>" in text  # shown, not run
    assert page.xpath("//script") == []


def test_an_empty_period_and_a_created_graph_say_so() -> None:
    g = graph(bet("vision", Kind.VISION), assumption("known", importance=2), as_of=None)
    quiet = digest(g, g, [], since=SINCE, until=UNTIL, start=2, end=2)
    page = tree(gfm(digest_markdown(quiet, links(""))))
    paragraphs = texts(page.xpath("//p"))
    for said in (
        "Nothing was written in this period.",
        "Nothing is past its horizon or review date without a verdict.",
        "None: every important assumption has strong evidence or a verdict.",
        "Nothing resolved yet.",
        "None.",
    ):
        assert said in paragraphs
    assert page.xpath("//a/@href") == ["/graphs/test"]  # without a public URL, paths
    assert "no revision written: revision 2 throughout" in paragraphs[0]

    created = digest(None, g, [], since=SINCE, until=UNTIL, start=None, end=1)
    made = texts(tree(gfm(digest_markdown(created, links(BASE)))).xpath("//p"))
    assert "Created with 1 bet and 1 assumption." in made
    assert "created in the period: revisions 1 to 1" in made[0]


def test_several_digests_are_one_document() -> None:
    g = graph(bet("vision", Kind.VISION), as_of=None)
    one = digest(g, g, [], since=SINCE, until=UNTIL, start=1, end=1)
    page = tree(gfm(digests_markdown([one, dataclasses.replace(one, slug="other")], links(BASE))))
    assert page.xpath("//h1//a/@href") == [f"{BASE}/graphs/test", f"{BASE}/graphs/other"]
    assert gfm(digests_markdown([], links(BASE))).strip() == "<p>No graph to digest.</p>"


def test_the_text_is_plain_lines_with_nothing_a_terminal_acts_on() -> None:
    found = hostile_digest()
    escape = dataclasses.replace(found, title="Acme\x1b[2J\x07 map\nsecond line")
    text = digest_text(escape)
    assert "\x1b" not in text
    assert "\x07" not in text
    lines = text.splitlines()
    assert lines[0] == "Acme [2J map second line (test): digest from 2026-10-25 00:00 UTC to 2026-11-01 12:00 UTC"
    assert lines[1] == "1 revision written: 3 to 4"
    for heading in ("What changed", "What fell due", "Leaps of faith still untested", "How calibration moved"):
        assert heading in lines
    assert "  resolved: 0 → 1 (+1)" in lines
    assert "  60–80%: resolved 0 → 1, hit rate – → 100%" in lines
    assert any(line.startswith("    bet late (5 days over: review by 2026-10-27): *bold*") for line in lines)
    assert any(line.startswith("  warning orphan: goal stray has no parent") for line in lines)


def test_a_busy_period_lists_its_latest_revisions_and_counts_the_rest() -> None:
    g = graph(bet("vision", Kind.VISION), as_of=None)
    notes = [RevisionNote(n, SINCE + dt.timedelta(hours=n), None, f"change {n}") for n in range(11, 41)]
    busy = digest(g, g, notes, since=SINCE, until=UNTIL, start=0, end=40)  # 40 written, the newest 30 known
    items = texts(tree(gfm(digest_markdown(busy, links(BASE)))).xpath("//h2[1]/following-sibling::ul[1]/li"))
    assert len(items) == 21
    assert items[0].startswith("r21 · ")
    assert items[19].startswith("r40 · ")
    assert items[20] == "… and 20 earlier revisions"
    text = digest_text(busy).splitlines()
    assert text[4].startswith("  r21 · ")
    assert "  … and 20 earlier revisions" in text
