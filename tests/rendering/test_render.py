"""The finished pictures, as a reader sees them: every text readable, no node over a band label."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from typing import Literal

import pytest
from lxml import etree
from playwright.sync_api import Browser, Page, Route
from pypdf import PdfReader

from app.rendering import style
from app.rendering.dot import DotOptions
from app.rendering.render import RenderOptions, ThemeError, prepare, render_scene
from app.rendering.svg import ATTRIBUTES, ELEMENTS, LINK_ATTRIBUTES, SVG
from tests.realclients import chromium
from tests.rendering.pictures import (
    NS,
    band_label_boxes,
    drawn,
    example_scene,
    node_boxes,
    overlap,
    paint,
    readings,
    scenes,
    scheme_rules,
)

LABELS = [label for label, _ in scenes()]
AA = 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("label", LABELS)
def test_every_text_reads_against_what_it_sits_on(label: str, theme: str) -> None:
    low = [
        f"{r.text!r}: {r.ink} on {r.ground} is {r.ratio:.2f}:1" for r in readings(drawn(label, theme)) if r.ratio < AA
    ]
    assert not low, f"{label} ({theme}): {len(low)} texts under {AA}:1, e.g. " + "; ".join(low[:8])


@pytest.mark.parametrize("label", LABELS)
def test_no_node_crosses_a_band_label(label: str) -> None:
    svg = drawn(label, "light")
    labels = list(band_label_boxes(svg))
    assert labels, "every view of the examples has horizon bands"
    crossing = [
        f"{node} {box} crosses {text!r} {label_box}"
        for text, label_box in labels
        for node, box in node_boxes(svg)
        if overlap(box, label_box)
    ]
    assert not crossing, f"{label}: " + "; ".join(crossing)


def test_a_pdf_is_titled_and_described_as_its_scene() -> None:
    scene = example_scene("acme why employee-invite-flow")
    read = PdfReader(io.BytesIO(render_scene(scene, "pdf")))
    assert read.metadata is not None
    assert (read.metadata.title, read.metadata.subject) == (scene.title, scene.description)
    assert read.metadata.creator == "Betgraph"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("label", LABELS)
def test_every_text_reads_in_both_schemes_of_an_auto_picture(label: str, scheme: str) -> None:
    low = [
        f"{r.text!r}: {r.ink} on {r.ground} is {r.ratio:.2f}:1"
        for r in readings(drawn(label, "auto"), scheme)
        if r.ratio < AA
    ]
    assert not low, f"{label} (auto, {scheme}): {len(low)} texts under {AA}:1, e.g. " + "; ".join(low[:8])


def _colours(svg: bytes, scheme: str) -> list[tuple[str, str, str, str]]:
    root = etree.fromstring(svg)
    rules = scheme_rules(root, scheme)
    graph = root.find("svg:g", NS)
    assert graph is not None
    return [
        (
            etree.QName(e).localname,
            e.get("points") or e.get("d") or e.get("x") or "",
            paint(e, "fill", rules),
            paint(e, "stroke", rules),
        )
        for e in graph.iter()
        if isinstance(e.tag, str)
    ]


@pytest.mark.parametrize("label", ["acme map", "acme diff", "failures why csv-importer", "synthetic map"])
def test_an_auto_picture_is_the_light_one_and_turns_into_the_dark_one(label: str) -> None:
    """One layout; each scheme paints every element as the picture of that theme does."""
    auto = drawn(label, "auto")
    for scheme in ("light", "dark"):
        assert _colours(auto, scheme) == _colours(drawn(label, scheme), "light")


def test_an_auto_picture_keeps_to_the_sanitizer_and_adds_one_style_sheet_of_colours() -> None:
    root = etree.fromstring(drawn("acme diff", "auto"))
    styles = list(root.iter(f"{{{SVG}}}style"))
    assert len(styles) == 1
    assert re.fullmatch(
        r"@media \(prefers-color-scheme: dark\)\{(\.[fs]\d+\{(fill|stroke):#[0-9a-f]{6}\})+\}", styles[0].text or ""
    )
    others = [e for e in root.iter() if isinstance(e.tag, str) and e is not styles[0]]
    assert {e.tag for e in others} <= ELEMENTS
    assert {name for e in others for name in e.attrib} <= ATTRIBUTES | LINK_ATTRIBUTES | {"target"}


def test_only_svg_is_drawn_in_the_auto_theme() -> None:
    scene = example_scene("acme why employee-invite-flow")
    auto = RenderOptions(dot=DotOptions(theme="auto"))
    svg = prepare(scene, "svg", auto)
    assert svg.key("auto") not in (svg.key("light"), svg.key("dark"))
    for fmt in ("png", "pdf", "dot"):
        with pytest.raises(ThemeError, match=f"only SVG can carry both; draw {fmt} as light or dark"):
            prepare(scene, fmt, auto)
        with pytest.raises(ThemeError, match="only SVG"):
            prepare(scene, fmt).key("auto")
    assert prepare(scene, "json", auto).text == prepare(scene, "json").text  # no colours to follow
    with pytest.raises(ThemeError, match="unknown theme 'sepia': choose light, dark, auto"):
        svg.key("sepia")


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, started as the viewer's tests start it, and closed with the test.

    Not the session-wide browser of tests/web: a Playwright left running holds an event loop
    that the server tests run after this module's would trip over.
    """
    with chromium() as launched:
        yield launched


