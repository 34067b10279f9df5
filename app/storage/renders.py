"""The render cache: pictures by the hash of what shapes them, in the database every worker shares."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.storage.tables import RenderRow


def get_render(session: Session, key: str) -> RenderRow | None:
    return session.scalar(select(RenderRow).where(RenderRow.key == key))


def put_render(session: Session, key: str, *, etag: str, media_type: str, body: bytes) -> None:
    """Store a picture; another worker storing the same one first is fine (same key, same bytes)."""
    try:
        with session.begin_nested():
            session.add(RenderRow(key=key, etag=etag, media_type=media_type, body=body))
    except IntegrityError:
        pass
