"""The one place where user text becomes Graphviz text, or Markdown text.

Graphviz reads backslash sequences (`\\N`, `\\l`, `\\G`…) and entities in both HTML-like labels
and escString attributes such as `tooltip`, and reads them differently in each. `label_text` and
`attribute_text` are the only way user text enters DOT; the hostile-corpus tests prove that each
string comes out of `dot` exactly as it went in, and that nothing else changes.

Markdown makes any ASCII punctuation literal after a backslash: `markdown_text` and
`markdown_prose` escape what would otherwise be markup, a link or raw HTML.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

# Characters that mean something in Markdown text; a backslash makes any of them literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|!#])")
# What GFM's autolinks start from (a scheme's colon, `www.`, an address's @, a bare domain's dot for
# renderers that link those too): escaped, each is a text of its own that no autolink reads across.
_AUTOLINK_SPECIAL = re.compile(r"([:.@])")
# Printable ASCII a URL may keep as it is; anything else (spaces, controls, quotes, angle
# brackets, square brackets for MediaWiki) is percent-encoded.
URL_SAFE = "!#$%&'()*+,-./:;=?@^_`{|}~"


def label_text(text: str) -> str:
    """Text for inside an HTML-like label (`label=<…>`)."""
    # In HTML labels Graphviz expands escString sequences after decoding entities, so a
    # backslash must reach it doubled; the entities then keep <, >, & and quotes literal.
    return html.escape(text.replace("\\", "\\\\"), quote=True)


def attribute_text(text: str) -> str:
    """Text for a quoted escString attribute such as `tooltip` (without the surrounding quotes)."""
    # Graphviz decodes entities, then substitutes \N-style sequences, then reads \\ as \ in
    # tooltips: four backslashes survive as one. Newlines become entities so that no raw line
    # break (or \n sequence of the author's) is ever interpreted.
    escaped = html.escape(text, quote=True).replace("\\", "\\\\\\\\")
    return escaped.replace("\r\n", "&#10;").replace("\n", "&#10;").replace("\r", "&#10;")


def markdown_text(text: str) -> str:
    """Text that Markdown shows as it is, on one line (a blank line would end the snippet): for the
    text of a link or an image, where no autolink is made."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def markdown_prose(text: str) -> str:
    """`markdown_text` for running text, where GFM would also turn a URL or an address into a link."""
    return _AUTOLINK_SPECIAL.sub(r"\\\1", markdown_text(text))


def markdown_url(url: str) -> str:
    """A link destination: nothing that ends it early (a space, an unbalanced parenthesis, a newline)."""
    return re.sub(r"([\\()])", r"\\\1", quote(url, safe=URL_SAFE + "[]\\"))
