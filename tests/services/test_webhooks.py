"""Webhooks and people: an owner signed in manages their graph's subscriptions; an editor, or a
viewer by default, does not; an administrator also those for every graph. Both databases."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session

from app.domain.model import Kind, Visibility
from app.services import access, people, webhooks
from app.services.access import Caller
from app.services.errors import ForbiddenError, NotFoundError
from app.storage.graphs import get_graph_row, save_graph
from tests.domain.builders import bet, graph

HOOK = "https://93.184.215.14/hooks/betgraph"


def _person(
    session: Session, email: str, *, role: str | None = None, admin: bool = False, default: str = "none"
) -> Caller:
    person = people.person(session, email, admin=admin)
    if role is not None:
        row = get_graph_row(session, "plans")
        assert row is not None
        people.set_member(session, row, email, role)
    return access.signed_in(person.id, admin=admin, default_role=default, sign_in_id=1)


@pytest.fixture
def plans(session: Session) -> None:
    made = dataclasses.replace(graph(bet("vision", Kind.VISION)), slug="plans", visibility=Visibility.PRIVATE)
    save_graph(session, made)


@pytest.mark.usefixtures("plans")
def test_an_owner_signed_in_manages_their_graphs_webhooks(session: Session) -> None:
    owner = _person(session, "olga@example.com", role="owner")
    made, secret = webhooks.create(session, owner, url=HOOK, events=["revision.created"], graph="plans")
    assert secret.startswith("whsec_")
    assert [found.row.id for found in webhooks.listed(session, owner)] == [made.row.id]
    with pytest.raises(ForbiddenError):
        webhooks.create(session, owner, url=HOOK, events=["revision.created"], graph=None)

    editor = _person(session, "ed@example.com", role="editor")
    with pytest.raises(ForbiddenError):
        webhooks.create(session, editor, url=HOOK, events=["revision.created"], graph="plans")
    with pytest.raises(NotFoundError):
        webhooks.get(session, editor, made.row.id)
    assert webhooks.listed(session, editor) == []

    reader = _person(session, "rita@example.com", default="viewer")  # reads every private graph
    with pytest.raises(ForbiddenError):
        webhooks.create(session, reader, url=HOOK, events=["revision.created"], graph="plans")
    stranger = _person(session, "stu@example.com")
    with pytest.raises(NotFoundError):  # the graph itself is hidden from them
        webhooks.create(session, stranger, url=HOOK, events=["revision.created"], graph="plans")

    boss = _person(session, "boss@example.com", admin=True)
    every, _ = webhooks.create(session, boss, url=HOOK, events=["digest"], graph=None)
    assert {found.row.id for found in webhooks.listed(session, boss)} == {made.row.id, every.row.id}
    assert [found.row.id for found in webhooks.listed(session, owner)] == [made.row.id]
    webhooks.remove(session, owner, made.row.id)
    assert [found.row.id for found in webhooks.listed(session, boss)] == [every.row.id]
