"""Webhook subscriptions and their outbox: the events, one delivery row per event and subscription,
and what each attempt to send it did.

Events are written in the transaction that raised them (`save_graph` calls `enqueue_revision`),
so an event exists exactly when its cause does. Sending happens after commit, elsewhere
(`app.services.deliveries`): a deliverer claims due rows for a lease (`claim`), sends them with
no transaction open, and records the outcome (`record`). A deliverer that dies mid-send leaves
its lease to run out, and another sends the row again: at least once, each time under the same
`webhook-id`, which is how a receiver recognises a repeat.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.domain.diff import GraphDiff
from app.domain.events import Event, revision_events
from app.domain.model import Graph, Visibility
from app.storage.tables import (
    GraphRow,
    WebhookAlarmRow,
    WebhookDeliveryRow,
    WebhookEventRow,
    WebhookRow,
    utcnow,
)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# The statements every write runs, built once: building them costs more than running them.
_GRAPH = bindparam("graph_id", type_=Integer)
_TYPE = bindparam("event_type", type_=String)
_LISTENING = and_(WebhookRow.enabled.is_(True), or_(WebhookRow.graph_id == _GRAPH, WebhookRow.graph_id.is_(None)))
_EACH = func.json_each(WebhookRow.events).table_valued("value")
_WANTED = {
    "postgresql": select(func.json_array_elements_text(WebhookRow.events)).where(_LISTENING).distinct(),
    "sqlite": select(_EACH.c.value).select_from(WebhookRow).join(_EACH, literal(True)).where(_LISTENING).distinct(),
}
# A subscription's `events` (a JSON list) holds the event's type, asked of the database itself.
_WANTS = {
    "postgresql": literal_column("webhooks.events::jsonb").op("?")(_TYPE),
    "sqlite": exists(select(_EACH.c.value).where(_EACH.c.value == _TYPE)),
}
_DELIVERIES = WebhookDeliveryRow.__table__
assert isinstance(_DELIVERIES, Table)
_COLUMNS = ["webhook_id", "event_id", "message_id", "status", "attempts", "created_at", "next_attempt_at"]
_NOW = bindparam("now", type_=DateTime(timezone=True))
_EVENT = bindparam("event_id", type_=Integer)
_EVENTS = WebhookEventRow.__table__
assert isinstance(_EVENTS, Table)


def _fanned(event_id: Any, wants: Any, *, event: Any = None) -> Any:
    """A delivery of event `event_id` (a column of `event`, or a parameter) to each enabled
    subscription of the graph that wants its type."""
    subscriptions = WebhookRow.__table__ if event is None else WebhookRow.__table__.join(event, true())
    return (
        insert(WebhookDeliveryRow)
        .from_select(
            _COLUMNS,
            select(
                WebhookRow.id,
                event_id,
                bindparam("prefix", type_=String) + cast(WebhookRow.id, String),
                literal(PENDING),
                literal(0),
                _NOW,
                _NOW,
            )
            .select_from(subscriptions)
            .where(_LISTENING, wants),
        )
        .returning(WebhookDeliveryRow.event_id)
    )


_NEW_EVENT = (
    insert(_EVENTS)
    .values(
        type=_TYPE,
        graph_id=_GRAPH,
        revision=bindparam("revision", type_=Integer),
        payload=bindparam("payload", type_=_EVENTS.c.payload.type),
        created_at=_NOW,
    )
    .returning(_EVENTS.c.id)
)
# PostgreSQL writes the event and its deliveries in one statement, one round trip: the event in a
# data-modifying WITH. SQLite has no such WITH, so there the event's id comes back first.
_RAISED = _NEW_EVENT.cte("raised")
_FANNED = {
    "postgresql": _fanned(_RAISED.c.id, _WANTS["postgresql"], event=_RAISED).add_cte(_RAISED),
    "sqlite": _fanned(_EVENT, _WANTS["sqlite"]),
}


def _dialect(session: Session) -> str:
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def wanted(session: Session, graph_id: int) -> frozenset[str]:
    """The event types any enabled subscription hears about `graph_id` for: every write asks this,
    so it is a handful of words from the database rather than every subscription as objects."""
    return frozenset(session.connection().execute(_WANTED[_dialect(session)], {"graph_id": graph_id}).scalars())


def enqueue_revision(
    session: Session, row: GraphRow, number: int, *, previous: Graph | None, graph: Graph, found: GraphDiff | None
) -> None:
    """The events revision `number` of `graph` raises, in the outbox of each subscription that wants
    them. Nothing is worked out (lint least of all) when nobody listens."""
    types = wanted(session, row.id)
    if not types:
        return
    events = revision_events(previous, graph, found, dt.date.today(), types)
    named = {"graph": graph_data(row.slug, graph), "revision": number}
    enqueue(session, [dataclasses.replace(e, data=named | e.data) for e in events], graph_id=row.id, revision=number)


def enqueue(session: Session, events: Sequence[Event], *, graph_id: int, revision: int | None) -> int:
    """Each event once, and a delivery of it to each enabled subscription of the graph (or of every
    graph) that wants its type: one statement for all of an event's deliveries, chosen by the
    database, however many subscriptions there are."""
    count = 0
    dialect = _dialect(session)
    connection = session.connection()
    for event in events:
        # `webhook-id`: random for the event, told apart by subscription; the same on every attempt.
        values: dict[str, Any] = {
            "graph_id": graph_id,
            "event_type": event.type,
            "revision": revision,
            "payload": event.data,
            "prefix": f"msg_{secrets.token_hex(10)}_",
            "now": utcnow(),
        }
        if dialect == "sqlite":
            values["event_id"] = connection.execute(_NEW_EVENT, values).scalar_one()
        # Counted by what it returns: PostgreSQL's driver reports no row count for INSERT … SELECT.
        count += len(connection.execute(_FANNED[dialect], values).all())
    if count:
        session.info[QUEUED] = True
    return count


def graph_data(slug: str, graph: Graph) -> dict[str, Any]:
    """How an event names its graph (even once the graph is gone)."""
    return {"slug": slug, "title": graph.title, "public": graph.visibility is Visibility.PUBLIC}


QUEUED = "betgraph_queued"  # session.info: this transaction put deliveries in the outbox
# Set when this process commits deliveries: its deliverer sends them at once instead of at its
# next look (deliveries committed by other processes are found by looking).
OUTBOX = threading.Event()


def committed(session: Session) -> None:
    """Called by the transaction's owner once it has committed."""
    if session.info.get(QUEUED):
        OUTBOX.set()


