"""Finding bets and assumptions by their words, over the graphs the caller may read: for the API and the viewer.

Which graphs: the public ones and those `access.listable` names; a token for one graph only
that one (even public others are hidden from it, as `access.role` says); `graph` narrows to one
slug, refused as `access.read_graph` refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.services import access
from app.services.access import Caller
from app.services.errors import InvalidParameterError
from app.services.urls import ViewState
from app.storage import search as storage

MAX_QUERY = 200  # characters: a search box's worth; past it a query is refused, not cut
MAX_LIMIT = 100
SNIPPET = 160  # characters of a description shown around the first word found


@dataclass(frozen=True, slots=True)
class Result:
    graph: str
    graph_title: str
    kind: Literal["bet", "assumption"]
    id: str
    bet_kind: str | None  # vision, goal, …
    title: str  # an assumption's statement
    snippet: str | None  # the part of the description around a word searched for
    url: str  # the viewer, opened on it
    score: float  # higher is better; comparable only within one answer


def check_query(query: str) -> str:
    """The query as searched, or why it cannot be."""
    if not query.strip():
        raise InvalidParameterError("q", "say what to look for: `q` is empty")
    if len(query) > MAX_QUERY:
        raise InvalidParameterError("q", f"`q` is over {MAX_QUERY} characters")
    return query.strip()


def search(
    session: Session, who: Caller | None, query: str, *, graph: str | None = None, limit: int = 20
) -> list[Result]:
    """The bets and assumptions that hold every word of `query` (its last word as a prefix), best first."""
    query = check_query(query)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameterError("limit", f"`limit` is from 1 to {MAX_LIMIT}")
    only: int | None = None
    visible_to = access.listable(session, who)
    if graph is not None:
        only, visible_to = access.read_graph(session, graph, who).row.id, "all"
    elif who is not None and who.graph_id is not None:
        only, visible_to = who.graph_id, "all"
    words = storage.words(query)
    hits = storage.find(session, words, visible_to=visible_to, graph_id=only, limit=limit)
    return [
        Result(
            graph=hit.graph,
            graph_title=hit.graph_title,
            kind=hit.section,
            id=hit.item_id,
            bet_kind=hit.kind,
            title=hit.title,
            snippet=snippet(hit.description, words),
            url=ViewState(focus=hit.item_id).path(hit.graph),
            score=hit.score,
        )
        for hit in hits
    ]


def snippet(text: str, words: list[str]) -> str | None:
    """The description around the first word searched for that it holds (or its start), if it has one."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET:
        return text or None
    starts = [found.start() for word in words if (found := re.search(re.escape(word), text, re.IGNORECASE))]
    start = min(max(0, min(starts, default=0) - SNIPPET // 3), len(text) - SNIPPET)
    if start:  # begin at a word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = text[start : start + SNIPPET]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(text) else "")
