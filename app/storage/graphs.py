"""Reading and writing graphs as versions over revisions. These functions never commit.

Rows are converted to and from the document form (`app.formats.document`), so the database
holds exactly what a document can say, and a graph read back validates like a file would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.domain.diff import created_data, diff, diff_data
from app.domain.model import Graph
from app.formats.document import graph_from_data
from app.formats.schema import FORMAT_VERSION
from app.formats.writing import assumption_to_data, bet_to_data, header_to_data
from app.storage import search, webhooks
from app.storage.changes import touch
from app.storage.tables import (
    AssumptionVersionRow,
    BetAssumptionRow,
    BetParentRow,
    BetVersionRow,
    EvidenceRow,
    GraphRow,
    GraphVersionRow,
    RevisionRow,
    WebhookRow,
    utcnow,
)

R = TypeVar("R")
SAVED = "betgraph_saved"  # session.info: [(graph row, revision, graph)] written in the transaction


class ConflictError(Exception):
    """The graph is not at the revision the writer expected (If-Match), or was created and deleted
    by someone else while this write waited for it."""


@dataclass(frozen=True, slots=True)
class Replaced:
    """The items (of one section) whose stored versions a write ends or adds."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Saved:
    revision: int  # the graph's head after the write
    created: bool
    changed: bool


def get_graph_row(session: Session, slug: str) -> GraphRow | None:
    return session.scalar(select(GraphRow).where(GraphRow.slug == slug))


def lock_graph_row(session: Session, slug: str) -> GraphRow | None:
    """The graph's row, locked until the transaction ends: writers to one graph queue here.

    Read afresh even when the session holds the row already, since the writer before us may
    have moved its head while we waited for the lock.
    """
    query = select(GraphRow).where(GraphRow.slug == slug).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _alive(
    graph_id: int, at: int, table: type[GraphVersionRow | BetVersionRow | AssumptionVersionRow]
) -> ColumnElement[bool]:
    return and_(
        table.graph_id == graph_id,
        table.valid_from <= at,
        or_(table.valid_to.is_(None), table.valid_to > at),
    )


def graph_data(session: Session, row: GraphRow, revision: int | None = None) -> dict[str, Any]:
    """The graph's document at a revision (its head by default), as plain data."""
    at = row.head if revision is None else revision
    header = session.scalars(select(GraphVersionRow).where(_alive(row.id, at, GraphVersionRow))).one()
    bets = session.scalars(
        select(BetVersionRow)
        .where(_alive(row.id, at, BetVersionRow))
        .options(selectinload(BetVersionRow.parents), selectinload(BetVersionRow.assumes))
    ).all()
    assumptions = session.scalars(
        select(AssumptionVersionRow)
        .where(_alive(row.id, at, AssumptionVersionRow))
        .options(selectinload(AssumptionVersionRow.evidence))
    ).all()
    order = header.ordering
    head: dict[str, Any] = {"slug": row.slug, "title": header.title, "visibility": header.visibility}
    _put(head, "description", header.description)
    _put(head, "as_of", header.as_of)
    _put(head, "lint", header.lint)
    return {
        "betgraph": FORMAT_VERSION,
        "graph": head,
        "bets": [_bet_data(b) for b in _in_order(bets, order.get("bets", []), lambda b: b.bet_id)],
        "assumptions": [
            _assumption_data(a) for a in _in_order(assumptions, order.get("assumptions", []), lambda a: a.assumption_id)
        ],
    }


def _in_order(rows: Sequence[R], order: Sequence[str], key: Callable[[R], str]) -> list[R]:
    rank = {item: index for index, item in enumerate(order)}
    return sorted(rows, key=lambda row: (rank.get(key(row), len(rank)), key(row)))


def load_graph(session: Session, row: GraphRow, revision: int | None = None) -> Graph:
    return graph_from_data(graph_data(session, row, revision))


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        target[key] = value


def _bet_data(row: BetVersionRow) -> dict[str, Any]:
    data: dict[str, Any] = {"id": row.bet_id, "kind": row.kind, "title": row.title, "status": row.status}
    for key in (
        "description",
        "horizon",
        "certainty",
        "prescriptiveness",
        "debate",
        "review_by",
        "owner",
        "team",
        "rank",
    ):
        _put(data, key, getattr(row, key))
    _put(data, "parents", [link.parent_id for link in row.parents])
    _put(data, "assumes", [link.assumption_id for link in row.assumes])
    for key in ("tags", "links", "metric", "verdict", "learned"):
        _put(data, key, getattr(row, key))
    _put(data, "resolution", _resolution_data(row))
    return data


