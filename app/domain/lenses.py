"""Three lenses on the same bets, computed from the graph alone (drawing them is `app.rendering.lenses`).

- The **board** (Kniberg's company bet board, a Now / Next / Later roadmap): the bets below the
  strategy in columns by how far out they pay off, a Done column for those with a verdict or a
  closed status, one swimlane per team, stack-ranked by `rank` and then by chain certainty.
- The **assumption map** (David Bland's importance × evidence): each assumption by how much rests
  on it (importance) and how strong its evidence is, in four named quadrants.
- The **portfolio** (Cutler's spectrum): each bet by when it pays off and how sure it is, with the
  regions the lint rules warn about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from app.domain.analysis import Support, support
from app.domain.horizons import Reach, pays_off, reaches
from app.domain.lint import Finding, Severity, lint
from app.domain.model import (
    RESOLVED_STATUSES,
    Assumption,
    Bet,
    Category,
    Debate,
    Direction,
    EvidenceLevel,
    Graph,
    Kind,
    Prescriptiveness,
)

LensKind = Literal["board", "assumptions", "portfolio"]
LENS_KINDS: tuple[LensKind, ...] = ("board", "assumptions", "portfolio")


class LensError(ValueError):
    """The lens cannot be drawn as asked (an unknown team, an unknown lens)."""


# --- the board -----------------------------------------------------------------------------------


class Column(StrEnum):
    NOW = "now"
    NEXT = "next"
    LATER = "later"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"now": "Now", "next": "Next", "later": "Later", "done": "Done"}[self.value]

    @property
    def reach(self) -> str:
        return {"now": "≤ 6 weeks", "next": "≤ a quarter", "later": "beyond a quarter", "done": "with a verdict"}[
            self.value
        ]


COLUMNS = tuple(Column)
# The frame of the board, not its cards: a vision and its strategies pay off over years and are
# drawn on the map; the board is for what teams take on.
OFF_THE_BOARD = frozenset({Kind.VISION, Kind.STRATEGY})
NO_TEAM = ""  # the lane of bets that name no team


@dataclass(frozen=True, slots=True)
class Marks:
    """A card's or a point's lint findings, counted by severity."""

    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @property
    def any(self) -> bool:
        return bool(self.errors or self.warnings or self.infos)


@dataclass(frozen=True, slots=True)
class Card:
    id: str
    title: str
    kind: Kind
    column: Column
    team: str  # NO_TEAM when it names none
    rank: int | None
    certainty: float | None
    chain_certainty: float
    prescriptiveness: Prescriptiveness | None
    debate: Debate | None
    marks: Marks
    serves: tuple[str, str] | None  # (id, title) of the nearest goal or outcome above it


@dataclass(frozen=True, slots=True)
class Lane:
    team: str  # NO_TEAM: bets without a team
    cards: dict[Column, tuple[Card, ...]]  # every column, in stack-rank order

    @property
    def label(self) -> str:
        return self.team or "No team"

    @property
    def size(self) -> int:
        return sum(len(cards) for cards in self.cards.values())


@dataclass(frozen=True, slots=True)
class Board:
    title: str
    as_of: dt.date
    team: str | None  # the one team shown, or None for every team
    lanes: tuple[Lane, ...]

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for lane in self.lanes for column in COLUMNS for card in lane.cards[column])


def board(graph: Graph, today: dt.date, team: str | None = None) -> Board:
    as_of = graph.reference_date(today)
    supported = support(graph)
    marks = _marks(lint(graph, today, supported))
    reached = reaches(graph, as_of)
    bets = [bet for bet in graph.bets if bet.kind not in OFF_THE_BOARD]
    if team is not None:
        _check_team(graph, team)
        bets = [bet for bet in bets if bet.team == team]
    cards = [_card(graph, bet, reached[bet.id], supported, marks) for bet in bets]
    teams = sorted({card.team for card in cards}, key=lambda name: (name == NO_TEAM, name.lower()))
    lanes = tuple(
        Lane(
            name,
            {
                column: _ranked(card for card in cards if card.team == name and card.column is column)
                for column in COLUMNS
            },
        )
        for name in teams
    )
    return Board(graph.title, as_of, team, lanes)


def _column(bet: Bet, found: Reach) -> Column:
    if bet.resolution is not None or bet.status in RESOLVED_STATUSES:
        return Column.DONE
    if found is Reach.SIX_WEEKS:
        return Column.NOW
    if found is Reach.A_QUARTER:
        return Column.NEXT
    return Column.LATER


def _card(graph: Graph, bet: Bet, found: Reach, supported: Support, marks: dict[str, Marks]) -> Card:
    return Card(
        id=bet.id,
        title=bet.title,
        kind=bet.kind,
        column=_column(bet, found),
        team=bet.team or NO_TEAM,
        rank=bet.rank,
        certainty=bet.certainty,
        chain_certainty=supported.value[bet.id],
        prescriptiveness=bet.prescriptiveness,
        debate=bet.debate,
        marks=marks.get(bet.id, Marks()),
        serves=_serves(graph, bet, supported),
    )


def _serves(graph: Graph, bet: Bet, supported: Support) -> tuple[str, str] | None:
    """The nearest goal or outcome on the bet's best-supported path up (itself excluded)."""
    for step in supported.path(bet.id)[1:]:
        found = graph.bet_by_id[step]
        if found.kind in (Kind.GOAL, Kind.OUTCOME):
            return found.id, found.title
    return None


