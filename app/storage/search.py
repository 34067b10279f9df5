"""The search index: each current bet and assumption, in the words a search finds it by.

`search_entries` holds one row per item as it stands now (never its history). `save_graph`
calls `reindex` inside its transaction with only the items it ended or wrote, so every write
path (the API, the viewer's forms, the CLI) keeps it current, and a graph's deletion takes its
rows with it (a cascade). Each database indexes the rows its own way (migration 0009): SQLite an
FTS5 table, PostgreSQL a weighted `tsvector` column with a GIN index. The dialects differ only
in `find`'s match and rank; the match expression is built here from words, never from the
text as typed, so nothing a person types can be read as query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from app.storage.tables import GraphRow, GraphVersionRow, SearchRow

Section = Literal["bet", "assumption"]

# Words as both databases' tokenizers cut them (letters and digits; `_` and punctuation separate).
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 10
MAX_WORD = 64  # no word of ours is longer; a longer one finds nothing anyway
# Matches ranked at most: past it, the best of the most recently written (see `find`).
WINDOW = 1000


def words(query: str) -> list[str]:
    """The words of what a person typed, at most MAX_WORDS of them."""
    return [word[:MAX_WORD] for word in _WORD.findall(query)[:MAX_WORDS]]


def fts5_match(found: Sequence[str]) -> str:
    """Every word, each a quoted FTS5 string (so `NEAR`, `OR`, `-`, `*` are only words); the last
    one a prefix, as a search box is typed."""
    quoted = ['"' + word.replace('"', '""') + '"' for word in found]
    return " ".join(quoted) + "*"


def tsquery(found: Sequence[str]) -> str:
    """The same for PostgreSQL's `to_tsquery`: quoted lexemes joined by `&`, the last a prefix."""
    quoted = ["'" + word.replace("'", "''").replace("\\", "\\\\") + "'" for word in found]
    return " & ".join(quoted) + ":*"


def entry(section: Section, data: dict[str, Any]) -> dict[str, Any]:
    """An item's document data (`app.formats.writing`) as its search row's columns."""
    if section == "assumption":
        return {
            "item_id": data["id"],
            "kind": None,
            "title": data["statement"],
            "description": "",
            "people": "",
            "tags": "",
        }
    people = " ".join(part for part in (data.get("owner"), data.get("team")) if part)
    return {
        "item_id": data["id"],
        "kind": data["kind"],
        "title": data["title"],
        "description": data.get("description", ""),
        "people": people,
        "tags": " ".join(data.get("tags", [])),
    }


def reindex(
    session: Session, graph_id: int, section: Section, *, ended: Sequence[str], written: Iterable[dict[str, Any]]
) -> None:
    """Drop the rows of the items a write `ended` (removed or changed) and add those it `written`."""
    for start in range(0, len(ended), 500):  # stay under SQLite's bound-parameter limit
        session.execute(
            delete(SearchRow).where(
                SearchRow.graph_id == graph_id,
                SearchRow.section == section,
                SearchRow.item_id.in_(ended[start : start + 500]),
            )
        )
    rows = [{"graph_id": graph_id, "section": section, **entry(section, data)} for data in written]
    if rows:
        session.execute(insert(SearchRow), rows)


_FTS = table("search_fts", column("rowid"))


@dataclass(frozen=True, slots=True)
class Hit:
    graph: str  # its slug
    graph_title: str
    section: Section
    item_id: str
    kind: str | None
    title: str
    description: str
    score: float  # higher is better


