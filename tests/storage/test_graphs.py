from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.model import Bet, Graph, Kind
from app.domain.synthetic import synthetic_graph
from app.formats.document import load
from app.storage.graphs import ConflictError, get_graph_row, graph_data, list_graphs, load_graph, save_graph
from app.storage.tables import BetVersionRow, RevisionRow
from tests.domain.builders import DESIGN_EXAMPLE

ROOT_EXAMPLES = ["examples/acme.yaml", "examples/failures.yaml"]


def _stored(session: Session, slug: str, revision: int | None = None) -> Graph:
    row = get_graph_row(session, slug)
    assert row is not None
    return load_graph(session, row, revision)


@pytest.mark.parametrize("path", ROOT_EXAMPLES)
def test_a_document_round_trips_through_the_database(session: Session, path: str) -> None:
    graph, _ = load(Path(path).read_text())
    saved = save_graph(session, graph)
    assert saved.created
    assert saved.changed
    assert saved.revision == 1
    assert _stored(session, graph.slug) == graph


def test_saving_the_same_graph_again_writes_nothing(session: Session) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    save_graph(session, graph)
    again = save_graph(session, graph)
    assert not again.changed
    assert again.revision == 1
    assert session.scalar(select(func.count()).select_from(RevisionRow)) == 1


def test_a_change_is_one_revision_with_before_and_after(session: Session) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    save_graph(session, graph)
    wizard = graph.bet_by_id["wizard"]
    changed = Graph(
        slug=graph.slug,
        title=graph.title,
        as_of=graph.as_of,
        bets=(*[b for b in graph.bets if b.id != "wizard"], dataclasses.replace(wizard, certainty=0.6)),
        assumptions=graph.assumptions,
    )
    saved = save_graph(session, changed, reason="new data")
    assert saved.revision == 2
    revision = session.scalars(select(RevisionRow).where(RevisionRow.number == 2)).one()
    assert revision.reason == "new data"
    [changed] = revision.changes["bets"]["changed"]
    assert (changed["id"], changed["fields"]) == ("wizard", {"certainty": {"before": 0.8, "after": 0.6}})
    assert changed["lines"] == ["certainty 80% → 60%"]
    assert revision.changes["graph"] == {}  # same header
    assert revision.changes["reordered"] == []  # same order
    # the old state is still there, unchanged
    assert _stored(session, graph.slug, 1) == graph
    assert _stored(session, graph.slug, 2).bet_by_id["wizard"].certainty == 0.6
    versions = session.scalars(select(BetVersionRow).where(BetVersionRow.bet_id == "wizard")).all()
    assert sorted((v.valid_from, v.valid_to) for v in versions) == [(1, 2), (2, None)]


def test_removing_and_adding(session: Session) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    save_graph(session, graph)
    smaller = Graph(
        slug=graph.slug,
        title="Renamed",
        as_of=graph.as_of,
        bets=(*graph.bets[:2], Bet(id="new", kind=Kind.INITIATIVE, title="New", parents=("self-serve",))),
        assumptions=graph.assumptions,
    )
    save_graph(session, smaller)
    revision = session.scalars(select(RevisionRow).where(RevisionRow.number == 2)).one()
    assert revision.changes["bets"]["added"] == ["new"]
    assert revision.changes["bets"]["removed"] == ["wizard"]
    assert revision.changes["graph"]["title"] == {"before": "Acme product map", "after": "Renamed"}
    assert _stored(session, graph.slug) == smaller


def test_a_stale_expected_head_is_a_conflict(session: Session) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    save_graph(session, graph)
    with pytest.raises(ConflictError):
        save_graph(session, Graph(slug=graph.slug, title="Other"), expected_head=0)


def test_document_order_is_kept(session: Session) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    reordered = Graph(slug=graph.slug, title=graph.title, as_of=graph.as_of, bets=tuple(reversed(graph.bets)),
                      assumptions=graph.assumptions)  # fmt: skip
    save_graph(session, graph)
    save_graph(session, reordered)
    assert [b.id for b in _stored(session, graph.slug).bets] == ["wizard", "self-serve", "vision"]


def test_a_large_graph(session: Session) -> None:
    graph = synthetic_graph(2000)
    save_graph(session, graph)
    row = get_graph_row(session, graph.slug)
    assert row is not None
    assert len(graph_data(session, row)["bets"]) == 2000
    assert load_graph(session, row) == graph


def test_list_graphs(session: Session) -> None:
    for slug in ("b-graph", "a-graph", "c-graph"):
        save_graph(session, Graph(slug=slug, title=slug.upper()))
    assert [g.slug for g, _ in list_graphs(session)] == ["a-graph", "b-graph", "c-graph"]
    assert [g.slug for g, _ in list_graphs(session, after="a-graph", limit=1)] == ["b-graph"]
    assert [h.title for _, h in list_graphs(session, slugs=["c-graph"])] == ["C-GRAPH"]
