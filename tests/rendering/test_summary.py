from __future__ import annotations

import dataclasses

from app.domain.model import Graph
from app.domain.synthetic import synthetic_graph
from app.rendering.dot import build_dot
from app.rendering.summary import SUMMARISE_FROM, summarise
from app.rendering.views import View, select
from tests.domain.builders import TODAY


def test_small_maps_and_focused_views_are_never_summarised(acme: Graph) -> None:
    scene = select(acme, View(), TODAY)
    assert summarise(scene) is scene
    large = synthetic_graph(SUMMARISE_FROM + 100)
    team = select(large, View("team", "growth"), TODAY)
    assert summarise(team) is team


def test_a_large_map_draws_near_term_leaves_as_one_node_per_parent() -> None:
    graph = synthetic_graph(SUMMARISE_FROM + 100)
    scene = select(graph, View(), TODAY)
    summarised = summarise(scene)
    assert summarised.summaries
    assert summarised.size < scene.size
    drawn = {bet.id for bet in summarised.bets}
    hidden = {bet for summary in summarised.summaries for bet in summary.bets}
    assert not drawn & hidden
    assert drawn | hidden == {bet.id for bet in scene.bets}
    for summary in summarised.summaries:
        assert summary.parent in drawn
        assert all(graph.bet_by_id[b].parents[0] == summary.parent for b in summary.bets)
        assert len(summary.bets) > 1
    # every edge and assumption link still has both ends on the picture
    ends = drawn | {s.id for s in summarised.summaries} | {a.id for a in summarised.assumptions}
    assert all(e.parent in ends and e.child in ends for e in summarised.edges)
    assert all(a in ends and b in ends for a, b in summarised.rests_on)
    assert "near-term bets drawn as" in summarised.description
    dot = build_dot(summarised).source
    first = summarised.summaries[0]
    assert f'"s_{first.parent}" [' in dot
    assert f'"b_{first.parent}" -> "s_{first.parent}"' in dot


def test_lint_findings_are_counted_in_the_summary() -> None:
    graph = synthetic_graph(SUMMARISE_FROM + 100)
    scene = select(graph, View(), TODAY)
    flagged = scene.findings.keys()
    summarised = summarise(dataclasses.replace(scene))
    for summary in summarised.summaries:
        assert summary.flagged == sum(1 for b in summary.bets if b in flagged)
