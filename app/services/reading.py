"""Graphs as a caller may read them: which ones, and one at a moment. What the MCP server's tools and the
why explanation share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.model import Graph
from app.services import access
from app.services.access import Caller
from app.services.cache import Analysed
from app.services.context import Services
from app.services.moments import Moment, revision_for
from app.storage import graphs as storage
from app.storage.tables import GraphRow, GraphVersionRow


@dataclass(frozen=True, slots=True)
class Reading:
    row: GraphRow
    revision: int  # the revision read: the head when no moment was named
    analysed: Analysed

    @property
    def graph(self) -> Graph:
        return self.analysed.graph


def read(services: Services, session: Session, who: Caller | None, slug: str, as_of: Moment | None = None) -> Reading:
    """Graph `slug` at `as_of` (None: its latest revision), refused as `access.read_graph` refuses it."""
    row = access.read_graph(session, slug, who).row
    revision = revision_for(session, row, as_of)
    analysed = services.graphs.get(session, row, revision)
    return Reading(row, row.head if revision is None else revision, analysed)


def listed(
    session: Session, who: Caller | None, *, after: str = "", limit: int = 50
) -> list[tuple[GraphRow, GraphVersionRow]]:
    """The graphs `who` may read, by slug after `after`, with their current header.

    As the API lists them (`access.listable`), except that a token for one graph lists that graph
    alone: `access.role` hides every other from it, even a public one, so none is offered to it.
    """
    visible = access.listable(session, who)
    if who is None or who.graph_id is None:
        return storage.list_graphs(session, visible_to=visible, after=after, limit=limit)
    own = session.get(GraphRow, who.graph_id)
    if own is None:
        return []
    return storage.list_graphs(session, slugs=[own.slug], visible_to=visible, after=after, limit=limit)
