from __future__ import annotations

import lxml.html
import pytest

from app.web.markdown import to_html

ALLOWED = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4", "h5", "h6", "hr"}

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="https://x.example" onclick="alert(1)">x</a>',
    "![pixel](https://tracker.example/p.gif)",
    "<style>body{display:none}</style>",
    '<svg><foreignObject><iframe src="https://x.example"></iframe></foreignObject></svg>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_that_runs_or_loads_survives(text: str) -> None:
    # What the person typed may show as text; as markup only the allowlist remains.
    root = lxml.html.fragment_fromstring(str(to_html(text)), create_parent="div")
    for element in root.iterdescendants():
        assert element.tag in ALLOWED
        assert set(element.attrib) <= {"href", "rel"}
        assert element.get("href", "https://").startswith(("https://", "http://"))


def test_markdown_is_drawn_and_links_are_marked() -> None:
    html = str(to_html("**Bold** and *soft*\n\n- one\n- [two](https://example.com)"))
    assert "<strong>Bold</strong>" in html
    assert "<em>soft</em>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">two</a>' in html
