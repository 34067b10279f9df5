"""Lint: the places where the story of a graph does not hold together.

Each rule has a stable id and severity (the README lists them). A finding names the ids involved, the
subject first, and says in one line what is wrong and why it matters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from app.domain.analysis import Support, ancestors, support
from app.domain.model import RESOLVED_STATUSES, Bet, Graph, Kind, Prescriptiveness, Status
from app.words import percent


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    ids: tuple[str, ...]
    message: str

    @property
    def subject(self) -> str:
        return self.ids[0]


@dataclass(frozen=True)
class _Context:
    graph: Graph
    as_of: dt.date
    support: Support

    def horizon(self, bet: Bet) -> dt.date | None:
        return bet.horizon.resolve(self.as_of) if bet.horizon else None


def _orphan(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        if bet.kind is not Kind.VISION and not bet.parents:
            yield Finding(
                "orphan",
                Severity.WARNING,
                (bet.id,),
                f"{bet.kind} {bet.id} has no parent: nothing says why it matters",
            )


def _horizon_inversion(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        mine = ctx.horizon(bet)
        if mine is None:
            continue
        for parent_id in bet.parents:
            parent = ctx.graph.bet_by_id.get(parent_id)
            theirs = ctx.horizon(parent) if parent else None
            if theirs is not None and mine > theirs:
                yield Finding(
                    "horizon-inversion",
                    Severity.WARNING,
                    (bet.id, parent_id),
                    f"{bet.id} pays off on {mine.isoformat()}, after its parent {parent_id} ({theirs.isoformat()})",
                )


def _false_certainty(ctx: _Context) -> Iterator[Finding]:
    claim, floor = ctx.graph.lint.false_certainty, ctx.graph.lint.false_certainty_chain
    for bet in ctx.graph.bets:
        chain = ctx.support.value[bet.id]
        if bet.certainty is not None and bet.certainty >= claim and chain < floor:
            yield Finding(
                "false-certainty",
                Severity.WARNING,
                (bet.id,),
                f"{bet.id} claims {percent(bet.certainty)} certainty but its chain certainty is {percent(chain)}",
            )


def _untested_delivery(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        if bet.kind is not Kind.INITIATIVE or bet.status not in (Status.ACTIVE, Status.DONE):
            continue
        for ancestor_id in ancestors(ctx.graph, bet.id):
            ancestor = ctx.graph.bet_by_id[ancestor_id]
            if ancestor.kind is Kind.HYPOTHESIS and ancestor.status is not Status.VALIDATED:
                yield Finding(
                    "untested-delivery",
                    Severity.WARNING,
                    (bet.id, ancestor_id),
                    f"{bet.id} is {bet.status} but hypothesis {ancestor_id} is {ancestor.status}, "
                    "not validated: delivery before discovery",
                )


def _output_only(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        if bet.kind is not Kind.INITIATIVE:
            continue
        kinds = {ctx.graph.bet_by_id[a].kind for a in ancestors(ctx.graph, bet.id)}
        if not kinds & {Kind.OUTCOME, Kind.GOAL}:
            yield Finding(
                "output-only",
                Severity.WARNING,
                (bet.id,),
                f"initiative {bet.id} has no outcome or goal above it: an output with no outcome to move",
            )


def _outcome_without_metric(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        if bet.kind is Kind.OUTCOME and bet.metric is None:
            yield Finding(
                "outcome-without-metric",
                Severity.WARNING,
                (bet.id,),
                f"outcome {bet.id} has no metric: nobody can tell whether it happened",
            )


def _unsupported_assumption(ctx: _Context) -> Iterator[Finding]:
    threshold = ctx.graph.lint.unsupported_assumption
    for assumption in ctx.graph.assumptions:
        if assumption.certainty is None or assumption.certainty < threshold:
            continue
        if not any(e.direction == "supports" for e in assumption.evidence):
            yield Finding(
                "unsupported-assumption",
                Severity.WARNING,
                (assumption.id,),
                f"{assumption.id} is held at {percent(assumption.certainty)} with no supporting evidence",
            )


def _stale_review(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        # A resolved bet owes no review: its loop is closed.
        if bet.review_by and bet.review_by < ctx.as_of and bet.status not in RESOLVED_STATUSES:
            yield Finding(
                "stale-review",
                Severity.WARNING,
                (bet.id,),
                f"{bet.id} was due for review on {bet.review_by.isoformat()}",
            )
    for assumption in ctx.graph.assumptions:
        if assumption.review_by and assumption.review_by < ctx.as_of:
            yield Finding(
                "stale-review",
                Severity.WARNING,
                (assumption.id,),
                f"{assumption.id} was due for review on {assumption.review_by.isoformat()}",
            )


def _overprescribed_long_horizon(ctx: _Context) -> Iterator[Finding]:
    limit = ctx.graph.lint.long_horizon.resolve(ctx.as_of)
    for bet in ctx.graph.bets:
        pays_off = ctx.horizon(bet)
        if bet.prescriptiveness is None or bet.prescriptiveness < Prescriptiveness.GUIDED or pays_off is None:
            continue
        if pays_off > limit:
            yield Finding(
                "overprescribed-long-horizon",
                Severity.WARNING,
                (bet.id,),
                f"{bet.id} is {bet.prescriptiveness.label} but pays off only on {pays_off.isoformat()}: "
                f"the how of a bet over {ctx.graph.lint.long_horizon.describe()} out is rarely known",
            )


def _multi_parent(ctx: _Context) -> Iterator[Finding]:
    for bet in ctx.graph.bets:
        if len(bet.parents) > 1:
            yield Finding(
                "multi-parent",
                Severity.INFO,
                (bet.id, *bet.parents),
                f"{bet.id} has {len(bet.parents)} parents; {bet.parents[0]} is primary",
            )


# A cycle of parents or an id that names nothing makes a document invalid (app.formats.document
# refuses it, with its line and column), so no graph that lint sees can hold one: they are not
# lint rules, and a document may not disable them.
INVALID_ALWAYS = {
    "cycle": "parents that form a cycle",
    "unknown-reference": "a parent or assumption id that names nothing",
}
RULES: dict[str, tuple[Severity, Callable[[_Context], Iterator[Finding]], str]] = {
    "orphan": (Severity.WARNING, _orphan, "a bet other than a vision has no parent"),
    "horizon-inversion": (Severity.WARNING, _horizon_inversion, "a bet pays off later than one of its parents"),
    "false-certainty": (Severity.WARNING, _false_certainty, "certainty is high while the chain certainty is low"),
    "untested-delivery": (
        Severity.WARNING,
        _untested_delivery,
        "an active or done initiative sits below a hypothesis that is not validated",
    ),
    "output-only": (Severity.WARNING, _output_only, "an initiative has no outcome or goal above it"),
    "outcome-without-metric": (Severity.WARNING, _outcome_without_metric, "an outcome has no metric"),
    "unsupported-assumption": (
        Severity.WARNING,
        _unsupported_assumption,
        "an assumption is held with high certainty and no supporting evidence",
    ),
    "stale-review": (
        Severity.WARNING,
        _stale_review,
        "review_by is before the graph's as-of date (bets already resolved are not due)",
    ),
    "overprescribed-long-horizon": (
        Severity.WARNING,
        _overprescribed_long_horizon,
        "a guided or prescribed bet pays off more than a year out",
    ),
    "multi-parent": (Severity.INFO, _multi_parent, "a bet has more than one parent"),
}


def lint(graph: Graph, today: dt.date, supported: Support | None = None) -> list[Finding]:
    """Every finding of every enabled rule, most severe first, then by rule and ids."""
    ctx = _Context(graph, graph.reference_date(today), supported or support(graph))
    findings = [
        finding for rule, (_, check, _) in RULES.items() if rule not in graph.lint.disable for finding in check(ctx)
    ]
    return sorted(findings, key=lambda f: (-f.severity, f.rule, f.ids))
