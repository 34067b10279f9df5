"""What a sign-in is worth, how long, and who may see and end it (`app.services.signins`), on
SQLite and PostgreSQL. The provider's side is tests/web/test_sso.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.services import access, people, signins
from app.services.access import Caller, Role
from app.services.errors import ForbiddenError, NotFoundError
from app.storage import signins as stored
from app.storage.tables import PersonRow, SignInRow, as_utc, utcnow
from app.storage.tokens import Scope


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, default_role="viewer", session_idle=3600.0, session_max=86_400.0)


@pytest.fixture
def sessions(session: Session) -> sessionmaker[Session]:
    """Sessions on the test's own connection, as a request's would be: what they commit, the test's
    `session` sees, and it is all rolled back at the end."""
    return sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)


def _sign_in(session: Session, person: PersonRow, *, admin_group: bool = False) -> tuple[SignInRow, str]:
    row, secret = stored.start(session, person, admin_group=admin_group, id_token=None)
    session.expire(row)  # read back what the database holds: SQLite hands times back without a zone
    return row, secret


def _set_back(session: Session, row: SignInRow, **ago: dt.timedelta) -> None:
    moments = {column: utcnow() - delta for column, delta in ago.items()}
    session.execute(update(SignInRow).where(SignInRow.id == row.id).values(**moments))
    session.expire_all()


def _caller(session: Session, secret: str, settings: Settings) -> Caller | None:
    found = signins.caller(session, secret, settings)
    return found.who if found is not None else None


def test_a_fresh_sign_in_is_its_person(session: Session, settings: Settings) -> None:
    ana = people.person(session, "ana@example.com", name="Ana")
    row, secret = _sign_in(session, ana)
    found = signins.caller(session, secret, settings)
    assert found is not None
    who, seen = found.who, found.seen
    assert found.name == "Ana"
    assert (who.person_id, who.sign_in_id, who.token_id, who.graph_id) == (ana.id, row.id, None, None)
    assert (who.admin, who.scope, who.default_role) == (False, Scope.ADMIN, Role.VIEWER)
    assert abs(seen - utcnow()) < dt.timedelta(minutes=1)
    assert seen.tzinfo is not None  # compared with aware times on both databases

    # An administrator as a person, or for one sign-in through the provider's group.
    boss = _caller(session, _sign_in(session, people.person(session, "boss@example.com", admin=True))[1], settings)
    assert boss is not None
    assert boss.admin
    grouped = _caller(session, _sign_in(session, ana, admin_group=True)[1], settings)
    assert grouped is not None
    assert grouped.admin
    assert grouped.person_id == ana.id
    again = _caller(session, secret, settings)
    assert again is not None
    assert not again.admin

    strict = _caller(session, secret, dataclasses.replace(settings, default_role="none"))
    assert strict is not None
    assert strict.default_role == Role.NONE


def test_unknown_secrets_are_nobody(session: Session, settings: Settings) -> None:
    ana = people.person(session, "ana@example.com")
    _, secret = _sign_in(session, ana)
    for other in ("", "short", secret[:-1] + ("A" if secret[-1] != "A" else "B"), secret * 5):
        assert signins.caller(session, other, settings) is None


def test_ended_idle_and_old_sign_ins_are_over(session: Session, settings: Settings) -> None:
    ana = people.person(session, "ana@example.com")
    ended, ended_secret = _sign_in(session, ana)
    idle, idle_secret = _sign_in(session, ana)
    old, old_secret = _sign_in(session, ana)
    kept, kept_secret = _sign_in(session, ana)
    signins.end(session, ended.id, access.HOLDER)
    _set_back(session, idle, seen_at=dt.timedelta(seconds=settings.session_idle + 5))
    _set_back(session, old, created_at=dt.timedelta(seconds=settings.session_max + 5))
    # Used just now, and begun almost as long ago as it may: still good.
    _set_back(session, kept, created_at=dt.timedelta(seconds=settings.session_max - 60))
    assert signins.caller(session, ended_secret, settings) is None
    assert signins.caller(session, idle_secret, settings) is None
    assert signins.caller(session, old_secret, settings) is None
    assert _caller(session, kept_secret, settings) is not None
    # Idle just under the limit is still good; the limits are the settings'.
    _set_back(session, idle, seen_at=dt.timedelta(seconds=settings.session_idle - 60))
    assert _caller(session, idle_secret, settings) is not None
    shorter = dataclasses.replace(settings, session_idle=30.0)
    assert signins.caller(session, idle_secret, shorter) is None


def test_seen_is_written_once_a_minute_at_most(
    session: Session, sessions: sessionmaker[Session], settings: Settings
) -> None:
    ana = people.person(session, "ana@example.com")
    row, secret = _sign_in(session, ana)
    _set_back(session, row, seen_at=dt.timedelta(minutes=2))
    before = as_utc(row.seen_at)
    who = _caller(session, secret, settings)
    assert who is not None

    signins.seen(sessions, who, utcnow() - dt.timedelta(seconds=signins.SEEN_EVERY - 5))
    session.expire_all()
    assert as_utc(row.seen_at) == before  # written less than a minute ago, as far as this worker knows

    signins.seen(sessions, who, before)
    session.expire_all()
    assert as_utc(row.seen_at) > before + dt.timedelta(minutes=1)
    assert abs(as_utc(row.seen_at) - utcnow()) < dt.timedelta(minutes=1)

    # A token's caller has no sign-in to mark.
    signins.seen(sessions, Caller(1, Scope.READ, None), before)


def test_one_ends_ones_own_sign_in_and_an_administrator_anyones(session: Session, settings: Settings) -> None:
    ana = people.person(session, "ana@example.com")
    bo = people.person(session, "bo@example.com")
    boss = people.person(session, "boss@example.com", admin=True)
    anas, ana_secret = _sign_in(session, ana)
    bos, bo_secret = _sign_in(session, bo)
    ana_who, bo_who, boss_who = (_caller(session, _sign_in(session, person)[1], settings) for person in (ana, bo, boss))
    assert ana_who is not None
    assert bo_who is not None
    assert boss_who is not None

    with pytest.raises(NotFoundError, match=f"no sign-in {bos.id}"):  # someone else's reads as missing
        signins.end(session, bos.id, ana_who)
    with pytest.raises(NotFoundError):
        signins.end(session, bos.id, None)
    with pytest.raises(NotFoundError):  # a service token is nobody's, unless it is an admin token
        signins.end(session, bos.id, Caller(1, Scope.WRITE, None))
    with pytest.raises(NotFoundError):
        signins.end(session, 10**9, boss_who)
    assert signins.caller(session, bo_secret, settings) is not None

    assert signins.end(session, anas.id, ana_who) is True
    assert signins.caller(session, ana_secret, settings) is None
    assert signins.end(session, anas.id, ana_who) is False  # over already
    assert signins.end(session, bos.id, boss_who) is True
    assert signins.caller(session, bo_secret, settings) is None
    assert signins.end(session, bos.id, Caller(7, Scope.ADMIN, None)) is False  # an admin service token may too


def test_ending_all_of_a_persons_sign_ins(session: Session, settings: Settings) -> None:
    ana = people.person(session, "ana@example.com")
    bo = people.person(session, "bo@example.com")
    ana_secrets = [_sign_in(session, ana)[1] for _ in range(3)]
    _, bo_secret = _sign_in(session, bo)
    bo_who = _caller(session, bo_secret, settings)
    assert bo_who is not None

    with pytest.raises(ForbiddenError):
        signins.end_all(session, ana, bo_who)
    with pytest.raises(ForbiddenError):
        signins.end_all(session, ana, None)
    with pytest.raises(ForbiddenError):
        signins.end_all(session, ana, Caller(1, Scope.WRITE, None))
    assert all(signins.caller(session, secret, settings) is not None for secret in ana_secrets)

    assert signins.end_all(session, ana, access.HOLDER) == 3
    assert all(signins.caller(session, secret, settings) is None for secret in ana_secrets)
    assert signins.caller(session, bo_secret, settings) is not None
    assert signins.end_all(session, ana, access.HOLDER) == 0
    assert signins.end_all(session, bo, bo_who) == 1  # signing oneself out everywhere
    assert signins.caller(session, bo_secret, settings) is None


def test_who_sees_which_sign_ins(session: Session, settings: Settings) -> None:
    ana = people.person(session, "ana@example.com")
    bo = people.person(session, "bo@example.com")
    anas, ana_secret = _sign_in(session, ana, admin_group=True)
    bos, bo_secret = _sign_in(session, bo)
    ended, _ = _sign_in(session, bo)
    idle, _ = _sign_in(session, bo)
    old, _ = _sign_in(session, bo)
    signins.end(session, ended.id, access.HOLDER)
    _set_back(session, idle, seen_at=dt.timedelta(seconds=settings.session_idle + 5))
    _set_back(session, old, created_at=dt.timedelta(seconds=settings.session_max + 5))  # though used just now
    ana_who, bo_who = _caller(session, ana_secret, settings), _caller(session, bo_secret, settings)
    assert ana_who is not None
    assert bo_who is not None

    def ids(who: Caller | None) -> list[int]:
        return [row.id for row, _ in signins.listed(session, who, settings)]

    assert ids(access.HOLDER) == [bos.id, anas.id]  # newest first, live ones only
    assert ids(ana_who) == [bos.id, anas.id]  # an administrator through the group
    assert ids(bo_who) == [bos.id]
    assert ids(Caller(1, Scope.READ, None, person_id=bo.id)) == [bos.id]  # bo's personal token
    assert [person.email for _, person in signins.listed(session, access.HOLDER, settings)] == [bo.email, ana.email]
    for nobody in (None, Caller(1, Scope.READ, None), Caller(1, Scope.WRITE, None)):
        with pytest.raises(ForbiddenError):
            signins.listed(session, nobody, settings)