def _resolution_data(row: BetVersionRow | AssumptionVersionRow) -> dict[str, Any] | None:
    if row.resolution_verdict is None:
        return None
    data: dict[str, Any] = {"verdict": row.resolution_verdict}
    _put(data, "learned", row.resolution_learned)
    _put(data, "committed_certainty", row.resolution_certainty)
    _put(data, "resolved_on", row.resolved_on)
    return data


def _resolution_columns(data: dict[str, Any]) -> dict[str, Any]:
    resolution = data.get("resolution") or {}
    return {
        "resolution_verdict": resolution.get("verdict"),
        "resolution_learned": resolution.get("learned"),
        "resolution_certainty": resolution.get("committed_certainty"),
        "resolved_on": resolution.get("resolved_on"),
    }


def _assumption_data(row: AssumptionVersionRow) -> dict[str, Any]:
    data: dict[str, Any] = {"id": row.assumption_id, "statement": row.statement}
    for key in ("certainty", "importance", "category", "debate", "review_by"):
        _put(data, key, getattr(row, key))
    evidence = []
    for item in row.evidence:
        entry: dict[str, Any] = {"kind": item.kind, "summary": item.summary, "direction": item.direction}
        for key in ("level", "url", "date"):
            _put(entry, key, getattr(item, key))
        evidence.append(entry)
    _put(data, "evidence", evidence)
    _put(data, "resolution", _resolution_data(row))
    return data


def _bet_row(graph_id: int, number: int, data: dict[str, Any]) -> BetVersionRow:
    prescriptiveness = data.get("prescriptiveness")
    return BetVersionRow(
        graph_id=graph_id,
        bet_id=data["id"],
        valid_from=number,
        kind=data["kind"],
        title=data["title"],
        description=data.get("description", ""),
        horizon=data.get("horizon"),
        certainty=data.get("certainty"),
        # stored as its number (1-5); the document's name is a view of it
        prescriptiveness=_PRESCRIPTIVENESS.get(prescriptiveness, prescriptiveness) if prescriptiveness else None,
        debate=data.get("debate"),
        review_by=data.get("review_by"),
        status=data.get("status", "proposed"),
        owner=data.get("owner"),
        team=data.get("team"),
        rank=data.get("rank"),
        tags=list(data.get("tags", [])),
        links=list(data.get("links", [])),
        metric=_json(data.get("metric")),  # check-ins carry dates, which a JSON column holds as ISO text
        verdict=data.get("verdict"),
        learned=data.get("learned"),
        **_resolution_columns(data),
        parents=[BetParentRow(position=i, parent_id=p) for i, p in enumerate(data.get("parents", []))],
        assumes=[BetAssumptionRow(position=i, assumption_id=a) for i, a in enumerate(data.get("assumes", []))],
    )


_PRESCRIPTIVENESS = {"explore": 1, "opportunity": 2, "outcome": 3, "guided": 4, "prescribed": 5}


def _assumption_row(graph_id: int, number: int, data: dict[str, Any]) -> AssumptionVersionRow:
    return AssumptionVersionRow(
        graph_id=graph_id,
        assumption_id=data["id"],
        valid_from=number,
        statement=data["statement"],
        certainty=data.get("certainty"),
        importance=data.get("importance"),
        category=data.get("category"),
        debate=data.get("debate"),
        review_by=data.get("review_by"),
        **_resolution_columns(data),
        evidence=[
            EvidenceRow(
                position=i,
                kind=e["kind"],
                summary=e["summary"],
                level=e.get("level"),
                direction=e.get("direction", "supports"),
                url=e.get("url"),
                date=e.get("date"),
            )
            for i, e in enumerate(data.get("evidence", []))
        ],
    )


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Writer:
    """Who a revision is recorded as written by: a token, a person, or both (a personal token)."""

    token_id: int | None = None
    person_id: int | None = None


