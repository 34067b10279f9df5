"""/api/graphs/{slug}/members: who may read, edit or own a private graph."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CallerDep, SessionDep
from app.services import access, people
from app.services.errors import NotFoundError, UnauthenticatedError

router = APIRouter(prefix="/api/graphs/{slug}/members", tags=["members"])


class MemberOut(BaseModel):
    email: str
    name: str
    role: str  # viewer, editor or owner


class MemberList(BaseModel):
    graph: str
    items: list[MemberOut]


class MemberIn(BaseModel):
    role: str = Field(max_length=16, description="viewer, editor or owner")


def _out(member: people.Member) -> MemberOut:
    return MemberOut(email=member.email, name=member.name, role=member.role)


@router.get("", response_model=MemberList)
def list_members(slug: str, session: SessionDep, caller: CallerDep) -> MemberList:
    """The graph's members, for anyone who may read it with a token (addresses are not for every
    anonymous reader of a public graph)."""
    row = access.read_graph(session, slug, caller).row
    if caller is None:
        raise UnauthenticatedError("listing members needs a token")
    return MemberList(graph=slug, items=[_out(member) for member in people.members(session, row)])


@router.put("/{email}", response_model=MemberOut, responses={201: {"description": "a new member"}})
def put_member(
    slug: str, email: str, body: MemberIn, response: Response, session: SessionDep, caller: CallerDep
) -> MemberOut:
    """Give the person at `email` a role on the graph (they need not have signed in yet)."""
    row = access.manage_members(session, slug, caller)
    member, new = people.set_member(session, row, email, body.role)
    if new:
        response.status_code = 201
    return _out(member)


@router.delete("/{email}", status_code=204)
def delete_member(slug: str, email: str, session: SessionDep, caller: CallerDep) -> Response:
    """Take the person at `email` off the graph: from their next request on, they have only what
    BETGRAPH_DEFAULT_ROLE gives."""
    row = access.manage_members(session, slug, caller)
    if not people.remove_member(session, row, email):
        raise NotFoundError(f"{email[:80]!r} is not a member of graph {slug!r}")
    return Response(status_code=204)
