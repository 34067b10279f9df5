"""The search page: bets and assumptions found by their words, each a link into the viewer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.http import SessionDep
from app.services import access
from app.services import search as service
from app.storage.graphs import header
from app.web.auth import ViewerDep
from app.web.pages import page
from app.web.refusals import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_LIMIT = 50


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    principal: ViewerDep,
    q: Annotated[str, Query()] = "",
    graph: Annotated[str, Query(max_length=63)] = "",
) -> HTMLResponse:
    # An empty box shows the form (a person may land here from a link); the service refuses the rest.
    scope = access.read_graph(session, graph, principal) if graph else None
    results = service.search(session, principal, q, graph=graph or None, limit=PAGE_LIMIT) if q.strip() else None
    title = header(session, scope.row)[0] if scope is not None else None
    return page(
        request,
        "search.html",
        {"q": q, "graph": graph, "graph_title": title, "results": results, "limit": PAGE_LIMIT},
    )
