"""The digest service on real revisions, on SQLite and PostgreSQL: the graph at the period's start,
the revisions in it and who wrote them, who may read which digest, and how a period is read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.domain.model import Graph, Kind, Resolution, Status, Verdict, Visibility
from app.services import digest as service
from app.services import people
from app.services.access import HOLDER, Caller
from app.services.errors import InvalidParameterError, NotFoundError, UnauthenticatedError
from app.storage.graphs import Writer, get_graph_row, save_graph
from app.storage.tables import RevisionRow
from app.storage.tokens import Scope, create_token
from tests.domain.builders import assumption, bet, graph

T0 = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


def _at(session: Session, slug: str, days: dict[int, float]) -> None:
    """Revision number -> written this many days after T0 (as if written then)."""
    row = get_graph_row(session, slug)
    assert row is not None
    for number, after in days.items():
        session.execute(
            update(RevisionRow)
            .where(RevisionRow.graph_id == row.id, RevisionRow.number == number)
            .values(created_at=T0 + dt.timedelta(days=after))
        )


def _first(slug: str = "acme", visibility: Visibility = Visibility.PUBLIC) -> Graph:
    made = graph(
        bet("vision", Kind.VISION),
        bet("pilot", Kind.HYPOTHESIS, ["vision"], certainty=0.7, status=Status.ACTIVE, title="Pilot"),
        assumption("leap", importance=5),
        as_of=None,
    )
    return dataclasses.replace(made, slug=slug, title=slug.title(), visibility=visibility)


def _history(session: Session) -> Graph:
    """acme: r1 at T0, r2 two days on (Ana, by her personal token), r3 five days on (a service
    token: the pilot resolved), r4 nine days on (no token)."""
    first = _first()
    save_graph(session, first, reason="first import")
    ana = people.person(session, "ana@example.com", name="Ana")
    personal, _ = people.create_personal_token(session, "ana@example.com", Scope.WRITE, label="laptop")
    bot, _ = create_token(session, Scope.WRITE, label="ci bot")
    second = dataclasses.replace(first, bets=(*first.bets, bet("new", Kind.GOAL, ["vision"], title="New goal")))
    save_graph(session, second, by=Writer(personal.id, ana.id), reason="a new goal")
    resolution = Resolution(Verdict.VALIDATED, committed_certainty=0.7)
    pilot = dataclasses.replace(second.bet_by_id["pilot"], status=Status.VALIDATED, resolution=resolution)
    third = dataclasses.replace(second, bets=(second.bets[0], pilot, second.bets[2]))
    save_graph(session, third, by=Writer(bot.id), reason="pilot done")
    save_graph(session, dataclasses.replace(third, description="later"))
    _at(session, "acme", {1: 0, 2: 2, 3: 5, 4: 9})
    return third


def test_a_digest_reads_the_graph_at_the_periods_start_and_the_revisions_written_in_it(session: Session) -> None:
    _history(session)
    found = service.digest(session, HOLDER, "acme", since=T0 + dt.timedelta(days=1), until=T0 + dt.timedelta(days=6))
    assert (found.period.start, found.period.end, found.period.count) == (1, 3, 2)
    assert [(n.number, n.who, n.reason) for n in found.revisions] == [
        (2, "Ana", "a new goal"),
        (3, "ci bot", "pilot done"),
    ]
    assert [w.text for w in found.worded] == [
        "bet “New goal” added",
        "bet “Pilot” changed: status active → validated; resolution — → validated",
    ]
    assert [(r.id, r.claimed) for r in found.calibration.resolved] == [("pilot", 0.7)]
    assert (found.calibration.before.resolved, found.calibration.after.resolved) == (0, 1)
    assert [leap.id for leap in found.leaps] == ["leap"]
    assert found.changes.header == ()  # r4's description is after the period


def test_who_wrote_a_revision_is_kept_from_anonymous_readers_of_a_public_graph(session: Session) -> None:
    _history(session)
    found = service.digest(session, None, "acme", since=T0 + dt.timedelta(days=1), until=T0 + dt.timedelta(days=6))
    assert [(n.who, n.reason) for n in found.revisions] == [(None, "a new goal"), (None, "pilot done")]
    reader = Caller(99, Scope.READ, None)
    named = service.digest(session, reader, "acme", since=T0 + dt.timedelta(days=1), until=T0 + dt.timedelta(days=6))
    assert [n.who for n in named.revisions] == ["Ana", "ci bot"]


def test_a_graph_created_in_the_period_and_one_not_there_yet(session: Session) -> None:
    _history(session)
    created = service.digest(session, HOLDER, "acme", since=T0 - dt.timedelta(days=1), until=T0 + dt.timedelta(days=3))
    assert created.created
    assert [n.number for n in created.revisions] == [1, 2]
    assert created.revisions[0].who is None  # written without a token
    with pytest.raises(NotFoundError, match="did not exist yet at until="):
        service.digest(session, HOLDER, "acme", since=T0 - dt.timedelta(days=3), until=T0 - dt.timedelta(days=1))
    quiet = service.digest(session, HOLDER, "acme", since=T0 + dt.timedelta(days=10), until=T0 + dt.timedelta(days=12))
    assert (quiet.period.start, quiet.period.end, quiet.revisions, quiet.quiet) == (4, 4, (), True)


def test_who_may_read_which_digest(session: Session) -> None:
    _history(session)
    save_graph(session, _first("shut", Visibility.PRIVATE))
    save_graph(session, _first("later", Visibility.PUBLIC))
    _at(session, "shut", {1: 1})
    _at(session, "later", {1: 30})  # written after the period: no digest of it
    shut = get_graph_row(session, "shut")
    assert shut is not None
    since, until = T0, T0 + dt.timedelta(days=7)
    assert [d.slug for d in service.digests(session, HOLDER, since=since, until=until)] == ["acme", "shut"]
    assert [d.slug for d in service.digests(session, None, since=since, until=until)] == ["acme"]
    assert [d.slug for d in service.digests(session, Caller(7, Scope.READ, shut.id), since=since, until=until)] == [
        "shut"
    ]
    with pytest.raises(UnauthenticatedError):
        service.digest(session, None, "shut", since=since, until=until)
    with pytest.raises(NotFoundError):
        service.digest(session, Caller(7, Scope.READ, shut.id), "acme", since=since, until=until)
    with pytest.raises(NotFoundError):
        service.digest(session, HOLDER, "nowhere", since=since, until=until)


NOW = dt.datetime(2026, 11, 4, 15, 30, tzinfo=dt.UTC)


def test_a_period_is_the_last_week_by_default_and_dates_cover_whole_days() -> None:
    assert service.period(None, None, now=NOW) == (NOW - dt.timedelta(days=7), NOW)
    assert service.period(None, None, days=1, now=NOW) == (NOW - dt.timedelta(days=1), NOW)
    start, end = service.period("2026-10-01", "2026-10-31")
    assert start == dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
    start, end = service.period("2026-10-01T10:30+02:00", "2026-10-02T00:00Z")
    assert start == dt.datetime(2026, 10, 1, 8, 30, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 2, 0, 0, 59, 999999, tzinfo=dt.UTC)
    assert service.period(None, "2026-10-31", days=30)[0] == dt.datetime(2026, 10, 1, 23, 59, 59, 999999, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("since", "until", "days", "name", "message"),
    [
        ("12", None, None, "since", "since must be an ISO date or date-time"),
        ("last week", None, None, "since", "since must be a revision number or an ISO date"),
        (None, "2026-02-30", None, "until", "until must be a revision number or an ISO date"),
        ("2026-11-02", "2026-11-01", None, "since", "is not before until"),
        ("2026-11-01", None, 3, "since", "give since or days, not both"),
        (None, None, 0, "days", "days must be from 1 to 3660"),
        (None, "9999-12-30", None, "until", "until must lie from 1970-01-01 to 8999-12-31"),
        ("1969-12-31", "1970-01-02", None, "since", "since must lie from 1970-01-01"),
    ],
)
def test_a_period_that_cannot_be_read_names_its_parameter(
    since: str | None, until: str | None, days: int | None, name: str, message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message) as refused:
        service.period(since, until, days=days, now=NOW)
    assert refused.value.name == name


def test_the_latest_period_still_reads_the_longest_horizon(session: Session) -> None:
    """Horizons are read against the period's days when a graph has no as_of: 999 years past the
    last day a period may end on is still a date."""
    far = dataclasses.replace(_first(), bets=(*_first().bets, bet("far", Kind.GOAL, ["vision"], horizon="999y")))
    save_graph(session, far)
    start, end = service.period(None, "8999-12-31")
    found = service.digest(session, HOLDER, "acme", since=start, until=end)
    assert found.period.end == 1
    with pytest.raises(InvalidParameterError):
        service.period(None, "9000-01-01")
