"""The render cache: pictures by the hash of what shapes them, in the database every worker shares.

Also the reads a diagram request makes before it knows whether its picture is cached: they run on
every request for a picture, so each is one query.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.storage.tables import GraphRow, GraphVersionRow, RenderRow, RevisionRow


def get_render(session: Session, key: str) -> RenderRow | None:
    return session.scalar(select(RenderRow).where(RenderRow.key == key))


def put_render(session: Session, key: str, *, etag: str, media_type: str, body: bytes) -> None:
    """Store a picture; another worker storing the same one first is fine (same key, same bytes)."""
    try:
        with session.begin_nested():
            session.add(RenderRow(key=key, etag=etag, media_type=media_type, body=body))
    except IntegrityError:
        pass


def revision_time(session: Session, graph_id: int, number: int) -> dt.datetime | None:
    """When a revision was written: the Last-Modified of the pictures pinned to it."""
    return session.scalar(
        select(RevisionRow.created_at).where(RevisionRow.graph_id == graph_id, RevisionRow.number == number)
    )


# Built once: this runs on every request for a picture, and building a statement costs more than
# SQLite takes to answer it.
_GRAPH_AND_VISIBILITY = (
    select(GraphRow, GraphVersionRow.visibility)
    .join(GraphVersionRow, and_(GraphVersionRow.graph_id == GraphRow.id, GraphVersionRow.valid_to.is_(None)))
    .where(GraphRow.slug == bindparam("slug"))
)


def graph_and_visibility(session: Session, slug: str) -> tuple[GraphRow, str] | None:
    """The graph (its head names the latest picture) and whether it is public, in one query."""
    found = session.execute(_GRAPH_AND_VISIBILITY, {"slug": slug}).first()
    return (found[0], found[1]) if found is not None else None
