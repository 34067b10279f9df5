"""The `betgraph` commands that work on the database: serve, import, export, token, person, member, session, db,
checkin.

Whoever runs them holds the database itself: they act as an administrator (`access.HOLDER` where a
service asks who), and only the rules that keep the data sane (`app.services.people`) apply.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.cli.common import (
    DOCUMENT_FORMATS,
    dump_document,
    fail,
    left_out,
    load_file,
    output_format,
    slug_option,
    title_option,
    write_output,
)
from app.config import settings
from app.domain.model import Graph
from app.rendering.progress import metric_line
from app.services import access, people, signins
from app.services.errors import InvalidError, ServiceError, infrastructure_error
from app.services.loop import check_in_as_sent
from app.storage.db import make_engine, make_sessionmaker, transaction
from app.storage.graphs import get_graph_row, load_graph, lock_graph_row, save_graph
from app.storage.migrate import upgrade
from app.storage.people import ROLES, find_person, list_people
from app.storage.tables import GraphRow, PersonRow, as_utc
from app.storage.tokens import Scope, create_token, list_tokens, revoke_token


@contextlib.contextmanager
def database_transaction(*, write: bool = True) -> Iterator[Session]:
    """The command's one transaction: committed when the block ends, rolled back on error."""
    url = settings().database_url
    try:
        upgrade(url)  # a no-op when the schema is current; a fresh SQLite file is made here
        engine = make_engine(url)
    except (OperationalError, ArgumentError) as error:
        fail(f"cannot open the database {make_url(url).render_as_string()}: {error.__class__.__name__}: {error}")
    try:
        with transaction(make_sessionmaker(engine), write=write) as session:
            yield session
    except SQLAlchemyError as error:
        outage = infrastructure_error(error)
        if outage is None:
            raise
        fail(f"{outage.message} (try again once {make_url(url).render_as_string()} answers)", EXIT_UNAVAILABLE)
    finally:
        engine.dispose()


# EX_TEMPFAIL (sysexits.h): the database was busy or did not answer; the same command may work later.
EXIT_UNAVAILABLE = 75


@click.group()
def db() -> None:
    """The database: SQLite in ./data by default, or DATABASE_URL (postgresql+psycopg://…)."""


