"""A revision's recorded changes are the diff /diff and the viewer show, for any pair of graphs."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.domain import model as m
from app.domain.diff import diff, diff_data
from app.formats.document import graph_from_data
from app.formats.writing import graph_to_data
from app.storage.graphs import get_graph_row, load_graph, save_graph
from app.storage.history import get_revision
from tests.domain.graphs import graphs, titles


@st.composite
def pairs(draw: st.DrawFn) -> tuple[m.Graph, m.Graph]:
    """A graph and a later state of it: fields changed, items reordered, added or removed, lint moved."""
    before = draw(graphs(assumptions=True))
    data: dict[str, Any] = graph_to_data(before)
    bets: list[dict[str, Any]] = data["bets"]
    for bet in bets:
        if draw(st.integers(0, 3)) == 0:
            bet["title"] = draw(titles)
        if draw(st.integers(0, 3)) == 0:
            bet["certainty"] = draw(st.sampled_from([0.1, 0.5, 0.95]))
        if draw(st.integers(0, 5)) == 0:
            bet["status"] = draw(st.sampled_from([s.value for s in m.Status]))
    if draw(st.booleans()):
        bets[:] = draw(st.permutations(bets))
    used = {bet["id"] for bet in bets} | {item["id"] for item in data["assumptions"]}
    leaves = [bet["id"] for bet in bets if not any(bet["id"] in other.get("parents", []) for other in bets)]
    if len(bets) > 1 and draw(st.booleans()):
        gone = draw(st.sampled_from(leaves))
        bets[:] = [bet for bet in bets if bet["id"] != gone]
    if draw(st.booleans()):
        bets.append({"id": next(f"n{i}" for i in range(99) if f"n{i}" not in used), "kind": "goal", "title": "New"})
    if draw(st.booleans()):
        data["graph"]["lint"] = {"disable": draw(st.lists(st.sampled_from(["orphan", "multi-parent"]), unique=True))}
    if draw(st.integers(0, 3)) == 0:
        data["graph"]["title"] = draw(titles)
    return before, graph_from_data(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=pairs())
def test_the_recorded_changes_are_the_diff(session: Session, pair: tuple[m.Graph, m.Graph]) -> None:
    slug = f"p{uuid.uuid4().hex[:10]}"
    before, after = (dataclasses.replace(graph, slug=slug) for graph in pair)
    with session.begin_nested() as example:
        save_graph(session, before)
        saved = save_graph(session, after)
        row = get_graph_row(session, slug)
        assert row is not None
        stored = diff(load_graph(session, row, 1), load_graph(session, row, row.head))
        assert diff_data(stored) == diff_data(diff(before, after))  # storing loses nothing a diff sees
        assert saved.changed == (not stored.empty)  # no revision for no change, one for any
        if saved.changed:
            # What was written is what is read back: a worker keeps the one for the other (GraphCache.prime).
            assert load_graph(session, row, 2) == after
            revision = get_revision(session, row, 2)
            assert revision is not None
            assert revision.changes == diff_data(stored)
        example.rollback()


def test_a_revision_that_only_moves_lint_or_order_is_in_the_diff(session: Session) -> None:
    base = graph_from_data(
        {
            "betgraph": 1,
            "graph": {"slug": "order", "title": "Order"},
            "bets": [{"id": "a", "kind": "vision", "title": "A"}, {"id": "b", "kind": "vision", "title": "B"}],
        }
    )
    save_graph(session, base)
    reordered = dataclasses.replace(base, bets=tuple(reversed(base.bets)))
    assert save_graph(session, reordered).changed
    linted = dataclasses.replace(reordered, lint=m.LintSettings(disable=frozenset({"orphan"})))
    assert save_graph(session, linted).changed
    row = get_graph_row(session, "order")
    assert row is not None
    second, third = get_revision(session, row, 2), get_revision(session, row, 3)
    assert second is not None
    assert third is not None
    assert second.changes["reordered"] == ["bets"]
    assert third.changes["graph"] == {"lint": {"before": None, "after": '{"disable": ["orphan"]}'}}
    assert diff(load_graph(session, row, 2), load_graph(session, row, 3)).header[0].field == "lint"
