"""Request dependencies: the one transaction of a request, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from app.api.problems import ProblemError
from app.storage.db import transaction
from app.storage.graphs import get_graph_row
from app.storage.tables import GraphRow, TokenRow
from app.storage.tokens import Scope, find_token

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """The request's transaction: committed when the route returns, rolled back when it raises.

    Nothing below this commits. Writes take SQLite's write lock when they begin (WRITE), so
    concurrent writers queue instead of failing.
    """
    sessions: sessionmaker[Session] = request.app.state.sessions
    with transaction(sessions, write=request.method not in READS) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit is the
# client's error response, never a 2xx for a write that did not happen.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: int
    scope: Scope
    graph_id: int | None  # a token for one graph sees nothing of another


def tag_matches(header: str | None, tag: str) -> bool:
    """Whether an If-Match or If-None-Match header names `tag` (or is `*`)."""
    if header is None:
        return False
    return header.strip() == "*" or tag in [part.strip().removeprefix("W/") for part in header.split(",")]


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "Authentication required", detail, headers={"WWW-Authenticate": 'Bearer realm="betgraph"'})


def get_principal(request: Request, session: SessionDep) -> Principal | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise unauthorized("use `Authorization: Bearer <token>`")
    row: TokenRow | None = find_token(session, token.strip())
    if row is None:
        raise unauthorized("the token is unknown or revoked")
    return Principal(row.id, Scope[row.scope.upper()], row.graph_id)


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]


def not_found(slug: str) -> ProblemError:
    # The same answer whether the graph is missing or hidden from this token: no probing.
    return ProblemError(404, "Not found", f"no graph {slug!r}")


def readable_graph(session: Session, slug: str, principal: Principal | None, *, public: bool | None) -> GraphRow:
    """The graph, if this principal may read it. `public` is the graph's visibility (None: missing)."""
    row = get_graph_row(session, slug)
    if row is None or public is None:
        raise not_found(slug)
    if principal is not None and principal.graph_id not in (None, row.id):
        raise not_found(slug)
    if not public and principal is None:
        raise unauthorized(f"graph {slug!r} is private")
    return row


def require_writer(principal: Principal | None, slug: str, graph: GraphRow | None) -> Principal:
    if principal is None:
        raise unauthorized("writing needs a token with the write scope")
    if principal.graph_id is not None and (graph is None or principal.graph_id != graph.id):
        raise not_found(slug)
    if principal.scope < Scope.WRITE:
        raise ProblemError(403, "Forbidden", "this token may only read")
    return principal
