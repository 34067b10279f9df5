"""Why a bet matters: the chain `betgraph why`, the API's why route and the MCP server all give."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.domain.analysis import why_chain
from app.domain.model import Kind
from app.formats.document import load
from app.services import why
from app.services.access import HOLDER
from app.services.context import Services, make_services
from app.services.errors import NotFoundError
from app.storage.graphs import save_graph
from tests.conftest import ROOT
from tests.domain.builders import assumption, bet, graph


@pytest.fixture
def services(engine: Engine, database_url: str) -> Services:
    return make_services(engine, Settings(database_url=database_url))


def test_lines_say_the_chain_from_the_top_down_with_what_each_bet_rests_on() -> None:
    made = graph(
        bet("v", Kind.VISION, certainty=0.9, title="Payroll in minutes"),
        bet("g", Kind.GOAL, ["v"], certainty=0.5, assumes=["a"]),
        bet("i", Kind.INITIATIVE, ["g"], certainty=0.8),
        assumption("a", 0.6, statement="We believe owners want it"),
    )
    assert why.lines(made, why_chain(made, "i")) == [
        "vision v: Payroll in minutes (90%)",
        "  goal g: G (50%)",
        "    · rests on a: We believe owners want it (60%)",
        "    initiative i: I (80%)",
        "chain certainty: 22%",
        "weakest link: g",
    ]


def test_explain_reads_the_stored_graph_as_the_file_reads(session: Session, services: Services) -> None:
    document, _ = load((ROOT / "examples" / "acme.yaml").read_text())
    save_graph(session, document)
    found = why.explain(services, session, None, "acme", "employee-invite-flow")
    assert found.revision == 1
    assert found.chain == why_chain(document, "employee-invite-flow")
    assert found.lines == why.lines(document, why_chain(document, "employee-invite-flow"))
    assert found.chain.path[-1] == "payroll-in-minutes"
    assert found.lines[-2:] == ["chain certainty: 8%", "weakest link: time-to-first-payroll"]
    with pytest.raises(NotFoundError, match="no bet 'nothing' in graph 'acme'"):
        why.explain(services, session, HOLDER, "acme", "nothing")
    with pytest.raises(NotFoundError, match="no graph 'elsewhere'"):
        why.explain(services, session, HOLDER, "elsewhere", "employee-invite-flow")
