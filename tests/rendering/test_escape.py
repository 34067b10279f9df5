"""Hostile text goes through real Graphviz and comes out as exactly that text, and nothing else changes."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
from lxml import etree

from app.domain.model import Assumption, Bet, Graph, Kind
from app.rendering.escape import attribute_text, label_text
from app.rendering.render import render
from app.rendering.svg import SVG, XLINK
from app.rendering.views import View
from tests.domain.builders import TODAY

XLINK_TITLE = f"{{{XLINK}}}title"
HOSTILE = [
    "<script>alert(1)</script>",
    '"]; x [image="/etc/hostname"]',
    "<<B>b</B>>",
    r"\N \G \E \T \H \L \l \n \r \\",
    "ends with a backslash \\",
    "&amp; &#92; &lt;",
    "مرحبا بالعالم \u202eevil\u202c done",
    "emoji 🚀🔥 and ZWJ 👩‍💻",
    "x" * 500,
]


def _dot_svg(source: str) -> str:
    return subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("text", HOSTILE)
def test_label_text_comes_out_literally(text: str) -> None:
    svg = _dot_svg(f"digraph g {{ a [label=<{label_text(text)}>] }}")
    lines = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert lines == [text]


@pytest.mark.parametrize("text", [*HOSTILE, "two\nlines"])
def test_attribute_text_comes_out_literally(text: str) -> None:
    svg = _dot_svg(f'digraph g {{ a [label="", tooltip="{attribute_text(text)}"] }}')
    tooltip = re.search(r'xlink:title="([^"]*)"', svg)
    assert tooltip is not None
    assert html.unescape(tooltip.group(1)) == text


def _graph(text: str) -> Graph:
    return Graph(
        slug="hostile",
        title=text,
        bets=(
            Bet(id="vision", kind=Kind.VISION, title=text, certainty=0.5, assumes=("belief",)),
            Bet(id="child", kind=Kind.GOAL, title="plain", parents=("vision",), team=text[:200]),
        ),
        assumptions=(Assumption(id="belief", statement=text, certainty=0.4),),
    )


def _kinds(svg: str) -> set[tuple[str, tuple[str, ...]]]:
    """Every kind of element with the attribute names it carries."""
    return {(str(element.tag), tuple(sorted(map(str, element.attrib)))) for element in etree.fromstring(svg).iter()}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_titles_change_nothing_but_text(text: str) -> None:
    svg = render(_graph(text), View(), "svg", TODAY).decode()
    baseline = render(_graph("plain words"), View(), "svg", TODAY).decode()
    assert _kinds(svg) == _kinds(baseline)
    root = etree.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.endswith(("script", "image", "foreignObject"))]
    # The full text is in a tooltip even where the label wraps or shortens it.
    tooltips = [a.get(XLINK_TITLE, "") for a in root.iter() if a.get(XLINK_TITLE)]
    assert any(t.split("\n")[0] == " ".join(text.split()) for t in tooltips)
    # And the visible label shows it, line by line.
    shown = "".join(e.text or "" for e in root.iter(f"{{{SVG}}}text"))
    assert " ".join(text.split())[:20] in shown
