"""Since your last visit, on SQLite and PostgreSQL: what a person is told changed, and what a page's post keeps."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session

from app.domain.model import Bet, Graph, Kind
from app.services import access, people, visits
from app.services.access import Caller
from app.services.cache import GraphCache
from app.services.errors import InvalidError
from app.services.urls import ViewState
from app.storage.graphs import get_graph_row, save_graph
from app.storage.tables import GraphRow, VisitRow
from app.storage.tokens import Scope
from app.words import percent
from tests.rendering.pictures import example

SLUG = "visited"


def _graph(session: Session, graph: Graph) -> GraphRow:
    save_graph(session, dataclasses.replace(graph, slug=SLUG))
    row = get_graph_row(session, SLUG)
    assert row is not None
    return row


def _person(session: Session, email: str = "pat@example.org") -> Caller:
    person = people.person(session, email, name="Pat")
    session.flush()
    return access.signed_in(person.id, admin=False, default_role="viewer", sign_in_id=1)


def _later(graph: Graph, added: int = 1) -> Graph:
    """The next revision: the first initiative less certain, the last bet gone, `added` new bets."""
    changed = next(bet for bet in graph.bets if bet.kind is Kind.INITIATIVE)
    gone = graph.bets[-1]
    assert gone.id != changed.id
    assert not any(gone.id in bet.parents for bet in graph.bets)
    bets = [dataclasses.replace(bet, certainty=0.05) if bet.id == changed.id else bet for bet in graph.bets[:-1]]
    root = graph.bets[0].id
    bets += [Bet(id=f"new-{n}", kind=Kind.INITIATIVE, title=f"New bet {n}", parents=(root,)) for n in range(added)]
    return dataclasses.replace(graph, bets=tuple(bets))


def test_a_first_visit_says_nothing_and_a_visit_to_the_latest_says_nothing_changed(session: Session) -> None:
    row, who = _graph(session, example("acme")), _person(session)
    assert visits.since(GraphCache(), session, who, row) is None
    visits.record(session, who, row, "1")
    found = visits.since(GraphCache(), session, who, row)
    assert found is not None
    assert (found.revision, found.head, found.nothing, found.changes, found.changed_bets) == (1, 1, True, (), ())


def test_the_changes_since_the_last_visit_in_words_with_their_links(session: Session) -> None:
    acme = example("acme")
    row, who = _graph(session, acme), _person(session)
    visits.record(session, who, row, "1")
    later = _later(acme)
    save_graph(session, dataclasses.replace(later, slug=SLUG))
    session.refresh(row)
    assert row.head == 2
    found = visits.since(GraphCache(), session, who, row)
    assert found is not None
    assert not found.nothing
    assert (found.revision, found.head, found.more) == (1, 2, 0)
    changed = next(bet for bet in acme.bets if bet.kind is Kind.INITIATIVE)
    gone = acme.bets[-1]
    assert [change.text for change in found.changes] == [
        "bet “New bet 0” added",
        f"bet “{changed.title}” changed: certainty {percent(changed.certainty)} → 5%",
        f"bet “{gone.title}” removed",
    ]
    assert [change.focus for change in found.changes] == [
        ViewState(focus="new-0"),
        ViewState(focus=changed.id),
        None,  # gone from the map: nothing to link to
    ]
    assert found.changed_bets == tuple(sorted(("new-0", changed.id)))
    assert found.marked.path(SLUG) == f"/graphs/{SLUG}?view=diff&focus=1..2"


def test_the_list_is_cut_after_a_few_changes_and_counts_the_rest(session: Session) -> None:
    acme = example("acme")
    row, who = _graph(session, acme), _person(session)
    visits.record(session, who, row, "1")
    save_graph(session, dataclasses.replace(_later(acme, added=10), slug=SLUG))
    session.refresh(row)
    found = visits.since(GraphCache(), session, who, row)
    assert found is not None
    assert len(found.changes) == visits.LISTED == 8
    assert found.more == 12 - 8  # ten added, one changed, one removed
    assert len(found.changed_bets) == 11  # every added or changed bet is marked, not only those listed


def test_a_visit_never_moves_back_and_belongs_to_its_person(session: Session) -> None:
    acme = example("acme")
    row, pat, sam = _graph(session, acme), _person(session), _person(session, "sam@example.org")
    save_graph(session, dataclasses.replace(_later(acme), slug=SLUG))
    session.refresh(row)
    visits.record(session, pat, row, "2")
    visits.record(session, pat, row, "1")  # a tab opened before the write, shown later
    assert session.get(VisitRow, (pat.person_id, row.id)).revision == 2  # type: ignore[union-attr]
    assert visits.since(GraphCache(), session, sam, row) is None


@pytest.mark.parametrize("sent", ["0", "2", "-1", "x", "", "1.0", "²", "9" * 12])
def test_a_revision_the_graph_does_not_have_is_refused(session: Session, sent: str) -> None:
    row, who = _graph(session, example("acme")), _person(session)
    with pytest.raises(InvalidError, match="revision must be a revision of this graph, from 1 to 1"):
        visits.record(session, who, row, sent)
    assert session.get(VisitRow, (who.person_id, row.id)) is None


def test_nobody_but_a_person_has_visits(session: Session) -> None:
    row = _graph(session, example("acme"))
    service = Caller(token_id=1, scope=Scope.WRITE, graph_id=None)
    for who in (None, service):
        visits.record(session, who, row, "1")
        assert visits.since(GraphCache(), session, who, row) is None
    assert session.query(VisitRow).filter(VisitRow.graph_id == row.id).count() == 0
