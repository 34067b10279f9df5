"""API tokens: only a SHA-256 digest is stored; the token itself is shown once, when made."""

from __future__ import annotations

import hashlib
import secrets
from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage import changes
from app.storage.tables import GraphRow, PersonRow, TokenRow, utcnow

PREFIX = "bg_"


class Scope(IntEnum):
    READ = 1
    WRITE = 2
    ADMIN = 3


def digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is as good as a slow one against guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, scope: Scope, *, graph: GraphRow | None = None, label: str = "", person: PersonRow | None = None
) -> tuple[TokenRow, str]:
    """A new token: a service token, or with `person` a personal one (`app.services.people`)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = TokenRow(
        digest=digest(token),
        prefix=token[:10],
        scope=scope.name.lower(),
        graph_id=graph.id if graph else None,
        label=label,
        person_id=person.id if person else None,
    )
    session.add(row)
    session.flush()
    changes.touch(session)
    return row, token


def find_token(session: Session, token: str) -> TokenRow | None:
    found = find_token_and_person(session, token)
    return found[0] if found is not None else None


def find_token_and_person(session: Session, token: str) -> tuple[TokenRow, PersonRow | None] | None:
    """The token and the person it acts for (None: a service token), in one query."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    query = (
        select(TokenRow, PersonRow)
        .outerjoin(PersonRow, PersonRow.id == TokenRow.person_id)
        .where(TokenRow.digest == digest(token))
    )
    found = session.execute(query).first()
    if found is None or found[0].revoked_at is not None:
        return None
    return found[0], found[1]


def list_tokens(session: Session) -> list[TokenRow]:
    return list(session.scalars(select(TokenRow).order_by(TokenRow.id)))


def revoke_token(session: Session, token_id: int) -> bool:
    row = session.get(TokenRow, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.flush()
    changes.touch(session)  # a revoked embed token must stop answering everywhere
    return True
