"""Closing the loop: how well claimed certainty matched what happened, and what still owes a verdict.

Calibration compares the certainty a bet or assumption was committed at with its verdict: of the
things we were 60-80% sure of, about 70% should have been validated. An inconclusive verdict is
counted but says nothing either way, so it stays out of the rate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.model import Assumption, Bet, Graph, Status, Verdict

BAND_WIDTH = 20  # percentage points: 0-20, 20-40, 40-60, 60-80, 80-100
BANDS = tuple((low, low + BAND_WIDTH) for low in range(0, 100, BAND_WIDTH))

# Statuses that already say how a bet ended: validated and invalidated are verdicts in all but
# name, and a dropped bet was abandoned, so none of them is owed a verdict.
_SETTLED = frozenset({Status.VALIDATED, Status.INVALIDATED, Status.DROPPED})


@dataclass(frozen=True, slots=True)
class Band:
    low: int  # percent, inclusive
    high: int  # percent, exclusive but for the last band, which holds 100%
    ids: tuple[str, ...]
    validated: int
    invalidated: int
    inconclusive: int
    claimed: float | None  # the mean claimed certainty of what fell in this band

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}%"

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def rate(self) -> float | None:
        """How often what had a verdict either way was validated; None with nothing to go on."""
        decided = self.validated + self.invalidated
        return self.validated / decided if decided else None


@dataclass(frozen=True, slots=True)
class Overdue:
    id: str
    section: Literal["bets", "assumptions"]
    title: str
    due: dt.date  # the earlier of the dates that have passed
    horizon: dt.date | None  # when the bet should have paid off, if that has passed
    review_by: dt.date | None  # when it was to be looked at again, if that has passed

    def days(self, as_of: dt.date) -> int:
        return (as_of - self.due).days


@dataclass(frozen=True, slots=True)
class Calibration:
    as_of: dt.date
    bands: tuple[Band, ...]
    unclaimed: tuple[str, ...]  # resolved, but with no certainty, then or now, to compare with
    overdue: tuple[Overdue, ...]

    @property
    def resolved(self) -> int:
        return sum(band.count for band in self.bands) + len(self.unclaimed)


def claimed_certainty(item: Bet | Assumption) -> float | None:
    """The certainty a resolved item is judged by: as committed, else (a document written by hand
    may not say) the certainty it states."""
    if item.resolution is not None and item.resolution.committed_certainty is not None:
        return item.resolution.committed_certainty
    return item.certainty


def band_index(certainty: float) -> int:
    # In whole percent first: 0.6 * 5 is not reliably 3 in binary floating point.
    return min(len(BANDS) - 1, int(round(certainty * 100, 6) // BAND_WIDTH))


def calibrate(graph: Graph, today: dt.date) -> Calibration:
    as_of = graph.reference_date(today)
    found: list[list[tuple[str, float, Verdict]]] = [[] for _ in BANDS]
    unclaimed: list[str] = []
    items: list[Bet | Assumption] = [*graph.bets, *graph.assumptions]
    for item in items:
        if item.resolution is None:
            continue
        certainty = claimed_certainty(item)
        if certainty is None:
            unclaimed.append(item.id)
        else:
            found[band_index(certainty)].append((item.id, certainty, item.resolution.verdict))
    bands = tuple(
        Band(
            low=low,
            high=high,
            ids=tuple(sorted(item_id for item_id, _, _ in entries)),
            validated=sum(1 for *_, verdict in entries if verdict is Verdict.VALIDATED),
            invalidated=sum(1 for *_, verdict in entries if verdict is Verdict.INVALIDATED),
            inconclusive=sum(1 for *_, verdict in entries if verdict is Verdict.INCONCLUSIVE),
            claimed=sum(certainty for _, certainty, _ in entries) / len(entries) if entries else None,
        )
        for (low, high), entries in zip(BANDS, found, strict=True)
    )
    return Calibration(as_of, bands, tuple(sorted(unclaimed)), overdue(graph, as_of))


def settled(item: Bet | Assumption) -> bool:
    """Whether the item has its verdict: a resolution, or for a bet a written `verdict` or a status that settles it."""
    if isinstance(item, Assumption):
        return item.resolution is not None
    return item.resolution is not None or bool(item.verdict) or item.status in _SETTLED


def overdue(graph: Graph, as_of: dt.date) -> tuple[Overdue, ...]:
    """Bets past their horizon or review date, and assumptions past their review date, with no verdict.

    A bet has a verdict when it has a resolution, a written `verdict`, or a status that settles it.
    """
    found: list[Overdue] = []
    for bet in graph.bets:
        if settled(bet):
            continue
        horizon = bet.horizon.resolve(as_of) if bet.horizon is not None else None
        entry = _past(Overdue(bet.id, "bets", bet.title, as_of, horizon, bet.review_by), as_of)
        if entry is not None:
            found.append(entry)
    for assumption in graph.assumptions:
        if not settled(assumption):
            entry = _past(
                Overdue(assumption.id, "assumptions", assumption.statement, as_of, None, assumption.review_by), as_of
            )
            if entry is not None:
                found.append(entry)
    return tuple(sorted(found, key=lambda entry: (entry.due, entry.id)))


def _past(candidate: Overdue, as_of: dt.date) -> Overdue | None:
    """`candidate` with only the dates that have passed, or None when neither has."""
    horizon = candidate.horizon if candidate.horizon is not None and candidate.horizon < as_of else None
    review_by = candidate.review_by if candidate.review_by is not None and candidate.review_by < as_of else None
    passed = [day for day in (horizon, review_by) if day is not None]
    if not passed:
        return None
    return dataclasses.replace(candidate, due=min(passed), horizon=horizon, review_by=review_by)


def calibration_data(calibration: Calibration) -> dict[str, Any]:
    """The report as plain JSON data: the same for the API and `betgraph report --format json`."""
    as_of = calibration.as_of
    return {
        "as_of": as_of.isoformat(),
        "resolved": calibration.resolved,
        "bands": [
            {
                "band": band.label,
                "low": band.low / 100,
                "high": band.high / 100,
                "count": band.count,
                "validated": band.validated,
                "invalidated": band.invalidated,
                "inconclusive": band.inconclusive,
                "rate": None if band.rate is None else round(band.rate, 6),
                "claimed": None if band.claimed is None else round(band.claimed, 6),
                "ids": list(band.ids),
            }
            for band in calibration.bands
        ],
        "unclaimed": list(calibration.unclaimed),
        "overdue": [overdue_data(entry, as_of) for entry in calibration.overdue],
    }


def overdue_data(entry: Overdue, as_of: dt.date) -> dict[str, Any]:
    return {
        "id": entry.id,
        "section": entry.section,
        "title": entry.title,
        "due": entry.due.isoformat(),
        "days": entry.days(as_of),
        "horizon": entry.horizon.isoformat() if entry.horizon else None,
        "review_by": entry.review_by.isoformat() if entry.review_by else None,
    }