def find(
    session: Session,
    found: Sequence[str],
    *,
    visible_to: Sequence[int] | Literal["all"] = "all",
    graph_id: int | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The items that hold every word in `found` (the last as a prefix), best first.

    Exact when at most WINDOW items match; when more do (a word nearly everything holds), the
    best of the WINDOW most recently written: search is for finding an item by its words, and
    a word that common finds nothing in particular, so bounding its cost beats ranking it all.

    `visible_to` is "all", or the ids of the graphs searched besides the public ones; `graph_id`
    narrows to that one graph.
    """
    if not found:
        return []
    # Ranking is the cost of a common word: every match's score is computed before the best are
    # known, so a word in 20,000 items cost ~15 ms on SQLite and ~30 ms on PostgreSQL. Only the
    # WINDOW most recently written matches are ranked: both indexes walk matches by id, newest
    # first, and stop there. Which graphs may be searched is one small set, not a join per
    # match, and the graphs' names and titles are joined to the best `limit` alone.
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        query: BindParameter[str] = bindparam("tsquery", tsquery(found))
        words = func.to_tsquery(literal_column("'simple'::regconfig"), query)
        document: ColumnElement[Any] = literal_column("search_entries.document")
        score: ColumnElement[Any] = func.ts_rank_cd(document, words)
        newest: ColumnElement[Any] = SearchRow.__table__.c.id
        window = select(SearchRow.id, score.label("score")).where(document.op("@@")(words))
    else:
        # bm25 is lower for better matches. It weighs a word's count in each column and then
        # saturates it (at most 2.2 a word, k1 = 1.2), so weights only a few apart let a short
        # description outrank a long title: orders of magnitude apart, a title match stays above
        # a description match, and that above owner, team and tags, up to documents ~25 times
        # the average length; within a column, bm25 decides.
        score = -func.bm25(literal_column("search_fts"), 100000.0, 300.0, 1.0, 1.0)
        matched = literal_column("search_fts").op("MATCH")(bindparam("match", fts5_match(found)))
        newest = _FTS.c.rowid
        window = select(_FTS.c.rowid.label("id"), score.label("score")).select_from(_FTS).where(matched)
        if graph_id is not None or visible_to != "all":  # the FTS table knows no graphs
            window = window.join(SearchRow, SearchRow.id == _FTS.c.rowid)
    if graph_id is not None:
        # Newest first over every graph would walk the newer graphs' matches first: the graph's
        # own range of ids takes the index straight to them.
        ids = select(SearchRow.id).where(SearchRow.graph_id == graph_id)
        lowest, highest = ids.order_by(SearchRow.id).limit(1), ids.order_by(SearchRow.id.desc()).limit(1)
        window = window.where(
            newest.between(lowest.scalar_subquery(), highest.scalar_subquery()), SearchRow.graph_id == graph_id
        )
    if visible_to != "all":
        shown = select(GraphVersionRow.graph_id).where(
            GraphVersionRow.valid_to.is_(None),
            or_(GraphVersionRow.visibility == "public", GraphVersionRow.graph_id.in_(visible_to)),
        )
        window = window.where(SearchRow.graph_id.in_(shown))
    matches = window.order_by(newest.desc()).limit(WINDOW).subquery()
    ranked = (
        select(matches.c.id, matches.c.score).order_by(matches.c.score.desc(), matches.c.id).limit(limit).subquery()
    )
    statement = (
        select(
            GraphRow.slug,
            GraphVersionRow.title,
            SearchRow.section,
            SearchRow.item_id,
            SearchRow.kind,
            SearchRow.title,
            SearchRow.description,
            ranked.c.score,
        )
        .select_from(ranked)
        .join(SearchRow, SearchRow.id == ranked.c.id)
        .join(GraphRow, GraphRow.id == SearchRow.graph_id)
        .join(GraphVersionRow, and_(GraphVersionRow.graph_id == GraphRow.id, GraphVersionRow.valid_to.is_(None)))
        .order_by(ranked.c.score.desc(), GraphRow.slug, SearchRow.section, SearchRow.item_id)
    )
    return [
        Hit(slug, graph_title, section, item_id, kind, title, description, float(rank))
        for slug, graph_title, section, item_id, kind, title, description, rank in session.execute(statement)
    ]
