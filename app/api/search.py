"""/api/search: bets and assumptions found by their words, over the graphs the caller may read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.deps import CallerDep, SessionDep
from app.services import search as service

router = APIRouter(prefix="/api/search", tags=["search"])


class SearchItem(BaseModel):
    graph: str
    graph_title: str
    kind: Literal["bet", "assumption"]
    id: str
    bet_kind: str | None = None  # vision, strategy, goal, …
    title: str  # an assumption's statement
    snippet: str | None = None  # the description around a word found
    url: str  # the viewer, opened on the item
    score: float  # higher is better, within one answer


class SearchOut(BaseModel):
    query: str
    items: list[SearchItem]


@router.get("", response_model=SearchOut)
def search(
    session: SessionDep,
    caller: CallerDep,
    q: Annotated[str, Query(description="words; the last may be the start of one")],
    graph: Annotated[str | None, Query(max_length=63, description="only this graph (its slug)")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = 20,
) -> SearchOut:
    """The bets and assumptions whose title, statement, description, owner, team or tags hold every
    word of `q`, best first: title and statement weigh most, then the description."""
    found = service.search(session, caller, q, graph=graph, limit=limit)
    items = [SearchItem.model_validate(result, from_attributes=True) for result in found]
    return SearchOut(query=q.strip(), items=items)
