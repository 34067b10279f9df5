"""The outbox on both databases: written with the revision that raised it, claimed by one deliverer
at a time, dated events raised once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.events import REVIEW_DUE, Event
from app.domain.model import Graph, Kind
from app.storage import webhooks
from app.storage.db import make_engine
from app.storage.graphs import delete_graph, get_graph_row, save_graph
from app.storage.migrate import upgrade
from app.storage.tables import WebhookDeliveryRow, WebhookEventRow, WebhookRow, utcnow
from tests.conftest import postgresql_database
from tests.domain.builders import bet, graph


def _plans(certainty: float = 0.5) -> Graph:
    return dataclasses.replace(
        graph(bet("vision", Kind.VISION), bet("grow", Kind.GOAL, ["vision"], certainty=certainty)), slug="plans"
    )


def _subscribe(session: Session, graph_id: int | None, events: list[str], *, enabled: bool = True) -> WebhookRow:
    row = WebhookRow(
        url="https://93.184.215.14/hook",
        events=events,
        graph_id=graph_id,
        secret=webhooks.new_secret(),
        enabled=enabled,
    )
    session.add(row)
    session.flush()
    return row


def _count(session: Session, table: type[WebhookEventRow] | type[WebhookDeliveryRow]) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_revision_writes_its_events_and_deliveries_with_it(session: Session) -> None:
    save_graph(session, _plans())
    row = get_graph_row(session, "plans")
    assert row is not None
    _subscribe(session, row.id, ["revision.created"])
    _subscribe(session, None, ["revision.created", "bet.resolved"])  # every graph
    _subscribe(session, row.id, ["lint.finding"])  # nothing to find in this change
    _subscribe(session, row.id, ["revision.created"], enabled=False)
    events, deliveries = _count(session, WebhookEventRow), _count(session, WebhookDeliveryRow)

    save_graph(session, _plans(0.6))
    assert _count(session, WebhookEventRow) == events + 1  # one event, shared
    assert _count(session, WebhookDeliveryRow) == deliveries + 2  # a delivery to each that wants it
    event = session.scalars(select(WebhookEventRow).order_by(WebhookEventRow.id.desc())).first()
    assert event is not None
    assert event.payload["graph"] == {"slug": "plans", "title": "Test graph", "public": False}
    assert event.payload["summary"] == "1 bet changed"
    assert session.info.get(webhooks.QUEUED)


def test_a_write_rolled_back_leaves_no_event(session: Session) -> None:
    save_graph(session, _plans())
    row = get_graph_row(session, "plans")
    assert row is not None
    _subscribe(session, row.id, ["revision.created"])
    before = _count(session, WebhookDeliveryRow)
    savepoint = session.begin_nested()
    save_graph(session, _plans(0.7))
    assert _count(session, WebhookDeliveryRow) == before + 1
    savepoint.rollback()
    assert _count(session, WebhookDeliveryRow) == before


def test_deleting_a_subscription_or_its_graph_deletes_its_deliveries(session: Session) -> None:
    """Deliveries have no foreign key to cascade from: the deletes do it themselves."""
    save_graph(session, _plans())
    row = get_graph_row(session, "plans")
    assert row is not None
    gone, kept, everywhere = (_subscribe(session, g, ["revision.created"]) for g in (row.id, row.id, None))
    save_graph(session, _plans(0.6))

    def left() -> list[int]:
        query = select(WebhookDeliveryRow.webhook_id).order_by(WebhookDeliveryRow.webhook_id)
        return list(session.scalars(query))

    assert left() == [gone.id, kept.id, everywhere.id]
    webhooks.delete_webhook(session, gone.id)
    assert left() == [kept.id, everywhere.id]
    delete_graph(session, row)
    assert left() == [everywhere.id]  # the every-graph subscription outlives the graph, and its log


def test_no_subscription_no_outbox(session: Session) -> None:
    save_graph(session, _plans())
    save_graph(session, _plans(0.8))
    assert _count(session, WebhookEventRow) == 0
    assert not session.info.get(webhooks.QUEUED)


def test_a_dated_event_is_raised_once(session: Session) -> None:
    save_graph(session, _plans())
    row = get_graph_row(session, "plans")
    assert row is not None
    due = Event(REVIEW_DUE, {}, subject="grow", due=dt.date(2026, 12, 1))
    assert webhooks.raise_once(session, row.id, due)
    assert not webhooks.raise_once(session, row.id, due)
    assert webhooks.raise_once(session, row.id, dataclasses.replace(due, due=dt.date(2026, 12, 8)))  # a new date


def test_a_claim_holds_a_delivery_until_its_lease_runs_out(session: Session) -> None:
    save_graph(session, _plans())
    row = get_graph_row(session, "plans")
    assert row is not None
    _subscribe(session, row.id, ["revision.created"])
    save_graph(session, _plans(0.9))
    now = utcnow() + dt.timedelta(seconds=1)
    lease = dt.timedelta(seconds=60)
    [claimed] = webhooks.claim(session, now, lease, 10)
    assert claimed.event.type == "revision.created"
    assert webhooks.claim(session, now, lease, 10) == []  # held
    assert len(webhooks.claim(session, now + lease + dt.timedelta(seconds=1), lease, 10)) == 1  # its holder died
    outcome = webhooks.Outcome(now, 500, "HTTP 500", now + dt.timedelta(seconds=5))
    webhooks.record(session, [(claimed.delivery.id, outcome)])
    assert webhooks.claim(session, now + dt.timedelta(seconds=2), lease, 10) == []  # not yet due again
    assert webhooks.next_due(session) is not None


def test_deliverers_in_other_processes_take_other_deliveries() -> None:
    """PostgreSQL: two transactions claiming at once get disjoint rows (FOR UPDATE SKIP LOCKED), and
    neither waits for the other."""
    with postgresql_database() as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                save_graph(session, _plans())
                row = get_graph_row(session, "plans")
                assert row is not None
                _subscribe(session, row.id, ["revision.created"])
                for number in range(6):
                    save_graph(session, _plans(0.1 + number / 10))
                session.commit()
            now = utcnow() + dt.timedelta(seconds=1)
            first, second = Session(engine), Session(engine)
            try:
                taken_first = {c.delivery.id for c in webhooks.claim(first, now, dt.timedelta(seconds=60), 4)}
                found: list[set[int]] = []
                other = threading.Thread(
                    target=lambda: found.append(
                        {c.delivery.id for c in webhooks.claim(second, now, dt.timedelta(seconds=60), 4)}
                    )
                )
                other.start()
                other.join(timeout=10)
                assert not other.is_alive(), "the second claim waited for the first"
                assert len(taken_first) == 4
                assert len(found[0]) == 2
                assert not taken_first & found[0]
            finally:
                first.rollback()
                second.rollback()
                first.close()
                second.close()
        finally:
            engine.dispose()


@pytest.mark.parametrize("ended", [True, False])
def test_a_disabled_subscription_is_not_claimed(session: Session, ended: bool) -> None:
    save_graph(session, _plans())
    row = get_graph_row(session, "plans")
    assert row is not None
    hook = _subscribe(session, row.id, ["revision.created"])
    save_graph(session, _plans(0.3))
    if ended:
        webhooks.disable(session, hook.id, "gave up")
        session.expire(hook)
        assert (hook.enabled, hook.disabled_reason) == (False, "gave up")
    found = webhooks.claim(session, utcnow() + dt.timedelta(seconds=1), dt.timedelta(seconds=60), 10)
    assert len(found) == (0 if ended else 1)
