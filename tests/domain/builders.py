"""Short builders for model objects, so a test states only what it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.domain.model import Assumption, Bet, Evidence, EvidenceKind, Graph, Horizon, Kind, LintSettings

TODAY = dt.date(2026, 11, 1)

# A small example document that uses every part of the format.
DESIGN_EXAMPLE = (Path(__file__).parent.parent / "fixtures" / "design_example.yaml").read_text()


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
