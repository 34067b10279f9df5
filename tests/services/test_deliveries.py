"""The deliverer in this process against a real receiver, on both databases, with its clock in the
test's hand: how long it keeps trying, when it gives up, what the days raise."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from app.config import Settings
from app.domain.model import Graph, Kind
from app.services.deliveries import WAITS, Deliverer, sign
from app.storage import webhooks
from app.storage.graphs import get_graph_row, save_graph
from app.storage.tables import WebhookDeliveryRow, WebhookRow, utcnow
from tests.domain.builders import bet, graph
from tests.receiver import Receiver, receiving


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def sessions(session: Session) -> sessionmaker[Session]:
    return sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found


def _deliverer(sessions: sessionmaker[Session], database_url: str, clock: Clock) -> Deliverer:
    settings = Settings(database_url=database_url, webhook_allow_private=True, webhook_timeout=5)
    return Deliverer(sessions, settings, clock=clock)


def _plans(certainty: float = 0.5, review_by: dt.date | None = None) -> Graph:
    grow = bet("grow", Kind.GOAL, ["vision"], certainty=certainty, review_by=review_by)
    return dataclasses.replace(graph(bet("vision", Kind.VISION), grow), slug="plans")


def _subscribe(session: Session, receiver: Receiver, name: str, events: list[str]) -> WebhookRow:
    row = get_graph_row(session, "plans")
    assert row is not None
    hook = WebhookRow(url=receiver.hook(name), events=events, graph_id=row.id, secret=webhooks.new_secret())
    session.add(hook)
    session.flush()
    receiver.secrets[name] = hook.secret
    return hook


def test_the_signature_is_the_specifications() -> None:
    secret = webhooks.new_secret()
    body = '{"type":"revision.created","data":{"title":"Zürich ✓"}}'.encode()
    stamp = int(utcnow().timestamp())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(secret, "msg_1", stamp, body),
    }
    assert Webhook(secret).verify(body, headers) == {"type": "revision.created", "data": {"title": "Zürich ✓"}}
    assert sign(secret, "msg_1", stamp, body) == Webhook(secret).sign(
        "msg_1", dt.datetime.fromtimestamp(stamp, dt.UTC), body
    )


def test_it_keeps_trying_for_over_a_day_then_turns_the_subscription_off(
    session: Session, sessions: sessionmaker[Session], database_url: str, receiver: Receiver
) -> None:
    save_graph(session, _plans())
    hook = _subscribe(session, receiver, "down", ["revision.created"])
    receiver.answers["down"].extend([500] * 100)
    save_graph(session, _plans(certainty=0.6))
    clock = Clock()
    clock.now += dt.timedelta(seconds=1)
    deliverer = _deliverer(sessions, database_url, clock)
    started = clock.now
    for _ in range(len(WAITS) + 1):
        assert deliverer.round() == 1
        assert deliverer.round() == 0  # not due again yet
        clock.now += dt.timedelta(hours=9)
    assert sum(WAITS) > 24 * 3600
    delivery = session.scalars(select(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == hook.id)).one()
    session.refresh(delivery)
    session.refresh(hook)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", len(WAITS) + 1, 500)
    assert not hook.enabled
    assert hook.disabled_reason is not None
    assert f"after {len(WAITS) + 1} attempts" in hook.disabled_reason
    assert "HTTP 500" in hook.disabled_reason
    assert len(receiver.of("down", ok=False)) == len(WAITS) + 1
    assert clock.now - started > dt.timedelta(hours=24)
    # what comes meanwhile waits for its owner to turn it on again
    save_graph(session, _plans(certainty=0.7))
    assert deliverer.round() == 0


def test_a_receiver_that_is_gone_turns_its_subscription_off_at_once(
    session: Session, sessions: sessionmaker[Session], database_url: str, receiver: Receiver
) -> None:
    save_graph(session, _plans())
    hook = _subscribe(session, receiver, "gone", ["revision.created"])
    receiver.answers["gone"].append(410)
    save_graph(session, _plans(certainty=0.6))
    assert _deliverer(sessions, database_url, Clock()).round() == 1
    session.refresh(hook)
    assert not hook.enabled
    assert hook.disabled_reason is not None
    assert "410" in hook.disabled_reason


def test_retry_after_is_honoured(
    session: Session, sessions: sessionmaker[Session], database_url: str, receiver: Receiver
) -> None:
    save_graph(session, _plans())
    hook = _subscribe(session, receiver, "busy", ["revision.created"])
    receiver.answers["busy"].append(429)
    receiver.retry_after["busy"] = 120
    save_graph(session, _plans(certainty=0.6))
    clock = Clock()
    deliverer = _deliverer(sessions, database_url, clock)
    assert deliverer.round() == 1
    delivery = session.scalars(select(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == hook.id)).one()
    session.refresh(delivery)
    waited = delivery.next_attempt_at.replace(tzinfo=dt.UTC) - clock.now
    assert WAITS[0] < 120
    assert dt.timedelta(seconds=119) <= waited <= dt.timedelta(seconds=121)


def test_dated_events_are_raised_once_whichever_worker_looks(
    session: Session, sessions: sessionmaker[Session], database_url: str, receiver: Receiver
) -> None:
    today = utcnow().date()
    save_graph(session, _plans(review_by=today - dt.timedelta(days=2)))
    _subscribe(session, receiver, "due", ["review.due"])
    clock = Clock()
    first, second = _deliverer(sessions, database_url, clock), _deliverer(sessions, database_url, clock)
    assert first.sweep() == 1
    assert second.sweep() == 0  # another worker: already raised
    assert first.sweep() == 0
    clock.now += dt.timedelta(seconds=1)
    assert first.round() == 1
    receiver.wait(lambda: len(receiver.of("due")) == 1)
    [got] = receiver.of("due")
    assert got.verified
    body = got.json
    assert body["type"] == "review.due"
    assert body["data"]["item"]["id"] == "grow"
    assert body["data"]["days_past"] == 2
    assert body["data"]["url"] == "/graphs/plans?focus=grow"  # no BETGRAPH_PUBLIC_URL: a path


def test_the_weekly_digest_is_raised_once_a_week(
    session: Session, sessions: sessionmaker[Session], database_url: str, receiver: Receiver
) -> None:
    save_graph(session, _plans())
    save_graph(session, _plans(certainty=0.7))
    _subscribe(session, receiver, "weekly", ["digest"])
    clock = Clock()
    deliverer = _deliverer(sessions, database_url, clock)
    assert deliverer.sweep() == 1
    assert _deliverer(sessions, database_url, clock).sweep() == 0  # another worker, the same week
    clock.now += dt.timedelta(seconds=1)
    assert deliverer.round() == 1
    receiver.wait(lambda: len(receiver.of("weekly")) == 1)
    body = receiver.of("weekly")[0].json
    assert body["type"] == "digest"
    assert body["data"]["digest"]["graph"] == "plans"
    assert body["data"]["digest"]["revisions"]["count"] == 2
    assert body["data"]["lines"][0] == "2 revisions this week"
    clock.now += dt.timedelta(days=7)  # next week: the next digest
    save_graph(session, _plans(certainty=0.8))
    assert deliverer.sweep() == 1
