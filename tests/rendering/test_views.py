from __future__ import annotations

import re

import pytest

from app.domain.model import Graph
from app.domain.synthetic import synthetic_graph
from app.rendering.style import BANDS
from app.rendering.views import Filters, View, ViewError, matching, select
from tests.domain.builders import TODAY


def test_map_shows_everything_in_bands(acme: Graph) -> None:
    scene = select(acme, View(), TODAY)
    assert [b.id for b in scene.bets] == ["self-serve", "vision", "wizard"]
    assert scene.bands["vision"] == BANDS[0]
    assert scene.bands["self-serve"] == BANDS[1]
    assert scene.bands["wizard"] == BANDS[3]
    assert scene.bands["setup-pain"] == BANDS[1]  # beside the most senior bet that rests on it
    assert scene.description == "3 bets, 1 assumption; the whole of “Acme product map”; lint: 0 errors, 1 warning"


def test_why_view(acme: Graph) -> None:
    scene = select(acme, View("why", "wizard"), TODAY)
    assert {b.id for b in scene.bets} == {"wizard", "self-serve", "vision"}
    assert scene.path == ("wizard", "self-serve", "vision")
    assert scene.weakest == "setup-pain"
    assert "why “Setup wizard” matters (chain certainty 7%)" in scene.description


def test_impact_of_an_assumption(acme: Graph) -> None:
    scene = select(acme, View("impact", "setup-pain"), TODAY)
    assert {b.id for b in scene.bets} == {"self-serve", "wizard"}
    assert [a.id for a in scene.assumptions] == ["setup-pain"]


def test_team_view(acme: Graph) -> None:
    scene = select(acme, View("team", "onboarding"), TODAY)
    assert scene.focus == {"wizard"}
    assert {b.id for b in scene.bets} == {"wizard", "self-serve", "vision"}


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (View("why", "wizzard"), "no bet with id 'wizzard' in graph 'acme' (did you mean 'wizard'?)"),
        (View("why", "setup-pain"), "no bet with id 'setup-pain'"),
        (View("impact", "nope"), "no bet or assumption with id 'nope'"),
        (View("team", "growth"), "no bet belongs to team 'growth'; teams are onboarding"),
    ],
)
def test_unknown_focus(acme: Graph, view: View, message: str) -> None:
    with pytest.raises(ViewError, match=re.escape(message)):
        select(acme, view, TODAY)


def test_views_need_a_focus() -> None:
    with pytest.raises(ViewError, match="needs a focus"):
        View("why")
    with pytest.raises(ViewError, match="unknown view"):
        View("tree")  # type: ignore[arg-type]


def test_bets_without_a_horizon_sit_in_their_parents_band() -> None:
    graph = synthetic_graph(30)
    bare = graph.bets[-1]
    without = Graph(
        slug=graph.slug,
        title=graph.title,
        as_of=graph.as_of,
        bets=(*graph.bets[:-1], type(bare)(id=bare.id, kind=bare.kind, title=bare.title, parents=bare.parents)),
        assumptions=graph.assumptions,
    )
    scene = select(without, View(), TODAY)
    assert scene.bands[bare.id] == scene.bands[bare.parents[0]]


def test_filters_pick_bets_by_every_field(acme: Graph) -> None:
    assert matching(acme, Filters(), TODAY) == {"vision", "self-serve", "wizard"}
    assert matching(acme, Filters(bands=frozenset({"6w"})), TODAY) == {"wizard"}
    assert matching(acme, Filters(teams=frozenset({"onboarding"})), TODAY) == {"wizard"}
    assert matching(acme, Filters(kinds=frozenset({"goal", "vision"})), TODAY) == {"vision", "self-serve"}
    assert matching(acme, Filters(statuses=frozenset({"active"})), TODAY) == {"wizard"}
    assert matching(acme, Filters(min_certainty=0.6), TODAY) == {"vision", "wizard"}
    assert matching(acme, Filters(debatable=True), TODAY) == {"self-serve"}
    assert matching(acme, Filters(bands=frozenset({"6w"}), debatable=True), TODAY) == frozenset()
    assert not Filters().active
    assert Filters(min_certainty=0.0).active


def test_a_filtered_map_keeps_the_story_of_each_match(acme: Graph) -> None:
    scene = select(acme, View(only=frozenset({"wizard"})), TODAY)
    assert {b.id for b in scene.bets} == {"wizard", "self-serve", "vision"}  # what it contributes to
    assert [a.id for a in scene.assumptions] == ["setup-pain"]
    assert "1 bet of “Acme product map” that matches the filters" in scene.description
    empty = select(acme, View(only=frozenset()), TODAY)
    assert empty.bets == ()
