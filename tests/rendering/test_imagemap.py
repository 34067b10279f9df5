from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import lxml.html
import pytest

from app.domain.model import Graph
from app.formats.document import load
from app.rendering.dot import DotOptions
from app.rendering.imagemap import ImageMapError, image_map, to_html
from app.rendering.render import RenderOptions, render
from app.rendering.views import View

TODAY = dt.date(2026, 11, 1)
LINKED = RenderOptions(dot=DotOptions(links=lambda slug, node: f"/graphs/{slug}?focus={node}"))


def _inside(x: float, y: float, coords: tuple[int, ...]) -> bool:
    points = list(zip(coords[0::2], coords[1::2], strict=True))
    crossings = 0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_every_linked_node_gets_an_area_around_its_label(acme: Graph) -> None:
    svg = render(acme, View(), "svg", TODAY, LINKED)
    found = image_map(svg, "https://betgraph.example.com/")
    width, height = (float(v) for v in re.findall(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg)[0])
    assert (found.width, found.height) == (round(width * 4 / 3), round(height * 4 / 3))
    ids = re.findall(rb'<g id="(?:bet|assumption)-([^"]+)" class="node"', svg)
    assert [area.href for area in found.areas] == [
        f"https://betgraph.example.com/graphs/acme?focus={node.decode()}" for node in ids
    ]
    # Each node's text is drawn inside its own area and no other's.
    box = [float(v) for v in re.findall(rb'viewBox="([^"]+)"', svg)[0].split()]
    translate = [float(v) for v in re.findall(rb"translate\(([^)]+)\)", svg)[0].split()]
    for node, area in zip(ids, found.areas, strict=True):
        group = svg[svg.index(b'<g id="' + (b"bet-" if b"bet-" + node in svg else b"assumption-") + node) :]
        x, y = (float(v) for v in re.findall(rb'<text[^>]* x="([-\d.]+)" y="([-\d.]+)"', group)[0])
        px = (x + translate[0]) * found.width / box[2]
        py = (y + translate[1]) * found.height / box[3]
        assert _inside(px, py, area.coords), node
        assert sum(_inside(px, py, other.coords) for other in found.areas) == 1, node
    assert found.areas[0].title == "Payroll in five minutes"


def test_a_picture_without_links_has_no_areas(acme: Graph) -> None:
    assert image_map(render(acme, View(), "svg", TODAY), "https://x.example/").areas == ()


def test_html_names_its_map_and_escapes_everything(acme: Graph) -> None:
    found = image_map(render(acme, View(), "svg", TODAY, LINKED), "https://x.example/")
    markup = to_html(found, src='https://x.example/a.png?"<>', alt='A "quote" <b>', name="m-1")
    tree = lxml.html.fragment_fromstring(markup)
    [image] = tree.xpath("//img")
    assert image.get("src") == 'https://x.example/a.png?"<>'
    assert image.get("alt") == 'A "quote" <b>'
    assert image.get("usemap") == "#m-1"
    areas = tree.xpath("//map[@name='m-1']/area")
    assert len(areas) == len(found.areas)
    assert {area.get("target") for area in areas} == {"_top"}


@pytest.mark.parametrize(
    "svg",
    [
        b"not xml",
        b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt" viewBox="0 0 10 10">'
        b'<g transform="rotate(90)"/></svg>',
    ],
)
def test_what_is_not_our_drawing_is_refused(svg: bytes) -> None:
    with pytest.raises(ImageMapError):
        image_map(svg, "https://x.example/")


def test_the_big_example_maps_every_bet() -> None:
    graph = load(Path("examples/acme.yaml").read_text())[0]
    found = image_map(render(graph, View(), "svg", TODAY, LINKED), "https://x.example/")
    assert len(found.areas) == len(graph.bets) + len(graph.assumptions)