# As the service sends a picture (app/api): inline style is all it may bring with it.
PICTURE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
SITE = "https://wiki.test"


def _pixel(page: Page, x: float, y: float) -> tuple[int, int, int]:
    """The colour Chromium painted at a point of the page (a one-pixel screenshot has no filter to undo)."""
    png = page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})
    assert png[12:16] == b"IHDR"
    colour_type = png[25]
    data = b"".join(png[at + 8 : at + 8 + int.from_bytes(png[at : at + 4], "big")] for at in _chunks(png, b"IDAT"))
    raw = zlib.decompress(data)
    assert colour_type in (2, 6), colour_type  # RGB or RGBA, eight bits
    return raw[1], raw[2], raw[3]


def _chunks(png: bytes, kind: bytes) -> list[int]:
    found, at = [], 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        if png[at + 4 : at + 8] == kind:
            found.append(at)
        at += 12 + length
    return found


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _near(seen: tuple[int, int, int], wanted: str) -> bool:
    return all(abs(a - b) <= 3 for a, b in zip(seen, _rgb(wanted), strict=True))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_auto_picture_follows_the_readers_colour_scheme_in_chromium(
    browser: Browser, scheme: Literal["light", "dark"]
) -> None:
    svg = drawn("acme why employee-invite-flow", "auto")
    root = etree.fromstring(svg)
    graph = root.find("svg:g", NS)
    assert graph is not None
    shift = [float(n) for n in re.findall(r"translate\(([-\d.]+) ([-\d.]+)\)", graph.get("transform", ""))[0]]
    band = graph.find("svg:g[@class='band']/svg:rect", NS)
    assert band is not None
    # A point inside the first band, left of every node and below its label, in CSS pixels.
    band_x = (float(band.get("x", "0")) + 6 + shift[0]) * 96 / 72
    band_y = (float(band.get("y", "0")) + float(band.get("height", "0")) - 4 + shift[1]) * 96 / 72
    palette = style.THEMES[scheme]

    context = browser.new_context(color_scheme=scheme, viewport={"width": 1600, "height": 1400})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

        def serve(route: Route) -> None:
            if route.request.url.endswith(".auto.svg"):
                headers = {"Content-Type": "image/svg+xml", "Content-Security-Policy": PICTURE_CSP}
                route.fulfill(status=200, headers=headers, body=svg)
            else:
                page_html = '<!doctype html><body style="margin:0"><img id="picture" src="/acme.auto.svg"></body>'
                route.fulfill(status=200, content_type="text/html", body=page_html)

        page.route(f"{SITE}/**", serve)
        # Embedded in a page, as a wiki shows it.
        page.goto(f"{SITE}/page")
        page.wait_for_function("document.getElementById('picture').complete")
        assert page.evaluate("document.getElementById('picture').naturalWidth") > 0
        assert _near(_pixel(page, 3, 3), palette.background), _pixel(page, 3, 3)
        assert _near(_pixel(page, band_x, band_y), palette.bands[0]), _pixel(page, band_x, band_y)
        # Opened on its own, under the picture's own Content-Security-Policy.
        page.goto(f"{SITE}/acme.auto.svg")
        assert _near(_pixel(page, 3, 3), palette.background), _pixel(page, 3, 3)
        assert _near(_pixel(page, band_x, band_y), palette.bands[0]), _pixel(page, band_x, band_y)
        assert not problems
    finally:
        context.close()
