"""The tables. Every bet, assumption and graph header is stored as versions over revisions.

A version row is valid from the revision that wrote it up to (not including) the revision that
replaced or removed it; the current state is the rows whose `valid_to` is NULL. Nothing is ever
updated in place but `valid_to` and the graph's head, so reading a graph as it was at any
revision is the same query as reading it now (the history issue builds on this).
Links (parents, assumptions) and evidence belong to the version row that lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, the same on SQLite and PostgreSQL, so migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time in UTC: SQLite hands back naive datetimes, PostgreSQL its own zone object."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class GraphRow(Base):
    __tablename__ = "graphs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    head: Mapped[int] = mapped_column(default=0)  # the number of the latest revision
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RevisionRow(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("graph_id", "number", name="uq_revisions_graph_number"),
        # `?as_of=` a date: the last revision created by then is one probe of this index.
        Index("ix_revisions_graph_time", "graph_id", "created_at", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"))
    number: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id", ondelete="SET NULL"))
    # Who wrote it, when a person did (through a personal token): history names them.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]]


class GraphVersionRow(Base):
    __tablename__ = "graph_versions"
    __table_args__ = (
        Index("ix_graph_versions_current", "graph_id", unique=True, sqlite_where=text("valid_to IS NULL"),
              postgresql_where=text("valid_to IS NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[int]
    valid_to: Mapped[int | None]
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[dt.date | None]
    visibility: Mapped[str] = mapped_column(String(16))
    lint: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The document order of bets and assumptions ({"bets": [ids], "assumptions": [ids]}): reordering
    # a document is one new header version, not a new version of every bet that moved.
    ordering: Mapped[dict[str, Any]]


class BetVersionRow(Base):
    __tablename__ = "bet_versions"
    __table_args__ = (
        Index("ix_bet_versions_current", "graph_id", "bet_id", unique=True, sqlite_where=text("valid_to IS NULL"),
              postgresql_where=text("valid_to IS NULL")),
        Index("ix_bet_versions_span", "graph_id", "valid_from", "valid_to"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"))
    bet_id: Mapped[str] = mapped_column(String(63))
    valid_from: Mapped[int]
    valid_to: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    horizon: Mapped[str | None] = mapped_column(String(32))
    certainty: Mapped[float | None]
    prescriptiveness: Mapped[int | None]
    debate: Mapped[str | None] = mapped_column(String(16))
    review_by: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int | None]
    tags: Mapped[list[str]]
    links: Mapped[list[str]]
    metric: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    verdict: Mapped[str | None] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    # The document's `resolution`, a column per field so that calibration could be one query.
    resolution_verdict: Mapped[str | None] = mapped_column(String(16))
    resolution_learned: Mapped[str | None] = mapped_column(Text)
    resolution_certainty: Mapped[float | None]
    resolved_on: Mapped[dt.date | None]

    parents: Mapped[list[BetParentRow]] = relationship(
        order_by="BetParentRow.position", cascade="all, delete-orphan", lazy="raise"
    )
    assumes: Mapped[list[BetAssumptionRow]] = relationship(
        order_by="BetAssumptionRow.position", cascade="all, delete-orphan", lazy="raise"
    )


class BetParentRow(Base):
    __tablename__ = "bet_parents"

    bet_version_id: Mapped[int] = mapped_column(ForeignKey("bet_versions.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)  # the first parent is primary
    parent_id: Mapped[str] = mapped_column(String(63))


class BetAssumptionRow(Base):
    __tablename__ = "bet_assumptions"

    bet_version_id: Mapped[int] = mapped_column(ForeignKey("bet_versions.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    assumption_id: Mapped[str] = mapped_column(String(63))


class AssumptionVersionRow(Base):
    __tablename__ = "assumption_versions"
    __table_args__ = (
        Index("ix_assumption_versions_current", "graph_id", "assumption_id", unique=True,
              sqlite_where=text("valid_to IS NULL"), postgresql_where=text("valid_to IS NULL")),
        Index("ix_assumption_versions_span", "graph_id", "valid_from", "valid_to"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"))
    assumption_id: Mapped[str] = mapped_column(String(63))
    valid_from: Mapped[int]
    valid_to: Mapped[int | None]
    statement: Mapped[str] = mapped_column(Text)
    certainty: Mapped[float | None]
    importance: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(String(16))
    debate: Mapped[str | None] = mapped_column(String(16))
    review_by: Mapped[dt.date | None]
    resolution_verdict: Mapped[str | None] = mapped_column(String(16))
    resolution_learned: Mapped[str | None] = mapped_column(Text)
    resolution_certainty: Mapped[float | None]
    resolved_on: Mapped[dt.date | None]

    evidence: Mapped[list[EvidenceRow]] = relationship(
        order_by="EvidenceRow.position", cascade="all, delete-orphan", lazy="raise"
    )


class EvidenceRow(Base):
    __tablename__ = "evidence"

    assumption_version_id: Mapped[int] = mapped_column(
        ForeignKey("assumption_versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None]


class TokenRow(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the token; never the token
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart in lists
    scope: Mapped[str] = mapped_column(String(8))  # read, write or admin
    graph_id: Mapped[int | None] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    # A personal token acts as this person (their role on each graph, capped by the scope); a
    # service token (None) has the rights its scope names.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str | None] = mapped_column(String(255), unique=True)  # the OpenID Connect `sub`, once signed in
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-cased
    name: Mapped[str] = mapped_column(Text, default="")
    admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MemberRow(Base):
    """A person's role on one graph: viewer, editor or owner."""

    __tablename__ = "members"

    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(8))


