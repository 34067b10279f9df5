"""/api/sessions: the browsers signed in through single sign-on, and ending them (revocation)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.services import signins
from app.storage.tables import as_utc

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class PersonOut(BaseModel):
    name: str
    email: str


class SessionOut(BaseModel):
    id: int
    person: PersonOut
    created_at: dt.datetime
    seen_at: dt.datetime  # to within a minute
    administrator: bool  # through the provider's administrators' group


class SessionList(BaseModel):
    sessions: list[SessionOut]


@router.get("", response_model=SessionList)
def list_sessions(session: SessionDep, services: ServicesDep, caller: CallerDep) -> SessionList:
    """Live sign-ins: everyone's for an administrator, one's own for a personal token."""
    found = signins.listed(session, caller, services.settings)
    return SessionList(
        sessions=[
            SessionOut(
                id=row.id,
                person=PersonOut(name=person.name, email=person.email),
                created_at=as_utc(row.created_at),
                seen_at=as_utc(row.seen_at),
                administrator=row.admin_group,
            )
            for row, person in found
        ]
    )


@router.delete("/{sign_in_id}", status_code=204)
def end_session(session: SessionDep, caller: CallerDep, sign_in_id: int = Path(ge=1, le=2**62)) -> Response:
    """End a sign-in: the browser holding it is signed out on its next request."""
    signins.end(session, sign_in_id, caller)
    return Response(status_code=204)
