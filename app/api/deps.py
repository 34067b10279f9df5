"""Request dependencies: who is asking; the services and the transaction come from `app.http`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.http import ServicesDep, SessionDep, get_services
from app.services import access
from app.services.access import Caller
from app.services.errors import UnauthenticatedError

__all__ = ["CallerDep", "ServicesDep", "SessionDep", "bearer", "get_services", "tag_matches"]


def tag_matches(header: str | None, tag: str) -> bool:
    """Whether an If-Match or If-None-Match header names `tag` (or is `*`)."""
    if header is None:
        return False
    return header.strip() == "*" or tag in [part.strip().removeprefix("W/") for part in header.split(",")]


def bearer(request: Request, session: Session) -> Caller | None:
    """Who the Authorization header names; None without one, 401 for one that names nobody."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError("use `Authorization: Bearer <token>`")
    found = access.caller(session, token.strip(), default_role=get_services(request).settings.default_role)
    if found is None:
        raise UnauthenticatedError("the token is unknown or revoked")
    return found


def get_caller(request: Request, session: SessionDep) -> Caller | None:
    return bearer(request, session)


CallerDep = Annotated[Caller | None, Depends(get_caller)]
