"""/api/webhooks: subscriptions to a graph's events (or every graph's), and their delivery logs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.domain.events import EVENTS
from app.services import webhooks as service
from app.storage.webhooks import Logged

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Format = Literal["standard", "slack", "teams"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="where to POST; http(s), to a public address")
    events: list[str] = Field(min_length=1, max_length=len(EVENTS), description=", ".join(EVENTS))
    graph: str | None = Field(default=None, max_length=63, description="this graph's events; none: every graph's")
    format: Format = "standard"
    description: str = Field(default="", max_length=service.MAX_DESCRIPTION)


class WebhookPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, min_length=1, max_length=len(EVENTS))
    format: Format | None = None
    description: str | None = Field(default=None, max_length=service.MAX_DESCRIPTION)
    enabled: bool | None = None


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    graph: str | None  # None: every graph
    format: str
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: dt.datetime
    deliveries: dict[str, int]  # by status: pending, delivered, failed


class WebhookMade(WebhookOut):
    secret: str  # shown once: verify each delivery's `webhook-signature` with it


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: int
    message_id: str  # the `webhook-id` header
    event: str
    revision: int | None
    status: str  # pending, delivered or failed
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None  # while pending
    last_attempt_at: dt.datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: dt.datetime | None


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next: str | None  # the next page's URL


def _out(found: service.Subscription) -> WebhookOut:
    row = found.row
    return WebhookOut(
        id=row.id,
        url=row.url,
        events=row.events,
        graph=found.graph,
        format=row.format,
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        deliveries=found.counts,
    )


def _delivery(logged: Logged) -> DeliveryOut:
    row = logged.delivery
    return DeliveryOut(
        id=row.id,
        message_id=row.message_id,
        event=logged.event_type,
        revision=logged.revision,
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        last_attempt_at=row.last_attempt_at,
        last_status=row.last_status,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


@router.post("", status_code=201, response_model=WebhookMade)
def create_webhook(body: WebhookIn, session: SessionDep, caller: CallerDep, services: ServicesDep) -> WebhookMade:
    """Subscribe `url` to `events` of graph `graph` (an owner's), or of every graph (an
    administrator's). The answer holds the signing secret, which is never shown again."""
    made, secret = service.create(
        session,
        caller,
        url=body.url,
        events=body.events,
        graph=body.graph,
        format=body.format,
        description=body.description,
        allow_private=services.settings.webhook_allow_private,
    )
    return WebhookMade(**_out(made).model_dump(), secret=secret)


@router.get("", response_model=WebhookList)
def list_webhooks(
    session: SessionDep,
    caller: CallerDep,
    graph: Annotated[str | None, Query(max_length=63, description="only this graph's")] = None,
) -> WebhookList:
    """The subscriptions the caller may manage."""
    return WebhookList(items=[_out(found) for found in service.listed(session, caller, graph=graph)])


@router.get("/{webhook_id}", response_model=WebhookOut)
def get_webhook(webhook_id: WebhookId, session: SessionDep, caller: CallerDep) -> WebhookOut:
    return _out(service.get(session, caller, webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut)
def patch_webhook(
    webhook_id: WebhookId, body: WebhookPatch, session: SessionDep, caller: CallerDep, services: ServicesDep
) -> WebhookOut:
    """Change what is given; `enabled: true` turns a disabled subscription on again, and what
    waited meanwhile is sent."""
    return _out(
        service.change(
            session,
            caller,
            webhook_id,
            url=body.url,
            events=body.events,
            format=body.format,
            description=body.description,
            enabled=body.enabled,
            allow_private=services.settings.webhook_allow_private,
        )
    )


@router.delete("/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: WebhookId, session: SessionDep, caller: CallerDep) -> Response:
    service.remove(session, caller, webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList)
def list_deliveries(
    webhook_id: WebhookId,
    session: SessionDep,
    caller: CallerDep,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="continue before this delivery id")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LOG)] = 50,
) -> DeliveryList:
    """The subscription's deliveries, newest first: what was sent, how often tried, the last error."""
    found = service.log(session, caller, webhook_id, before=before, limit=limit)
    following = None
    if len(found) == limit:
        following = f"/api/webhooks/{webhook_id}/deliveries?before={found[-1].delivery.id}&limit={limit}"
    return DeliveryList(items=[_delivery(each) for each in found], next=following)
