"""Realistic graphs of any size, for benchmarks and for the layout tests of large maps.

The proportions follow a product-led organisation: a vision, a few strategies, goals and
outcomes, and many near-term hypotheses and initiatives, which is what makes maps wide.
"""

from __future__ import annotations

import datetime as dt
import random

from app.domain.model import Assumption, Bet, Category, Evidence, EvidenceKind, Graph, Horizon, Kind, Metric

# kind, share of the bets, horizon
_LEVELS = (
    (Kind.STRATEGY, 0.02, "3y"),
    (Kind.GOAL, 0.06, "1y"),
    (Kind.OUTCOME, 0.14, "2q"),
    (Kind.OPPORTUNITY, 0.10, "1q"),
    (Kind.HYPOTHESIS, 0.18, "8w"),
    (Kind.INITIATIVE, 0.50, "6w"),
)
_SENTENCE = (
    "onboarding payroll invoices self-serve checkout pricing trial activation retention churn mobile "
    "export import reporting compliance tax benefits search alerts integrations partners"
)
_WORDS = _SENTENCE.split()
_TEAMS = ("onboarding", "payments", "growth", "platform", "mobile", "insights")


def synthetic_graph(bets: int, seed: int = 7, as_of: dt.date = dt.date(2026, 11, 1)) -> Graph:
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    made: list[Bet] = [Bet(id="vision", kind=Kind.VISION, title="Payroll in five minutes", horizon=Horizon.parse("5y"))]
    previous = ["vision"]
    assumptions: list[Assumption] = []
    remaining = bets - 1
    for number, (kind, share, horizon) in enumerate(_LEVELS):
        count = remaining if number == len(_LEVELS) - 1 else max(1, round(bets * share))
        count = min(count, remaining)
        remaining -= count
        level: list[str] = []
        for index in range(count):
            bet_id = f"{kind.value[:4]}-{index}"
            parents = [previous[index * len(previous) // max(count, 1)]]
            if rng.random() < 0.05 and len(previous) > 1:
                other = rng.choice(previous)
                if other != parents[0]:
                    parents.append(other)
            assumes: tuple[str, ...] = ()
            if kind in (Kind.GOAL, Kind.OUTCOME, Kind.HYPOTHESIS) and rng.random() < 0.5:
                assumption_id = f"belief-{len(assumptions)}"
                assumptions.append(
                    Assumption(
                        id=assumption_id,
                        statement=f"Customers want {rng.choice(_WORDS)} to be {rng.choice(['faster', 'simpler'])}",
                        certainty=round(rng.uniform(0.3, 0.9), 2),
                        importance=rng.randint(1, 5),
                        category=rng.choice(list(Category)),
                        evidence=(Evidence(EvidenceKind.DATA, "Interviews with ten customers"),),
                    )
                )
                assumes = (assumption_id,)
            words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6)))
            made.append(
                Bet(
                    id=bet_id,
                    kind=kind,
                    title=f"{kind.value.capitalize()} {index}: improve {words}",
                    parents=tuple(parents),
                    assumes=assumes,
                    horizon=Horizon.parse(horizon),
                    certainty=round(rng.uniform(0.3, 0.95), 2),
                    team=rng.choice(_TEAMS) if kind in (Kind.HYPOTHESIS, Kind.INITIATIVE) else None,
                    metric=Metric("weekly active companies", "%") if kind is Kind.OUTCOME else None,
                )
            )
            level.append(bet_id)
        if level:
            previous = level
    return Graph(
        slug="synthetic",
        title=f"Synthetic map of {bets} bets",
        as_of=as_of,
        bets=tuple(made),
        assumptions=tuple(assumptions),
    )
