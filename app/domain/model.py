"""The nested-bets model: plain, immutable values with no I/O.

A `Graph` is what a document describes once it has been validated; every other part of
Betgraph (analysis, rendering, the CLI, later the API and storage) reads it and none of
them needs to know whether it came from YAML, JSON or a database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum, StrEnum
from functools import cached_property
from typing import Any

SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{0,62}"
SLUG_RE = re.compile(SLUG_PATTERN)  # use with fullmatch: `$` would let a trailing newline through


class Kind(StrEnum):
    VISION = "vision"
    STRATEGY = "strategy"
    GOAL = "goal"
    OUTCOME = "outcome"
    OPPORTUNITY = "opportunity"
    HYPOTHESIS = "hypothesis"
    INITIATIVE = "initiative"

    @property
    def plural(self) -> str:
        return {"strategy": "strategies", "opportunity": "opportunities", "hypothesis": "hypotheses"}.get(
            self.value, f"{self.value}s"
        )


class Prescriptiveness(IntEnum):
    EXPLORE = 1
    OPPORTUNITY = 2
    OUTCOME = 3
    GUIDED = 4
    PRESCRIBED = 5

    @property
    def label(self) -> str:
        return self.name.lower()


class Debate(StrEnum):
    OPEN = "open"
    CONTESTED = "contested"
    SETTLED = "settled"


class Status(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    VALIDATED = "validated"
    INVALIDATED = "invalidated"
    DONE = "done"
    DROPPED = "dropped"


# Bets in these states are resolved: reviewing them again is not owed.
RESOLVED_STATUSES = frozenset({Status.VALIDATED, Status.INVALIDATED, Status.DONE, Status.DROPPED})


class Verdict(StrEnum):
    """How a resolved bet or assumption turned out."""

    VALIDATED = "validated"
    INVALIDATED = "invalidated"
    INCONCLUSIVE = "inconclusive"


class Category(StrEnum):
    DESIRABILITY = "desirability"
    VIABILITY = "viability"
    FEASIBILITY = "feasibility"
    USABILITY = "usability"
    ETHICAL = "ethical"


class EvidenceKind(StrEnum):
    DATA = "data"
    INSIGHT = "insight"


class EvidenceLevel(StrEnum):
    """Itamar Gilad's confidence meter, weakest first."""

    SELF_CONVICTION = "self-conviction"
    THEMATIC = "thematic"
    OPINION = "opinion"
    ESTIMATE = "estimate"
    ANECDOTAL = "anecdotal"
    MARKET_DATA = "market-data"
    USER_EVIDENCE = "user-evidence"
    TEST_RESULT = "test-result"
    LAUNCH_DATA = "launch-data"


