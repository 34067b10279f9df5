"""The diff view: both graphs in one picture, every change marked in words as well as style."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain.model import Bet, Graph, Kind
from app.rendering.dot import build_dot
from app.rendering.mermaid import to_mermaid
from app.rendering.render import render_scene
from app.rendering.views import View, ViewError, select, select_diff
from tests.domain.builders import TODAY


def _later(acme: Graph) -> Graph:
    """wizard moves under vision at 30%; self-serve goes; a new bet comes; an evil title arrives."""
    bets = [
        dataclasses.replace(bet, certainty=0.3, parents=("vision",)) if bet.id == "wizard" else bet
        for bet in acme.bets
        if bet.id != "self-serve"
    ]
    bets.append(Bet(id="new-bet", kind=Kind.INITIATIVE, title='<b>"New"</b> \\N', parents=("vision",)))
    return dataclasses.replace(acme, bets=tuple(bets))


def test_the_scene_is_the_union_with_changes_marked(acme: Graph) -> None:
    scene = select_diff(acme, _later(acme), View("diff", "r1 → r2"), TODAY)
    assert {b.id for b in scene.bets} == {"vision", "wizard", "self-serve", "new-bet"}
    assert scene.changes["new-bet"].kind == "added"
    assert scene.changes["self-serve"].lines == ("− removed",)
    assert scene.changes["wizard"].lines == ("△ certainty 80% → 30%", "△ re-parented: self-serve → vision")
    assert [(e.parent, e.child) for e in scene.was_edges] == [("self-serve", "wizard")]
    assert "self-serve" not in scene.findings
    assert scene.title == "Acme product map — changes r1 → r2"
    assert scene.description.startswith("1 added, 1 removed, 1 changed between r1 → r2")


def test_dot_prints_the_marks_through_the_escaping(acme: Graph) -> None:
    source = build_dot(select_diff(acme, _later(acme), View("diff", "r1 → r2"), TODAY)).source
    assert "+ added" in source
    assert "− removed" in source
    assert "△ certainty 80% → 30%" in source
    assert '"b_self-serve" -> "b_wizard" [dir="back" style="dashed"' in source
    assert 'label="was"' in source
    assert "&lt;b&gt;&quot;New&quot;&lt;/b&gt; \\\\N" in source  # the title, escaped once
    assert "<b>" not in source


def test_mermaid_carries_the_same_marks(acme: Graph) -> None:
    # a phrase's spaces are no-break spaces in Mermaid, so that it is never wrapped mid-phrase
    text = to_mermaid(select_diff(acme, _later(acme), View("diff", "r1 → r2"), TODAY)).replace("\u00a0", " ")
    assert "+ added" in text
    assert "△ certainty 80#37; → 30#37;" in text  # `%%{` would be read as a directive
    assert "b_wizard -. was .-> b_self_serve" in text
    assert "class b_self_serve removed" in text


def test_dot_draws_a_diff(acme: Graph) -> None:
    svg = render_scene(select_diff(acme, _later(acme), View("diff", "r1 → r2"), TODAY), "svg")
    assert b"re-parented" in svg
    assert b"removed" in svg


def test_a_diff_view_needs_two_graphs(acme: Graph) -> None:
    with pytest.raises(ViewError):
        select(acme, View("diff", "r1 → r2"), TODAY)
