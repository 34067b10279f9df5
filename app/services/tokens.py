"""The tokens a person or a graph's owners manage in the viewer: one's personal tokens, a graph's embed tokens.

Administrators make any token with `betgraph token create`; these are the narrower rights the
viewer hands out, never beyond the holder's own (`access` decides what a token may do once made).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.access import Caller
from app.services.errors import InvalidParameterError, NotFoundError
from app.services.people import create_personal_token
from app.storage.tables import GraphRow, PersonRow, TokenRow
from app.storage.tokens import Scope, create_token, revoke_token

PERSONAL_SCOPES = ("read", "write")


@dataclass(frozen=True, slots=True)
class Listed:
    id: int
    prefix: str
    scope: str
    label: str
    graph: str | None  # the one graph it is for, by slug
    created_at: str  # ISO date


def personal(session: Session, who: Caller) -> list[Listed]:
    """The live personal tokens of `who`'s person."""
    query = (
        select(TokenRow, GraphRow.slug)
        .outerjoin(GraphRow, GraphRow.id == TokenRow.graph_id)
        .where(TokenRow.person_id == _person(who), TokenRow.revoked_at.is_(None))
        .order_by(TokenRow.id)
    )
    return [_listed(row, slug) for row, slug in session.execute(query)]


def create_personal(session: Session, who: Caller, scope: str, label: str) -> str:
    """A new personal token for `who`'s person: read or write (which acts as far as their role on
    each graph, and never further); shown once."""
    person = session.get(PersonRow, _person(who))
    if person is None:
        raise NotFoundError("no such person")
    if scope not in PERSONAL_SCOPES:
        raise InvalidParameterError("scope", "a token from the viewer may read or write")
    _, token = create_personal_token(session, person.email, Scope[scope.upper()], label=label.strip()[:200])
    return token


def revoke_personal(session: Session, who: Caller, token_id: int) -> None:
    row = session.get(TokenRow, token_id)
    if row is None or row.person_id != _person(who) or not revoke_token(session, token_id):
        raise NotFoundError(f"no token {token_id} of yours")


def embed_tokens(session: Session, graph: GraphRow) -> list[Listed]:
    """The graph's live embed tokens: read-only service tokens for it alone."""
    query = (
        select(TokenRow)
        .where(
            TokenRow.graph_id == graph.id,
            TokenRow.person_id.is_(None),
            TokenRow.scope == "read",
            TokenRow.revoked_at.is_(None),
        )
        .order_by(TokenRow.id)
    )
    return [_listed(row, graph.slug) for row in session.scalars(query)]


def create_embed_token(session: Session, graph: GraphRow, label: str) -> str:
    _, token = create_token(session, Scope.READ, graph=graph, label=label)
    return token


def revoke_embed_token(session: Session, graph: GraphRow, token_id: int) -> None:
    if token_id not in {token.id for token in embed_tokens(session, graph)}:
        raise NotFoundError(f"no embed token {token_id} for graph {graph.slug!r}")
    revoke_token(session, token_id)


def _person(who: Caller) -> int:
    if who.person_id is None:
        raise NotFoundError("only a person has personal tokens")
    return who.person_id


def _listed(row: TokenRow, slug: str | None) -> Listed:
    return Listed(row.id, row.prefix, row.scope, row.label, slug, row.created_at.date().isoformat())
