"""Single sign-on routes: /auth/login, /auth/callback and /auth/logout (`app.services.signins` decides)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.http import ServicesDep, SessionDep
from app.services import signins
from app.services.context import Services
from app.services.oidc import Provider, ProviderError, SignInError
from app.web import auth
from app.web.auth import ViewerDep
from app.web.refusals import PageError, PageRoute
from app.web.signin import local

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _provider(services: Services) -> Provider:
    if services.provider is None:
        raise PageError(404, "Single sign-on is not set up", "Sign in with a token instead.")
    return services.provider


@router.get("/auth/login", response_model=None)
def login(request: Request, services: ServicesDep, next: str = "/") -> Response:
    if services.provider is None:
        return RedirectResponse(f"/signin?next={quote(local(next))}", status_code=307)
    try:
        started = signins.begin(services.sessions, services.provider, local(next))
    except ProviderError as error:
        raise _unavailable(error) from None
    response = RedirectResponse(started.url, status_code=303)
    auth.remember_login(request, response, started.state, signins.PENDING_SECONDS)
    return response


@router.get("/auth/callback", response_model=None)
def callback(
    request: Request,
    services: ServicesDep,
    state: str = "",
    code: str = "",
    iss: str = "",
    error: str = "",
) -> Response:
    provider = _provider(services)
    try:
        finished = signins.finish(
            services.sessions,
            provider,
            services.settings,
            state=state[:500],
            kept_state=request.cookies.get(auth.LOGIN_COOKIE, "")[:500],
            code=code[:2000],
            error=error,
            issuer=iss[:500],
        )
    except SignInError as refused:
        forgotten = Response()
        auth.forget_login(forgotten)  # a page error carries headers, not a response to delete it on
        words = f"{str(refused)[:1].upper()}{str(refused)[1:]}."
        raise PageError(400, "You are not signed in", words, {"Set-Cookie": forgotten.headers["set-cookie"]}) from None
    except ProviderError as failed:
        raise _unavailable(failed) from None
    response = RedirectResponse(finished.next, status_code=303)
    auth.forget_login(response)
    auth.start_session(request, response, finished.secret, services.settings.session_max)
    return response


@router.post("/auth/logout", response_model=None)
def logout(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    principal: ViewerDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Sign out here and, where the provider offers it, there too (RP-initiated logout)."""
    auth.check_csrf(request, csrf)
    target = "/"
    if principal is not None and principal.sign_in_id is not None:
        hint = signins.id_token(session, principal.sign_in_id)
        signins.end(session, principal.sign_in_id, principal)
        if services.provider is not None:
            home = f"{services.settings.public_url}/"
            target = services.provider.logout_url(hint, home) or "/"
    response = RedirectResponse(target, status_code=303)
    auth.sign_out(response)
    return response


def _unavailable(error: ProviderError) -> PageError:
    return PageError(
        503, "The sign-in provider did not answer", f"{error}. Try again in a minute.", {"Retry-After": "30"}
    )
