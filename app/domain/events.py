"""What happened to a graph, as the events people subscribe to (`app.services.webhooks`).

A revision raises `revision.created`, and `bet.resolved` / `assumption.resolved` for each item it
gave a verdict, and `lint.finding` for each finding it introduced. The days raise the rest: an item
whose review date has come without a verdict raises `review.due`, a bet whose horizon has passed
without one `horizon.passed`; and each week raises a `digest`. Each event's `data` is plain JSON
and says itself what it is about, so a receiver needs nothing else to act on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.domain.calibration import settled
from app.domain.diff import GraphDiff, ItemChange
from app.domain.horizons import pays_off
from app.domain.lint import Finding, lint
from app.domain.model import Assumption, Bet, Graph, Resolution

REVISION_CREATED = "revision.created"
BET_RESOLVED = "bet.resolved"
ASSUMPTION_RESOLVED = "assumption.resolved"
LINT_FINDING = "lint.finding"
REVIEW_DUE = "review.due"
HORIZON_PASSED = "horizon.passed"
DIGEST = "digest"

# In the order the README lists them: what a revision raises, then what the days raise.
EVENTS = (REVISION_CREATED, BET_RESOLVED, ASSUMPTION_RESOLVED, LINT_FINDING, REVIEW_DUE, HORIZON_PASSED, DIGEST)
DATED = (REVIEW_DUE, HORIZON_PASSED)

# A revision that rewrites a whole graph could resolve or break hundreds of things at once: past
# this many of one type, the rest are counted in the revision's own event instead.
MOST_PER_REVISION = 50


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    data: dict[str, Any]
    subject: str = ""  # the bet or assumption it is about, if one
    due: dt.date | None = None  # a dated event's date: it is raised once for it


def summary(found: GraphDiff | None, graph: Graph) -> str:
    """A revision's change in a few words: "2 bets changed, 1 assumption added"."""
    if found is None:
        return f"created with {_count(len(graph.bets), 'bet')} and {_count(len(graph.assumptions), 'assumption')}"
    parts = []
    for noun, added, removed, changed in (
        ("bet", found.bets_added, found.bets_removed, found.bets_changed),
        ("assumption", found.assumptions_added, found.assumptions_removed, found.assumptions_changed),
    ):
        for verb, items in (("added", added), ("removed", removed), ("changed", changed)):
            if items:
                parts.append(f"{_count(len(items), noun)} {verb}")
    if found.header:
        parts.append("the graph's " + ", ".join(change.field for change in found.header) + " changed")
    if found.reordered and not parts:
        parts.append(" and ".join(found.reordered) + " reordered")
    return ", ".join(parts) or "no change"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def revision_events(
    previous: Graph | None, graph: Graph, found: GraphDiff | None, today: dt.date, wanted: frozenset[str]
) -> list[Event]:
    """The events a revision raises, of the types in `wanted` (lint runs only if it is wanted)."""
    out: list[Event] = []
    if REVISION_CREATED in wanted:
        out.append(Event(REVISION_CREATED, {"created": found is None, "summary": summary(found, graph)}))
    if found is not None and wanted & {BET_RESOLVED, ASSUMPTION_RESOLVED}:
        out += _resolved(found, graph, wanted)
    if previous is not None and LINT_FINDING in wanted:
        before = {_key(finding) for finding in lint(previous, today)}
        introduced = [finding for finding in lint(graph, today) if _key(finding) not in before]
        out += [
            Event(LINT_FINDING, {"finding": finding_data(finding)}, subject=finding.subject)
            for finding in introduced[:MOST_PER_REVISION]
        ]
    return out


def _key(finding: Finding) -> tuple[str, tuple[str, ...]]:
    # Not the message: it quotes numbers (certainties, dates) that a later edit may move, and a
    # finding about the same things is the same finding.
    return finding.rule, finding.ids


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.label,
        "ids": list(finding.ids),
        "message": finding.message,
    }


def _resolved(found: GraphDiff, graph: Graph, wanted: frozenset[str]) -> list[Event]:
    out: list[Event] = []
    for changes, lookup, kind in (
        (found.bets_changed, graph.bet_by_id, BET_RESOLVED),
        (found.assumptions_changed, graph.assumption_by_id, ASSUMPTION_RESOLVED),
    ):
        if kind not in wanted:
            continue
        for change in changes:
            item = lookup.get(change.id)
            if item is not None and item.resolution is not None and _verdict_changed(change):
                out.append(Event(kind, {"item": item_data(item)}, subject=item.id))
    return out[:MOST_PER_REVISION]


def _verdict_changed(change: ItemChange) -> bool:
    return any(field.field == "resolution" and field.after is not None for field in change.fields)


def item_data(item: Bet | Assumption) -> dict[str, Any]:
    """An item as an event names it, with its verdict if it has one."""
    if isinstance(item, Bet):
        data: dict[str, Any] = {"id": item.id, "section": "bets", "kind": item.kind.value, "title": item.title}
        data["team"] = item.team
        data["owner"] = item.owner
    else:
        data = {"id": item.id, "section": "assumptions", "kind": "assumption", "title": item.statement}
    data["certainty"] = item.certainty
    if item.resolution is not None:
        data["resolution"] = resolution_data(item.resolution)
    return data


def resolution_data(resolution: Resolution) -> dict[str, Any]:
    return {
        "verdict": resolution.verdict.value,
        "learned": resolution.learned,
        "committed_certainty": resolution.committed_certainty,
        "resolved_on": resolution.resolved_on.isoformat() if resolution.resolved_on else None,
    }


def dated_events(graph: Graph, today: dt.date) -> list[Event]:
    """Reviews come due and horizons passed by `today` (the day itself included), without a verdict:
    each an event for its date, which is raised once however often this is asked. A horizon
    written as a duration counts from the graph's `as_of`, as everywhere else."""
    out: list[Event] = []
    horizons = pays_off(graph, graph.as_of or today)
    items: list[Bet | Assumption] = [*graph.bets, *graph.assumptions]
    for item in items:
        if settled(item):
            continue
        dates = [(REVIEW_DUE, item.review_by)]
        if isinstance(item, Bet) and item.horizon is not None:  # its own, not one it inherits
            dates.append((HORIZON_PASSED, horizons[item.id].on))
        for kind, due in dates:
            if due is not None and due <= today:
                data = {"item": item_data(item), "due": due.isoformat(), "days_past": (today - due).days}
                out.append(Event(kind, data, subject=item.id, due=due))
    return out


def week_of(day: dt.date) -> dt.date:
    """The Monday a day's week starts on: a digest is raised once for it."""
    return day - dt.timedelta(days=day.weekday())


def digest_event(data: dict[str, Any], day: dt.date) -> Event:
    return dataclasses.replace(Event(DIGEST, data), due=week_of(day))
