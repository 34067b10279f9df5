"""Reading a finished SVG as a reader sees it: what each text sits on, and where nodes and band labels are.

The scenes are the examples, a diff and a synthetic map large enough to be summarised; the
pictures are drawn by the real pipeline (`render_scene`, real Graphviz).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from app.domain.model import Bet, Graph, Kind
from app.domain.synthetic import synthetic_graph
from app.formats.document import load
from app.rendering.dot import DotOptions
from app.rendering.render import RenderOptions, render_scene
from app.rendering.style import contrast
from app.rendering.svg import SVG
from app.rendering.views import Scene, View, select, select_diff

ROOT = Path(__file__).resolve().parents[2]
NS = {"svg": SVG}
Box = tuple[float, float, float, float]  # left, top, right, bottom


@functools.cache
def example(name: str) -> Graph:
    return load((ROOT / "examples" / f"{name}.yaml").read_text())[0]


def _later(graph: Graph) -> Graph:
    """A later revision: one bet re-parented and less certain, one gone, one new."""
    moved = next(bet for bet in graph.bets if bet.kind is Kind.INITIATIVE)
    gone = next(bet for bet in graph.bets if bet.kind is Kind.OUTCOME and bet.id != moved.parents[0])
    bets = [
        dataclasses.replace(bet, certainty=0.3, parents=(graph.bets[0].id,)) if bet.id == moved.id else bet
        for bet in graph.bets
        if bet.id != gone.id and gone.id not in bet.parents
    ]
    bets.append(Bet(id="new-bet", kind=Kind.INITIATIVE, title="A new bet", parents=(graph.bets[0].id,)))
    return dataclasses.replace(graph, bets=tuple(bets))


def scenes() -> Iterator[tuple[str, Scene]]:
    """Every view of both examples, a diff, and a synthetic map that is drawn with summaries."""
    for name in ("acme", "failures"):
        graph = example(name)
        today = graph.reference_date(dt.date.min)
        yield f"{name} map", select(graph, View(), today)
        # Why-chains of the longest reach and of the deepest bets: weakest links, chain certainty, lint marks.
        initiatives = [bet for bet in graph.bets if bet.kind is Kind.INITIATIVE]
        chosen = [bet for bet in graph.bets if bet.kind is Kind.STRATEGY] + initiatives[:4] + [graph.bets[-1]]
        for bet_id in dict.fromkeys(bet.id for bet in chosen):
            yield f"{name} why {bet_id}", select(graph, View("why", bet_id), today)
        yield f"{name} impact {graph.bets[0].id}", select(graph, View("impact", graph.bets[0].id), today)
        if graph.assumptions:
            first = graph.assumptions[0].id
            yield f"{name} impact {first}", select(graph, View("impact", first), today)
        for team in sorted({bet.team for bet in graph.bets if bet.team})[:2]:
            yield f"{name} team {team}", select(graph, View("team", team), today)
    acme = example("acme")
    today = acme.reference_date(dt.date.min)
    yield "acme diff", select_diff(acme, _later(acme), View("diff", "r1 → r2"), today)
    big = synthetic_graph(1200)
    yield "synthetic map", select(big, View(), big.reference_date(dt.date.min))


@functools.cache
def _by_label() -> dict[str, Scene]:
    return dict(scenes())


def example_scene(label: str) -> Scene:
    return _by_label()[label]


@functools.cache
def drawn(label: str, theme: str) -> bytes:
    scene = example_scene(label)
    return render_scene(scene, "svg", RenderOptions(dot=DotOptions(theme=theme)))  # type: ignore[arg-type]


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def box_of(element: etree._Element) -> Box | None:
    tag = etree.QName(element).localname
    if tag in ("polygon", "polyline", "path"):
        values = _numbers(element.get("points") or element.get("d") or "")
        xs, ys = values[0::2], values[1::2]
        if not xs or not ys:
            return None
        return (min(xs), min(ys), max(xs), max(ys))
    if tag == "ellipse":
        cx, cy, rx, ry = (float(element.get(name, "0")) for name in ("cx", "cy", "rx", "ry"))
        return (cx - rx, cy - ry, cx + rx, cy + ry)
    if tag == "rect":
        x, y, w, h = (float(element.get(name, "0")) for name in ("x", "y", "width", "height"))
        return (x, y, x + w, y + h)
    return None


def _words(element: etree._Element) -> str:
    return "".join(str(part) for part in element.itertext())


def _inside(x: float, y: float, box: Box) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def scheme_rules(root: etree._Element, scheme: str) -> dict[str, dict[str, str]]:
    """class -> {property: colour} that the SVG's own style sheet applies in a colour scheme."""
    rules: dict[str, dict[str, str]] = {}
    for style in root.iter(f"{{{SVG}}}style"):
        css = style.text or ""
        match = re.search(r"@media\s*\(prefers-color-scheme:\s*(\w+)\)\s*\{(.*)\}\s*$", css, re.S)
        if match is None:
            raise AssertionError(f"a style sheet that is not one colour-scheme block: {css[:200]}")
        if match.group(1) != scheme:
            continue
        for names, body in re.findall(r"([^{}]+)\{([^{}]*)\}", match.group(2)):
            declarations = {
                part.split(":")[0].strip(): part.split(":")[1].strip() for part in body.split(";") if ":" in part
            }
            for name in names.split(","):
                rules.setdefault(name.strip().lstrip("."), {}).update(declarations)
    return rules


