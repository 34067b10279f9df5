"""People and their roles on graphs (members). These functions never commit.

A person is known by their e-mail address (lower-cased) until they first sign in, when their
OpenID Connect subject is kept too: a member may be named before their first sign-in.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.storage import changes
from app.storage.tables import GraphRow, MemberRow, PersonRow

ROLES = ("viewer", "editor", "owner")


def find_person(session: Session, email: str) -> PersonRow | None:
    return session.scalar(select(PersonRow).where(PersonRow.email == email.lower()))


def add_person(session: Session, email: str, *, name: str = "", admin: bool = False) -> PersonRow:
    """The person with this address, made when new; `name` and `admin` are set when given."""
    row = find_person(session, email)
    if row is None:
        row = PersonRow(email=email.lower(), name=name, admin=admin)
        session.add(row)
    else:
        row.name = name or row.name
        row.admin = admin or row.admin
    session.flush()
    changes.touch(session)  # an administrator's rights change every answer they get
    return row


def list_people(session: Session) -> list[PersonRow]:
    return list(session.scalars(select(PersonRow).order_by(PersonRow.email)))


def member_role(session: Session, graph_id: int, person_id: int) -> str | None:
    return session.scalar(
        select(MemberRow.role).where(MemberRow.graph_id == graph_id, MemberRow.person_id == person_id)
    )


def member_graphs(session: Session, person_id: int) -> list[int]:
    return list(session.scalars(select(MemberRow.graph_id).where(MemberRow.person_id == person_id)))


def list_members(session: Session, graph: GraphRow) -> list[tuple[PersonRow, str]]:
    query = (
        select(PersonRow, MemberRow.role)
        .join(MemberRow, MemberRow.person_id == PersonRow.id)
        .where(MemberRow.graph_id == graph.id)
        .order_by(PersonRow.email)
    )
    return [(person, role) for person, role in session.execute(query)]


def owners(session: Session, graph: GraphRow) -> int:
    query = select(func.count()).where(MemberRow.graph_id == graph.id, MemberRow.role == "owner")
    return session.scalar(query) or 0


def set_member(session: Session, graph: GraphRow, person: PersonRow, role: str) -> bool:
    """Give `person` `role` on `graph`; True when they were not a member before."""
    assert role in ROLES
    row = session.get(MemberRow, (graph.id, person.id))
    new = row is None
    if row is None:
        session.add(MemberRow(graph_id=graph.id, person_id=person.id, role=role))
    else:
        row.role = role
    session.flush()
    changes.touch(session)  # every worker forgets what it answered with the old role
    return new


def remove_member(session: Session, graph: GraphRow, person: PersonRow) -> bool:
    row = session.get(MemberRow, (graph.id, person.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    changes.touch(session)
    return True
