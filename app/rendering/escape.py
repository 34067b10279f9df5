"""The one place where user text becomes Graphviz text.

Graphviz reads backslash sequences (`\\N`, `\\l`, `\\G`…) and entities in both HTML-like labels
and escString attributes such as `tooltip`, and reads them differently in each. These two
functions are the only way user text enters DOT; the hostile-corpus tests prove that each
string comes out of `dot` exactly as it went in, and that nothing else changes.
"""

from __future__ import annotations

import html


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
