"""Signing people in through OpenID Connect, and what their sign-in is worth on each request.

The one place that decides whether a browser is signed in: a sign-in row that has not ended, was
used within the idle lifetime and began within the absolute one (BETGRAPH_SESSION_IDLE,
BETGRAPH_SESSION_MAX). Ending it (signing out, an administrator's revocation, `betgraph session
end`) takes effect on the next request, because every request reads the row.

The sign-in owns its transactions: the provider is called between them, never while a database
transaction waits on it.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.services import access
from app.services.access import Caller
from app.services.errors import ForbiddenError, NotFoundError
from app.services.oidc import Identity, Provider, SignInError
from app.storage import changes, signins
from app.storage.db import transaction
from app.storage.people import find_person
from app.storage.tables import PersonRow, SignInRow, as_utc, utcnow

PENDING_SECONDS = 600  # how long a person may take at the provider before the sign-in is void
SEEN_EVERY = 60.0  # a sign-in's last use is written at most this often: the idle limit is this coarse


@dataclass(frozen=True, slots=True)
class Started:
    url: str  # where to send the browser
    state: str  # what the browser keeps (a cookie) to show that the answer is for it


@dataclass(frozen=True, slots=True)
class Finished:
    secret: str  # the session cookie's value
    next: str  # the local path the person was going to


def begin(sessions: sessionmaker[Session], provider: Provider, next: str) -> Started:
    """An authorization request to the provider, remembered (state, nonce, PKCE verifier) until it returns."""
    request = provider.authorization()
    with transaction(sessions, write=True) as session:
        signins.forget_pending(session, utcnow() - dt.timedelta(seconds=PENDING_SECONDS))
        signins.pend(session, request.state, nonce=request.nonce, verifier=request.verifier, next=next)
    return Started(request.url, request.state)


def finish(
    sessions: sessionmaker[Session],
    provider: Provider,
    settings: Settings,
    *,
    state: str,
    kept_state: str,
    code: str,
    error: str,
    issuer: str,
) -> Finished:
    """The provider's answer at the callback, checked; a new sign-in for the person it names.

    `kept_state` is the state this browser was given when it left (its cookie): an answer meant
    for another browser is refused, so nobody can be signed in as someone else by a link.
    """
    if error:
        raise SignInError(f"the provider did not sign you in ({error[:100]})")
    if not state or not kept_state or not hmac.compare_digest(state.encode(), kept_state.encode()):
        raise SignInError("this answer is not for the sign-in this browser started; sign in again")
    # RFC 9207: a provider that names itself must be ours (no mix-up with another provider's answer).
    assert settings.oidc is not None
    if issuer and issuer != settings.oidc.issuer:
        raise SignInError("the answer comes from another provider than the one configured")
    if not code:
        raise SignInError("the provider sent no authorization code")
    with transaction(sessions, write=True) as session:
        since = utcnow() - dt.timedelta(seconds=PENDING_SECONDS)
        pending = signins.take_pending(session, state, since=since)
        found = (pending.nonce, pending.verifier, pending.next) if pending is not None else None
    if found is None:
        raise SignInError("this sign-in was used already or took too long; sign in again")
    nonce, verifier, next = found
    identity = provider.identity(code, nonce=nonce, verifier=verifier)
    admin_group = bool(settings.oidc.admin_group) and settings.oidc.admin_group in identity.groups
    with transaction(sessions, write=True) as session:
        person = _person(session, identity)
        _, secret = signins.start(session, person, admin_group=admin_group, id_token=identity.id_token)
    return Finished(secret, next)


def _person(session: Session, identity: Identity) -> PersonRow:
    """The person the provider names: known by their subject, else by the address an owner named
    them with before their first sign-in, else new."""
    person = session.query(PersonRow).filter(PersonRow.subject == identity.subject).one_or_none()
    if person is None:
        person = find_person(session, identity.email)
        if person is not None and person.subject is not None:
            raise SignInError(f"another account at the provider already signs in as {identity.email}")
        if person is not None and identity.email_verified is False:
            # Taking over a member named by address needs the provider to vouch for the address.
            raise SignInError(f"the provider has not verified {identity.email}; verify it there and sign in again")
        if person is None:
            person = PersonRow(email=identity.email, name=identity.name)
            session.add(person)
        person.subject = identity.subject
    renamed = (person.name, person.email) != (identity.name or person.name, identity.email)
    if renamed:
        taken = find_person(session, identity.email)
        if taken is not None and taken.id != person.id:
            raise SignInError(f"{identity.email} is another person's address here")
        person.name, person.email = identity.name or person.name, identity.email
    session.flush()
    if renamed:
        changes.touch(session)  # histories name people: answers that named the old name are stale
    return person


@dataclass(frozen=True, slots=True)
class SignedIn:
    who: Caller
    seen: dt.datetime  # when the sign-in was last used, within `SEEN_EVERY`
    name: str  # how a page names the person: their name, else their address


def caller(session: Session, secret: str, settings: Settings) -> SignedIn | None:
    """Who a session cookie's `secret` signs in, and when it was last seen; None when it is
    unknown, ended, idle too long or too old."""
    found = signins.find(session, secret)
    if found is None:
        return None
    row, person = found
    now = utcnow()
    seen = as_utc(row.seen_at)
    if (
        row.ended_at is not None
        or now - seen > dt.timedelta(seconds=settings.session_idle)
        or now - as_utc(row.created_at) > dt.timedelta(seconds=settings.session_max)
    ):
        return None
    who = access.signed_in(
        person.id, admin=person.admin or row.admin_group, default_role=settings.default_role, sign_in_id=row.id
    )
    return SignedIn(who, seen, person.name or person.email)


def seen(sessions: sessionmaker[Session], who: Caller, last: dt.datetime, *, within: Session | None = None) -> None:
    """Record that the sign-in was used now, once a minute at most.

    The one write a read may cause, in a transaction of its own: the idle lifetime needs to know
    when a sign-in was last used, and nothing else reads it. A request that writes anyway passes
    its own transaction (`within`): on SQLite a second writer would wait for it until timing out.
    """
    now = utcnow()
    if who.sign_in_id is None or (now - last).total_seconds() < SEEN_EVERY:
        return
    if within is not None:
        signins.seen(within, who.sign_in_id, now)
        return
    with transaction(sessions, write=True) as session:
        signins.seen(session, who.sign_in_id, now)


def end(session: Session, sign_in_id: int, who: Caller | None) -> bool:
    """End a sign-in: one's own, or anyone's for an administrator. False when it had ended already."""
    row = signins.get(session, sign_in_id)
    mine = who is not None and who.person_id is not None and row is not None and row.person_id == who.person_id
    if row is None or not (mine or access.administrator(who)):
        raise NotFoundError(f"no sign-in {sign_in_id}")
    return signins.end(session, sign_in_id=sign_in_id) == 1


def end_all(session: Session, person: PersonRow, who: Caller | None) -> int:
    """End every sign-in of `person`; theirs to do, or an administrator's. How many were live."""
    if not (access.administrator(who) or (who is not None and who.person_id == person.id)):
        raise ForbiddenError("only an administrator may end another person's sign-ins")
    return signins.end(session, person_id=person.id)


def listed(session: Session, who: Caller | None, settings: Settings) -> list[tuple[SignInRow, PersonRow]]:
    """The live sign-ins `who` may see: everyone's for an administrator, else their own."""
    if who is None or (who.person_id is None and not access.administrator(who)):
        raise ForbiddenError("only a person or an administrator has sign-ins to list")
    now = utcnow()
    return signins.listed(
        session,
        person_id=None if access.administrator(who) else who.person_id,
        since=now - dt.timedelta(seconds=settings.session_idle),
        begun_since=now - dt.timedelta(seconds=settings.session_max),
    )


def id_token(session: Session, sign_in_id: int) -> str | None:
    row = signins.get(session, sign_in_id)
    return row.id_token if row is not None else None