def _ranked(cards: Iterable[Card]) -> tuple[Card, ...]:
    # Ranked cards first, lowest rank on top; then the surest chains; the title settles the rest.
    return tuple(sorted(cards, key=lambda c: (c.rank is None, c.rank or 0, -c.chain_certainty, c.title.lower(), c.id)))


def _check_team(graph: Graph, team: str) -> None:
    if team not in graph.teams:
        teams = ", ".join(graph.teams) or "none: no bet names a team"
        raise LensError(f"no bet belongs to team {team!r}; teams are {teams}")


def _marks(findings: list[Finding]) -> dict[str, Marks]:
    counts: dict[str, list[int]] = {}
    for finding in findings:
        found = counts.setdefault(finding.subject, [0, 0, 0])
        found[{Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}[finding.severity]] += 1
    return {subject: Marks(*found) for subject, found in counts.items()}


# --- the assumption map --------------------------------------------------------------------------


class Quadrant(StrEnum):
    TEST_FIRST = "test-first"  # important, little evidence: the leap of faith
    KEEP_AN_EYE_ON = "keep-an-eye-on"  # important, well evidenced
    DEFER = "defer"  # less important, little evidence
    IGNORE = "ignore"  # less important, well evidenced

    @property
    def label(self) -> str:
        return {
            "test-first": "Test first",
            "keep-an-eye-on": "Keep an eye on",
            "defer": "Defer",
            "ignore": "Ignore",
        }[self.value]

    @property
    def meaning(self) -> str:
        return {
            "test-first": "important, little evidence: the leaps of faith",
            "keep-an-eye-on": "important and well evidenced",
            "defer": "less important, little evidence",
            "ignore": "less important, well evidenced",
        }[self.value]


# Itamar Gilad's confidence meter: what a piece of evidence of each level is worth, 0 to 1.
LEVEL_WEIGHT = {
    EvidenceLevel.SELF_CONVICTION: 0.01,
    EvidenceLevel.THEMATIC: 0.05,
    EvidenceLevel.OPINION: 0.05,
    EvidenceLevel.ESTIMATE: 0.1,
    EvidenceLevel.ANECDOTAL: 0.2,
    EvidenceLevel.MARKET_DATA: 0.3,
    EvidenceLevel.USER_EVIDENCE: 0.5,
    EvidenceLevel.TEST_RESULT: 0.7,
    EvidenceLevel.LAUNCH_DATA: 0.9,
}
UNRATED_WEIGHT = 0.05  # evidence whose level nobody stated counts as an opinion
IMPORTANT = 4  # importance from this up is important (1-5; 3 is the middle, left undecided)
UNSTATED_IMPORTANCE = 3
WELL_EVIDENCED = 0.5  # an evidence score from this up is strong


@dataclass(frozen=True, slots=True)
class Point:
    id: str
    statement: str
    importance: int  # 1-5; UNSTATED_IMPORTANCE when the assumption states none
    importance_stated: bool
    evidence: float  # 0-1: how strongly its evidence supports it, contradicting evidence taken off
    quadrant: Quadrant
    category: Category | None
    resting: int  # how many bets rest on it
    marks: Marks
    resolved: bool  # a verdict has closed it


@dataclass(frozen=True, slots=True)
class AssumptionMap:
    title: str
    as_of: dt.date
    team: str | None
    points: tuple[Point, ...]  # the leaps of faith first, then by importance and evidence

    def in_quadrant(self, quadrant: Quadrant) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.quadrant is quadrant)

    def leaps(self) -> tuple[Point, ...]:
        """The leaps of faith still to test: the test-first quadrant less what a verdict has closed
        (a resolved assumption has been tested, whatever its evidence says)."""
        return tuple(point for point in self.in_quadrant(Quadrant.TEST_FIRST) if not point.resolved)


def evidence_score(assumption: Assumption) -> float:
    """1 − Π(1 − w) over supporting evidence, less the same over refuting evidence, within 0-1:
    each piece adds what the ones before left unsure, and evidence against pulls it back."""
    sides = {Direction.SUPPORTS: 1.0, Direction.REFUTES: 1.0}
    for item in assumption.evidence:
        weight = LEVEL_WEIGHT[item.level] if item.level is not None else UNRATED_WEIGHT
        sides[item.direction] *= 1 - weight
    score = (1 - sides[Direction.SUPPORTS]) - (1 - sides[Direction.REFUTES])
    return round(min(1.0, max(0.0, score)), 4)


def quadrant_of(importance: int, evidence: float) -> Quadrant:
    important, strong = importance >= IMPORTANT, evidence >= WELL_EVIDENCED
    if important:
        return Quadrant.KEEP_AN_EYE_ON if strong else Quadrant.TEST_FIRST
    return Quadrant.IGNORE if strong else Quadrant.DEFER