def raise_once(session: Session, graph_id: int, event: Event) -> bool:
    """Whether `event` (dated) is raised now for the first time: it is recorded, so never again,
    whichever worker or process asks first."""
    assert event.due is not None
    values = {
        "graph_id": graph_id,
        "type": event.type,
        "subject": event.subject,
        "due": event.due,
        "created_at": utcnow(),
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WebhookAlarmRow).values(**values).on_conflict_do_nothing().returning(WebhookAlarmRow.id)
    return session.scalars(statement).first() is not None


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery: WebhookDeliveryRow
    webhook: WebhookRow
    event: WebhookEventRow


def claim(session: Session, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Claimed]:
    """Up to `limit` due deliveries, held by this caller until `now + lease`.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so deliverers in other processes take other rows instead
    of waiting on these. SQLite: the caller's write transaction holds the database's one write lock.
    """
    due = (
        select(WebhookDeliveryRow.id)
        .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
        .where(
            WebhookDeliveryRow.status == PENDING,
            WebhookDeliveryRow.next_attempt_at <= now,
            or_(WebhookDeliveryRow.claimed_until.is_(None), WebhookDeliveryRow.claimed_until < now),
            WebhookRow.enabled.is_(True),
        )
        .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True, of=WebhookDeliveryRow)
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(WebhookDeliveryRow)
        .where(WebhookDeliveryRow.id.in_(ids))
        .values(claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(WebhookDeliveryRow, WebhookRow, WebhookEventRow)
        .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
        .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.event_id)
        .where(WebhookDeliveryRow.id.in_(ids))
        .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
    )
    return [Claimed(delivery, webhook, event) for delivery, webhook, event in rows]


@dataclass(frozen=True, slots=True)
class Outcome:
    attempted_at: dt.datetime
    status: int | None  # the receiver's HTTP status; None when none came
    error: str | None  # None: delivered
    retry_at: dt.datetime | None  # when to try again; None with an error: given up


