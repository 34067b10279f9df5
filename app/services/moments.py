"""`as_of`: which revision of a graph a read is about.

A value is a revision number (`12`), or an ISO date or date-time standing for the end of that
moment: `2026-11-01` is the graph at the end of that day (UTC), `2026-11-01T10:30` at the end of
that minute, with seconds the end of that second, with a fraction that very instant; a time
without a zone is UTC. The graph then is its last revision created at or before that end.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services.errors import InvalidParameterError, NotFoundError
from app.storage.history import first_revision_time, revision_at
from app.storage.tables import GraphRow

DESCRIPTION = (
    "the graph as it was: a revision number, or an ISO date or date-time (the end of that day, minute or "
    "second; UTC unless a zone is given)"
)
_MOMENT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hm>\d{2}:\d{2})(?P<s>:\d{2})?(?P<fraction>\.\d{1,6})?(?P<zone>Z|z|[+ -]\d{2}:?\d{2})?)?"
)


@dataclass(frozen=True, slots=True)
class Moment:
    text: str  # as given, for messages
    number: int | None = None  # a revision named by number
    until: dt.datetime | None = None  # the last instant the moment covers, in UTC
    start: dt.datetime | None = None  # its first instant, in UTC (a period that begins with it)


def revision_number(text: str) -> int | None:
    """The revision (or item version) a client's text names, or None; never int() on anything else,
    which fails on digits like "²" and on more than 4,300 of them."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def parse_moment(text: str, name: str = "as_of") -> Moment:
    """A revision number or a moment; 422 naming the parameter for anything else."""
    text = text.strip()
    if (number := revision_number(text)) is not None:
        return Moment(text, number=number)
    match = _MOMENT.fullmatch(text)
    problem = (
        f"{name} must be a revision number or an ISO date or date-time (2026-11-01, 2026-11-01T10:30Z), "
        f"not {text[:40]!r}"
    )
    if match is None:
        raise InvalidParameterError(name, problem)
    # A `+` in a query string arrives as a space when the client did not encode it.
    zone = (match["zone"] or "").replace(" ", "+").replace("z", "Z")
    iso = match["date"] + (f"T{match['hm']}{match['s'] or ''}{match['fraction'] or ''}{zone}" if match["hm"] else "")
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        raise InvalidParameterError(name, problem) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if not match["hm"]:
        span = dt.timedelta(days=1)
    elif match["fraction"]:
        span = dt.timedelta(microseconds=1)
    elif match["s"]:
        span = dt.timedelta(seconds=1)
    else:
        span = dt.timedelta(minutes=1)
    try:
        start = moment.astimezone(dt.UTC)
        until = start + span - dt.timedelta(microseconds=1)
    except OverflowError:
        raise InvalidParameterError(name, problem) from None
    return Moment(text, until=until, start=start)


def resolve(session: Session, row: GraphRow, moment: Moment, name: str = "as_of") -> int:
    """The revision a moment names; 404 when the graph had none yet, or has no such number."""
    if moment.number is not None:
        return check_revision(row, moment.number, name)
    assert moment.until is not None
    found = revision_at(session, row, moment.until)
    if found is None:
        first = first_revision_time(session, row)
        since = f"; its first revision was written at {first.isoformat()}" if first is not None else ""
        raise NotFoundError(f"graph {row.slug!r} did not exist yet at {name}={moment.text}{since}")
    return found


def revision_for(session: Session, row: GraphRow, moment: Moment | None) -> int | None:
    """The revision a read is about: None (the head) when no `as_of` was given."""
    return resolve(session, row, moment) if moment is not None else None


def check_revision(row: GraphRow, number: int, name: str = "revision") -> int:
    """`number`, if the graph has that revision; 404 otherwise."""
    if not 1 <= number <= row.head:
        raise NotFoundError(f"graph {row.slug!r} has revisions 1 to {row.head}; {name} {number} is none")
    return number


def resolve_span(session: Session, row: GraphRow, start: Moment, end: Moment | None) -> tuple[int, int]:
    """The revisions a diff from `start` to `end` (the head when None) compares, earlier first."""
    since = resolve(session, row, start, "from")
    until = resolve(session, row, end, "to") if end is not None else row.head
    if since > until:
        raise InvalidParameterError("from", f"from (revision {since}) is after to (revision {until}); swap them")
    return since, until
