"""Readable at real sizes: measured on real Graphviz output."""

from __future__ import annotations

import re

from app.domain.model import Assumption, Bet, Graph, Horizon, Kind
from app.domain.synthetic import synthetic_graph
from app.rendering.dot import to_dot
from app.rendering.render import render
from app.rendering.views import View
from tests.domain.builders import TODAY


def _size(svg: bytes) -> tuple[float, float]:
    match = re.search(rb'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg)
    assert match is not None
    return float(match.group(1)), float(match.group(2))


def test_a_200_bet_map_stays_within_4_to_1() -> None:
    width, height = _size(render(synthetic_graph(200), View(), "svg", TODAY))
    assert 1 / 4 <= width / height <= 4


def test_a_why_chain_of_depth_6_with_10_assumptions_fits_a_wiki_page() -> None:
    kinds = [Kind.VISION, Kind.STRATEGY, Kind.GOAL, Kind.OUTCOME, Kind.HYPOTHESIS, Kind.INITIATIVE]
    horizons = ["5y", "3y", "1y", "2q", "8w", "6w"]
    bets = []
    assumptions = []
    for depth, (kind, horizon) in enumerate(zip(kinds, horizons, strict=True)):
        mine = [f"a{depth}-{n}" for n in range(2 if depth < 4 else 1)]
        assumptions += [
            Assumption(id=a, statement=f"We believe that customers value thing {a}", certainty=0.6) for a in mine
        ]
        bets.append(
            Bet(
                id=f"b{depth}",
                kind=kind,
                title=f"A realistic title for level {depth} of the chain",
                parents=(f"b{depth - 1}",) if depth else (),
                assumes=tuple(mine),
                horizon=Horizon.parse(horizon),
                certainty=0.7,
            )
        )
    graph = Graph(slug="deep", title="Deep", bets=tuple(bets), assumptions=tuple(assumptions))
    assert len(assumptions) == 10
    width, _ = _size(render(graph, View("why", "b5"), "svg", TODAY))
    # A wiki content column is about 1,000 CSS pixels: 750 points.
    assert width <= 750


def test_to_dot_is_deterministic() -> None:
    graph = synthetic_graph(120, seed=3)
    first = to_dot(graph, View(), today=TODAY)
    shuffled = Graph(
        slug=graph.slug,
        title=graph.title,
        as_of=graph.as_of,
        bets=tuple(reversed(graph.bets)),
        assumptions=tuple(reversed(graph.assumptions)),
    )
    assert to_dot(shuffled, View(), today=TODAY) == first
