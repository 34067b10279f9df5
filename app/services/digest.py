"""The digest of a graph over a period (`app.domain.digest`), for a caller who may read it, and of
every graph they may: what the API, the command line and a weekly `digest` webhook hand out.

A period runs from `since` (excluded) to `until` (included): the graph at its start is the
revision that stood at `since`, the revisions in it are those written after that and up to `until`.
These functions only read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.domain import digest as domain
from app.domain.digest import DEFAULT_DAYS, Digest, RevisionNote
from app.domain.model import Graph
from app.rendering.digest import Links, digests_markdown
from app.services import access
from app.services.access import Caller
from app.services.cache import GraphCache
from app.services.errors import InvalidParameterError, NotFoundError
from app.services.moments import Moment, parse_moment, resolve
from app.services.revisions import shown_author
from app.services.urls import ViewState, viewer_links
from app.storage import history
from app.storage.graphs import list_graphs, load_graph
from app.storage.history import revision_at
from app.storage.tables import GraphRow

LISTED = 200  # the newest revisions of a period that are listed; `Period.count` counts them all
LONGEST = 3660  # the most days a period may be counted back by (`days`)
# Horizons run up to 999 years past the dates a digest is read at: keep those dates where a year has four digits.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
DESCRIPTION = {
    "since": "the period's start: an ISO date (from the start of that day, UTC) or date-time; "
    f"default: {DEFAULT_DAYS} days before `until`",
    "until": "the period's end: an ISO date (to the end of that day, UTC) or date-time; default: now",
}


def period(
    since: str | None, until: str | None, *, days: int | None = None, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The period a digest covers, read from what a caller wrote: by default the `DEFAULT_DAYS`
    days up to now; `days` counts back from `until` instead of a `since`. 422 naming the parameter
    for anything it cannot read."""
    end = _moment(until, "until").until if until is not None else (now or dt.datetime.now(dt.UTC))
    assert end is not None
    _within("until", end)
    if since is not None and days is not None:
        raise InvalidParameterError("since", "give since or days, not both")
    if since is not None:
        start = _moment(since, "since").start
        assert start is not None
        _within("since", start)
    else:
        count = DEFAULT_DAYS if days is None else days
        if not 1 <= count <= LONGEST:
            raise InvalidParameterError("days", f"days must be from 1 to {LONGEST}, not {count}")
        start = end - dt.timedelta(days=count)
    if start >= end:
        raise InvalidParameterError("since", f"since ({start.isoformat()}) is not before until ({end.isoformat()})")
    return start, end


def _within(name: str, moment: dt.datetime) -> None:
    if not EARLIEST <= moment < LATEST:
        raise InvalidParameterError(name, f"{name} must lie from 1970-01-01 to 8999-12-31, not {moment.date()}")


def _moment(text: str, name: str) -> Moment:
    moment = parse_moment(text, name)
    if moment.number is not None:
        raise InvalidParameterError(
            name, f"{name} must be an ISO date or date-time (2026-11-01, 2026-11-01T10:30Z), not {text[:40]!r}"
        )
    return moment


def digest(
    session: Session,
    who: Caller | None,
    slug: str,
    *,
    since: dt.datetime,
    until: dt.datetime,
    graphs: GraphCache | None = None,
) -> Digest:
    """The digest of graph `slug` over the period, if `who` may read it; 404 when it did not exist by `until`."""
    row = access.read_graph(session, slug, who).row
    end = resolve(session, row, Moment(until.isoformat(), until=until), "until")
    return _digest(session, who, row, end, since=since, until=until, graphs=graphs)


def digests(
    session: Session,
    who: Caller | None,
    *,
    since: dt.datetime,
    until: dt.datetime,
    graphs: GraphCache | None = None,
) -> list[Digest]:
    """The digest of every graph `who` may read that existed by `until`, by slug."""
    found: list[Digest] = []
    after = ""
    visible = access.listable(session, who)
    while page := list_graphs(session, visible_to=visible, after=after, limit=100):
        for row, _ in page:
            try:  # the rule, graph by graph, as a single digest checks it
                access.read_graph(session, row.slug, who)
            except NotFoundError:
                continue  # public, but hidden from a token for another graph
            end = revision_at(session, row, until)
            if end is not None:
                found.append(_digest(session, who, row, end, since=since, until=until, graphs=graphs))
        after = page[-1][0].slug
    return found


def _digest(
    session: Session,
    who: Caller | None,
    row: GraphRow,
    end: int,
    *,
    since: dt.datetime,
    until: dt.datetime,
    graphs: GraphCache | None,
) -> Digest:
    start = revision_at(session, row, since)
    if start is not None:
        start = min(start, end)
    count = end - (start or 0)
    written = history.list_revisions(session, row, before=end + 1, limit=min(count, LISTED)) if count else []
    notes = [
        RevisionNote(revision.number, revision.created_at, _who(revision.author, who), revision.reason)
        for revision in written
    ]
    before = _graph(session, row, start, graphs) if start is not None else None
    after = _graph(session, row, end, graphs)
    return domain.digest(before, after, notes, since=since, until=until, start=start, end=end)


def _who(author: history.Author | None, caller: Caller | None) -> str | None:
    shown = shown_author(author, caller)
    if shown is None:
        return None
    if shown.person is not None:
        return shown.person.name or shown.person.email
    return shown.label or None


def _graph(session: Session, row: GraphRow, revision: int, graphs: GraphCache | None) -> Graph:
    return graphs.get(session, row, revision).graph if graphs is not None else load_graph(session, row, revision)


def links(base: str) -> Links:
    """The viewer's addresses on `base` (the public URL; "" for paths on whatever address is used)."""
    root = base.rstrip("/")
    return Links(
        graph=lambda slug: root + ViewState().path(slug),
        item=viewer_links(base),
        changes=lambda slug, since, until: root + ViewState("diff", f"{since}..{until}").path(slug),
    )


def markdown(found: Sequence[Digest], base: str) -> str:
    """The digests as GitHub Markdown, linking to the viewer on `base`."""
    return digests_markdown(found, links(base))