def paint(element: etree._Element, name: str, rules: dict[str, dict[str, str]], default: str = "") -> str:
    """The colour a property has in the scheme: a style rule on one of its classes wins over the attribute."""
    for cls in (element.get("class") or "").split():
        if name in rules.get(cls, {}):
            return rules[cls][name]
    return element.get(name, default)


def _filled(colour: str) -> bool:
    return bool(colour) and colour not in ("none", "transparent")


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    ink: str
    ground: str
    ratio: float


def readings(svg: bytes, scheme: str = "light") -> Iterator[Reading]:
    """Each <text> with its colour and the colour of what it sits on, in the given colour scheme."""
    root = etree.fromstring(svg)
    rules = scheme_rules(root, scheme)
    graph = root.find("svg:g", NS)
    assert graph is not None
    background = next(graph.iter(f"{{{SVG}}}polygon"))
    page = paint(background, "fill", rules)
    bands = [
        (box, paint(rect, "fill", rules))
        for rect in graph.iterfind("svg:g[@class='band']/svg:rect", NS)
        if (box := box_of(rect)) is not None
    ]
    for text in graph.iter(f"{{{SVG}}}text"):
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        group = next(
            (g for g in text.iterancestors(f"{{{SVG}}}g") if {"node", "cluster"} & set((g.get("class") or "").split())),
            None,
        )
        ground = ""
        if group is not None:
            under = [
                (_area(box), paint(shape, "fill", rules))
                for shape in group.iter(*(f"{{{SVG}}}{tag}" for tag in ("polygon", "path", "ellipse", "rect")))
                if _filled(paint(shape, "fill", rules)) and (box := box_of(shape)) is not None and _inside(x, y, box)
            ]
            if under:
                ground = min(under)[1]
        if not ground:
            ground = next((fill for box, fill in bands if _inside(x, y, box)), page)
        ink = paint(text, "fill", rules, "black")
        yield Reading(_words(text), ink, ground, contrast(ink, ground))


def node_boxes(svg: bytes) -> Iterator[tuple[str, Box]]:
    """Every drawn node but the legend and the transparent spine points, with its bounding box."""
    root = etree.fromstring(svg)
    for group in root.iterfind(".//svg:g[@class='node']", NS):
        name = group.findtext("svg:title", "", NS)
        if name == "legend" or re.fullmatch(r"row\d+|head", name):
            continue
        boxes = [box for shape in group.iter() if (box := box_of(shape)) is not None]
        if boxes:
            yield (
                name,
                (
                    min(b[0] for b in boxes),
                    min(b[1] for b in boxes),
                    max(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                ),
            )


def band_label_boxes(svg: bytes) -> Iterator[tuple[str, Box]]:
    """The text box of each band label: its advance measured generously, from the font's ascent to its descent."""
    root = etree.fromstring(svg)
    for text in root.iterfind(".//svg:g[@class='band']/svg:text", NS):
        size = float(text.get("font-size", "12"))
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        content = _words(text)
        # Helvetica Bold averages about 0.6 em a character; 0.62 keeps a margin.
        yield content, (x, y - 0.95 * size, x + 0.62 * size * len(content), y + 0.25 * size)


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
