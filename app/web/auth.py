"""Who is looking at the viewer, what they may do with a graph, and proof that a form was sent from our own page.

A person signed in through the OpenID provider holds a session cookie naming a server-side
sign-in (`app.services.signins`); without single sign-on, signing in keeps an API token in a
cookie instead. Both are HttpOnly: scripts on the page cannot read them. The token's cookie is
SameSite=Strict; the session's is Lax, because the provider sends the browser back from another
site and a link from a wiki should open the viewer signed in. Every form carries a CSRF value
that must equal a cookie of its own (double submit), and a cross-origin Origin is refused.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Literal

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from app.http import READS, SessionDep
from app.services import access, signins
from app.services.access import Caller
from app.storage.tables import GraphRow

TOKEN_COOKIE = "betgraph_token"  # noqa: S105 - a cookie name, not a secret
SESSION_COOKIE = "betgraph_session"
LOGIN_COOKIE = "betgraph_login"  # the state this browser was sent to the provider with
CSRF_COOKIE = "betgraph_csrf"
MAX_AGE = 30 * 24 * 3600


class CsrfError(Exception):
    pass


def viewer(request: Request, session: SessionDep) -> Caller | None:
    services = request.app.state.services
    who: Caller | None = None
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        found = signins.caller(session, secret, services.settings)
        if found is not None:
            who = found.who
            writes = request.method not in READS  # the request's transaction is a write already
            signins.seen(services.sessions, who, found.seen, within=session if writes else None)
            request.state.person = found.name
    token = request.cookies.get(TOKEN_COOKIE)
    if who is None and token:
        who = access.caller(session, token, default_role=services.settings.default_role)
    # An ended sign-in or a revoked token reads as signed out. Kept on the request so every page's header knows.
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


def start_session(request: Request, response: Response, secret: str, max_age: float) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/")  # one way of being signed in at a time
    _cookie(request, response, SESSION_COOKIE, secret, max_age=int(max_age), samesite="lax")


def remember_login(request: Request, response: Response, state: str, max_age: int) -> None:
    """The state a sign-in left for the provider with. Lax: the provider sends the browser back
    from its own site, by a top-level GET; only the callback needs it."""
    _cookie(request, response, LOGIN_COOKIE, state, max_age=max_age, samesite="lax", path="/auth")


def forget_login(response: Response) -> None:
    response.delete_cookie(LOGIN_COOKIE, path="/auth")


def sign_out(response: Response) -> None:
    for name in (TOKEN_COOKIE, SESSION_COOKIE):
        response.delete_cookie(name, path="/")


def _cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int = MAX_AGE,
    samesite: Literal["lax", "strict"] = "strict",
    path: str = "/",
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite=samesite,
        secure=secure(request),
    )


def secure(request: Request) -> bool:
    """Whether cookies get `Secure`: over HTTPS, or behind a proxy whose public address is HTTPS."""
    return request.url.scheme == "https" or request.app.state.services.settings.public_url.startswith("https://")