def assumption_map(graph: Graph, today: dt.date, team: str | None = None) -> AssumptionMap:
    """Every assumption (with `team`, those the team's bets rest on) on Bland's map."""
    as_of = graph.reference_date(today)
    marks = _marks(lint(graph, today))
    chosen = graph.assumptions
    if team is not None:
        _check_team(graph, team)
        theirs = {a for bet in graph.bets if bet.team == team for a in bet.assumes}
        chosen = tuple(a for a in chosen if a.id in theirs)
    points = []
    for assumption in chosen:
        importance = assumption.importance or UNSTATED_IMPORTANCE
        score = evidence_score(assumption)
        points.append(
            Point(
                id=assumption.id,
                statement=assumption.statement,
                importance=importance,
                importance_stated=assumption.importance is not None,
                evidence=score,
                quadrant=quadrant_of(importance, score),
                category=assumption.category,
                resting=len(graph.assumed_by.get(assumption.id, ())),
                marks=marks.get(assumption.id, Marks()),
                resolved=assumption.resolution is not None,
            )
        )
    order = list(Quadrant)
    points.sort(key=lambda p: (order.index(p.quadrant), -p.importance, p.evidence, p.id))
    return AssumptionMap(graph.title, as_of, team, tuple(points))


# --- the portfolio -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placed:
    id: str
    title: str
    kind: Kind
    days: int | None  # from the as-of date to when it pays off; None: no horizon on its line
    inherited: bool  # its horizon is its primary parent's
    certainty: float | None
    chain_certainty: float
    prescriptiveness: Prescriptiveness | None
    done: bool
    # The regions it stands in that lint warns about (see `Region`).
    regions: tuple[str, ...]
    marks: Marks


@dataclass(frozen=True, slots=True)
class Region:
    """A part of the plane a lint rule warns about, with the threshold it is drawn from."""

    id: str  # the lint rule's id
    label: str
    days_from: int | None = None  # the region lies beyond this many days
    certainty_from: float | None = None  # and from this certainty up


@dataclass(frozen=True, slots=True)
class Portfolio:
    title: str
    as_of: dt.date
    team: str | None
    bets: tuple[Placed, ...]
    regions: tuple[Region, ...]
    longest: int  # the furthest horizon, in days: the right edge


def portfolio(graph: Graph, today: dt.date, team: str | None = None) -> Portfolio:
    as_of = graph.reference_date(today)
    supported = support(graph)
    marks = _marks(lint(graph, today, supported))
    settings = graph.lint
    far = (settings.long_horizon.resolve(as_of) - as_of).days
    regions = (
        Region(
            "overprescribed-long-horizon",
            f"prescribed this far out ({settings.long_horizon.describe()} and beyond): the how is rarely known",
            days_from=far,
        ),
        Region(
            "false-certainty",
            f"claimed {round(settings.false_certainty * 100)}% sure or more: is the chain?",
            certainty_from=settings.false_certainty,
        ),
    )
    bets = graph.bets if team is None else tuple(bet for bet in graph.bets if bet.team == team)
    if team is not None:
        _check_team(graph, team)
    paid = pays_off(graph, as_of)
    placed = []
    for bet in bets:
        on, inherited = paid[bet.id].on, paid[bet.id].inherited
        found = (on - as_of).days if on is not None else None
        prescribed = bet.prescriptiveness is not None and bet.prescriptiveness >= Prescriptiveness.GUIDED
        flagged = []
        if prescribed and found is not None and found > far and not inherited:
            flagged.append(regions[0].id)
        claimed = bet.certainty is not None and bet.certainty >= settings.false_certainty
        if claimed and supported.value[bet.id] < settings.false_certainty_chain:
            flagged.append(regions[1].id)
        placed.append(
            Placed(
                id=bet.id,
                title=bet.title,
                kind=bet.kind,
                days=found,
                inherited=inherited,
                certainty=bet.certainty,
                chain_certainty=supported.value[bet.id],
                prescriptiveness=bet.prescriptiveness,
                done=bet.resolution is not None or bet.status in RESOLVED_STATUSES,
                regions=tuple(flagged),
                marks=marks.get(bet.id, Marks()),
            )
        )
    placed.sort(key=lambda p: (p.days is None, p.days or 0, p.id))
    longest = max([far, *(p.days for p in placed if p.days is not None)])
    return Portfolio(graph.title, as_of, team, tuple(placed), regions, longest)


def lens_of(graph: Graph, lens: LensKind, today: dt.date, team: str | None = None) -> Board | AssumptionMap | Portfolio:
    """The lens named `lens`; LensError for a name that is none, or a team with no bets."""
    if lens == "board":
        return board(graph, today, team)
    if lens == "assumptions":
        return assumption_map(graph, today, team)
    if lens == "portfolio":
        return portfolio(graph, today, team)
    raise LensError(f"unknown lens {lens!r}; lenses are {', '.join(LENS_KINDS)}")
