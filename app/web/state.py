"""What the viewer's URL asks for: the view, its focus and filters, and the revision it shows.

Every state a person can reach is a URL (view, focus, filters, theme), so a filtered view can
be shared by copying the address. Scripts only make it smoother: without them every link and
form still works. The URL's grammar is `app.services.urls`'s, which oEmbed reads copied
addresses with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from app.domain.model import Graph
from app.services import access
from app.services.access import Caller
from app.services.cache import Analysed
from app.services.context import Services
from app.services.errors import ServiceError
from app.services.moments import parse_moment, resolve
from app.services.urls import ViewState, read_view
from app.storage.history import get_revision
from app.storage.tables import GraphRow
from app.web.refusals import PageError

__all__ = ["Shown", "ViewState", "showing", "view_state"]


def view_state(request: Request) -> ViewState:
    """The page's URL, read by the one rule oEmbed reads a copied address with (`urls.read_view`)."""
    return read_view(request.query_params.multi_items())


@dataclass(frozen=True, slots=True)
class Shown:
    """The graph a page shows: the latest, or the revision `as_of` names."""

    analysed: Analysed
    revision: int | None  # None: the latest
    written: dt.datetime | None  # when that revision was written

    @property
    def graph(self) -> Graph:
        return self.analysed.graph

    def editable_by(self, session: Session, who: Caller | None, row: GraphRow) -> bool:
        """Whether the page offers `who` its editors: only the latest revision can be changed, and
        only by whom the access rule lets write it (a viewer's write token offers nothing)."""
        return self.revision is None and access.may_edit(session, who, row)


def showing(services: Services, session: Session, row: GraphRow, state: ViewState) -> Shown:
    revision = None
    if state.as_of:
        try:
            revision = resolve(session, row, parse_moment(state.as_of))
        except ServiceError as error:
            raise PageError(404, "No such moment in this graph's history", error.message) from None
    found = get_revision(session, row, revision or row.head)
    return Shown(services.graphs.get(session, row, revision), revision, found.created_at if found else None)
