"""Webhook subscriptions, for the API, the viewer and the CLI: who may make them, what they may
say, and their delivery logs. Sending is `app.services.deliveries`; what is sent, `app.services.messages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.events import EVENTS
from app.services import access, targets
from app.services.access import Caller
from app.services.errors import InvalidParameterError, NotFoundError
from app.storage import webhooks as storage
from app.storage.tables import GraphRow, WebhookRow

FORMATS = ("standard", "slack", "teams")
MAX_DESCRIPTION = 500
MAX_LOG = 200


@dataclass(frozen=True, slots=True)
class Subscription:
    row: WebhookRow
    graph: str | None  # its slug; None: every graph
    counts: dict[str, int] = field(default_factory=dict)  # deliveries by status


def check_events(events: Sequence[str]) -> list[str]:
    if not events:
        raise InvalidParameterError("events", f"name at least one event: {', '.join(EVENTS)}")
    unknown = [event for event in events if event not in EVENTS]
    if unknown:
        raise InvalidParameterError("events", f"unknown event {unknown[0][:60]!r}; events are {', '.join(EVENTS)}")
    return list(dict.fromkeys(events))


def check_format(value: str) -> str:
    if value not in FORMATS:
        raise InvalidParameterError("format", f"`format` is one of {', '.join(FORMATS)}")
    return value


def check_description(value: str) -> str:
    if len(value) > MAX_DESCRIPTION or "\x00" in value:
        raise InvalidParameterError("description", f"`description` is at most {MAX_DESCRIPTION} characters of text")
    return value


def create(
    session: Session,
    who: Caller | None,
    *,
    url: str,
    events: Sequence[str],
    graph: str | None,
    format: str = "standard",
    description: str = "",
    allow_private: bool = False,
) -> tuple[Subscription, str]:
    """A new subscription, and its secret: shown now, to its maker, and never again."""
    row = access.manage_webhooks(session, who, graph)
    who = access.webhook_manager(who)
    targets.check(url, allow_private=allow_private)
    made = WebhookRow(
        url=url,
        events=check_events(events),
        graph_id=row.id if row is not None else None,
        format=check_format(format),
        secret=storage.new_secret(),
        description=check_description(description),
        enabled=True,
        token_id=who.token_id,
        person_id=who.person_id,
    )
    session.add(made)
    session.flush()
    return Subscription(made, graph), made.secret


def _slugs(session: Session, rows: Sequence[WebhookRow]) -> dict[int, str]:
    ids = {row.graph_id for row in rows if row.graph_id is not None}
    if not ids:
        return {}
    found = session.execute(select(GraphRow.id, GraphRow.slug).where(GraphRow.id.in_(ids)))
    return {graph_id: slug for graph_id, slug in found}  # noqa: C416 - rows, not pairs, to mypy


def _graph_row(session: Session, row: WebhookRow) -> GraphRow | None:
    return session.get(GraphRow, row.graph_id) if row.graph_id is not None else None


def listed(session: Session, who: Caller | None, *, graph: str | None = None) -> list[Subscription]:
    """The subscriptions `who` may manage (of one graph, with `graph`), each with its delivery counts."""
    who = access.webhook_manager(who)
    if graph is not None:
        row = access.manage_webhooks(session, who, graph)
        assert row is not None
        rows = storage.list_webhooks(session, [row.id])
    elif access.administrator(who):
        rows = storage.list_webhooks(session, None)
    else:
        every = storage.list_webhooks(session, None)
        graphs = {row.graph_id for row in every if row.graph_id is not None}
        mine = {
            graph_id for graph_id in graphs if access.manages_webhooks_of(session, who, session.get(GraphRow, graph_id))
        }
        rows = [row for row in every if row.graph_id in mine]
    slugs = _slugs(session, rows)
    counts = storage.counts(session, [row.id for row in rows])
    return [Subscription(row, slugs.get(row.graph_id or 0), counts[row.id]) for row in rows]


def _managed(session: Session, who: Caller | None, webhook_id: int) -> WebhookRow:
    """Subscription `webhook_id`, if `who` may manage it; to anyone else it does not exist."""
    who = access.webhook_manager(who)
    row = storage.get_webhook(session, webhook_id) if 0 < webhook_id < 2**31 else None
    if row is None or not access.manages_webhooks_of(session, who, _graph_row(session, row)):
        raise NotFoundError(f"no webhook {webhook_id}")
    return row


def get(session: Session, who: Caller | None, webhook_id: int) -> Subscription:
    row = _managed(session, who, webhook_id)
    return Subscription(row, _slugs(session, [row]).get(row.graph_id or 0), storage.counts(session, [row.id])[row.id])


def change(
    session: Session,
    who: Caller | None,
    webhook_id: int,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    format: str | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    allow_private: bool = False,
) -> Subscription:
    """Change what was given. Turning a disabled subscription on again sends what waited meanwhile."""
    row = _managed(session, who, webhook_id)
    if url is not None:
        targets.check(url, allow_private=allow_private)
        row.url = url
    if events is not None:
        row.events = check_events(events)
    if format is not None:
        row.format = check_format(format)
    if description is not None:
        row.description = check_description(description)
    if enabled is not None:
        row.enabled = enabled
        row.disabled_reason = None if enabled else "turned off by its owner"
    session.flush()
    return get(session, who, webhook_id)


def remove(session: Session, who: Caller | None, webhook_id: int) -> None:
    """Delete the subscription, and with it its deliveries, sent or not."""
    storage.delete_webhook(session, _managed(session, who, webhook_id).id)


def log(
    session: Session, who: Caller | None, webhook_id: int, *, before: int | None = None, limit: int = 50
) -> list[storage.Logged]:
    """The subscription's deliveries, newest first: each one's status, attempts and last error."""
    if not 1 <= limit <= MAX_LOG:
        raise InvalidParameterError("limit", f"`limit` is from 1 to {MAX_LOG}")
    row = _managed(session, who, webhook_id)
    return storage.deliveries(session, row.id, before=before, limit=limit)
