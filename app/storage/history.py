"""A graph's revisions: which one stood at a moment, and the list of them with who wrote each.

These functions never commit. Reading the graph itself at a revision is `graphs.graph_data`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.model import Status
from app.storage.tables import (
    AssumptionVersionRow,
    BetVersionRow,
    GraphRow,
    PersonRow,
    RevisionRow,
    TokenRow,
    as_utc,
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Author:
    token_id: int | None  # None: the token was deleted since, but the person it acted for is known
    label: str  # never the token nor its digest
    person: Person | None = None  # who wrote it, when a person did


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
        select(RevisionRow, TokenRow.label, PersonRow.name, PersonRow.email)
        .outerjoin(TokenRow, TokenRow.id == RevisionRow.token_id)
        .outerjoin(PersonRow, PersonRow.id == RevisionRow.person_id)
        .where(RevisionRow.graph_id == row.id, numbers)
        .order_by(RevisionRow.number.desc())
        .limit(limit)
    )
    return [
        Revision(
            number=revision.number,
            created_at=as_utc(revision.created_at),
            author=_author(revision.token_id, label, Person(name, email) if email is not None else None),
            reason=revision.reason,
            changes=revision.changes,
        )
        for revision, label, name, email in session.execute(query)
    ]


def _author(token_id: int | None, label: str | None, person: Person | None) -> Author | None:
    if token_id is None and person is None:
        return None
    return Author(token_id, label or "", person)


def list_revisions(session: Session, row: GraphRow, *, before: int | None = None, limit: int = 50) -> list[Revision]:
    """Newest first; `before` (a revision number) continues a list from where a page ended."""
    numbers = RevisionRow.number < before if before is not None else RevisionRow.number > 0
    return _revisions(session, row, numbers=numbers, limit=limit)


def get_revision(session: Session, row: GraphRow, number: int) -> Revision | None:
    found = _revisions(session, row, numbers=RevisionRow.number == number, limit=1)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Commitment:
    certainty: float | None
    revision: int  # the revision whose version the certainty was read from


def commitment(
    session: Session, row: GraphRow, section: Literal["bets", "assumptions"], item_id: str
) -> Commitment | None:
    """The certainty a bet had when it was last made `active` (else when it was first stored);
    for an assumption, when it was first stored. None when the item is not stored.

    Only the item's present life counts: a bet deleted and made again under the same id starts over.
    """
    versions: list[tuple[int, int | None, float | None, str | None]]
    if section == "bets":
        bets = select(BetVersionRow.valid_from, BetVersionRow.valid_to, BetVersionRow.certainty, BetVersionRow.status)
        bets = bets.where(BetVersionRow.graph_id == row.id, BetVersionRow.bet_id == item_id)
        versions = [(start, end, certainty, status) for start, end, certainty, status in session.execute(bets)]
    else:
        table = AssumptionVersionRow
        assumptions = select(table.valid_from, table.valid_to, table.certainty)
        assumptions = assumptions.where(table.graph_id == row.id, table.assumption_id == item_id)
        versions = [(start, end, certainty, None) for start, end, certainty in session.execute(assumptions)]
    versions.sort(key=lambda version: version[0])
    if not versions or versions[-1][1] is not None:
        return None
    life = [versions[-1]]
    for version in reversed(versions[:-1]):
        if version[1] != life[0][0]:
            break  # a gap: the item was removed, and what came before is another item's story
        life.insert(0, version)
    start = 0
    for index, (_, _, _, status) in enumerate(life):
        if status == Status.ACTIVE and (index == 0 or life[index - 1][3] != Status.ACTIVE):
            start = index
    # A commitment made before any certainty was stated is judged by the first one stated after it.
    stated = [version for version in life[start:] if version[2] is not None]
    chosen = stated[0] if stated else life[start]
    return Commitment(chosen[2], chosen[0])
