"""Signing in and out of the viewer, and choosing its theme."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.http import SessionDep
from app.services import access
from app.web import auth
from app.web.pages import page
from app.web.refusals import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "signin.html", {"next": local(next), "error": ""})


@router.post("/signin", response_class=HTMLResponse, response_model=None)
def signin(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    auth.check_csrf(request, csrf)
    if access.caller(session, token.strip()) is None:
        return page(request, "signin.html", {"next": local(next), "error": "That token is unknown or revoked."}, 401)
    response = RedirectResponse(local(next), status_code=303)
    auth.sign_in(request, response, token.strip())
    return response


@router.post("/signout", response_model=None)
def signout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    auth.check_csrf(request, csrf)
    response = RedirectResponse("/", status_code=303)
    auth.sign_out(response)
    return response


@router.post("/theme", response_model=None)
def choose_theme(
    request: Request,
    theme: Annotated[Literal["light", "dark"], Form()],
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    auth.check_csrf(request, csrf)
    response = RedirectResponse(local(next), status_code=303)
    response.set_cookie("betgraph_theme", theme, max_age=auth.MAX_AGE, path="/", samesite="strict", httponly=True)
    return response


def local(target: str) -> str:
    # Only paths of this site: a link that signs someone in must not send them elsewhere.
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
