"""Sign-ins (the server side of a browser's session), the sign-ins still at the provider, and
visits. These functions never commit.

None of them touches `changes`: a sign-in changes what one browser is, not what any graph or
token answers; the next request reads the row again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.storage.tables import PendingSignInRow, PersonRow, SignInRow, VisitRow, utcnow


def digest(secret: str) -> str:
    # 256 random bits: a fast hash is as good as a slow one against guessing.
    return hashlib.sha256(secret.encode()).hexdigest()


def pend(session: Session, state: str, *, nonce: str, verifier: str, next: str) -> None:
    session.add(PendingSignInRow(digest=digest(state), nonce=nonce, verifier=verifier, next=next))
    session.flush()


def take_pending(session: Session, state: str, *, since: dt.datetime) -> PendingSignInRow | None:
    """The pending sign-in `state` names, removed so that its answer counts once; None when there is
    none (never sent, already used) or it began before `since`."""
    row = session.get(PendingSignInRow, digest(state))
    if row is None:
        return None
    # DELETE … WHERE reports whether this transaction removed it: of two callbacks racing with one
    # state, only one sees a row count of 1.
    taken = session.execute(delete(PendingSignInRow).where(PendingSignInRow.digest == row.digest))
    if getattr(taken, "rowcount", 0) != 1:
        return None
    return row if _utc(row.created_at) >= since else None


def forget_pending(session: Session, before: dt.datetime) -> None:
    """Sign-ins abandoned at the provider: nobody will come back for them."""
    session.execute(delete(PendingSignInRow).where(PendingSignInRow.created_at < before))


def start(session: Session, person: PersonRow, *, admin_group: bool, id_token: str | None) -> tuple[SignInRow, str]:
    """A new sign-in for `person`, and the secret its cookie carries (shown once, kept as a digest)."""
    secret = secrets.token_urlsafe(32)
    row = SignInRow(digest=digest(secret), person_id=person.id, admin_group=admin_group, id_token=id_token)
    session.add(row)
    session.flush()
    return row, secret


def find(session: Session, secret: str) -> tuple[SignInRow, PersonRow] | None:
    """The sign-in a cookie's secret names and its person, ended or not (the caller judges)."""
    if not 20 <= len(secret) <= 100:
        return None
    query = (
        select(SignInRow, PersonRow)
        .join(PersonRow, PersonRow.id == SignInRow.person_id)
        .where(SignInRow.digest == digest(secret))
    )
    found = session.execute(query).first()
    return (found[0], found[1]) if found is not None else None


def seen(session: Session, sign_in_id: int, at: dt.datetime) -> None:
    session.execute(update(SignInRow).where(SignInRow.id == sign_in_id).values(seen_at=at))


def end(session: Session, *, sign_in_id: int | None = None, person_id: int | None = None) -> int:
    """End one sign-in, or every live one of a person; how many were live."""
    query = update(SignInRow).where(SignInRow.ended_at.is_(None)).values(ended_at=utcnow())
    if sign_in_id is not None:
        query = query.where(SignInRow.id == sign_in_id)
    if person_id is not None:
        query = query.where(SignInRow.person_id == person_id)
    return int(getattr(session.execute(query), "rowcount", 0))


def listed(
    session: Session, *, person_id: int | None = None, since: dt.datetime, begun_since: dt.datetime
) -> list[tuple[SignInRow, PersonRow]]:
    """Sign-ins not ended that were used after `since` (the idle limit) and began after
    `begun_since` (the absolute one), newest first."""
    query = (
        select(SignInRow, PersonRow)
        .join(PersonRow, PersonRow.id == SignInRow.person_id)
        .where(SignInRow.ended_at.is_(None), SignInRow.seen_at >= since, SignInRow.created_at >= begun_since)
        .order_by(SignInRow.id.desc())
    )
    if person_id is not None:
        query = query.where(SignInRow.person_id == person_id)
    return [(row, person) for row, person in session.execute(query)]


def get(session: Session, sign_in_id: int) -> SignInRow | None:
    return session.get(SignInRow, sign_in_id)


def last_visit(session: Session, person_id: int, graph_id: int) -> VisitRow | None:
    return session.get(VisitRow, (person_id, graph_id))


def visit(session: Session, person_id: int, graph_id: int, revision: int) -> None:
    row = session.get(VisitRow, (person_id, graph_id), with_for_update=True)
    if row is None:
        session.add(VisitRow(person_id=person_id, graph_id=graph_id, revision=revision))
    elif revision > row.revision:  # a page loaded before a later one does not set the clock back
        row.revision, row.seen_at = revision, utcnow()
    session.flush()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
