"""Who is looking at the viewer, and proof that a form was sent from our own page.

Signing in keeps the API token in an HttpOnly, SameSite=Strict cookie: scripts on the page
cannot read it and other sites cannot send it. Every form also carries a CSRF value that must
equal a second cookie of the same kind (double submit), and a cross-origin Origin is refused.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response

from app.http import SessionDep
from app.services import access
from app.services.access import Caller

TOKEN_COOKIE = "betgraph_token"  # noqa: S105 - a cookie name, not a secret
CSRF_COOKIE = "betgraph_csrf"
MAX_AGE = 30 * 24 * 3600


class CsrfError(Exception):
    pass


def viewer(request: Request, session: SessionDep) -> Caller | None:
    token = request.cookies.get(TOKEN_COOKIE)
    who = access.caller(session, token) if token else None
    # A revoked token reads as signed out. Kept on the request so every page's header knows.
    request.state.viewer = who
    return who


ViewerDep = Annotated[Caller | None, Depends(viewer)]


def csrf_value(request: Request) -> str:
    """The visitor's CSRF value; a new one is remembered on the request for `remember_csrf`."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if not value:
        value = secrets.token_urlsafe(24)
        request.state.csrf = value
    return str(value)


def remember_csrf(request: Request, response: Response) -> None:
    fresh = getattr(request.state, "csrf", None)
    if fresh and not request.cookies.get(CSRF_COOKIE):
        _cookie(request, response, CSRF_COOKIE, fresh)


def check_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, sent):
        raise CsrfError("the form expired or came from another site; reload the page and try again")
    origin = request.headers.get("origin")
    ours = {str(request.base_url).rstrip("/"), request.app.state.services.settings.public_url}
    if origin and origin != "null" and origin.rstrip("/") not in ours:
        raise CsrfError("the form came from another site")


def sign_in(request: Request, response: Response, token: str) -> None:
    _cookie(request, response, TOKEN_COOKIE, token)


def sign_out(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/")


def _cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