@db.command(name="upgrade")
def db_upgrade() -> None:
    """Create the schema, or bring it up to date (Alembic migrations)."""
    url = settings().database_url
    upgrade(url)
    click.echo(f"database {make_url(url).render_as_string()} is up to date", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes (PostgreSQL).")
def serve(host: str, port: int, workers: int) -> None:
    """Upgrade the database and serve the API, the viewer and the pictures."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    upgrade(settings().database_url)
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        http="app.serving:GuardedHttpToolsProtocol",
    )


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--reason", help="Why this change: kept with the revision.")
@slug_option
@title_option
def import_command(file: str, reason: str | None, slug: str | None, title: str | None) -> None:
    """Store FILE's graph in the database (a new revision when it changed).

    FILE is a YAML or JSON document, a CSV of paths (.csv, .tsv) or a Markdown outline (.md),
    by its extension; `betgraph convert --help` describes them.
    """
    graph, _ = load_file(file, positions=False, slug=slug, title=title)
    with database_transaction() as session:
        saved = save_graph(session, graph, reason=reason)
    state = "created" if saved.created else "updated" if saved.changed else "unchanged"
    click.echo(f"{graph.slug}: {state}, revision {saved.revision}", err=True)


@click.command(name="export")
@click.argument("slug")
@click.option("-o", "--output", "out", help="Write here instead of standard output.")
@click.option(
    "--format", "fmt", type=click.Choice(DOCUMENT_FORMATS), help="Output format (default: from -o, else yaml)."
)
def export_command(slug: str, out: str | None, fmt: str | None) -> None:
    """Write graph SLUG from the database as a document, a CSV of paths or a Markdown outline."""
    fmt = output_format(fmt, out)
    with database_transaction(write=False) as session:
        row = get_graph_row(session, slug)
        if row is None:
            fail(f"no graph {slug!r} in the database")
        graph = load_graph(session, row)
    left_out(graph, fmt)
    write_output(out, dump_document(graph, fmt).encode())


@click.group()
def token() -> None:
    """API tokens: read, write or admin, for every graph or for one."""


@token.command(name="create")
@click.option("--scope", type=click.Choice(["read", "write", "admin"]), required=True)
@click.option("--graph", "slug", help="Limit the token to this graph.")
@click.option("--person", "email", help="A personal token: it acts as this person (`person add`), within its scope.")
@click.option("--label", default="", help="What the token is for, shown in `token list`.")
def token_create(scope: str, slug: str | None, email: str | None, label: str) -> None:
    """Make a token and print it alone on standard output (only its digest is stored).

    Without --person, a service token: it may do what its scope names, on every graph or on
    --graph. With --person, it may do what that person may on each graph, but never more than its
    scope: read acts at most as a viewer, write as an editor; admin is for administrators only.
    """
    if email is not None and slug is not None:
        fail("a personal token acts on the person's graphs: --graph is for service tokens")
    with database_transaction() as session:
        if email is not None:
            try:
                _, secret = people.create_personal_token(session, email, Scope[scope.upper()], label=label)
            except ServiceError as error:
                fail(error.message)
        else:
            row = get_graph_row(session, slug) if slug else None
            if slug and row is None:
                fail(f"no graph {slug!r} in the database")
            _, secret = create_token(session, Scope[scope.upper()], graph=row, label=label)
    click.echo(secret)


@token.command(name="list")
def token_list() -> None:
    """The tokens: id, scope, graph, state, label, whose (an e-mail, or `service`); never the tokens."""
    with database_transaction(write=False) as session:
        slugs = {row.id: row.slug for row in session.scalars(select(GraphRow))}
        emails = {row.id: row.email for row in session.scalars(select(PersonRow))}
        for row in list_tokens(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            graph = slugs.get(row.graph_id, "-") if row.graph_id else "all graphs"
            whose = emails.get(row.person_id, "-") if row.person_id else "service"
            click.echo(f"{row.id}\t{row.prefix}…\t{row.scope}\t{graph}\t{state}\t{row.label}\t{whose}")


@token.command(name="revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `token list`); requests with it get 401 from now on."""
    with database_transaction() as session:
        if not revoke_token(session, token_id):
            fail(f"no active token {token_id}")
    click.echo(f"revoked token {token_id}", err=True)


@click.group()
def person() -> None:
    """People: known by e-mail address; administrators may do everything on every graph."""


@person.command(name="add")
@click.argument("email")
@click.option("--name", default="", help="The name history shows for what they write.")
@click.option("--admin", is_flag=True, help="Make them an administrator.")
def person_add(email: str, name: str, admin: bool) -> None:
    """Add the person at EMAIL (or give a known one a name, or make them an administrator)."""
    with database_transaction() as session:
        try:
            found = people.person(session, email, name=name, admin=admin)
        except ServiceError as error:
            fail(error.message)
        click.echo(f"{found.email}: {'administrator' if found.admin else 'person'}", err=True)


@person.command(name="list")
def person_list() -> None:
    """The people: e-mail, name, administrator or not, signed in yet or not."""
    with database_transaction(write=False) as session:
        for row in list_people(session):
            kind = "admin" if row.admin else "-"
            signed = "signed in" if row.subject else "not signed in yet"
            click.echo(f"{row.email}\t{row.name}\t{kind}\t{signed}")


@click.group()
def member() -> None:
    """Who may view, edit or own a graph (`betgraph member add acme ana@example.com --role editor`)."""


def _graph(session: Session, slug: str) -> GraphRow:
    row = lock_graph_row(session, slug)  # two changes to one graph's members queue here
    if row is None:
        fail(f"no graph {slug!r} in the database")
    return row


@member.command(name="add")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
def member_add(slug: str, email: str, role: str) -> None:
    """Give the person at EMAIL ROLE on graph SLUG (they are added if new: a member may be named
    before their first sign-in)."""
    with database_transaction() as session:
        try:
            added, _ = people.set_member(session, _graph(session, slug), email, role)
        except ServiceError as error:
            fail(error.message)
    click.echo(f"{slug}: {added.email} is {role}", err=True)


@member.command(name="list")
@click.argument("slug")
def member_list(slug: str) -> None:
    """The members of graph SLUG: e-mail, role, name."""
    with database_transaction(write=False) as session:
        row = get_graph_row(session, slug)
        if row is None:
            fail(f"no graph {slug!r} in the database")
        for found in people.members(session, row):
            click.echo(f"{found.email}\t{found.role}\t{found.name}")


@member.command(name="remove")
@click.argument("slug")
@click.argument("email")
def member_remove(slug: str, email: str) -> None:
    """Take the person at EMAIL off graph SLUG."""
    with database_transaction() as session:
        try:
            removed = people.remove_member(session, _graph(session, slug), email)
        except ServiceError as error:
            fail(error.message)
        if not removed:
            fail(f"{email} is not a member of {slug!r}")
    click.echo(f"{slug}: removed {email.lower()}", err=True)


@click.group(name="session")
def session_group() -> None:
    """Browsers signed in through single sign-on: list them, and end them (revocation)."""


def _signed_person(session: Session, email: str) -> PersonRow:
    try:
        found = find_person(session, people.email_of(email))
    except ServiceError as error:
        fail(error.message)
    if found is None:
        fail(f"nobody is known by {email!r}")
    return found


@session_group.command(name="list")
@click.option("--person", "email", help="Only this person's sign-ins.")
def session_list(email: str | None) -> None:
    """The live sign-ins, newest first.

    Id, e-mail, name, created, last seen (to within a minute), and `admin-group` when the
    provider's administrators' group made the person an administrator for this sign-in.
    """
    with database_transaction(write=False) as session:
        whose = _signed_person(session, email) if email is not None else None
        for row, found in signins.listed(session, access.HOLDER, settings()):
            if whose is not None and found.id != whose.id:
                continue
            group = "admin-group" if row.admin_group else "-"
            created, seen = (f"{as_utc(moment):%Y-%m-%dT%H:%M:%SZ}" for moment in (row.created_at, row.seen_at))
            click.echo(f"{row.id}\t{found.email}\t{found.name}\t{created}\t{seen}\t{group}")


@session_group.command(name="end")
@click.argument("sign_in_id", metavar="ID", type=click.IntRange(1, 2**62), required=False)
@click.option("--person", "email", help="End every live sign-in of the person at this address instead.")
def session_end(sign_in_id: int | None, email: str | None) -> None:
    """End sign-in ID, or every sign-in of --person.

    The browser holding it is signed out on its next request. ID is the first column of `session list`.
    """
    if sign_in_id is None and email is None:
        fail("name the sign-in to end (an ID from `betgraph session list`), or --person EMAIL")
    if sign_in_id is not None and email is not None:
        fail("name a sign-in ID or --person EMAIL, not both")
    with database_transaction() as session:
        try:
            if sign_in_id is not None:
                live = signins.end(session, sign_in_id, access.HOLDER)
                message = f"ended sign-in {sign_in_id}" if live else f"sign-in {sign_in_id} had ended already"
            else:
                whose = _signed_person(session, str(email))
                count = signins.end_all(session, whose, access.HOLDER)
                message = f"{whose.email}: ended {count} sign-in{'' if count == 1 else 's'}"
        except ServiceError as error:
            fail(error.message)
    click.echo(message, err=True)


def stored_graph(slug: str) -> Graph:
    """Graph SLUG as stored now, for the file commands that also take a slug (`report`)."""
    with database_transaction(write=False) as session:
        row = get_graph_row(session, slug)
        if row is None:
            fail(f"{slug}: no such file, and no graph {slug!r} in the database")
        return load_graph(session, row)


@click.command(name="checkin")
@click.argument("slug")
@click.argument("bet")
@click.argument("value", type=float)
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day it was measured (default: today)."
)
@click.option("--note", help="What the value says, or what moved it.")
@click.option("--reason", help="Why this change: kept with the revision.")
def checkin(*, slug: str, bet: str, value: float, on: dt.datetime | None, note: str | None, reason: str | None) -> None:
    """Record VALUE for the metric of BET in graph SLUG; its current value follows the latest check-in.

    Options go first when a negative value follows `--`: `betgraph checkin --note "…" acme churn -- -2`.
    """
    sent: dict[str, Any] = (
        {"value": value} | ({"date": on.date()} if on else {}) | ({"note": note} if note is not None else {})
    )
    with database_transaction() as session:
        row = lock_graph_row(session, slug)
        if row is None:
            fail(f"no graph {slug!r} in the database")
        try:
            written = check_in_as_sent(session, row, bet, sent, by=None, reason=reason)
        except InvalidError as error:
            fail("; ".join(problem.message for problem in error.problems))
        except ServiceError as error:
            fail(f"{slug}: {error.message}")
        metric = load_graph(session, row).bet_by_id[bet].metric
    assert metric is not None
    click.echo(f"{slug} {bet}: {metric_line(metric)} (revision {written.revision})", err=True)