class Direction(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"


class MetricDirection(StrEnum):
    UP = "up"
    DOWN = "down"


class Visibility(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


# ASCII digits only: `\d` would take other scripts' digits, which a document's JSON Schema cannot.
HORIZON_PATTERN = r"([0-9]{1,3})([dwmqy])"
HORIZON_RE = re.compile(HORIZON_PATTERN)
# The one form of ISO date a document takes (Python's fromisoformat also reads 20261101 and week dates).
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATE_RE = re.compile(DATE_PATTERN)
_UNIT_WORDS = {"d": "day", "w": "week", "m": "month", "q": "quarter", "y": "year"}


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the last day (31 Jan + 1 month is 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Horizon:
    """When a bet should pay off: a duration from the graph's as-of date, or a date.

    `text` keeps what the author wrote (`6w`, `2027-03-31`) so a document round-trips.
    """

    text: str
    amount: int = 0
    unit: str = ""
    on: dt.date | None = None

    @classmethod
    def parse(cls, text: str) -> Horizon:
        text = text.strip()
        match = HORIZON_RE.fullmatch(text)
        if match:
            return cls(text=text, amount=int(match.group(1)), unit=match.group(2))
        if DATE_RE.fullmatch(text):
            try:
                return cls(text=text, on=dt.date.fromisoformat(text))
            except ValueError:  # no such day (2027-02-30)
                pass
        raise ValueError(f"must be a duration such as 6w, 3m, 2q, 1y (d, w, m, q or y) or an ISO date, got {text!r}")

    def resolve(self, as_of: dt.date) -> dt.date:
        if self.on is not None:
            return self.on
        if self.unit == "d":
            return as_of + timedelta(days=self.amount)
        if self.unit == "w":
            return as_of + timedelta(weeks=self.amount)
        months = {"m": 1, "q": 3, "y": 12}[self.unit] * self.amount
        return add_months(as_of, months)

    def describe(self) -> str:
        if self.on is not None:
            return self.on.isoformat()
        word = _UNIT_WORDS[self.unit]
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class CheckIn:
    value: float
    date: dt.date
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    unit: str | None = None
    direction: MetricDirection = MetricDirection.UP
    baseline: float | None = None
    target: float | None = None
    current: float | None = None  # the latest check-in's value, when there are check-ins
    checkins: tuple[CheckIn, ...] = ()

    @property
    def latest(self) -> CheckIn | None:
        """The check-in with the latest date; of several on that day, the one listed last."""
        if not self.checkins:
            return None
        return max(reversed(self.checkins), key=lambda checkin: checkin.date)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Closing the loop on a bet or an assumption: how it turned out and how sure we had been.

    `committed_certainty` is the certainty it had when it was committed to (a bet made active),
    which calibration compares with the verdict; the item's own `certainty` may have moved since.
    """

    verdict: Verdict
    learned: str | None = None
    committed_certainty: float | None = None
    resolved_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: EvidenceKind
    summary: str
    level: EvidenceLevel | None = None
    direction: Direction = Direction.SUPPORTS
    url: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Bet:
    id: str
    kind: Kind
    title: str
    description: str = ""
    parents: tuple[str, ...] = ()
    assumes: tuple[str, ...] = ()
    horizon: Horizon | None = None
    certainty: float | None = None
    prescriptiveness: Prescriptiveness | None = None
    debate: Debate | None = None
    review_by: dt.date | None = None
    status: Status = Status.PROPOSED
    owner: str | None = None
    team: str | None = None
    rank: int | None = None  # the team's stack rank on the board: 1 first; unranked bets come after
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    metric: Metric | None = None
    verdict: str | None = None  # free-text narrative; `resolution` is the structured record
    learned: str | None = None
    resolution: Resolution | None = None


@dataclass(frozen=True, slots=True)
class Assumption:
    id: str
    statement: str
    certainty: float | None = None
    importance: int | None = None
    category: Category | None = None
    debate: Debate | None = None
    review_by: dt.date | None = None
    evidence: tuple[Evidence, ...] = ()
    resolution: Resolution | None = None


@dataclass(frozen=True, slots=True)
class LintSettings:
    """The thresholds of the lint rules; a graph may override any of them."""

    disable: frozenset[str] = frozenset()
    false_certainty: float = 0.8
    false_certainty_chain: float = 0.1
    unsupported_assumption: float = 0.7
    long_horizon: Horizon = field(default_factory=lambda: Horizon.parse("1y"))

    def overrides(self) -> dict[str, Any]:
        """What differs from the defaults, as a document writes it (rules by name, a horizon as written)."""
        default = LintSettings()
        found: dict[str, Any] = {"disable": sorted(self.disable)} if self.disable else {}
        for name in ("false_certainty", "false_certainty_chain", "unsupported_assumption"):
            if getattr(self, name) != getattr(default, name):
                found[name] = getattr(self, name)
        if self.long_horizon != default.long_horizon:
            found["long_horizon"] = self.long_horizon.text
        return found


@dataclass(frozen=True)
class Graph:
    slug: str
    title: str
    description: str = ""
    as_of: dt.date | None = None
    visibility: Visibility = Visibility.PRIVATE
    lint: LintSettings = field(default_factory=LintSettings)
    bets: tuple[Bet, ...] = ()
    assumptions: tuple[Assumption, ...] = ()

    def reference_date(self, today: dt.date) -> dt.date:
        """The date horizons and review dates are read against: `as_of`, else today."""
        return self.as_of or today

    @cached_property
    def bet_by_id(self) -> dict[str, Bet]:
        return {bet.id: bet for bet in self.bets}

    @cached_property
    def assumption_by_id(self) -> dict[str, Assumption]:
        return {assumption.id: assumption for assumption in self.assumptions}

    @cached_property
    def parents(self) -> dict[str, tuple[str, ...]]:
        """Bet id -> the ids of its parents that exist, primary first (dangling ids left out)."""
        return {bet.id: tuple(p for p in bet.parents if p in self.bet_by_id) for bet in self.bets}

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        """Bet id -> ids of the bets that name it as a parent, in document order."""
        found: dict[str, list[str]] = {bet.id: [] for bet in self.bets}
        for bet in self.bets:
            for parent in bet.parents:
                if parent in found and bet.id not in found[parent]:
                    found[parent].append(bet.id)
        return {key: tuple(value) for key, value in found.items()}

    @cached_property
    def assumed_by(self) -> dict[str, tuple[str, ...]]:
        """Assumption id -> ids of the bets that rest on it, in document order."""
        found: dict[str, list[str]] = {a.id: [] for a in self.assumptions}
        for bet in self.bets:
            for assumption in bet.assumes:
                if assumption in found and bet.id not in found[assumption]:
                    found[assumption].append(bet.id)
        return {key: tuple(value) for key, value in found.items()}

    @cached_property
    def teams(self) -> tuple[str, ...]:
        return tuple(sorted({bet.team for bet in self.bets if bet.team}))
