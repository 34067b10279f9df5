"""Our finished SVG -> an HTML client-side image map over the PNG of the same picture.

A wiki that takes HTML but not SVG documents (or serves our pictures as images, where nothing is
clickable) can still let readers click a bet: the PNG in an `<img usemap>`, and one `<area>` per
node, its outline read from the SVG Graphviz drew and its link the node's own. The PNG is drawn
from that very SVG (`app.rendering.runner.convert_svg`), so the areas fit it when the image is
shown at the SVG's size in CSS pixels (a point is 4/3 of a pixel), whatever the PNG's own zoom.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from app.rendering.svg import SVG, XLINK, safe_link

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True, huge_tree=False
)
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(scale|rotate|translate)\(([^)]*)\)")
_OUTLINES = (f"{{{SVG}}}polygon", f"{{{SVG}}}path", f"{{{SVG}}}ellipse")
PX_PER_PT = 4 / 3


class ImageMapError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Area:
    coords: tuple[int, ...]  # x1,y1,x2,y2,… in CSS pixels: a polygon
    href: str
    title: str


@dataclass(frozen=True, slots=True)
class ImageMap:
    width: int  # the size to show the picture at, in CSS pixels
    height: int
    areas: tuple[Area, ...]


def _length_px(value: str) -> float:
    found = _NUMBER.match(value.strip())
    if found is None:
        raise ImageMapError(f"the picture's size {value!r} is not a length")
    number = float(found.group())
    return number * PX_PER_PT if value.strip().endswith("pt") else number


def _transform(graph: etree._Element) -> tuple[float, float, float, float]:
    """Graphviz's `scale(sx sy) rotate(0) translate(tx ty)` on its graph group, as (sx, sy, tx, ty)."""
    sx = sy = 1.0
    tx = ty = 0.0
    for name, raw in _TRANSFORM.findall(graph.get("transform", "")):
        values = [float(v) for v in _NUMBER.findall(raw)]
        if name == "scale" and values:
            sx, sy = values[0], values[1] if len(values) > 1 else values[0]
        elif name == "translate" and values:
            tx, ty = values[0], values[1] if len(values) > 1 else 0.0
        elif name == "rotate" and values and values[0] % 360:
            raise ImageMapError("a rotated drawing has no image map")
    return sx, sy, tx, ty


def _points(shape: etree._Element) -> list[tuple[float, float]]:
    tag = shape.tag
    if tag == f"{{{SVG}}}ellipse":
        cx, cy = float(shape.get("cx", "0")), float(shape.get("cy", "0"))
        rx, ry = float(shape.get("rx", "0")), float(shape.get("ry", "0"))
        return [(cx + rx * math.cos(k * math.pi / 8), cy + ry * math.sin(k * math.pi / 8)) for k in range(16)]
    # A polygon's points, or a path's (Graphviz writes absolute M and C commands only): a rounded
    # box's control points lie on its straight sides, so they outline it closely enough to click.
    numbers = [float(v) for v in _NUMBER.findall(shape.get("points" if tag == f"{{{SVG}}}polygon" else "d", ""))]
    return list(zip(numbers[0::2], numbers[1::2], strict=False))


def _extent(points: list[tuple[float, float]]) -> float:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return (max(xs) - min(xs)) * (max(ys) - min(ys)) if points else 0.0


def _link(node: etree._Element) -> etree._Element | None:
    for anchor in node.iter(f"{{{SVG}}}a"):
        if anchor.get(f"{{{XLINK}}}href") or anchor.get("href"):
            return anchor
    return None


def image_map(svg: bytes, base: str) -> ImageMap:
    """The areas of every linked node of `svg` (ours, sanitized), links made absolute against `base`."""
    try:
        root = etree.fromstring(svg, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ImageMapError(f"the picture does not parse: {error}") from None
    width, height = _length_px(root.get("width", "0")), _length_px(root.get("height", "0"))
    box = [float(v) for v in _NUMBER.findall(root.get("viewBox", ""))]
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0 or width <= 0 or height <= 0:
        raise ImageMapError("the picture has no size")
    graph = root.find(f"{{{SVG}}}g")
    if graph is None:
        raise ImageMapError("the picture has no drawing")
    sx, sy, tx, ty = _transform(graph)
    shown_w, shown_h = round(width), round(height)
    kx, ky = shown_w / box[2], shown_h / box[3]
    areas: list[Area] = []
    for node in graph.iter(f"{{{SVG}}}g"):
        if node.get("class") != "node":
            continue
        anchor = _link(node)
        if anchor is None:
            continue
        href = anchor.get(f"{{{XLINK}}}href") or anchor.get("href") or ""
        if not safe_link(href):
            continue
        outlines = [_points(shape) for shape in node.iter(*_OUTLINES)]
        outline = max(outlines, key=_extent, default=[])
        if len(outline) < 3:
            continue
        coords: list[int] = []
        for x, y in outline:
            point = (round((sx * (x + tx) - box[0]) * kx), round((sy * (y + ty) - box[1]) * ky))
            if coords[-2:] != list(point):
                coords += point
        tooltip = anchor.get(f"{{{XLINK}}}title") or " ".join(" ".join(str(t) for t in node.itertext()).split())
        areas.append(Area(tuple(coords), urljoin(base, href), tooltip.split("\n", 1)[0].strip()))
    return ImageMap(shown_w, shown_h, tuple(areas))


def to_html(found: ImageMap, *, src: str, alt: str, name: str) -> str:
    """An `<img usemap>` shown at its own size (areas do not scale), and its `<map>`; links open in the
    top window, so a click inside a wiki's frame leaves for the viewer."""
    e = html.escape
    areas = "".join(
        f'<area shape="poly" coords="{",".join(map(str, area.coords))}" href="{e(area.href)}" '
        f'target="_top" alt="{e(area.title)}" title="{e(area.title)}">'
        for area in found.areas
    )
    return (
        f'<div style="overflow-x:auto"><img src="{e(src)}" alt="{e(alt)}" width="{found.width}" '
        f'height="{found.height}" usemap="#{e(name)}" style="max-width:none;height:auto">'
        f'<map name="{e(name)}">{areas}</map></div>'
    )
