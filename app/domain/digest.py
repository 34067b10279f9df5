"""The digest: the agenda of a bet review over a period, from the graph as it was then to now.

"Without closing the loop there is no learning." A digest says, for one graph and one period:
what changed (the revisions written in it, and the change from the graph at its start to the
graph at its end, in words), what fell due (bets and assumptions past their horizon or review
date with no verdict, newly in the period or still from before), the leaps of faith still
untested (the assumption map's test-first quadrant), how calibration moved, and the lint
findings the period brought.

Pure: two graphs, the revisions' notes and the period in; a `Digest` out. `digest_data` is its
JSON form, the one the API answers and a `digest` webhook carries (README: Digest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.calibration import Calibration, Overdue, calibrate, calibration_data, claimed_certainty, overdue_data
from app.domain.diff import GraphDiff, Worded, diff, diff_data, in_words
from app.domain.lenses import assumption_map
from app.domain.lint import Finding, lint
from app.domain.model import Assumption, Bet, Graph, Verdict

DEFAULT_DAYS = 7


@dataclass(frozen=True, slots=True)
class RevisionNote:
    """A revision written in the period: who wrote it, when, and the reason kept with it."""

    number: int
    created_at: dt.datetime
    who: str | None  # a person's name (else address) or a token's label; None: unknown, or not for this reader
    reason: str | None


@dataclass(frozen=True, slots=True)
class Period:
    since: dt.datetime  # what was written after this moment…
    until: dt.datetime  # …up to this one, included
    start: int | None  # the revision that stood at `since`; None: the graph did not exist yet
    end: int  # the revision that stood at `until`

    @property
    def count(self) -> int:
        """How many revisions were written in the period."""
        return self.end - (self.start or 0)

    @property
    def first_day(self) -> dt.date:
        return self.since.astimezone(dt.UTC).date()

    @property
    def last_day(self) -> dt.date:
        return self.until.astimezone(dt.UTC).date()


@dataclass(frozen=True, slots=True)
class Leap:
    """An assumption in the test-first quadrant (important, little evidence) with no verdict yet."""

    id: str
    statement: str
    importance: int
    importance_stated: bool
    evidence: float  # the assumption map's evidence score, 0-1
    resting: int  # how many bets rest on it
    new: bool  # it was not a leap of faith at the period's start


@dataclass(frozen=True, slots=True)
class Resolved:
    """A bet or an assumption given its verdict in the period (or a different one)."""

    id: str
    section: Literal["bets", "assumptions"]
    title: str
    verdict: Verdict
    claimed: float | None  # the certainty calibration judges it by


@dataclass(frozen=True, slots=True)
class CalibrationMove:
    before: Calibration  # at the period's start
    after: Calibration  # at its end
    resolved: tuple[Resolved, ...]  # in the period

    @property
    def moved(self) -> bool:
        return self.before.bands != self.after.bands or self.before.unclaimed != self.after.unclaimed


@dataclass(frozen=True, slots=True)
class Digest:
    slug: str
    title: str
    period: Period
    revisions: tuple[RevisionNote, ...]  # written in the period, oldest first (the newest ones, when too many)
    changes: GraphDiff  # from the graph at the period's start (empty if it did not exist) to its end
    worded: tuple[Worded, ...]  # `changes` in words
    due_as_of: dt.date  # the date what fell due is read against (the graph's as_of, else the period's last day)
    newly_due: tuple[Overdue, ...]  # due in the period: not yet overdue on its first day
    still_due: tuple[Overdue, ...]  # overdue from before the period, still without a verdict
    leaps: tuple[Leap, ...]  # most important first
    calibration: CalibrationMove
    findings: tuple[Finding, ...]  # lint findings at the end that were not there at the start

    @property
    def created(self) -> bool:
        """The graph was created in the period."""
        return self.period.start is None

    @property
    def quiet(self) -> bool:
        """Nothing was written, nothing fell due and no finding came up: a review may skip it."""
        return not (self.period.count or self.newly_due or self.findings)


def _empty_like(graph: Graph) -> Graph:
    """The graph before its first revision: its header, none of its items (so all of them are added)."""
    return Graph(graph.slug, graph.title, graph.description, graph.as_of, graph.visibility, graph.lint)


def digest(
    before: Graph | None,
    after: Graph,
    revisions: Sequence[RevisionNote],
    *,
    since: dt.datetime,
    until: dt.datetime,
    start: int | None,
    end: int,
) -> Digest:
    """The digest of `after` (the graph at `until`, revision `end`) over the period from `since`,
    when it stood at revision `start` as `before` (None, and None: it did not exist yet)."""
    period = Period(since, until, start, end)
    then = before if before is not None else _empty_like(after)
    first, last = period.first_day, period.last_day
    changes = diff(then, after)
    now = calibrate(after, last)
    newly = tuple(entry for entry in now.overdue if entry.due >= first)
    return Digest(
        slug=after.slug,
        title=after.title,
        period=period,
        revisions=tuple(sorted(revisions, key=lambda note: note.number)),
        changes=changes,
        worded=tuple(in_words(changes, then, after)),
        due_as_of=now.as_of,
        newly_due=newly,
        still_due=tuple(entry for entry in now.overdue if entry not in newly),
        leaps=_leaps(then, after, first, last),
        calibration=CalibrationMove(calibrate(then, first), now, _resolved(then, after)),
        findings=_new_findings(then, after, first, last),
    )


def _leaps(before: Graph, after: Graph, first: dt.date, last: dt.date) -> tuple[Leap, ...]:
    was = {point.id for point in assumption_map(before, first).leaps()}
    return tuple(
        Leap(
            id=point.id,
            statement=point.statement,
            importance=point.importance,
            importance_stated=point.importance_stated,
            evidence=point.evidence,
            resting=point.resting,
            new=point.id not in was,
        )
        for point in assumption_map(after, last).leaps()
    )


def _resolved(before: Graph, after: Graph) -> tuple[Resolved, ...]:
    found = []
    sections: tuple[tuple[Literal["bets", "assumptions"], dict[str, Any], dict[str, Any]], ...] = (
        ("bets", before.bet_by_id, after.bet_by_id),
        ("assumptions", before.assumption_by_id, after.assumption_by_id),
    )
    for section, old, new in sections:
        for item_id, item in new.items():
            resolution = item.resolution
            previous = old.get(item_id)
            was = previous.resolution.verdict if previous is not None and previous.resolution is not None else None
            if resolution is not None and resolution.verdict != was:
                found.append(Resolved(item_id, section, _title(item), resolution.verdict, claimed_certainty(item)))
    return tuple(found)


def _title(item: Bet | Assumption) -> str:
    return item.title if isinstance(item, Bet) else item.statement


def _new_findings(before: Graph, after: Graph, first: dt.date, last: dt.date) -> tuple[Finding, ...]:
    # A finding is the same one while its rule names the same ids: its message may carry a date.
    known = {(finding.rule, finding.ids) for finding in lint(before, first)}
    return tuple(finding for finding in lint(after, last) if (finding.rule, finding.ids) not in known)


def digest_data(found: Digest) -> dict[str, Any]:
    """The digest as plain JSON data; its shape is kept stable for the API and the `digest` webhook.

    - `graph`, `title`; `since`, `until` (ISO date-times, UTC); `from_revision` (null: the graph was
      created in the period), `to_revision`; `created`; `quiet` (nothing written, fallen due or found)
    - `revisions`: `count` written in the period, `items` (oldest first): `number`, `created_at`,
      `who`, `reason`
    - `changes`: `app.domain.diff.diff_data`'s shape, plus `in_words`: `what` (bet, assumption,
      graph), `name`, `words`, `id` (the item to open on the map; null when it is gone)
    - `due`: `as_of`, and `newly` and `still` in the shape of the calibration report's `overdue`
    - `leaps`: `id`, `statement`, `importance`, `importance_stated`, `evidence`, `resting`, `new`
    - `calibration`: `before` and `after` (the calibration report less its `overdue`), `resolved`
      (the change in how many are resolved), `resolved_in_period`: `id`, `section`, `title`,
      `verdict`, `claimed`
    - `findings`: `rule`, `severity`, `ids`, `message`
    """
    period, move = found.period, found.calibration
    return {
        "graph": found.slug,
        "title": found.title,
        "since": period.since.astimezone(dt.UTC).isoformat(),
        "until": period.until.astimezone(dt.UTC).isoformat(),
        "from_revision": period.start,
        "to_revision": period.end,
        "created": found.created,
        "quiet": found.quiet,
        "revisions": {
            "count": period.count,
            "items": [
                {
                    "number": note.number,
                    "created_at": note.created_at.astimezone(dt.UTC).isoformat(),
                    "who": note.who,
                    "reason": note.reason,
                }
                for note in found.revisions
            ],
        },
        "changes": {
            **diff_data(found.changes),
            "in_words": [
                {"what": worded.what, "name": worded.name, "words": worded.words, "id": worded.focus}
                for worded in found.worded
            ],
        },
        "due": {
            "as_of": found.due_as_of.isoformat(),
            "newly": [overdue_data(entry, found.due_as_of) for entry in found.newly_due],
            "still": [overdue_data(entry, found.due_as_of) for entry in found.still_due],
        },
        "leaps": [
            {
                "id": leap.id,
                "statement": leap.statement,
                "importance": leap.importance,
                "importance_stated": leap.importance_stated,
                "evidence": leap.evidence,
                "resting": leap.resting,
                "new": leap.new,
            }
            for leap in found.leaps
        ],
        "calibration": {
            "before": _calibration(move.before),
            "after": _calibration(move.after),
            "resolved": move.after.resolved - move.before.resolved,
            "resolved_in_period": [
                {
                    "id": item.id,
                    "section": item.section,
                    "title": item.title,
                    "verdict": item.verdict.value,
                    "claimed": item.claimed,
                }
                for item in move.resolved
            ],
        },
        "findings": [
            {
                "rule": finding.rule,
                "severity": finding.severity.label,
                "ids": list(finding.ids),
                "message": finding.message,
            }
            for finding in found.findings
        ],
    }


def _calibration(calibration: Calibration) -> dict[str, Any]:
    # What fell due is the digest's own section: the report's overdue list would say it twice.
    return {key: value for key, value in calibration_data(calibration).items() if key != "overdue"}
