"""Descriptions are Markdown: drawn as HTML for the page, then cleaned by an allowlist.

markdown-it with raw HTML off escapes any tag a person typed; nh3 (the Ammonia sanitizer)
then keeps only the tags below and http(s) links, so even a parser bug cannot put script,
style or event handlers into the page.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4", "h5", "h6", "hr"}


def to_html(text: str) -> Markup:
    html = _PARSER.render(text)
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - the allowlist above is what makes it safe
