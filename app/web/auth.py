"""Who is looking at the viewer, what they may do with a graph, and proof that a form was sent from our own page.

Signing in keeps the API token in an HttpOnly, SameSite=Strict cookie: scripts on the page
cannot read it and other sites cannot send it. Every form also carries a CSRF value that must
equal a second cookie of the same kind (double submit), and a cross-origin Origin is refused.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from app.http import SessionDep
from app.services import access
from app.services.access import Caller
from app.storage.tables import GraphRow

TOKEN_COOKIE = "betgraph_token"  # noqa: S105 - a cookie name, not a secret
CSRF_COOKIE = "betgraph_csrf"
MAX_AGE = 30 * 24 * 3600


class CsrfError(Exception):
    pass


def viewer(request: Request, session: SessionDep) -> Caller | None:
    token = request.cookies.get(TOKEN_COOKIE)
    default_role = request.app.state.services.settings.default_role
    who = access.caller(session, token, default_role=default_role) if token else None
    # A revoked token reads as signed out. Kept on the request so every page's header knows.
    request.state.viewer = who
    return who


ViewerDep = Annotated[Caller | None, Depends(viewer)]


def readable(session: Session, slug: str, who: Caller | None) -> GraphRow:
    return access.read_graph(session, slug, who).row


def writable(session: Session, slug: str, who: Caller | None, *, lock: bool = True) -> tuple[GraphRow, Caller]:
    """The graph and its writer, if `who` may write it: locked (`access.write_graph`) for a form that
    writes it now, not for a page that only offers to.

    Read first, unlike the API: whoever may not see the graph is answered as its page would answer
    them (not found, or sign in to see it), not asked to sign in to edit.
    """
    row = readable(session, slug, who)
    if not lock:
        return row, access.check_writer(session, who, slug, row)
    return access.write_graph(session, slug, who)


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


async def posted(request: Request) -> dict[str, str]:
    """A form's fields, once its CSRF value shows that it was sent from our own page."""
    data = await request.form()
    values = {key: value for key, value in data.items() if isinstance(value, str)}
    check_csrf(request, values.get("csrf", ""))
    return values


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
