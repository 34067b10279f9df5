"""The lenses drawn by Graphviz: every card and point there, in its words, readable, never on another,
linked to the viewer, and told in a text alternative; the same through every format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from functools import cache

import pytest
from lxml import etree

from app.domain import lenses
from app.domain.lenses import LENS_KINDS, LensKind
from app.domain.model import Bet, Graph, Horizon, Kind
from app.domain.synthetic import synthetic_graph
from app.rendering.dot import DotOptions
from app.rendering.render import RenderOptions, draw, prepare_lens
from tests.rendering.pictures import NS, example, node_boxes, overlap, readings

TODAY = dt.date(2026, 12, 4)
HOSTILE = ("<script>x</script> & \\N", '"]; x [label="y"]', "A<B>C</B> \\l ﬂ")
AA = 4.5


def _hostile() -> Graph:
    graph = example("acme")
    bets = list(graph.bets)
    for number, title in enumerate(HOSTILE):
        bets.append(
            Bet(
                id=f"hostile-{number}",
                kind=Kind.INITIATIVE,
                title=title,
                parents=(bets[0].id,),
                horizon=Horizon.parse("3w"),
                team=HOSTILE[1],
                certainty=0.5,
            )
        )
    return dataclasses.replace(graph, slug="hostile", bets=tuple(bets))


GRAPHS = {"acme": lambda: example("acme"), "failures": lambda: example("failures"), "hostile": _hostile}


@cache
def _svg(name: str, lens: LensKind, theme: str = "light") -> bytes:
    options = RenderOptions(DotOptions(theme=theme, links=lambda slug, node: f"/graphs/{slug}?focus={node}"))  # type: ignore[arg-type]
    return draw(prepare_lens(GRAPHS[name](), lens, "svg", TODAY, options=options), options)


def _words(svg: bytes) -> str:
    root = etree.fromstring(svg)
    return " ".join("".join(str(part) for part in text.itertext()) for text in root.iterfind(".//svg:text", NS))


def _items(name: str, lens: LensKind) -> list[tuple[str, str]]:
    """(node id, the words it must show) of each card or point of the lens."""
    graph = GRAPHS[name]()
    if lens == "board":
        return [(f"b_{c.id}", c.title) for c in lenses.board(graph, TODAY).cards]
    if lens == "assumptions":
        return [(f"a_{p.id}", p.statement) for p in lenses.assumption_map(graph, TODAY).points]
    found = lenses.portfolio(graph, TODAY)
    return [(f"b_{p.id}", p.title) for p in found.bets if p.days is not None and p.certainty is not None]


@pytest.mark.parametrize("lens", LENS_KINDS)
@pytest.mark.parametrize("name", GRAPHS)
def test_every_card_and_point_is_drawn_linked_with_its_words_from_the_start(name: str, lens: LensKind) -> None:
    svg = _svg(name, lens)
    root = etree.fromstring(svg)
    drawn = {group.findtext("svg:title", "", NS): group for group in root.iterfind(".//svg:g[@class='node']", NS)}
    words = _words(svg)
    for node, text in _items(name, lens):
        assert node in drawn, f"{node} is not drawn"
        start = text.split()[0]
        assert start in words, f"{text!r} does not show"
        link = drawn[node].find(".//svg:a", NS)
        assert link is not None, f"{node} links nowhere"
        assert any(str(value).endswith(f"?focus={node[2:]}") for value in link.attrib.values())


@pytest.mark.parametrize("lens", LENS_KINDS)
@pytest.mark.parametrize("name", GRAPHS)
def test_no_card_or_point_lies_on_another(name: str, lens: LensKind) -> None:
    shown = {node for node, _ in _items(name, lens)}
    boxes = [(node, box) for node, box in node_boxes(_svg(name, lens)) if node in shown]
    crossing = [f"{a} on {b}" for i, (a, one) in enumerate(boxes) for b, other in boxes[i + 1 :] if overlap(one, other)]
    assert not crossing, crossing[:5]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lens", LENS_KINDS)
def test_every_text_reads_against_what_it_sits_on(lens: LensKind, theme: str) -> None:
    low = [
        f"{r.text!r}: {r.ink} on {r.ground} {r.ratio:.2f}:1"
        for r in readings(_svg("acme", lens, theme))
        if r.ratio < AA
    ]
    assert not low, low[:6]


def test_hostile_titles_come_out_as_written() -> None:
    words = _words(_svg("hostile", "board"))
    for title in HOSTILE:
        assert title[:20] in words


@pytest.mark.parametrize("lens", LENS_KINDS)
def test_the_text_alternative_names_every_card_or_point(lens: LensKind) -> None:
    found = json.loads(draw(prepare_lens(example("acme"), lens, "json", TODAY)))
    assert found["lens"] == lens
    for _, words in _items("acme", lens):
        assert words in found["text"]
    assert found["title"]
    assert found["description"]


def test_the_board_as_data_keeps_the_columns_lanes_and_rank_order() -> None:
    found = json.loads(draw(prepare_lens(example("acme"), "board", "json", TODAY, team="payments")))
    assert [column["id"] for column in found["columns"]] == ["now", "next", "later", "done"]
    assert [lane["team"] for lane in found["lanes"]] == ["payments"]
    cards = found["lanes"][0]["columns"]["next"]
    assert [card["id"] for card in cards] == [
        c.id for c in lenses.board(example("acme"), TODAY, "payments").cards if c.column.value == "next"
    ]
    assert {"id", "title", "kind", "rank", "certainty", "chain_certainty", "serves", "lint"} <= set(cards[0])


def test_the_assumption_map_as_data_names_each_quadrant_and_score() -> None:
    found = json.loads(draw(prepare_lens(example("acme"), "assumptions", "json", TODAY)))
    leaps = [a["id"] for a in found["assumptions"] if a["quadrant"] == "test-first"]
    assert leaps == [
        p.id for p in lenses.assumption_map(example("acme"), TODAY).in_quadrant(lenses.Quadrant.TEST_FIRST)
    ]
    assert all(0 <= a["evidence"] <= 1 for a in found["assumptions"])


@pytest.mark.parametrize("fmt", ["png", "pdf", "dot"])
def test_every_graphviz_format_draws(fmt: str) -> None:
    data = draw(prepare_lens(example("acme"), "portfolio", fmt, TODAY), RenderOptions())  # type: ignore[arg-type]
    assert data.startswith({"png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph"}[fmt])


@pytest.mark.parametrize(
    ("lens", "start"), [("board", "kanban"), ("assumptions", "quadrantChart"), ("portfolio", "quadrantChart")]
)
def test_every_lens_has_its_mermaid_diagram(lens: LensKind, start: str) -> None:
    prepared = prepare_lens(example("acme"), lens, "mmd", TODAY)
    assert start in prepared.text
    assert prepared.title == json.loads(draw(prepare_lens(example("acme"), lens, "json", TODAY)))["title"]


def test_two_thousand_bets_draw_every_lens() -> None:
    graph = synthetic_graph(2000)
    for lens in LENS_KINDS:
        svg = draw(prepare_lens(graph, lens, "svg", TODAY), RenderOptions())
        assert len(re.findall(rb'class="node"', svg)) > {"board": 400, "assumptions": 50, "portfolio": 1900}[lens]


def test_a_long_column_shows_its_top_cards_and_counts_the_rest() -> None:
    frame = example("acme")
    many = [
        Bet(
            id=f"many-{n}",
            kind=Kind.INITIATIVE,
            title=f"Card {n}",
            parents=(frame.bets[0].id,),
            rank=n + 1,
            horizon=Horizon.parse("2w"),
            team="crowd",
        )
        for n in range(60)
    ]
    graph = dataclasses.replace(frame, bets=(*frame.bets, *many))
    svg = draw(prepare_lens(graph, "board", "svg", TODAY, team="crowd"), RenderOptions())
    words = _words(svg)
    assert "Card 0" in words
    assert "Card 38" in words
    assert "Card 39" not in words
    assert "+ 21 more, ranked below these" in words
