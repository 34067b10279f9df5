"""What the API and the viewer share as HTTP entrypoints: the services, and a request's one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.services.context import Services
from app.services.urls import public_base
from app.storage.db import transaction
from app.storage.graphs import SAVED

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(request: Request) -> Iterator[Session]:
    """The request's transaction: committed when the route returns, rolled back when it raises.

    Nothing below this commits. A GET reads one snapshot of the database from start to end.
    """
    services = get_services(request)
    with transaction(services.sessions, write=request.method not in READS) as session:
        yield session
    for row, revision, graph in session.info.get(SAVED, ()):
        services.graphs.prime(row, revision, graph)


# scope="function": the commit runs before the response is sent, so a failed commit is the
# client's error response, never a 2xx for a write that did not happen.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def public_base_url(request: Request) -> str:
    """Where clients reach this service, for the links a page or an answer hands out (`urls.public_base`)."""
    settings = get_services(request).settings
    return public_base(settings.public_url, request.url.scheme, request.scope.get("server"))
