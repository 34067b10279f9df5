"""The search rule: which graphs a caller's search looks in, what it refuses, and what it answers with."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session

from app.domain.model import Kind, Visibility
from app.services import people
from app.services import search as service
from app.services.access import HOLDER, Caller, signed_in
from app.services.errors import InvalidParameterError, NotFoundError, UnauthenticatedError
from app.storage.graphs import get_graph_row, save_graph
from app.storage.tokens import Scope
from tests.domain.builders import bet, graph


def _store(session: Session) -> dict[str, int]:
    ids = {}
    for slug, visibility in (("open", Visibility.PUBLIC), ("other", Visibility.PUBLIC), ("shut", Visibility.PRIVATE)):
        made = graph(bet("v", Kind.VISION, title=f"Wombat {slug}", description="x " * 200 + "the wombat burrows " * 30))
        save_graph(session, dataclasses.replace(made, slug=slug, title=slug.title(), visibility=visibility))
        row = get_graph_row(session, slug)
        assert row is not None
        ids[slug] = row.id
    return ids


def _graphs(session: Session, who: Caller | None, **options: object) -> list[str]:
    return sorted(r.graph for r in service.search(session, who, "wombat", **options))  # type: ignore[arg-type]


def test_which_graphs_each_caller_searches(session: Session) -> None:
    ids = _store(session)
    assert _graphs(session, None) == ["open", "other"]
    assert _graphs(session, HOLDER) == ["open", "other", "shut"]
    # a token for one graph sees that one only, even where others are public (as `access.role` says)
    assert _graphs(session, Caller(1, Scope.READ, ids["shut"])) == ["shut"]
    assert _graphs(session, Caller(1, Scope.READ, ids["open"])) == ["open"]
    mia = people.person(session, "mia@example.com")
    stranger = signed_in(mia.id, admin=False, default_role="none", sign_in_id=1)
    assert _graphs(session, stranger) == ["open", "other"]
    row = get_graph_row(session, "shut")
    assert row is not None
    people.set_member(session, row, "mia@example.com", "viewer")
    assert _graphs(session, stranger) == ["open", "other", "shut"]
    assert _graphs(session, stranger, graph="shut") == ["shut"]


def test_graph_is_refused_as_reading_it_is(session: Session) -> None:
    ids = _store(session)
    with pytest.raises(UnauthenticatedError):
        service.search(session, None, "wombat", graph="shut")
    with pytest.raises(NotFoundError):
        service.search(session, Caller(1, Scope.READ, ids["open"]), "wombat", graph="other")
    with pytest.raises(NotFoundError):
        service.search(session, HOLDER, "wombat", graph="nowhere")


@pytest.mark.parametrize(("query", "limit"), [("", 20), (" \t\n", 20), ("w" * 201, 20), ("wombat", 0), ("wombat", 101)])
def test_refusals(session: Session, query: str, limit: int) -> None:
    with pytest.raises(InvalidParameterError):
        service.search(session, HOLDER, query, limit=limit)


def test_a_result_links_to_the_item_and_shows_where_the_word_is(session: Session) -> None:
    _store(session)
    (found,) = service.search(session, None, "wombat bur", graph="open")
    assert (found.kind, found.id, found.bet_kind, found.title, found.url) == (
        "bet",
        "v",
        "vision",
        "Wombat open",
        "/graphs/open?focus=v",
    )
    assert found.snippet is not None
    assert found.snippet.startswith("…")
    assert "wombat burrows" in found.snippet
    assert len(found.snippet) <= service.SNIPPET + 2
    assert service.search(session, None, "*** ---") == []  # no words: nothing, not an error


def test_snippets() -> None:
    assert service.snippet("", ["a"]) is None
    assert service.snippet("  short\n text ", ["zzz"]) == "short text"
    long = "word " * 100
    assert service.snippet(long, ["zzz"]) == long[: service.SNIPPET] + "…"
