"""Since your last visit: what changed in a graph since the revision a person last looked at.

The page a person reads never records the visit itself (reads never write): once shown, it
posts the revision it showed (`record`), and the next time the person opens the map, `since`
tells them what changed from that revision to the latest, in the words the diff view uses.
Only a person has visits; a service token or an anonymous reader has none to keep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.diff import GraphDiff, Worded, diff, in_words
from app.domain.model import Graph
from app.formats.problems import Problem
from app.services.access import Caller
from app.services.cache import GraphCache
from app.services.errors import InvalidError
from app.services.moments import revision_number
from app.services.urls import ViewState
from app.storage import signins as storage
from app.storage.tables import GraphRow, as_utc

LISTED = 8  # changes named in words; the diff view shows the rest


@dataclass(frozen=True, slots=True)
class Change:
    """One change in words (`app.domain.diff.Worded`), `name` linking to the item on the map."""

    what: Literal["bet", "assumption", "graph"]
    name: str  # the bet's title, the assumption's id; empty for the graph's own fields
    words: str
    focus: ViewState | None = None  # the map with the item selected; None: it is gone from the map

    @property
    def text(self) -> str:
        return Worded(self.what, self.name, self.words).text


@dataclass(frozen=True, slots=True)
class SinceVisit:
    revision: int  # the revision the person last looked at
    seen_at: dt.datetime  # when they first saw it
    head: int
    changes: tuple[Change, ...]  # the first `LISTED`
    more: int  # changes left out of `changes`
    marked: ViewState  # the diff view from `revision` to `head`, which marks the changed bets
    changed_bets: tuple[str, ...]  # bets on the map that were added or changed, to mark beside it

    @property
    def nothing(self) -> bool:
        return self.revision >= self.head


def record(session: Session, who: Caller | None, row: GraphRow, revision: str) -> None:
    """Remember that `who` has seen `revision` of `row` (posted by the page once shown), in the
    request's transaction; the caller has checked that they may read it. A lower revision than
    the one kept never moves it back. Nothing to remember for whoever is no person."""
    number = revision_number(revision.strip())
    if number is None or not 1 <= number <= row.head:
        problem = f"revision must be a revision of this graph, from 1 to {row.head}, not {revision[:40]!r}"
        raise InvalidError([Problem(problem, ("revision",))])
    if who is None or who.person_id is None:
        return
    try:
        # A savepoint: two tabs recording a first visit at once on PostgreSQL, one insert fails
        # and the other one stands; this request's transaction stays usable either way.
        with session.begin_nested():
            storage.visit(session, who.person_id, row.id, number)
    except IntegrityError:
        pass


def since(graphs: GraphCache, session: Session, who: Caller | None, row: GraphRow) -> SinceVisit | None:
    """What changed in `row` since `who` last looked at it; None for a first visit or no person."""
    if who is None or who.person_id is None:
        return None
    visit = storage.last_visit(session, who.person_id, row.id)
    if visit is None:
        return None
    # A graph deleted and made again under its slug has a new id, so a kept revision is this graph's;
    # clamped all the same, so that nothing kept can name a revision the page cannot read.
    revision = max(1, min(visit.revision, row.head))
    after = graphs.get(session, row).graph
    changes: list[Change] = []
    changed_bets: tuple[str, ...] = ()
    if revision < row.head:
        before = graphs.get(session, row, revision).graph
        found = diff(before, after)
        changes = _in_words(found, before, after)
        changed_bets = tuple(sorted({*found.bets_added, *(change.id for change in found.bets_changed)}))
    return SinceVisit(
        revision=revision,
        seen_at=as_utc(visit.seen_at),
        head=row.head,
        changes=tuple(changes[:LISTED]),
        more=max(0, len(changes) - LISTED),
        marked=ViewState("diff", f"{revision}..{row.head}"),
        changed_bets=changed_bets,
    )


def _in_words(found: GraphDiff, before: Graph, after: Graph) -> list[Change]:
    return [
        Change(w.what, w.name, w.words, ViewState(focus=w.focus) if w.focus is not None else None)
        for w in in_words(found, before, after)
    ]
