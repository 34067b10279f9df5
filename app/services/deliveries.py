"""Sending the outbox: a thread in each `betgraph serve` worker, so no other process is needed.

Each round claims a batch of due deliveries for a lease (`app.storage.webhooks.claim`: other
workers skip them), builds each event's body once, sends the batch in parallel with no
transaction open, and records every outcome. A failed attempt is tried again after a growing
wait, for more than a day; then the delivery has failed and its subscription is turned off, with
the reason for its owner to read. The thread wakes when this process commits deliveries, and
otherwise looks every second, which finds those committed by other processes and every retry.

Every `SWEEP` seconds it also raises the dated events: reviews come due and horizons passed, and
each graph's weekly digest (the first look in each week, Monday to Sunday).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.domain.digest import digest_data
from app.domain.events import DATED, DIGEST, Event, dated_events, digest_event
from app.services import access, messages, targets
from app.services import digest as digests
from app.storage import webhooks as outbox
from app.storage.db import transaction
from app.storage.graphs import load_graph
from app.storage.history import Revision, get_revision
from app.storage.tables import GraphRow, WebhookRow, as_utc, utcnow
from app.words import plural

log = logging.getLogger("betgraph")

# Seconds between attempts: sooner at first (a receiver restarting), then hours apart. The
# waits add up to 29.7 hours, past the day a receiver may be down without losing anything.
WAITS = (5, 30, 120, 600, 1800, 3600, 7200, 14400, 21600, 28800, 28800)
BATCH = 32
BUSY_BATCH = 8  # while the worker answers requests
SENDERS = 8  # deliveries of a batch in flight at once
POLL = 1.0  # seconds between looks at the outbox, when nothing woke the thread
SWEEP = 300.0  # seconds between looks for dated events
MOST_RETRY_AFTER = 86_400  # a receiver's Retry-After is honoured up to a day
SWEPT = {*DATED, DIGEST}  # what the sweep raises
SHARE = 0.05  # of a worker's time that deliveries take while it answers requests


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` of Standard Webhooks: HMAC-SHA256 of `id.timestamp.body` under the
    secret's bytes. Written out here rather than taken from the `standardwebhooks` package, so the
    tests check it with that package against the specification, not against itself."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


@dataclass(frozen=True, slots=True)
class Parcel:
    delivery_id: int
    webhook_id: int
    message_id: str
    url: str
    secret: str
    body: bytes
    attempts: int  # before this one
    first_tried: dt.datetime


class Deliverer:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        busy: Callable[[], bool] = lambda: False,
    ) -> None:
        self._sessions = sessions
        self._busy = busy
        self._settings = settings
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._senders = ThreadPoolExecutor(SENDERS, thread_name_prefix="betgraph-webhook")
        self._swept = 0.0
        self._seen: dict[int, tuple[int, dt.date]] = {}  # graph id: (its head, the day) when last swept

    @property
    def lease(self) -> dt.timedelta:
        # Longer than a batch can take to send (each sender sends its share one after another,
        # each within the timeout), so a row is only ever taken from a deliverer that died; and
        # no longer, since a restarted server waits this long for what the killed one held.
        return dt.timedelta(seconds=self._settings.webhook_timeout * (-(-BATCH // SENDERS) + 1) + 5)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="betgraph-deliverer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        outbox.OUTBOX.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._senders.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sent = 0
            started = time.monotonic()
            try:
                if started - self._swept >= SWEEP:
                    self._swept = started
                    self.sweep()
                # Busy, a small batch: its write transactions hold SQLite's lock a shorter while.
                sent = self.round(BUSY_BATCH if self._busy() else BATCH)
            except Exception:  # the database is down, or a bug of ours: say so, and keep trying
                log.exception("webhook deliveries: a round failed; trying again shortly")
                self._stop.wait(POLL)
            if sent and self._busy():
                # The worker is answering requests: deliveries take at most SHARE of its time,
                # and all of it once it is idle. Sending is background work; a person waits on
                # an answer.
                self._stop.wait((time.monotonic() - started) * (1 / SHARE - 1))
            elif sent < BUSY_BATCH:  # nothing more is due now; after a full batch, more may be
                outbox.OUTBOX.wait(POLL)
                outbox.OUTBOX.clear()

    def round(self, limit: int = BATCH) -> int:
        """Claim, send and record one batch of at most `limit`; how many were sent."""
        now = self._clock()
        with transaction(self._sessions, write=False) as session:
            due = outbox.next_due(session)
        if due is None or as_utc(due) > now:  # asked without taking SQLite's one write lock
            return 0
        with transaction(self._sessions, write=True) as session:  # held: as short as can be
            claimed = outbox.claim(session, now, self.lease, limit)
        if not claimed:
            return 0
        with transaction(self._sessions, write=False) as session:
            parcels = self._parcels(session, claimed)
        outcomes = list(self._senders.map(self._send, parcels))
        with transaction(self._sessions, write=True) as session:
            outbox.record(
                session, [(parcel.delivery_id, outcome) for parcel, outcome in zip(parcels, outcomes, strict=True)]
            )
            for parcel, outcome in zip(parcels, outcomes, strict=True):
                self._after(session, parcel, outcome)
        return len(parcels)

    def _parcels(self, session: Session, claimed: list[outbox.Claimed]) -> list[Parcel]:
        bodies: dict[int, dict[str, Any]] = {}
        shaped: dict[tuple[int, str], bytes] = {}  # an event's bytes in each format: made once a batch
        revisions: dict[tuple[int, int], Revision | None] = {}
        base = self._settings.public_url
        parcels = []
        for each in claimed:
            event = each.event
            if event.id not in bodies:
                revision = None
                if event.graph_id is not None and event.revision is not None:
                    key = (event.graph_id, event.revision)
                    if key not in revisions:
                        row = session.get(GraphRow, event.graph_id)
                        revisions[key] = get_revision(session, row, event.revision) if row is not None else None
                    revision = revisions[key]
                bodies[event.id] = messages.standard(
                    event.type, event.payload, event.created_at, revision=revision, base=base
                )
            form = (event.id, each.webhook.format)
            if form not in shaped:
                shaped[form] = messages.shaped(each.webhook.format, bodies[event.id])
            parcels.append(
                Parcel(
                    delivery_id=each.delivery.id,
                    webhook_id=each.webhook.id,
                    message_id=each.delivery.message_id,
                    url=each.webhook.url,
                    secret=each.webhook.secret,
                    body=shaped[form],
                    attempts=each.delivery.attempts,
                    first_tried=each.delivery.created_at,
                )
            )
        return parcels

    def _send(self, parcel: Parcel) -> outbox.Outcome:
        attempted = self._clock()
        timestamp = int(attempted.timestamp())
        headers = {
            "content-type": "application/json",
            "user-agent": "Betgraph-Webhooks/1",
            "webhook-id": parcel.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(parcel.secret, parcel.message_id, timestamp, parcel.body),
        }
        status: int | None = None
        retry_after = 0
        try:
            answer = targets.post(
                parcel.url,
                parcel.body,
                headers,
                timeout=self._settings.webhook_timeout,
                allow_private=self._settings.webhook_allow_private,
            )
        except targets.TargetError as error:
            failure = str(error)
        except Exception as error:  # any failure to send is this delivery's, told to its owner
            failure = f"{type(error).__name__}: {error}"
        else:
            status = answer.status
            if 200 <= status < 300:
                return outbox.Outcome(attempted, status, None, None)
            failure = f"HTTP {status}" + (f": {answer.body[:300]}" if answer.body.strip() else "")
            if 300 <= status < 400:
                failure += " (redirects are not followed)"
            retry_after = answer.retry_after
        return outbox.Outcome(attempted, status, failure[:1000], self._retry_at(parcel, attempted, retry_after))

    def _retry_at(self, parcel: Parcel, attempted: dt.datetime, retry_after: int) -> dt.datetime | None:
        if parcel.attempts >= len(WAITS):
            return None
        wait = max(WAITS[parcel.attempts], min(retry_after, MOST_RETRY_AFTER)) * self._settings.webhook_retry_scale
        return attempted + dt.timedelta(seconds=wait)

    def _after(self, session: Session, parcel: Parcel, outcome: outbox.Outcome) -> None:
        if outcome.status == 410:
            outbox.disable(session, parcel.webhook_id, "the receiver answered 410 Gone: it wants no more deliveries")
        elif outcome.error is not None and outcome.retry_at is None:
            took = outcome.attempted_at - as_utc(parcel.first_tried)
            outbox.disable(
                session,
                parcel.webhook_id,
                f"gave up on delivery {parcel.message_id} after {parcel.attempts + 1} attempts over "
                f"{took.total_seconds() / 3600:.1f} hours; the last: {outcome.error}",
            )

    def sweep(self) -> int:
        """Raise the dated events that have come, and each graph's weekly digest: each once,
        whichever worker sees it first."""
        today = self._clock().date()
        raised = 0
        with transaction(self._sessions, write=False) as session:
            listening = list(session.scalars(select(WebhookRow).where(WebhookRow.enabled.is_(True))))
            wanting = [row for row in listening if set(row.events) & SWEPT]
            if not wanting:
                return 0
            query = select(GraphRow)
            if all(row.graph_id is not None for row in wanting):
                query = query.where(GraphRow.id.in_({row.graph_id for row in wanting}))
            found = []
            for row in session.scalars(query):
                if self._seen.get(row.id) == (row.head, today):  # nothing new since the last look
                    continue
                self._seen[row.id] = (row.head, today)
                found.append((row.id, row.slug, load_graph(session, row)))
        for graph_id, slug, graph in found:
            types = {kind for row in wanting if row.graph_id in (None, graph_id) for kind in row.events}
            events = [event for event in dated_events(graph, today) if event.type in types]
            if not events and DIGEST not in types:
                continue
            with transaction(self._sessions, write=True) as session:
                fresh = [event for event in events if outbox.raise_once(session, graph_id, event)]
                weekly = digest_event({}, today)
                if DIGEST in types and outbox.raise_once(session, graph_id, weekly):
                    fresh.append(self._digest(session, slug, weekly))
                named = outbox.graph_data(slug, graph)
                raised += outbox.enqueue(
                    session,
                    [dataclasses.replace(event, data={"graph": named, **event.data}) for event in fresh],
                    graph_id=graph_id,
                    revision=None,
                )
        return raised

    def _digest(self, session: Session, slug: str, weekly: Event) -> Event:
        """The week's digest of `slug`, up to now, as its subscribers are sent it (its owners: who
        wrote each revision is named)."""
        until = self._clock()
        found = digests.digest(session, access.HOLDER, slug, since=until - dt.timedelta(days=7), until=until)
        data = digest_data(found)
        lines = [
            f"{plural(data['revisions']['count'], 'revision')} this week",
            f"{plural(len(data['due']['newly']), 'item')} fell due, {len(data['due']['still'])} still overdue",
            f"{plural(len(data['leaps']), 'leap')} of faith untested",
            f"{plural(len(data['findings']), 'new lint finding')}",
        ]
        return dataclasses.replace(weekly, data={"digest": data, "lines": lines})