class SignInRow(Base):
    """A browser signed in as a person through OpenID Connect: the server side of its session cookie.

    Revocable (`ended_at`), and over once idle or old (`app.services.signins`). The cookie holds a
    random secret; only its SHA-256 is kept, like a token's.
    """

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # within a minute or so: see `signins.seen`
    ended_at: Mapped[dt.datetime | None]
    # The provider's groups named the administrators' group at this sign-in: an administrator
    # for as long as it lasts, and no longer once the provider stops saying so.
    admin_group: Mapped[bool] = mapped_column(default=False)
    id_token: Mapped[str | None] = mapped_column(Text)  # the hint for the provider's logout


class PendingSignInRow(Base):
    """A sign-in sent to the provider and not yet back: what its answer is checked against, once."""

    __tablename__ = "pending_sign_ins"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the `state` sent
    nonce: Mapped[str] = mapped_column(String(128))
    verifier: Mapped[str] = mapped_column(String(128))  # the PKCE code verifier
    next: Mapped[str] = mapped_column(Text, default="/")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VisitRow(Base):
    """The revision of a graph a person last looked at, for "since your last visit"."""

    __tablename__ = "visits"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int]
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RenderRow(Base):
    """A rendered picture, keyed by a hash of everything that shapes its bytes, shared by every worker."""

    __tablename__ = "render_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    etag: Mapped[str] = mapped_column(String(64))  # a hash of the bytes themselves
    media_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChangeRow(Base):
    """One row counting the writes that change answers (not pictures stored in the render cache).

    SQLite tells a reader that another connection committed, but not what: a counter lets a
    worker tell a stored picture, which changes no answer, from an edit (`app.storage.changes`).
    """

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class SearchRow(Base):
    """A bet or assumption as it stands now, in the words a search finds it by (`app.storage.search`).

    Written by `save_graph` beside the versions, so every write path keeps it current. Each
    database indexes it its own way, made by the migration: SQLite an FTS5 table over these
    rows (kept by triggers), PostgreSQL a generated `tsvector` column with a GIN index.
    """

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("graph_id", "section", "item_id", name="uq_search_entries_item"),
        Index("ix_search_entries_graph_newest", "graph_id", "id"),  # a graph's newest matches first
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # SQLite's rowid: the FTS5 table's key
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(16))  # bet or assumption
    item_id: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str | None] = mapped_column(String(16))  # a bet's kind (goal, …)
    title: Mapped[str] = mapped_column(Text)  # an assumption's statement
    description: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[str] = mapped_column(Text, default="")  # owner and team
    tags: Mapped[str] = mapped_column(Text, default="")


class WebhookRow(Base):
    """A subscription: where to send which events, for one graph or for all (`app.services.webhooks`).

    The secret signs every delivery (Standard Webhooks), so it is kept as it was shown, once, to
    whoever made the subscription; it is never shown again.
    """

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]]
    graph_id: Mapped[int | None] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16), default="standard")  # standard, slack or teams
    secret: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)  # why deliveries stopped, for its owner
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class WebhookEventRow(Base):
    """Something that happened, as every subscription to it is sent it: written in the transaction
    that made it happen (a revision), or by the sweep that found it due."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    # The graph may be deleted before its last deliveries are made: the payload names it itself.
    graph_id: Mapped[int | None] = mapped_column(ForeignKey("graphs.id", ondelete="SET NULL"))
    revision: Mapped[int | None]
    payload: Mapped[dict[str, Any]]  # the event's `data`, without the links (made at sending)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookDeliveryRow(Base):
    """One event for one subscription: the outbox row, then its log (`app.services.deliveries`)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # What is due next: the deliverers' one question, asked often.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_log", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys, no index on the event, no unique index on the message id (random, and told
    # apart by the subscription): every revision writes a row for each subscription, and each of
    # those would be a check or a write more. Events are written with their deliveries and never
    # deleted; a subscription's deliveries are deleted with it (`app.storage.webhooks.forget`).
    webhook_id: Mapped[int]
    event_id: Mapped[int]
    message_id: Mapped[str] = mapped_column(String(40))  # `webhook-id`: the same on every attempt
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A deliverer sending it holds it until then; past it (the deliverer died), another may.
    claimed_until: Mapped[dt.datetime | None]
    last_attempt_at: Mapped[dt.datetime | None]
    last_status: Mapped[int | None]  # the receiver's HTTP status
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None]


class WebhookAlarmRow(Base):
    """A dated event already raised (a review come due, a horizon passed, a week's digest): each once."""

    __tablename__ = "webhook_alarms"
    __table_args__ = (UniqueConstraint("graph_id", "type", "subject", "due", name="uq_webhook_alarms_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(63))  # the bet or assumption; "" for the digest
    due: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
