"""People, members and personal tokens: the rules that keep them sane, for the API and the CLI alike.

Who may change members is `app.services.access.manage_members`; this module says what a change
may be: a valid address, a known role, and never a graph left without an owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services.access import Caller
from app.services.errors import ConflictError, InvalidParameterError

__all__ = ["ConflictError", "InvalidParameterError"]
from app.storage import people as storage
from app.storage.graphs import get_graph_row
from app.storage.tables import GraphRow, PersonRow, TokenRow
from app.storage.tokens import Scope, create_token

MAX_EMAIL = 254  # RFC 5321's limit on a path
# Deliberately loose: one @, no spaces or controls, a dot in the domain. Whether it reaches
# anyone is for the identity provider to know, not us. U+FFFD is what undecodable bytes in a URL
# became: no address holds one.
_NOT = r"@\s\x00-\x1f\x7f\ufffd\ud800-\udfff"
EMAIL = re.compile(rf"[^{_NOT}]{{1,64}}@[^{_NOT}]+\.[^{_NOT}.]+")


def email_of(value: str) -> str:
    """`value` as a stored address (lower-cased), or InvalidParameterError saying why not."""
    if len(value) > MAX_EMAIL:
        raise InvalidParameterError("email", f"an e-mail address has at most {MAX_EMAIL} characters")
    if not EMAIL.fullmatch(value):
        raise InvalidParameterError("email", f"{value[:80]!r} is not an e-mail address")
    return value.lower()


def role_of(value: str) -> str:
    if value not in storage.ROLES:
        raise InvalidParameterError("role", f"role must be one of {', '.join(storage.ROLES)}, not {value[:40]!r}")
    return value


def person(session: Session, email: str, *, name: str = "", admin: bool = False) -> PersonRow:
    """The person with this address, made when new (a member may be named before their first sign-in)."""
    return storage.add_person(session, email_of(email), name=name, admin=admin)


@dataclass(frozen=True, slots=True)
class Member:
    email: str
    name: str
    role: str


def members(session: Session, graph: GraphRow) -> list[Member]:
    return [Member(p.email, p.name, role) for p, role in storage.list_members(session, graph)]


def set_member(session: Session, graph: GraphRow, email: str, role: str) -> tuple[Member, bool]:
    """Give the person at `email` `role` on `graph`; True when they were not a member before."""
    role = role_of(role)
    found = person(session, email)
    if role != "owner":
        _keep_an_owner(session, graph, found)
    new = storage.set_member(session, graph, found, role)
    return Member(found.email, found.name, role), new


def remove_member(session: Session, graph: GraphRow, email: str) -> bool:
    """False when the person at `email` is not a member of `graph`."""
    found = storage.find_person(session, email_of(email))
    if found is None:
        return False
    _keep_an_owner(session, graph, found)
    return storage.remove_member(session, graph, found)


def _keep_an_owner(session: Session, graph: GraphRow, leaving: PersonRow) -> None:
    """Refuse to demote or remove `leaving` when they are the graph's last owner."""
    is_owner = storage.member_role(session, graph.id, leaving.id) == "owner"
    if is_owner and storage.owners(session, graph) == 1:
        raise ConflictError(f"{leaving.email} is the last owner of graph {graph.slug!r}: make another owner first")


def created_by(session: Session, slug: str, who: Caller) -> None:
    """A graph a person created is theirs: they become its owner."""
    if who.person_id is None:
        return
    row = get_graph_row(session, slug)
    found = session.get(PersonRow, who.person_id)
    if row is not None and found is not None:
        storage.set_member(session, row, found, "owner")


def create_personal_token(session: Session, email: str, scope: Scope, *, label: str = "") -> tuple[TokenRow, str]:
    """A token that acts as the person at `email` (who must be known already)."""
    found = storage.find_person(session, email_of(email))
    if found is None:
        raise InvalidParameterError("person", f"nobody is known by {email!r}: add them first")
    if scope == Scope.ADMIN and not found.admin:
        raise InvalidParameterError("scope", f"{found.email} is not an administrator: their token may read or write")
    return create_token(session, scope, label=label, person=found)
