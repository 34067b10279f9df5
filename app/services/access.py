"""May this caller read or write this graph? The one rule, for the API, the viewer, the pictures, oEmbed and the CLI.

A caller is whoever a token names (sent as a bearer token, kept in the viewer's cookie, or in an
embed URL). Everything a caller may do with a graph follows from one value, their `Role` there
(`role`): a service token has what its scope names; a personal token acts as its person, never
beyond what its scope allows; anyone may read a public graph.

A caller without rights on a graph sees nothing of it: missing and hidden read the same (404), so
slugs cannot be probed. A private graph asked for without any token is 401, so that a person
knows signing in may help. Whoever may read but not do what they asked gets 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from sqlalchemy.orm import Session

from app.domain.model import Graph
from app.services.errors import ForbiddenError, NotFoundError, UnauthenticatedError
from app.storage.graphs import Writer, header, lock_graph_row, visibility
from app.storage.people import member_graphs, member_role
from app.storage.renders import graph_and_visibility
from app.storage.tables import GraphRow
from app.storage.tokens import Scope, find_token_and_person


class Role(IntEnum):
    """What a caller may do with one graph; each role may do everything the ones below it may."""

    NONE = 0  # nothing: the graph is hidden (404)
    VIEWER = 1  # read it
    EDITOR = 2  # also write its bets, assumptions, check-ins and resolutions
    OWNER = 3  # also its header (title, description, visibility), deleting it, and its members
    ADMIN = 4  # everything, on every graph


# A service token's rights are its scope's. A write token keeps what it always had (every write,
# the header included), but only people who own a graph, and administrators, name its members.
SERVICE_ROLE = {Scope.READ: Role.VIEWER, Scope.WRITE: Role.OWNER, Scope.ADMIN: Role.ADMIN}
# A personal token acts as its person, at most as far as its scope: a token kept in a CI job or a
# script acts as a viewer or an editor; owning a graph is done signed in. Only an administrator
# has a token with the admin scope (`app.services.people.create_personal_token`).
PERSONAL_LIMIT = {Scope.READ: Role.VIEWER, Scope.WRITE: Role.EDITOR, Scope.ADMIN: Role.ADMIN}
DEFAULT_ROLES = {"none": Role.NONE, "viewer": Role.VIEWER}


@dataclass(frozen=True, slots=True)
class Caller:
    """Whoever a request comes from: a token, or a person signed in (`sign_in_id`, no token).

    A signed-in person has the admin scope: nothing but their own role on each graph limits them
    (`PERSONAL_LIMIT[Scope.ADMIN]` caps nothing, and only an administrator's role reaches ADMIN).
    """

    token_id: int | None
    scope: Scope
    graph_id: int | None  # a token for one graph sees nothing of another
    person_id: int | None = None  # a personal token or a sign-in acts as this person; None: a service token
    admin: bool = False  # the person is an administrator
    default_role: Role = Role.NONE  # the person's role on a private graph they are no member of
    sign_in_id: int | None = None

    @property
    def may_write(self) -> bool:
        """Whether the scope allows any write: known before any graph is read (its role there may not)."""
        return self.scope >= Scope.WRITE

    @property
    def by(self) -> Writer:
        """What a revision this caller writes records as its author."""
        return Writer(self.token_id, self.person_id)


# Whoever holds the database itself (the `betgraph` commands): an administrator, as an admin
# service token is. They could change any row by hand, so no rule of ours could hold them back.
HOLDER = Caller(None, Scope.ADMIN, None)


def administrator(who: Caller | None) -> bool:
    """Whether `who` may do everything, on every graph and beyond them (people's sign-ins): an
    administrator, or a service token of the admin scope."""
    return who is not None and (who.admin if who.person_id is not None else SERVICE_ROLE[who.scope] == Role.ADMIN)


def signed_in(person_id: int, *, admin: bool, default_role: str, sign_in_id: int) -> Caller:
    """A person signed in through the provider (`app.services.signins` decides that they are)."""
    return Caller(
        None,
        Scope.ADMIN,
        None,
        person_id=person_id,
        admin=admin,
        default_role=DEFAULT_ROLES[default_role],
        sign_in_id=sign_in_id,
    )


def caller(session: Session, token: str, *, default_role: str = "none") -> Caller | None:
    """Who `token` names; None when it is unknown or revoked. `default_role` is BETGRAPH_DEFAULT_ROLE."""
    found = find_token_and_person(session, token)
    if found is None:
        return None
    row, person = found
    return Caller(
        row.id,
        Scope[row.scope.upper()],
        row.graph_id,
        person_id=person.id if person is not None else None,
        admin=person is not None and person.admin,
        default_role=DEFAULT_ROLES[default_role],
    )


def role(session: Session, who: Caller | None, row: GraphRow, *, public: bool) -> Role:
    """THE rule: what `who` may do with graph `row` (`public`: its visibility is public)."""
    anyone = Role.VIEWER if public else Role.NONE
    if who is None:
        return anyone
    if who.graph_id not in (None, row.id):
        return Role.NONE  # hidden, even when public: the token names another graph
    if who.person_id is None:
        return SERVICE_ROLE[who.scope]
    if who.admin:
        person = Role.ADMIN
    else:
        named = member_role(session, row.id, who.person_id)
        person = Role[named.upper()] if named is not None else who.default_role
    return min(PERSONAL_LIMIT[who.scope], max(person, anyone))


def _role_of_locked(session: Session, who: Caller, row: GraphRow) -> Role:
    # A service token's role does not depend on the graph's visibility: spare the query.
    public = who.person_id is not None and visibility(session, row) == "public"
    return role(session, who, row, public=public)


@dataclass(frozen=True, slots=True)
class Readable:
    row: GraphRow
    public: bool  # anyone may read it: answers about it may be cached by anyone


def not_found(slug: str) -> NotFoundError:
    return NotFoundError(f"no graph {slug!r}")


def embeds(session: Session, token: str, row: GraphRow) -> bool:
    """Whether `token` is one through which `row`'s graph may be embedded.

    Only a service token: an embed URL is pasted where many read it, and a person's token in it
    would hand out whatever that person may do.
    """
    found = caller(session, token)
    return found is not None and found.person_id is None and found.graph_id in (None, row.id)


def read_graph(session: Session, slug: str, who: Caller | None, *, embed: str | None = None) -> Readable:
    """The graph, if `who` may read it; through `embed` (an embed URL's token) only what that token sees.

    An answer through an embed token counts as private whatever the graph's visibility: its URL
    holds a secret, so nobody but its holder should keep a copy.
    """
    found = graph_and_visibility(session, slug)
    if found is None:
        raise not_found(slug)
    row, visibility = found
    if embed is not None:
        if not embeds(session, embed, row):
            raise not_found(slug)
        return Readable(row, public=False)
    public = visibility == "public"
    if role(session, who, row, public=public) == Role.NONE:
        if who is None:
            raise UnauthenticatedError(f"graph {slug!r} is private")
        raise not_found(slug)
    return Readable(row, public)


REFUSED = {
    Role.EDITOR: "you may only read graph {slug!r}",
    Role.OWNER: "only an owner of graph {slug!r} may change its title, description or visibility, or delete it",
}


def check_writer(
    session: Session, who: Caller | None, slug: str, row: GraphRow | None, *, need: Role = Role.EDITOR
) -> Caller:
    """`who`, if their role on graph `slug` (`row`, or None for a graph they would create) is `need` or more."""
    writer = may_write(who)
    if row is None:  # anyone who may write may create a graph, but not a token for another graph
        if writer.graph_id is not None:
            raise not_found(slug)
        return writer
    _checked(session, writer, slug, row, need)
    return writer


def _checked(session: Session, writer: Caller, slug: str, row: GraphRow, need: Role) -> Role:
    """The writer's role on `row`, if it is `need` or more (read once: for a person it takes queries)."""
    found = _role_of_locked(session, writer, row)
    if found == Role.NONE:
        raise not_found(slug)
    if found < need:
        raise ForbiddenError(REFUSED[need].format(slug=slug))
    return found


def may_write(who: Caller | None) -> Caller:
    """`who`, if they may write at all: known before any graph is read or locked."""
    if who is None:
        raise UnauthenticatedError("writing needs a token with the write scope", writing=True)
    if not who.may_write:
        raise ForbiddenError("this token may only read")
    return who


def may_edit(session: Session, who: Caller | None, row: GraphRow) -> bool:
    """Whether `who` may write `row`'s bets and assumptions: what the viewer asks before it offers
    its editors, by the rule the write itself is checked by."""
    if who is None or not who.may_write:
        return False
    return _role_of_locked(session, who, row) >= Role.EDITOR


def write_graph(
    session: Session, slug: str, who: Caller | None, *, need: Role = Role.EDITOR
) -> tuple[GraphRow, Caller]:
    """The graph, locked for this transaction, if `who` may write it (`need`: OWNER for its header).

    Writers to one graph queue here, on its row, until the one before them commits; so a write
    always applies to the graph as it is now and never loses a race with another (PostgreSQL:
    SELECT … FOR UPDATE; SQLite takes its one write lock as the transaction begins).
    """
    row, writer, _ = _locked(session, slug, who, need)
    return row, writer


def _locked(session: Session, slug: str, who: Caller | None, need: Role) -> tuple[GraphRow, Caller, Role]:
    writer = may_write(who)  # nobody without the right queues behind the writers
    row = lock_graph_row(session, slug)
    if row is None:
        raise not_found(slug)
    return row, writer, _checked(session, writer, slug, row, need)


def write_document(session: Session, slug: str, who: Caller | None, graph: Graph) -> tuple[GraphRow | None, Caller]:
    """Like `write_graph`, for a whole document that may create the graph (None: it does not exist yet).

    An editor may send one only with the header as it stands: the title, description and
    visibility are the owners'.
    """
    writer = may_write(who)
    row = lock_graph_row(session, slug)
    if row is None:
        return None, check_writer(session, writer, slug, None)
    found = _checked(session, writer, slug, row, Role.EDITOR)
    if found < Role.OWNER and header(session, row) != (graph.title, graph.description, graph.visibility.value):
        raise ForbiddenError(REFUSED[Role.OWNER].format(slug=slug))
    return row, writer


def manage_members(session: Session, slug: str, who: Caller | None) -> GraphRow:
    """The graph, locked (so that two changes cannot both remove its last owners), if `who` may
    change its members: a person who owns it, or an administrator."""
    row, writer, found = _locked(session, slug, who, Role.EDITOR)
    if not _manages_members(writer, found):
        raise ForbiddenError(f"only an owner of graph {slug!r} or an administrator may change its members")
    return row


def _manages_members(who: Caller, found: Role) -> bool:
    return found == Role.ADMIN or (who.person_id is not None and found >= Role.OWNER)


def manages_webhooks_of(session: Session, who: Caller | None, row: GraphRow | None) -> bool:
    """THE rule for webhooks: who may see and change those of `row` (None: those for every graph).
    An owner of the graph, or an administrator, who alone may subscribe to every graph at once. A
    subscription's URL and log are its owners' too: a reader of the graph sees neither."""
    if who is None:
        return False
    if administrator(who) or row is None:
        return administrator(who)
    return role(session, who, row, public=visibility(session, row) == "public") >= Role.OWNER


def webhook_manager(who: Caller | None) -> Caller:
    """`who`, if they could manage any webhook at all: known before any is read."""
    if who is None:
        raise UnauthenticatedError("managing webhooks needs a token or a sign-in", writing=True)
    return who


def manage_webhooks(session: Session, who: Caller | None, slug: str | None) -> GraphRow | None:
    """The graph whose webhooks `who` may manage (None: those for every graph), or why not."""
    who = webhook_manager(who)
    if slug is None:
        if not manages_webhooks_of(session, who, None):
            raise ForbiddenError("only an administrator may manage webhooks for every graph")
        return None
    row = read_graph(session, slug, who).row  # hidden from who may not read it
    if not manages_webhooks_of(session, who, row):
        raise ForbiddenError(f"only an owner of graph {slug!r} or an administrator may manage its webhooks")
    return row


@dataclass(frozen=True, slots=True)
class Rights:
    """What the viewer offers `who` on one graph, by the rules the writes themselves are checked by."""

    role: Role
    members: bool  # may change who the members are


def rights(session: Session, who: Caller | None, row: GraphRow) -> Rights:
    if who is None or not who.may_write:
        return Rights(Role.NONE, members=False)
    found = _role_of_locked(session, who, row)
    return Rights(found, members=_manages_members(who, found))


def listable(session: Session, who: Caller | None) -> Sequence[int] | Literal["all"]:
    """Which graphs besides the public ones `who` may list: all, or these (by id)."""
    if who is None:
        return ()
    if who.graph_id is not None:
        return (who.graph_id,)
    if who.person_id is None or who.admin or who.default_role >= Role.VIEWER:
        return "all"
    return member_graphs(session, who.person_id)
