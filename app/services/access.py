"""May this caller read or write this graph? The one rule, for the API, the viewer, the pictures and oEmbed.

A caller is whoever a token names (sent as a bearer token, kept in the viewer's cookie, or in an
embed URL). A caller without rights on a graph sees nothing of it: missing and hidden read the
same (404), so slugs cannot be probed. A private graph asked for without any token is 401, so
that a person knows signing in may help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.services.errors import ForbiddenError, NotFoundError, UnauthenticatedError
from app.storage.graphs import lock_graph_row
from app.storage.renders import graph_and_visibility
from app.storage.tables import GraphRow
from app.storage.tokens import Scope, find_token


@dataclass(frozen=True, slots=True)
class Caller:
    token_id: int
    scope: Scope
    graph_id: int | None  # a token for one graph sees nothing of another

    @property
    def may_write(self) -> bool:
        return self.scope >= Scope.WRITE


def caller(session: Session, token: str) -> Caller | None:
    """Who `token` names; None when it is unknown or revoked."""
    row = find_token(session, token)
    return Caller(row.id, Scope[row.scope.upper()], row.graph_id) if row is not None else None


@dataclass(frozen=True, slots=True)
class Readable:
    row: GraphRow
    public: bool  # anyone may read it: answers about it may be cached by anyone


def not_found(slug: str) -> NotFoundError:
    return NotFoundError(f"no graph {slug!r}")


def _sees(who: Caller | None, row: GraphRow) -> bool:
    return who is None or who.graph_id in (None, row.id)


def embeds(session: Session, token: str, row: GraphRow) -> bool:
    """Whether `token` is one through which `row`'s graph may be embedded."""
    found = caller(session, token)
    return found is not None and _sees(found, row)


def read_graph(session: Session, slug: str, who: Caller | None, *, embed: str | None = None) -> Readable:
    """The graph, if `who` may read it; through `embed` (an embed URL's token) only what that token sees.

    An answer through an embed token counts as private whatever the graph's visibility: its URL
    holds a secret, so nobody but its holder should keep a copy.
    """
    found = graph_and_visibility(session, slug)
    if found is None:
        raise not_found(slug)
    row, visibility = found
    if embed is not None:
        if not embeds(session, embed, row):
            raise not_found(slug)
        return Readable(row, public=False)
    if not _sees(who, row):
        raise not_found(slug)
    public = visibility == "public"
    if not public and who is None:
        raise UnauthenticatedError(f"graph {slug!r} is private")
    return Readable(row, public)


def check_writer(who: Caller | None, slug: str, row: GraphRow | None) -> Caller:
    """`who`, if they may write graph `slug` (`row`, or None for a graph they would create)."""
    writer = may_write(who)
    if writer.graph_id is not None and (row is None or writer.graph_id != row.id):
        raise not_found(slug)
    return writer


def may_write(who: Caller | None) -> Caller:
    """`who`, if they may write at all: known before any graph is read or locked."""
    if who is None:
        raise UnauthenticatedError("writing needs a token with the write scope", writing=True)
    if not who.may_write:
        raise ForbiddenError("this token may only read")
    return who


def write_graph(session: Session, slug: str, who: Caller | None) -> tuple[GraphRow, Caller]:
    """The graph, locked for this transaction, if `who` may write it.

    Writers to one graph queue here, on its row, until the one before them commits; so a write
    always applies to the graph as it is now and never loses a race with another (PostgreSQL:
    SELECT … FOR UPDATE; SQLite takes its one write lock as the transaction begins).
    """
    may_write(who)  # nobody without the right queues behind the writers
    row = lock_graph_row(session, slug)
    if row is None:
        raise not_found(slug)
    return row, check_writer(who, slug, row)


def write_or_create(session: Session, slug: str, who: Caller | None) -> tuple[GraphRow | None, Caller]:
    """Like `write_graph`, for a write that may create the graph (None: it does not exist yet)."""
    may_write(who)
    row = lock_graph_row(session, slug)
    return row, check_writer(who, slug, row)


def listable(who: Caller | None) -> int | Literal["all"] | None:
    """Which graphs besides the public ones `who` may list: all, one (by id), or none."""
    if who is None:
        return None
    return "all" if who.graph_id is None else who.graph_id
