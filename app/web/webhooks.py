"""A graph's webhooks on its settings page: subscribe a URL, see each delivery, turn one off or remove it.

The rules are the API's (`app.services.webhooks`); the page only shows them. A new subscription's
secret is shown once, on the page that answers the form.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.http import ServicesDep, SessionDep
from app.services import webhooks
from app.services.access import Caller
from app.services.errors import InvalidParameterError, NotFoundError
from app.web import auth
from app.web.auth import ViewerDep
from app.web.refusals import PageRoute
from app.web.settings import settings_answer

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _of_graph(session: Session, who: Caller | None, slug: str, webhook_id: int) -> webhooks.Subscription:
    found = webhooks.get(session, who, webhook_id)
    if found.graph != slug:  # a subscription of another graph, or of every graph: not on this page
        raise NotFoundError(f"no webhook {webhook_id} on graph {slug!r}")
    return found


@router.post("/graphs/{slug:slug}/webhooks", response_class=HTMLResponse)
async def add_webhook(
    request: Request, slug: str, session: SessionDep, principal: ViewerDep, services: ServicesDep
) -> HTMLResponse:
    values = await auth.posted(request)
    events = [value for value in (await request.form()).getlist("events") if isinstance(value, str)]
    auth.readable(session, slug, principal)
    made, secret = webhooks.create(
        session,
        principal,
        url=values.get("url", "").strip(),
        events=events,
        graph=slug,
        format=values.get("format", "standard"),
        description=values.get("description", "").strip(),
        allow_private=services.settings.webhook_allow_private,
    )
    return settings_answer(request, session, principal, slug, made_secret=(made.row.id, secret))


@router.post("/graphs/{slug:slug}/webhooks/{webhook_id:int}/enable", response_model=None)
async def enable_webhook(
    request: Request, slug: str, webhook_id: int, session: SessionDep, principal: ViewerDep
) -> Response:
    values = await auth.posted(request)
    auth.readable(session, slug, principal)
    _of_graph(session, principal, slug, webhook_id)
    switch = values.get("enabled", "")
    if switch not in ("on", "off"):
        raise InvalidParameterError("enabled", "`enabled` is on or off")
    webhooks.change(session, principal, webhook_id, enabled=switch == "on")
    return RedirectResponse(f"/graphs/{slug}/settings#webhooks", status_code=303)


@router.post("/graphs/{slug:slug}/webhooks/{webhook_id:int}/remove", response_model=None)
async def remove_webhook(
    request: Request, slug: str, webhook_id: int, session: SessionDep, principal: ViewerDep
) -> Response:
    await auth.posted(request)
    auth.readable(session, slug, principal)
    _of_graph(session, principal, slug, webhook_id)
    webhooks.remove(session, principal, webhook_id)
    return RedirectResponse(f"/graphs/{slug}/settings#webhooks", status_code=303)
