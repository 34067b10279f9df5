"""The render cache: pictures by the hash of what shapes them, in the database every worker shares."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.storage.tables import RenderRow, RevisionRow


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
