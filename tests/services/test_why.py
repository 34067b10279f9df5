"""Why a bet matters: the chain `betgraph why`, the API's why route and the MCP server all give."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.domain.analysis import why_chain, why_in_words
from app.formats.document import load
from app.services import why
from app.services.access import HOLDER
from app.services.context import Services, make_services
from app.services.errors import NotFoundError
from app.storage.graphs import save_graph
from tests.conftest import ROOT


@pytest.fixture
def services(engine: Engine, database_url: str) -> Services:
    return make_services(engine, Settings(database_url=database_url))


def test_explain_reads_the_stored_graph_as_the_file_reads(session: Session, services: Services) -> None:
    document, _ = load((ROOT / "examples" / "acme.yaml").read_text())
    save_graph(session, document)
    found = why.explain(services, session, None, "acme", "employee-invite-flow")
    assert found.revision == 1
    assert found.chain == why_chain(document, "employee-invite-flow")
    assert found.lines == why_in_words(document, why_chain(document, "employee-invite-flow"))
    assert found.chain.path[-1] == "payroll-in-minutes"
    assert found.lines[-2:] == ["chain certainty: 8%", "weakest link: time-to-first-payroll"]
    with pytest.raises(NotFoundError, match="no bet 'nothing' in graph 'acme'"):
        why.explain(services, session, HOLDER, "acme", "nothing")
    with pytest.raises(NotFoundError, match="no graph 'elsewhere'"):
        why.explain(services, session, HOLDER, "elsewhere", "employee-invite-flow")
