"""`betgraph webhook add|list|remove|deliveries`: subscriptions, made by whoever holds the database
(an administrator, `access.HOLDER`), by the rules the API's are made by (`app.services.webhooks`)."""

from __future__ import annotations

import click

from app.cli.common import fail
from app.cli.database import database_transaction
from app.config import settings
from app.domain.events import EVENTS
from app.services import access, webhooks
from app.services.errors import ServiceError


@click.group(name="webhook")
def webhook_group() -> None:
    """Send a graph's events (or every graph's) to a URL: a receiver, a Slack or Teams channel."""


@webhook_group.command(name="add")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    type=click.Choice(EVENTS),
    help="An event to send; repeat for more.",
)
@click.option("--graph", "slug", help="Only this graph's events (else every graph's).")
@click.option("--format", "fmt", type=click.Choice(webhooks.FORMATS), default="standard", show_default=True)
@click.option("--description", default="", help="What it is for, shown in `webhook list`.")
def webhook_add(url: str, events: tuple[str, ...], slug: str | None, fmt: str, description: str) -> None:
    """Subscribe URL to EVENTs. Prints the subscription's id, then its signing secret: keep it, it
    is not shown again."""
    with database_transaction() as session:
        try:
            made, secret = webhooks.create(
                session,
                access.HOLDER,
                url=url,
                events=events,
                graph=slug,
                format=fmt,
                description=description,
                allow_private=settings().webhook_allow_private,
            )
        except ServiceError as error:
            fail(error.message)
        number = made.row.id
    click.echo(f"webhook {number}: {', '.join(events)} of {slug or 'every graph'} to {url}", err=True)
    click.echo(secret)


@webhook_group.command(name="list")
@click.option("--graph", "slug", help="Only this graph's.")
def webhook_list(slug: str | None) -> None:
    """Id, graph (* for every graph), events, format, state, deliveries by status, URL."""
    with database_transaction(write=False) as session:
        try:
            found = webhooks.listed(session, access.HOLDER, graph=slug)
        except ServiceError as error:
            fail(error.message)
        for each in found:
            row = each.row
            state = "on" if row.enabled else f"off ({row.disabled_reason})"
            counts = " ".join(f"{status}={count}" for status, count in sorted(each.counts.items())) or "none"
            fields = (row.id, each.graph or "*", ",".join(row.events), row.format, state, counts, row.url)
            click.echo("\t".join(str(field) for field in fields))


@webhook_group.command(name="remove")
@click.argument("webhook_id", type=click.IntRange(1, 2**31 - 1))
def webhook_remove(webhook_id: int) -> None:
    """Delete subscription WEBHOOK_ID and its deliveries, sent or not."""
    with database_transaction() as session:
        try:
            webhooks.remove(session, access.HOLDER, webhook_id)
        except ServiceError as error:
            fail(error.message)
    click.echo(f"webhook {webhook_id} removed", err=True)


@webhook_group.command(name="deliveries")
@click.argument("webhook_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--limit", type=click.IntRange(1, webhooks.MAX_LOG), default=20, show_default=True)
def webhook_deliveries(webhook_id: int, limit: int) -> None:
    """The subscription's latest deliveries: id, event, revision, status, attempts, last answer."""
    with database_transaction(write=False) as session:
        try:
            found = webhooks.log(session, access.HOLDER, webhook_id, limit=limit)
        except ServiceError as error:
            fail(error.message)
        for each in found:
            row = each.delivery
            answer = row.last_error or (f"HTTP {row.last_status}" if row.last_status else "not tried yet")
            fields = (row.id, each.event_type, each.revision or "-", row.status, row.attempts, answer)
            click.echo("\t".join(str(field) for field in fields))
