"""Short builders for model objects, so a test states only what it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from app.domain.model import Assumption, Bet, Evidence, EvidenceKind, Graph, Horizon, Kind, LintSettings

TODAY = dt.date(2026, 11, 1)

# The example document of DESIGN.md §1, verbatim.
DESIGN_EXAMPLE = """\
betgraph: 1
graph: {slug: acme, title: Acme product map, as_of: 2026-11-01}
bets:
  - {id: vision, kind: vision, title: Payroll in five minutes, horizon: 5y, certainty: 60%}
  - id: self-serve
    kind: goal
    title: Small businesses onboard without a call
    parents: [vision]
    assumes: [setup-pain]
    horizon: 1y
    certainty: 0.5
    prescriptiveness: outcome
    debate: open
  - {id: wizard, kind: initiative, title: Setup wizard, parents: [self-serve], horizon: 6w,
     certainty: 0.8, prescriptiveness: prescribed, status: active, team: onboarding}
assumptions:
  - id: setup-pain
    statement: Customers churn because setup takes too long
    certainty: 0.3
    importance: 5
    evidence: [{kind: data, summary: 41% of churned accounts never finished setup, level: market-data}]
"""


def bet(
    bet_id: str,
    kind: Kind = Kind.GOAL,
    parents: Iterable[str] = (),
    *,
    assumes: Iterable[str] = (),
    horizon: str | None = None,
    certainty: float | None = None,
    **fields: Any,
) -> Bet:
    return Bet(
        id=bet_id,
        kind=kind,
        title=fields.pop("title", bet_id.replace("-", " ").capitalize()),
        parents=tuple(parents),
        assumes=tuple(assumes),
        horizon=Horizon.parse(horizon) if horizon is not None else None,
        certainty=certainty,
        **fields,
    )


def assumption(
    assumption_id: str,
    certainty: float | None = None,
    *,
    evidence: Iterable[Evidence] = (),
    **fields: Any,
) -> Assumption:
    return Assumption(
        id=assumption_id,
        statement=fields.pop("statement", f"We believe that {assumption_id}"),
        certainty=certainty,
        evidence=tuple(evidence),
        **fields,
    )


def evidence(summary: str = "Interviews with ten customers", **fields: Any) -> Evidence:
    return Evidence(kind=fields.pop("kind", EvidenceKind.DATA), summary=summary, **fields)


def graph(
    *items: Bet | Assumption,
    as_of: dt.date | None = TODAY,
    lint: LintSettings | None = None,
) -> Graph:
    """A graph of the given bets and assumptions, in the order given."""
    return Graph(
        slug="test",
        title="Test graph",
        as_of=as_of,
        lint=lint or LintSettings(),
        bets=tuple(item for item in items if isinstance(item, Bet)),
        assumptions=tuple(item for item in items if isinstance(item, Assumption)),
    )


def chain(length: int, kind: Kind = Kind.GOAL, certainty: float | None = None) -> list[Bet]:
    """`b0` (a vision) <- `b1` <- ... <- `b{length-1}`: each bet's parent is the one before it."""
    bets = [bet("b0", Kind.VISION, certainty=certainty)]
    bets += [bet(f"b{index}", kind, [f"b{index - 1}"], certainty=certainty) for index in range(1, length)]
    return bets
