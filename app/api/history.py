"""/api/graphs/{slug}/revisions and /diff: what changed, when, by whom and why."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.domain.diff import diff, diff_data
from app.services import access
from app.services.access import Caller
from app.services.errors import NotFoundError
from app.services.moments import DESCRIPTION, check_revision, parse_moment, resolve_span
from app.services.revisions import changes_of, shown_author
from app.storage import history

# Beyond what a database integer holds, a number names no revision (and would not fit a query).
MAX_REVISION = 2**31 - 1

router = APIRouter(prefix="/api/graphs/{slug}", tags=["history"])


class PersonOut(BaseModel):
    name: str
    email: str


class Who(BaseModel):
    token_id: int | None  # None: the person's token was deleted since
    label: str
    person: PersonOut | None = None  # who wrote it, when a person did (through a personal token)


class RevisionOut(BaseModel):
    number: int
    created_at: dt.datetime
    who: Who | None  # None: written without a token (`betgraph import`), or its token was deleted
    reason: str | None
    created: bool  # the revision that created the graph
    changes: dict[str, Any]


class RevisionList(BaseModel):
    graph: str
    head: int
    items: list[RevisionOut]
    next: int | None  # pass as ?before= for the next (older) page


def _out(revision: history.Revision, caller: Caller | None) -> RevisionOut:
    stored = revision.changes
    author = shown_author(revision.author, caller)
    who = None
    if author is not None:
        person = author.person
        named = PersonOut(name=person.name, email=person.email) if person is not None else None
        who = Who(token_id=author.token_id, label=author.label, person=named)
    return RevisionOut(
        number=revision.number,
        created_at=revision.created_at,
        who=who,
        reason=revision.reason,
        created=bool(stored.get("created")),
        changes=changes_of(stored),
    )


@router.get("/revisions", response_model=RevisionList)
def list_revisions(
    slug: str,
    session: SessionDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_REVISION, description="only revisions older than this number")
    ] = None,
) -> RevisionList:
    """The graph's revisions, newest first."""
    row = access.read_graph(session, slug, caller).row
    found = history.list_revisions(session, row, before=before, limit=limit + 1)
    items = [_out(revision, caller) for revision in found[:limit]]
    return RevisionList(graph=slug, head=row.head, items=items, next=items[-1].number if len(found) > limit else None)


@router.get("/revisions/{number}", response_model=RevisionOut)
def get_revision(
    slug: str, number: Annotated[int, Path(ge=1, le=MAX_REVISION)], session: SessionDep, caller: CallerDep
) -> RevisionOut:
    row = access.read_graph(session, slug, caller).row
    found = history.get_revision(session, row, check_revision(row, number))
    if found is None:  # written, but gone since: only the graph's own deletion takes revisions with it
        raise NotFoundError(f"graph {slug!r} has no revision {number}")
    return _out(found, caller)


@router.get("/diff")
def diff_graph(
    slug: str,
    services: ServicesDep,
    session: SessionDep,
    caller: CallerDep,
    since: Annotated[str, Query(alias="from", max_length=64, description=DESCRIPTION)],
    until: Annotated[
        str | None, Query(alias="to", max_length=64, description=f"{DESCRIPTION}; the head if left out")
    ] = None,
) -> dict[str, Any]:
    """What changed between two revisions (or moments): added, removed, re-parented, field by field."""
    start, end = parse_moment(since, "from"), parse_moment(until, "to") if until is not None else None
    row = access.read_graph(session, slug, caller).row
    before, after = resolve_span(session, row, start, end)
    graphs = services.graphs
    found = diff(graphs.get(session, row, before).graph, graphs.get(session, row, after).graph)
    return {"graph": slug, "from": before, "to": after, **diff_data(found)}
