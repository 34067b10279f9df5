"""`betgraph digest`: the agenda of a bet review, for one stored graph or every one."""

from __future__ import annotations

import json

import click

from app.cli.common import fail
from app.cli.database import database_transaction
from app.config import settings
from app.domain.digest import DEFAULT_DAYS, Digest, digest_data
from app.rendering.digest import digests_text
from app.services import access
from app.services import digest as service
from app.services.errors import NotFoundError, ServiceError
from app.storage.graphs import get_graph_row

EXIT_NOT_FOUND = 1  # no such graph, or none yet in the period

EPILOG = f"""\b
Examples:
  betgraph digest                               # every graph, the last {DEFAULT_DAYS} days
  betgraph digest acme --days 14 --format markdown > review.md
  betgraph digest acme --since 2026-10-01 --until 2026-10-31 --format json

\b
A digest says what changed in the period (the revisions, who wrote them and why, and the change
in words), what fell due (past its horizon or review date with no verdict: newly, or still from
before), the leaps of faith still untested, how calibration moved, and the lint findings the
period brought. Markdown links to the viewer at BETGRAPH_PUBLIC_URL (paths when it is not set).
"""


@click.command(name="digest", epilog=EPILOG)
@click.argument("slug", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--since", help="The period's start: a date (from the start of that day, UTC) or an ISO date-time.")
@click.option("--until", help="The period's end: a date (to the end of that day, UTC) or a date-time; default: now.")
@click.option(
    "--days",
    type=click.IntRange(1, service.LONGEST),
    help=f"The period is this many days up to --until, instead of --since (default: {DEFAULT_DAYS}).",
)
def digest_command(slug: str | None, fmt: str, since: str | None, until: str | None, days: int | None) -> None:
    """What a bet review should look at: graph SLUG over a period, or every graph without SLUG."""
    try:
        start, end = service.period(since, until, days=days)
    except ServiceError as error:
        fail(error.message)
    with database_transaction(write=False) as session:
        if slug is not None and get_graph_row(session, slug) is None:
            fail(f"no graph {slug!r} in the database", EXIT_NOT_FOUND)
        try:
            if slug is not None:
                found = [service.digest(session, access.HOLDER, slug, since=start, until=end)]
            else:
                found = service.digests(session, access.HOLDER, since=start, until=end)
        except NotFoundError as error:
            fail(error.message, EXIT_NOT_FOUND)
    click.echo(_written(found, fmt, single=slug is not None), nl=False)


def _written(found: list[Digest], fmt: str, *, single: bool) -> str:
    if fmt == "json":
        data = [digest_data(one) for one in found]
        return json.dumps(data[0] if single else {"digests": data}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return service.markdown(found, settings().public_url)
    return digests_text(found)
