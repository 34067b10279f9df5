"""Which graphs a caller may read, and one graph read at a moment, refused as the access rule refuses it."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.domain.model import Kind, Visibility
from app.services import people, reading
from app.services.access import HOLDER, Caller, signed_in
from app.services.context import Services, make_services
from app.services.errors import NotFoundError, UnauthenticatedError
from app.services.moments import parse_moment
from app.storage.graphs import get_graph_row, save_graph
from app.storage.tokens import Scope
from tests.domain.builders import bet, graph


@pytest.fixture
def services(engine: Engine, database_url: str) -> Services:
    return make_services(engine, Settings(database_url=database_url))


def _store(session: Session) -> dict[str, int]:
    ids = {}
    for slug, visibility in (("open", Visibility.PUBLIC), ("other", Visibility.PUBLIC), ("shut", Visibility.PRIVATE)):
        made = graph(bet("v", Kind.VISION), bet("g", Kind.GOAL, ["v"]))
        save_graph(session, dataclasses.replace(made, slug=slug, title=slug.title(), visibility=visibility))
        row = get_graph_row(session, slug)
        assert row is not None
        ids[slug] = row.id
    return ids


def _listed(session: Session, who: Caller | None, **options: object) -> list[str]:
    return [row.slug for row, _ in reading.listed(session, who, **options)]  # type: ignore[arg-type]


def test_listed_are_the_graphs_each_caller_may_read(session: Session) -> None:
    ids = _store(session)
    assert _listed(session, None) == ["open", "other"]
    assert _listed(session, HOLDER) == ["open", "other", "shut"]
    # A token for one graph reads that one alone, even where others are public (`access.role`).
    assert _listed(session, Caller(1, Scope.READ, ids["shut"])) == ["shut"]
    assert _listed(session, Caller(1, Scope.READ, ids["open"])) == ["open"]
    assert _listed(session, Caller(1, Scope.READ, ids["open"]), after="open") == []
    mia = people.person(session, "mia@example.com")
    stranger = signed_in(mia.id, admin=False, default_role="none", sign_in_id=1)
    assert _listed(session, stranger) == ["open", "other"]
    row = get_graph_row(session, "shut")
    assert row is not None
    people.set_member(session, row, "mia@example.com", "viewer")
    assert _listed(session, stranger) == ["open", "other", "shut"]
    assert _listed(session, HOLDER, after="open", limit=1) == ["other"]
    [(_, header)] = reading.listed(session, HOLDER, after="other", limit=1)
    assert header.ordering["bets"] == ["v", "g"]


def test_read_is_the_graph_at_a_moment_or_a_refusal(session: Session, services: Services) -> None:
    ids = _store(session)
    save_graph(session, dataclasses.replace(graph(bet("v", Kind.VISION)), slug="shut", title="Renamed"))
    latest = reading.read(services, session, HOLDER, "shut")
    assert (latest.revision, latest.graph.title, [b.id for b in latest.graph.bets]) == (2, "Renamed", ["v"])
    first = reading.read(services, session, HOLDER, "shut", parse_moment("1"))
    assert (first.revision, first.graph.title, [b.id for b in first.graph.bets]) == (1, "Shut", ["v", "g"])
    assert first.analysed.support.value["g"] == 1.0  # unstated certainties count as sure
    with pytest.raises(UnauthenticatedError, match="graph 'shut' is private"):
        reading.read(services, session, None, "shut")
    with pytest.raises(NotFoundError, match="no graph 'shut'"):
        reading.read(services, session, Caller(1, Scope.READ, ids["open"]), "shut")
    with pytest.raises(NotFoundError, match="no graph 'open'"):
        reading.read(services, session, Caller(1, Scope.READ, ids["shut"]), "open")
    with pytest.raises(NotFoundError, match="revisions 1 to 2"):
        reading.read(services, session, HOLDER, "shut", parse_moment("3"))
    assert reading.read(services, session, None, "open").revision == 1
