"""Why a bet matters, in words and as data: the chain above it up to the vision, that chain's
certainty and its weakest link. One explanation for `betgraph why`, the API's why route and the
MCP server's explain_bet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.analysis import WhyChain, why_chain, why_in_words
from app.domain.model import Graph
from app.services import reading
from app.services.access import Caller
from app.services.context import Services
from app.services.errors import NotFoundError
from app.services.moments import Moment


@dataclass(frozen=True, slots=True)
class Explanation:
    slug: str
    revision: int
    graph: Graph
    chain: WhyChain

    @property
    def lines(self) -> list[str]:
        return why_in_words(self.graph, self.chain)


def explain(
    services: Services, session: Session, who: Caller | None, slug: str, bet_id: str, *, as_of: Moment | None = None
) -> Explanation:
    """Why bet `bet_id` of graph `slug` (at `as_of`) matters, if `who` may read the graph."""
    found = reading.read(services, session, who, slug, as_of)
    if bet_id not in found.graph.bet_by_id:
        raise NotFoundError(f"no bet {bet_id!r} in graph {slug!r}")
    chain = why_chain(found.graph, bet_id, found.analysed.support)
    return Explanation(slug, found.revision, found.graph, chain)