def save_graph(
    session: Session,
    graph: Graph,
    *,
    by: Writer | None = None,
    reason: str | None = None,
    expected_head: int | None = None,
    current: Graph | None = None,
) -> Saved:
    """Make `graph` the graph's new state, as one new revision (none when nothing changed).

    `current` is the stored graph at `expected_head` when the caller has just read it, to spare a
    second read; the head check below still refuses a write if that read is out of date.
    """
    row = lock_graph_row(session, graph.slug) or _create_row(session, graph.slug)
    created = row.head == 0  # every stored graph has at least the revision that created it
    previous: Graph | None = None
    if not created:
        previous = current if current is not None and expected_head is not None else load_graph(session, row)
    if expected_head is not None and row.head != expected_head:
        raise ConflictError(f"graph {graph.slug!r} is at revision {row.head}, not {expected_head}")

    # The revision records the same diff /diff and the viewer show (app.domain.diff): what it
    # calls no change makes no revision.
    found = diff(previous, graph) if previous is not None else None
    if found is not None and found.empty:
        return Saved(row.head, created=False, changed=False)
    before_head = _header(previous) if previous is not None else None
    after_head = _header(graph)

    number = row.head + 1
    moved = session.execute(
        update(GraphRow)
        .where(GraphRow.id == row.id, GraphRow.head == row.head)
        .values(head=number, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"graph {graph.slug!r} changed while this write was being prepared")
    row.head = number

    if after_head != before_head:  # the order of the items is kept in the header's version too
        _close(session, GraphVersionRow, row.id, number)
        session.add(
            GraphVersionRow(
                graph_id=row.id,
                valid_from=number,
                title=after_head["title"],
                description=after_head.get("description", ""),
                as_of=graph.as_of,
                visibility=after_head["visibility"],
                lint=after_head.get("lint"),
                ordering=after_head["ordering"],
            )
        )
    if found is None:
        bets = Replaced(added=tuple(bet.id for bet in graph.bets))
        assumptions = Replaced(added=tuple(a.id for a in graph.assumptions))
        changes = {"created": True, **created_data(graph)}
    else:
        bets = Replaced(found.bets_added, found.bets_removed, tuple(c.id for c in found.bets_changed))
        assumptions = Replaced(
            found.assumptions_added, found.assumptions_removed, tuple(c.id for c in found.assumptions_changed)
        )
        changes = diff_data(found)
    after_bets = {key: bet_to_data(graph.bet_by_id[key]) for key in (*bets.added, *bets.changed)}
    after_assumptions = {
        key: assumption_to_data(graph.assumption_by_id[key]) for key in (*assumptions.added, *assumptions.changed)
    }
    _replace(session, BetVersionRow.bet_id, graph_id=row.id, number=number, diff=bets, after=after_bets, make=_bet_row)
    _replace(
        session,
        AssumptionVersionRow.assumption_id,
        graph_id=row.id,
        number=number,
        diff=assumptions,
        after=after_assumptions,
        make=_assumption_row,
    )
    search.reindex(session, row.id, "bet", ended=[*bets.removed, *bets.changed], written=after_bets.values())
    search.reindex(
        session,
        row.id,
        "assumption",
        ended=[*assumptions.removed, *assumptions.changed],
        written=after_assumptions.values(),
    )
    # The person is kept with the revision: history names them even once their token is gone.
    by = by or Writer()
    session.add(
        RevisionRow(
            graph_id=row.id, number=number, token_id=by.token_id, person_id=by.person_id, reason=reason, changes=changes
        )
    )
    # In this transaction: a delivery exists exactly when the revision that caused it does.
    webhooks.enqueue_revision(session, row, number, previous=previous, graph=graph, found=found)
    session.flush()
    # For whoever owns the transaction, to use once it has committed (`SAVED`).
    session.info.setdefault(SAVED, []).append((row, number, graph))
    touch(session)
    return Saved(number, created=created, changed=True)


def _create_row(session: Session, slug: str) -> GraphRow:
    """A new graph's row, or, when another writer created it first, theirs, locked.

    On PostgreSQL the insert waits for the other writer's transaction; once it has committed the
    slug is taken, and this write queues behind it like any other.
    """
    try:
        with session.begin_nested():
            row = GraphRow(slug=slug, head=0)
            session.add(row)
            session.flush()
            return row
    except IntegrityError:
        pass
    found = lock_graph_row(session, slug)
    if found is None:  # created and deleted again meanwhile
        raise ConflictError(f"graph {slug!r} was created and deleted by someone else meanwhile")
    return found


def _header(graph: Graph) -> dict[str, Any]:
    data = {key: value for key, value in header_to_data(graph).items() if key != "slug"}
    data.setdefault("visibility", "private")
    data["ordering"] = {"bets": [bet.id for bet in graph.bets], "assumptions": [a.id for a in graph.assumptions]}
    return data


def _close(session: Session, table: type[GraphVersionRow], graph_id: int, number: int) -> None:
    session.execute(
        update(table)
        .where(table.graph_id == graph_id, table.valid_to.is_(None))
        .values(valid_to=number)
        .execution_options(synchronize_session=False)
    )


def _replace(
    session: Session,
    key: Any,
    *,
    graph_id: int,
    number: int,
    diff: Replaced,
    after: dict[str, dict[str, Any]],
    make: Callable[[int, int, dict[str, Any]], BetVersionRow | AssumptionVersionRow],
) -> None:
    """End the versions of what was removed or changed, and add versions of what is new or changed."""
    table = key.class_
    ended: Sequence[str] = [*diff.removed, *diff.changed]
    if ended:
        for start in range(0, len(ended), 500):  # stay under SQLite's bound-parameter limit
            session.execute(
                update(table)
                .where(table.graph_id == graph_id, table.valid_to.is_(None), key.in_(ended[start : start + 500]))
                .values(valid_to=number)
                .execution_options(synchronize_session=False)
            )
    session.add_all(make(graph_id, number, after[item]) for item in [*diff.added, *diff.changed])


def delete_graph(session: Session, row: GraphRow) -> None:
    touch(session)
    # Its subscriptions go with it (a foreign key), their deliveries by hand (they have none).
    webhooks.forget(session, WebhookRow.graph_id == row.id)
    session.delete(row)
    session.flush()


def header(session: Session, row: GraphRow) -> tuple[str, str, str]:
    """The graph's title, description and visibility as they stand."""
    query = select(GraphVersionRow.title, GraphVersionRow.description, GraphVersionRow.visibility).where(
        GraphVersionRow.graph_id == row.id, GraphVersionRow.valid_to.is_(None)
    )
    title, description, shown = session.execute(query).one()
    return title, description, shown


def visibility(session: Session, row: GraphRow) -> str:
    header = session.scalars(
        select(GraphVersionRow.visibility).where(GraphVersionRow.graph_id == row.id, GraphVersionRow.valid_to.is_(None))
    ).one()
    return header


def list_graphs(
    session: Session,
    *,
    slugs: Sequence[str] | None = None,
    visible_to: Sequence[int] | Literal["all"] = "all",
    after: str = "",
    limit: int = 50,
) -> list[tuple[GraphRow, GraphVersionRow]]:
    """Graphs ordered by slug, with their current header.

    `slugs` narrows to those; `visible_to` is "all", or the ids of the graphs that may be listed
    besides the public ones.
    """
    query = (
        select(GraphRow, GraphVersionRow)
        .join(GraphVersionRow, and_(GraphVersionRow.graph_id == GraphRow.id, GraphVersionRow.valid_to.is_(None)))
        .where(GraphRow.slug > after)
        .order_by(GraphRow.slug)
        .limit(limit)
    )
    if slugs is not None:
        query = query.where(GraphRow.slug.in_(slugs))
    if visible_to != "all":
        query = query.where(or_(GraphVersionRow.visibility == "public", GraphRow.id.in_(visible_to)))
    return [(graph, header) for graph, header in session.execute(query)]


def item_revisions(
    session: Session, row: GraphRow, section: Literal["bets", "assumptions"], revision: int | None = None
) -> dict[str, int]:
    """Each bet's (or assumption's) id -> the revision that wrote its version current at `revision` (default: now)."""
    table = BetVersionRow if section == "bets" else AssumptionVersionRow
    key = BetVersionRow.bet_id if section == "bets" else AssumptionVersionRow.assumption_id
    alive = table.valid_to.is_(None) if revision is None else _alive(row.id, revision, table)
    query = select(key, table.valid_from).where(table.graph_id == row.id, alive)
    found: dict[str, int] = {}
    for item, written in session.execute(query):
        found[item] = written
    return found
