from __future__ import annotations

import datetime as dt

import pytest

from app.domain.document import load
from app.domain.model import Graph

TODAY = dt.date(2026, 11, 1)

DOCUMENT = """
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


@pytest.fixture
def acme() -> Graph:
    return load(DOCUMENT)[0]
