"""A person's own page: their personal tokens, and the browsers they are signed in on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.http import ServicesDep, SessionDep
from app.services import signins, tokens
from app.services.access import Caller
from app.services.context import Services
from app.web import auth
from app.web.auth import ViewerDep
from app.web.pages import page
from app.web.refusals import PageError, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _signed_in(who: Caller | None) -> Caller:
    if who is None:
        raise PageError(401, "Sign in to see your tokens", "Your tokens are shown to you once you are signed in.")
    return who


def _person(who: Caller | None) -> Caller:
    found = _signed_in(who)
    if found.person_id is None:
        raise PageError(404, "No tokens of your own", "You are signed in with a service token, which has no person.")
    return found


def _account(
    request: Request, services: Services, session: Session, who: Caller, *, created: str = "", status: int = 200
) -> HTMLResponse:
    if who.person_id is None:  # a service token in the cookie: it is nobody's, and has no tokens
        return page(request, "account.html", {"service": True, "tokens": [], "sign_ins": []}, status)
    context = {
        "tokens": tokens.personal(session, who),
        "created": created,
        "sign_ins": signins.listed(session, who, services.settings),
        "current": who.sign_in_id,
    }
    return page(request, "account.html", context, status)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, services: ServicesDep, session: SessionDep, principal: ViewerDep) -> HTMLResponse:
    return _account(request, services, session, _signed_in(principal))


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(
    request: Request, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    """A personal token, shown once on the answer (never again: only its digest is kept)."""
    values = await auth.posted(request)
    who = _person(principal)
    token = tokens.create_personal(session, who, values.get("scope", ""), values.get("label", ""))
    return _account(request, services, session, who, created=token, status=201)


@router.post("/account/tokens/{token_id:int}/revoke", response_model=None)
async def revoke_token(request: Request, token_id: int, session: SessionDep, principal: ViewerDep) -> Response:
    await auth.posted(request)
    tokens.revoke_personal(session, _person(principal), token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sign-ins/{sign_in_id:int}/end", response_model=None)
async def end_sign_in(request: Request, sign_in_id: int, session: SessionDep, principal: ViewerDep) -> Response:
    await auth.posted(request)
    signins.end(session, sign_in_id, _person(principal))
    return RedirectResponse("/account", status_code=303)