_RECORD = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("delivery"), _DELIVERIES.c.status == PENDING)
    .values(
        attempts=_DELIVERIES.c.attempts + 1,
        status=bindparam("new_status"),
        next_attempt_at=func.coalesce(
            bindparam("retry_at", type_=DateTime(timezone=True)), _DELIVERIES.c.next_attempt_at
        ),
        last_attempt_at=bindparam("attempted_at"),
        last_status=bindparam("answered"),
        last_error=bindparam("error"),
        delivered_at=bindparam("delivered"),
        claimed_until=None,
    )
)


def record(session: Session, outcomes: Sequence[tuple[int, Outcome]]) -> None:
    """What each attempt did, in one statement for the batch: SQLite's write lock is held for it."""
    rows = []
    for delivery_id, outcome in outcomes:
        delivered = outcome.error is None
        status = DELIVERED if delivered else FAILED if outcome.retry_at is None else PENDING
        rows.append(
            {
                "delivery": delivery_id,
                "new_status": status,
                "retry_at": outcome.retry_at,
                "attempted_at": outcome.attempted_at,
                "answered": outcome.status,
                "error": outcome.error,
                "delivered": outcome.attempted_at if delivered else None,
            }
        )
    if rows:
        session.connection().execute(_RECORD, rows)


def next_due(session: Session) -> dt.datetime | None:
    """When the soonest pending delivery of an enabled subscription is due."""
    query = (
        select(func.min(WebhookDeliveryRow.next_attempt_at))
        .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
        .where(WebhookDeliveryRow.status == PENDING, WebhookRow.enabled.is_(True))
    )
    return session.scalar(query)


def disable(session: Session, webhook_id: int, reason: str) -> None:
    session.execute(
        update(WebhookRow)
        .where(WebhookRow.id == webhook_id, WebhookRow.enabled.is_(True))
        .values(enabled=False, disabled_reason=reason)
        .execution_options(synchronize_session=False)
    )


def get_webhook(session: Session, webhook_id: int) -> WebhookRow | None:
    return session.get(WebhookRow, webhook_id)


def list_webhooks(session: Session, graph_ids: Sequence[int] | None) -> list[WebhookRow]:
    """Every subscription (`graph_ids` None), or those of these graphs."""
    query = select(WebhookRow).order_by(WebhookRow.id)
    if graph_ids is not None:
        query = query.where(WebhookRow.graph_id.in_(graph_ids))
    return list(session.scalars(query))


def delete_webhook(session: Session, webhook_id: int) -> None:
    forget(session, WebhookRow.id == webhook_id)
    session.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))


def forget(session: Session, which: ColumnElement[bool]) -> None:
    """Delete the deliveries of the subscriptions `which` picks, before those are deleted: deliveries
    have no foreign key to cascade from (tables.WebhookDeliveryRow says why)."""
    chosen = select(WebhookRow.id).where(which).scalar_subquery()
    session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id.in_(chosen)))


@dataclass(frozen=True, slots=True)
class Logged:
    delivery: WebhookDeliveryRow
    event_type: str
    revision: int | None


def deliveries(session: Session, webhook_id: int, *, before: int | None = None, limit: int = 50) -> list[Logged]:
    """A subscription's deliveries, newest first."""
    query = (
        select(WebhookDeliveryRow, WebhookEventRow.type, WebhookEventRow.revision)
        .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.event_id)
        .where(WebhookDeliveryRow.webhook_id == webhook_id)
        .order_by(WebhookDeliveryRow.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(WebhookDeliveryRow.id < before)
    return [Logged(delivery, kind, revision) for delivery, kind, revision in session.execute(query)]


def counts(session: Session, webhook_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Each subscription's deliveries by status."""
    found: dict[int, dict[str, int]] = {webhook_id: {} for webhook_id in webhook_ids}
    if not webhook_ids:
        return found
    query = (
        select(WebhookDeliveryRow.webhook_id, WebhookDeliveryRow.status, func.count())
        .where(WebhookDeliveryRow.webhook_id.in_(webhook_ids))
        .group_by(WebhookDeliveryRow.webhook_id, WebhookDeliveryRow.status)
    )
    for webhook_id, status, count in session.execute(query):
        found[webhook_id][status] = count
    return found
