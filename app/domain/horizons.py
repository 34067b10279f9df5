"""When each bet pays off, and how far out that is: the one rule the map's bands and the board's
columns both read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

from app.domain.model import Graph, add_months


class Reach(IntEnum):
    """How far out a bet pays off, the longest first (the map's bands top to bottom)."""

    BEYOND_A_YEAR = 0
    A_YEAR = 1
    A_QUARTER = 2
    SIX_WEEKS = 3


def reach(pays_off: dt.date, as_of: dt.date) -> Reach:
    if pays_off <= as_of + dt.timedelta(weeks=6):
        return Reach.SIX_WEEKS
    if pays_off <= add_months(as_of, 3):
        return Reach.A_QUARTER
    if pays_off <= add_months(as_of, 12):
        return Reach.A_YEAR
    return Reach.BEYOND_A_YEAR


@dataclass(frozen=True, slots=True)
class PaysOff:
    on: dt.date | None  # None: no bet on its line of primary parents has a horizon
    inherited: bool  # the date is its primary parent's (or theirs), not its own


def pays_off(graph: Graph, as_of: dt.date) -> dict[str, PaysOff]:
    """When each bet pays off: its own horizon, else its primary parent's, up the line."""
    found: dict[str, PaysOff] = {
        bet.id: PaysOff(bet.horizon.resolve(as_of), False) for bet in graph.bets if bet.horizon is not None
    }
    for bet in graph.bets:
        if bet.id in found:
            continue
        trail = [bet.id]
        step = bet
        while step.id not in found:
            primary = step.parents[0] if step.parents else None
            if primary is None or primary not in graph.bet_by_id or primary in trail:
                found[step.id] = PaysOff(None, False)
                break
            trail.append(primary)
            step = graph.bet_by_id[primary]
        for member in trail:
            found.setdefault(member, PaysOff(found[step.id].on, found[step.id].on is not None))
    return found


def reaches(graph: Graph, as_of: dt.date) -> dict[str, Reach]:
    """Each bet's reach, by when it pays off (`pays_off`); a line with no horizon at all is taken
    as the longest."""
    return {
        bet_id: reach(found.on, as_of) if found.on is not None else Reach.BEYOND_A_YEAR
        for bet_id, found in pays_off(graph, as_of).items()
    }
