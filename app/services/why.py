"""Why a bet matters, in words and as data: the chain above it up to the vision, that chain's
certainty and its weakest link. One explanation for `betgraph why`, the API's why route and the
MCP server's explain_bet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.analysis import WhyChain, why_chain
from app.domain.model import Graph
from app.services import reading
from app.services.access import Caller
from app.services.context import Services
from app.services.errors import NotFoundError
from app.services.moments import Moment
from app.words import percent


@dataclass(frozen=True, slots=True)
class Explanation:
    slug: str
    revision: int
    graph: Graph
    chain: WhyChain

    @property
    def lines(self) -> list[str]:
        return lines(self.graph, self.chain)


def explain(
    services: Services, session: Session, who: Caller | None, slug: str, bet_id: str, *, as_of: Moment | None = None
) -> Explanation:
    """Why bet `bet_id` of graph `slug` (at `as_of`) matters, if `who` may read the graph."""
    found = reading.read(services, session, who, slug, as_of)
    if bet_id not in found.graph.bet_by_id:
        raise NotFoundError(f"no bet {bet_id!r} in graph {slug!r}")
    chain = why_chain(found.graph, bet_id, found.analysed.support)
    return Explanation(slug, found.revision, found.graph, chain)


def lines(graph: Graph, chain: WhyChain) -> list[str]:
    """The chain in words, from the top down, each bet indented under the one it serves, with the
    assumptions it rests on; then the chain certainty and the weakest link."""
    said = []
    for depth, bet_id in enumerate(reversed(chain.path)):
        node = graph.bet_by_id[bet_id]
        said.append(f"{'  ' * depth}{node.kind.value} {bet_id}: {node.title} ({percent(node.certainty)})")
        for assumption_id in node.assumes:
            assumption = graph.assumption_by_id.get(assumption_id)
            if assumption is None:  # as why_chain, which leaves out what names no assumption
                continue
            statement = f"{assumption.statement} ({percent(assumption.certainty)})"
            said.append(f"{'  ' * depth}  · rests on {assumption_id}: {statement}")
    said.append(f"chain certainty: {percent(chain.certainty)}")
    if chain.weakest:
        said.append(f"weakest link: {chain.weakest}")
    return said
