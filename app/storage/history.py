"""A graph's revisions: which one stood at a moment, and the list of them with who wrote each.

These functions never commit. Reading the graph itself at a revision is `graphs.graph_data`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.tables import GraphRow, RevisionRow, TokenRow, as_utc


@dataclass(frozen=True, slots=True)
class Author:
    token_id: int
    label: str  # never the token nor its digest


@dataclass(frozen=True, slots=True)
class Revision:
    number: int
    created_at: dt.datetime
    author: Author | None  # None: written without a token (`betgraph import`), or the token was deleted
    reason: str | None
    changes: dict[str, Any]


def revision_at(session: Session, row: GraphRow, when: dt.datetime) -> int | None:
    """The revision that stood at `when`: the last one created at or before it (None: none yet).

    One probe of the (graph_id, created_at, number) index, however long the history.
    """
    return session.scalar(
        select(RevisionRow.number)
        .where(RevisionRow.graph_id == row.id, RevisionRow.created_at <= when)
        .order_by(RevisionRow.created_at.desc(), RevisionRow.number.desc())
        .limit(1)
    )


def first_revision_time(session: Session, row: GraphRow) -> dt.datetime | None:
    moment = session.scalar(
        select(RevisionRow.created_at).where(RevisionRow.graph_id == row.id, RevisionRow.number == 1)
    )
    return as_utc(moment) if moment is not None else None


def _revisions(session: Session, row: GraphRow, *, numbers: Any, limit: int) -> list[Revision]:
    query = (
        select(RevisionRow, TokenRow.label)
        .outerjoin(TokenRow, TokenRow.id == RevisionRow.token_id)
        .where(RevisionRow.graph_id == row.id, numbers)
        .order_by(RevisionRow.number.desc())
        .limit(limit)
    )
    return [
        Revision(
            number=revision.number,
            created_at=as_utc(revision.created_at),
            author=Author(revision.token_id, label or "") if revision.token_id is not None else None,
            reason=revision.reason,
            changes=revision.changes,
        )
        for revision, label in session.execute(query)
    ]


def list_revisions(session: Session, row: GraphRow, *, before: int | None = None, limit: int = 50) -> list[Revision]:
    """Newest first; `before` (a revision number) continues a list from where a page ended."""
    numbers = RevisionRow.number < before if before is not None else RevisionRow.number > 0
    return _revisions(session, row, numbers=numbers, limit=limit)


def get_revision(session: Session, row: GraphRow, number: int) -> Revision | None:
    found = _revisions(session, row, numbers=RevisionRow.number == number, limit=1)
    return found[0] if found else None
