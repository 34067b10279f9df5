from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.domain.model import Graph
from app.formats.document import load
from app.services import edits as items
from app.storage.graphs import Writer, get_graph_row, load_graph, save_graph
from app.storage.history import get_revision, list_revisions, revision_at
from app.storage.tables import GraphRow, RevisionRow
from app.storage.tokens import Scope, create_token
from tests.domain.builders import DESIGN_EXAMPLE

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def _three_revisions(session: Session) -> tuple[GraphRow, Graph]:
    """Revisions 1, 2 and 3 of the design example, written a day apart from T0."""
    graph, _ = load(DESIGN_EXAMPLE)
    save_graph(session, graph)
    wizard = graph.bet_by_id["wizard"]
    for certainty in (0.6, 0.4):
        bets = tuple(dataclasses.replace(b, certainty=certainty) if b.id == wizard.id else b for b in graph.bets)
        save_graph(session, dataclasses.replace(graph, bets=bets))
    row = get_graph_row(session, graph.slug)
    assert row is not None
    for number in (1, 2, 3):
        session.execute(
            update(RevisionRow)
            .where(RevisionRow.graph_id == row.id, RevisionRow.number == number)
            .values(created_at=T0 + dt.timedelta(days=number - 1))
        )
    return row, graph


def test_revision_at_is_the_last_revision_created_by_then(session: Session) -> None:
    row, _ = _three_revisions(session)
    assert revision_at(session, row, T0 - dt.timedelta(seconds=1)) is None
    assert revision_at(session, row, T0) == 1
    assert revision_at(session, row, T0 + dt.timedelta(hours=23)) == 1
    assert revision_at(session, row, T0 + dt.timedelta(days=1)) == 2
    assert revision_at(session, row, T0 + dt.timedelta(days=400)) == 3


def test_reading_the_graph_as_of_a_moment(session: Session) -> None:
    row, graph = _three_revisions(session)
    at = revision_at(session, row, T0 + dt.timedelta(days=1, hours=1))
    assert load_graph(session, row, at).bet_by_id["wizard"].certainty == 0.6
    assert load_graph(session, row, 1) == graph
    assert load_graph(session, row).bet_by_id["wizard"].certainty == 0.4


def test_revisions_newest_first_with_who_and_why(session: Session) -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    token, _secret = create_token(session, Scope.WRITE, label="ci bot")
    save_graph(session, graph, by=Writer(token.id), reason="first import")
    row = get_graph_row(session, graph.slug)
    assert row is not None
    items.update_item(session, row, "bets", "wizard", {"certainty": 0.5}, by=Writer(token.id), reason="user test")
    items.create_item(session, row, "assumptions", {"id": "new-one", "statement": "New"}, by=None)
    items.delete_item(session, row, "assumptions", "new-one", by=Writer(token.id), reason="duplicate")

    listed = list_revisions(session, row)
    assert [r.number for r in listed] == [4, 3, 2, 1]
    assert [r.reason for r in listed] == ["duplicate", None, "user test", "first import"]
    assert listed[0].author is not None
    assert (listed[0].author.token_id, listed[0].author.label) == (token.id, "ci bot")
    assert listed[1].author is None
    assert [(c["id"], c["fields"]) for c in listed[2].changes["bets"]["changed"]] == [
        ("wizard", {"certainty": {"before": 0.8, "after": 0.5}})
    ]
    assert listed[0].created_at.tzinfo is not None

    page = list_revisions(session, row, limit=2)
    assert [r.number for r in page] == [4, 3]
    assert [r.number for r in list_revisions(session, row, before=3, limit=2)] == [2, 1]
    assert list_revisions(session, row, before=1) == []
    found = get_revision(session, row, 2)
    assert found is not None
    assert found.reason == "user test"
    assert get_revision(session, row, 9) is None
