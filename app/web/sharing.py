"""Sharing a view: the share panel's links and embeds, and a read-only token to embed a private graph."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.http import ServicesDep, SessionDep, public_base_url
from app.rendering.views import VIEW_KINDS
from app.services import access, tokens
from app.services.access import Caller, Role
from app.services.context import Services
from app.services.errors import InvalidParameterError, NotFoundError
from app.services.moments import parse_moment
from app.services.sharing import Snippets, snippets
from app.storage import graphs as storage
from app.storage.tables import GraphRow
from app.web import auth
from app.web.auth import ViewerDep
from app.web.pages import page
from app.web.refusals import PageError, PageRoute
from app.web.state import ViewState, view_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def share_panel(
    request: Request, services: Services, session: Session, who: Caller | None, row: GraphRow, state: ViewState
) -> dict[str, Any] | None:
    public = storage.visibility(session, row) == "public"
    try:
        found = _snippets(request, services, session, who, row.slug, state)
    except (NotFoundError, InvalidParameterError):  # a view that cannot be drawn has nothing to share
        return None
    return {"public": public, "snippets": found}


@router.post("/graphs/{slug:slug}/embed-token", response_class=HTMLResponse)
async def embed_token(
    request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    """A read-only token for this one graph, shown once, so a private graph can be embedded."""
    values = await auth.posted(request)
    row = auth.readable(session, slug, principal)
    access.check_writer(session, principal, slug, row, need=Role.OWNER)  # embed tokens are the owners'
    token = tokens.create_embed_token(session, row, f"embed from the viewer ({slug})")
    view = values.get("view", "map")
    state = ViewState(view if view in VIEW_KINDS else "map", values.get("focus", "")[:200])
    try:
        found = _snippets(request, services, session, principal, slug, state, token)
    except (NotFoundError, InvalidParameterError) as error:
        raise PageError(404, "Nothing to share", "This view cannot be drawn.") from error
    return page(request, "graphs/embed_token.html", {"row": row, "snippets": found, "state": state})


@router.get("/graphs/{slug:slug}/snippets", response_class=HTMLResponse)
def all_snippets(
    request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    """Every snippet of a view, the clickable HTML too: drawing its picture may take a while, which
    the viewer's share panel does not wait for."""
    row = auth.readable(session, slug, principal)
    state = view_state(request)
    if storage.visibility(session, row) != "public":
        raise PageError(404, "Nothing to share", "This graph is private: make an embed link in its share panel.")
    try:
        found = _snippets(request, services, session, principal, slug, state, draw=True)
    except (NotFoundError, InvalidParameterError) as error:
        raise PageError(404, "Nothing to share", "This view cannot be drawn.") from error
    return page(request, "graphs/snippets.html", {"row": row, "snippets": found, "state": state})


def _snippets(
    request: Request,
    services: Services,
    session: Session,
    who: Caller | None,
    slug: str,
    state: ViewState,
    token: str | None = None,
    *,
    draw: bool = False,
) -> Snippets:
    # A map is shared whole: its focus only selects a bet in this page.
    return snippets(
        services,
        session,
        base=public_base_url(request),
        slug=slug,
        who=who,
        view=state.view,
        focus=state.focus if state.view != "map" else None,
        token=token,
        as_of=parse_moment(state.as_of) if state.as_of else None,
        draw=draw,
    )
