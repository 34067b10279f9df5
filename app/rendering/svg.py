"""Graphviz SVG -> SVG fit to embed: an allowlist of elements, attributes and links.

Whatever Graphviz (or a future Graphviz) writes, only these elements and attributes leave
this module: no script, no event handler, no foreignObject, no processing instruction, no
link that is not http(s) or a path on our own site. The root gets `role="img"` and a
`<title>`/`<desc>` so that screen readers and wikis can describe the picture.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from defusedxml import ElementTree as SafeET

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

ELEMENTS = frozenset(
    f"{{{SVG}}}{name}"
    for name in (
        "svg", "g", "title", "desc", "a", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line",
        "text", "tspan", "defs", "linearGradient", "radialGradient", "stop",
    )
)  # fmt: skip
_ATTRIBUTE_WORDS = """
    id class fill fill-opacity fill-rule stroke stroke-width stroke-dasharray stroke-opacity stroke-linecap
    stroke-linejoin stroke-miterlimit points d cx cy r rx ry x y x1 y1 x2 y2 dx dy width height viewBox
    transform font-family font-size font-weight font-style text-anchor text-decoration baseline-shift
    opacity offset stop-color stop-opacity gradientUnits gradientTransform fx fy preserveAspectRatio
    role aria-labelledby
"""
ATTRIBUTES = frozenset(_ATTRIBUTE_WORDS.split()) | {f"{{{XLINK}}}title"}
LINK_ATTRIBUTES = frozenset({"href", f"{{{XLINK}}}href"})
TARGETS = frozenset({"_top", "_blank", "_self", "_parent"})


class SvgError(ValueError):
    pass


def safe_link(value: str) -> bool:
    """http(s) URLs, and absolute paths on the serving site; nothing that could run or load."""
    if any(ord(ch) < 33 for ch in value):
        return False
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return not parts.scheme and not parts.netloc and value.startswith("/") and not value.startswith("//")


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or child.tag not in ELEMENTS:
            element.remove(child)  # comments, processing instructions, unknown or foreign elements
            continue
        _clean(child)
    for name in list(element.attrib):
        value = element.attrib[name]
        if name in ATTRIBUTES:
            continue
        if name in LINK_ATTRIBUTES and safe_link(value):
            continue
        if name == "target" and value in TARGETS:
            continue
        del element.attrib[name]


def sanitize(svg: bytes, title: str, description: str) -> bytes:
    try:
        root = SafeET.fromstring(svg, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except Exception as error:  # defusedxml raises several unrelated types
        raise SvgError(f"Graphviz wrote SVG that does not parse: {error}") from None
    if root.tag != f"{{{SVG}}}svg":
        raise SvgError("Graphviz wrote something other than SVG")
    _clean(root)
    root.set("role", "img")
    root.set("aria-labelledby", "betgraph-title betgraph-desc")
    title_element = ET.Element(f"{{{SVG}}}title", {"id": "betgraph-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG}}}desc", {"id": "betgraph-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return out
