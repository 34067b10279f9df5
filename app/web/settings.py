"""A graph's settings page, for its owners: title, description, visibility, members, embed tokens and webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.domain.events import EVENTS
from app.http import SessionDep
from app.services import access, edits, people, tokens, webhooks
from app.services.access import Caller, Role
from app.storage import graphs as storage
from app.storage.tables import GraphRow
from app.web import auth
from app.web.auth import ViewerDep
from app.web.pages import page
from app.web.refusals import PageError, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
WEBHOOK_LOG = 10  # deliveries listed under each subscription


def _settings_page(request: Request, session: Session, who: Caller | None, row: GraphRow, **extra: Any) -> HTMLResponse:
    rights = access.rights(session, who, row)
    title, description, visibility = storage.header(session, row)
    subscriptions = None
    if access.manages_webhooks_of(session, who, row):
        found = webhooks.listed(session, who, graph=row.slug)
        subscriptions = [(each, webhooks.log(session, who, each.row.id, limit=WEBHOOK_LOG)) for each in found]
    context = {
        "webhooks": subscriptions,
        "events": EVENTS,
        "formats": webhooks.FORMATS,
        "made_secret": None,
        "row": row,
        "title": title,
        "description": description,
        "visibility": visibility,
        "members": people.members(session, row) if rights.members else None,
        "roles": ("viewer", "editor", "owner"),
        "embeds": tokens.embed_tokens(session, row),
        "error": "",
    }
    return page(request, "graphs/settings.html", context | extra, 200 if not extra.get("error") else 422)


def settings_answer(request: Request, session: Session, who: Caller | None, slug: str, **extra: Any) -> HTMLResponse:
    """The settings page as the answer to one of its forms (a new webhook's secret, shown once)."""
    return _settings_page(request, session, who, _owned(session, slug, who), **extra)


def _owned(session: Session, slug: str, who: Caller | None) -> GraphRow:
    row = auth.readable(session, slug, who)
    access.check_writer(session, who, slug, row, need=Role.OWNER)
    return row


@router.get("/graphs/{slug:slug}/settings", response_class=HTMLResponse)
def settings_page(request: Request, slug: str, session: SessionDep, principal: ViewerDep) -> HTMLResponse:
    return _settings_page(request, session, principal, _owned(session, slug, principal))


@router.post("/graphs/{slug:slug}/settings", response_model=None)
async def save_settings(request: Request, slug: str, session: SessionDep, principal: ViewerDep) -> Response:
    values = await auth.posted(request)
    auth.readable(session, slug, principal)
    row, writer = access.write_graph(session, slug, principal, need=Role.OWNER)
    edits.change_header(
        session,
        row,
        title=values.get("title", "").strip(),
        description=values.get("description", "").replace("\r\n", "\n").strip(),
        visibility=values.get("visibility", ""),
        by=writer.by,
    )
    return RedirectResponse(f"/graphs/{slug}/settings", status_code=303)


@router.post("/graphs/{slug:slug}/members", response_model=None)
async def set_member(request: Request, slug: str, session: SessionDep, principal: ViewerDep) -> Response:
    values = await auth.posted(request)
    auth.readable(session, slug, principal)
    row = access.manage_members(session, slug, principal)
    people.set_member(session, row, values.get("email", ""), values.get("role", ""))
    return RedirectResponse(f"/graphs/{slug}/settings#members", status_code=303)


@router.post("/graphs/{slug:slug}/members/remove", response_model=None)
async def remove_member(request: Request, slug: str, session: SessionDep, principal: ViewerDep) -> Response:
    values = await auth.posted(request)
    auth.readable(session, slug, principal)
    row = access.manage_members(session, slug, principal)
    email = values.get("email", "")
    if not people.remove_member(session, row, email):
        raise PageError(404, "Not a member", f"{email[:80]} is not a member of this graph.")
    return RedirectResponse(f"/graphs/{slug}/settings#members", status_code=303)


@router.post("/graphs/{slug:slug}/embed-tokens/{token_id:int}/revoke", response_model=None)
async def revoke_embed(
    request: Request, slug: str, token_id: int, session: SessionDep, principal: ViewerDep
) -> Response:
    await auth.posted(request)
    auth.readable(session, slug, principal)
    row, _ = access.write_graph(session, slug, principal, need=Role.OWNER)
    tokens.revoke_embed_token(session, row, token_id)
    return RedirectResponse(f"/graphs/{slug}/settings#embeds", status_code=303)
