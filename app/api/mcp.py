"""/mcp: a read-only Model Context Protocol server, so an assistant can answer "why are we building X?"
from the graphs themselves.

Streamable HTTP through the official SDK, stateless and answered in JSON: any worker answers any
request, with nothing kept between them. Who asks is the API's bearer token (`Authorization:
Bearer <token>`, none: anonymous), read by the API's own dependency (`deps.bearer`) and held to the
API's access rule: a token that names nobody is refused with the API's 401 before MCP sees the
request; a graph the caller may not read is a tool error with the API's message. Each tool call is
one read transaction, and calls the services the API's routes call. There is no tool that writes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Generic, Literal, TypeVar

import anyio.to_thread
from fastapi import FastAPI
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
    ToolAnnotations,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.api.deps import bearer, get_services
from app.api.graphs import LintOut, lint_out
from app.api.problems import ProblemError, problem_for, problem_response
from app.api.search import SearchItem
from app.domain.lenses import LensError, Quadrant, assumption_map
from app.formats.writing import dump_json
from app.http import public_base_url
from app.services import reading, sharing, why
from app.services import search as finding
from app.services.access import Caller
from app.services.context import Services
from app.services.errors import NotFoundError, ServiceError, infrastructure_error
from app.services.moments import DESCRIPTION as AS_OF_DESCRIPTION
from app.services.moments import Moment, parse_moment
from app.storage.db import transaction
from app.storage.tables import as_utc

log = logging.getLogger("betgraph")

PATH = "/mcp"
INSTRUCTIONS = """\
Betgraph holds a product organisation's nested bets: vision, strategy, goal, outcome, opportunity, \
hypothesis and initiative, each with a certainty, and the assumptions they rest on. To answer "why are \
we building X?", find X with `search`, then `explain_bet` gives its chain up to the vision, how sure \
that chain is and its weakest link. `leaps_of_faith` lists the important assumptions with little \
evidence and no verdict yet, `lint_findings` what the graph's checks flag, `diagram_url` a picture \
to show. Everything here is read-only."""


# --- arguments -----------------------------------------------------------------------------------


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


Slug = Annotated[str, Field(min_length=1, max_length=63, description="the graph's slug, as list_graphs names it")]
AsOf = Annotated[str | None, Field(max_length=64, description=AS_OF_DESCRIPTION + "; left out: the latest")]


class ListGraphsIn(Arguments):
    after: Annotated[str, Field(max_length=63, description="the `next` of the page before; left out: the first")] = ""
    limit: Annotated[int, Field(ge=1, le=200, description="graphs on this page")] = 50


class GraphIn(Arguments):
    slug: Slug
    as_of: AsOf = None


class ExplainIn(GraphIn):
    bet: Annotated[str, Field(min_length=1, max_length=63, description="the bet's id (search finds it by its words)")]


class LeapsIn(GraphIn):
    team: Annotated[str | None, Field(max_length=200, description="only what this team's bets rest on")] = None


class SearchIn(Arguments):
    q: Annotated[
        str,
        Field(max_length=finding.MAX_QUERY, description="words to find, all of them; the last may be the start of one"),
    ]
    graph: Annotated[str | None, Field(max_length=63, description="only this graph (its slug)")] = None
    limit: Annotated[int, Field(ge=1, le=finding.MAX_LIMIT)] = 20


class DiagramIn(GraphIn):
    view: Annotated[
        Literal["map", "why", "impact", "team", "board", "assumptions", "portfolio"],
        Field(
            description="map: the whole graph; why: a bet and everything above it; impact: a bet or assumption "
            "and everything resting on it; team: a team's bets; board, assumptions, portfolio: the lenses"
        ),
    ] = "map"
    focus: Annotated[
        str | None,
        Field(
            max_length=200,
            description="the bet (why), the bet or assumption (impact) or the team (team) the view is about; "
            "for a lens, one team alone",
        ),
    ] = None
    format: Annotated[Literal["svg", "png"], Field(description="the picture's format")] = "svg"


# --- answers -------------------------------------------------------------------------------------


class GraphEntry(BaseModel):
    slug: str
    title: str
    visibility: str
    revision: int
    updated_at: dt.datetime
    bets: int
    assumptions: int


class GraphsOut(BaseModel):
    graphs: list[GraphEntry]
    next: str | None  # pass as `after` for the next page


class DocumentOut(BaseModel):
    graph: str
    revision: int
    document: dict[str, Any]  # as GET /api/graphs/{slug} answers it


class RestingOn(BaseModel):
    id: str
    statement: str
    certainty: float | None


class Link(BaseModel):
    id: str
    kind: str
    title: str
    certainty: float | None
    rests_on: list[RestingOn]


class ExplainOut(BaseModel):
    graph: str
    revision: int
    focus: str
    chain_certainty: float
    weakest: str | None  # the least certain bet or assumption on the path
    path: list[str]  # the best-supported path, the focus first, up to the vision
    bets: list[str]  # the focus and every bet above it, nearest first
    assumptions: list[str]  # every assumption those bets rest on
    chain: list[Link]  # the path from the top down, with what each bet rests on
    explanation: str  # the same in words, as `betgraph why` says it


class BetRef(BaseModel):
    id: str
    kind: str
    title: str


class Leap(BaseModel):
    id: str
    statement: str
    importance: int  # 1-5; 3 when the assumption states none
    importance_stated: bool
    evidence_score: float  # 0-1: how strongly its evidence supports it
    certainty: float | None
    category: str | None
    bets: list[BetRef]  # the bets resting on it


class LeapsOut(BaseModel):
    graph: str
    revision: int
    as_of: dt.date  # the date horizons and reviews were read against
    team: str | None
    meaning: str
    assumptions: list[Leap]


class SearchOut(BaseModel):
    query: str
    items: list[SearchItem]  # each `url` opens the item in the viewer


class DiagramOut(BaseModel):
    url: str  # the picture, in the format asked for
    svg_url: str
    png_url: str
    dark_url: str  # the SVG in the dark theme
    pinned_url: str  # this revision's picture, which never changes
    viewer_url: str  # the viewer's page of the same view
    alt: str  # the picture in words


# --- the tools -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """What a tool reads with: the caller's one read transaction, and who they are."""

    services: Services
    session: Session
    caller: Caller | None
    request: Request

    @property
    def base(self) -> str:
        return public_base_url(self.request)

    def read(self, slug: str, as_of: str | None) -> reading.Reading:
        return reading.read(self.services, self.session, self.caller, slug, moment(as_of))


@dataclass(frozen=True, slots=True)
class Answer:
    data: BaseModel
    words: str = ""  # said before the data, for an assistant to read as it is


def moment(as_of: str | None) -> Moment | None:
    return parse_moment(as_of) if as_of is not None else None


def list_graphs(call: Call, args: ListGraphsIn) -> Answer:
    rows = reading.listed(call.session, call.caller, after=args.after, limit=args.limit + 1)
    graphs = [
        GraphEntry(
            slug=row.slug,
            title=header.title,
            visibility=header.visibility,
            revision=row.head,
            updated_at=as_utc(row.updated_at),
            bets=len(header.ordering.get("bets", ())),
            assumptions=len(header.ordering.get("assumptions", ())),
        )
        for row, header in rows[: args.limit]
    ]
    return Answer(GraphsOut(graphs=graphs, next=graphs[-1].slug if len(rows) > args.limit else None))


def read_graph(call: Call, args: GraphIn) -> Answer:
    found = call.read(args.slug, args.as_of)
    return Answer(DocumentOut(graph=args.slug, revision=found.revision, document=json.loads(dump_json(found.graph))))


def explain_bet(call: Call, args: ExplainIn) -> Answer:
    found = why.explain(call.services, call.session, call.caller, args.slug, args.bet, as_of=moment(args.as_of))
    graph, chain = found.graph, found.chain
    links = []
    for bet_id in reversed(chain.path):
        bet = graph.bet_by_id[bet_id]
        resting = [graph.assumption_by_id[a] for a in bet.assumes if a in graph.assumption_by_id]
        links.append(
            Link(
                id=bet.id,
                kind=bet.kind.value,
                title=bet.title,
                certainty=bet.certainty,
                rests_on=[RestingOn(id=a.id, statement=a.statement, certainty=a.certainty) for a in resting],
            )
        )
    words = "\n".join(found.lines)
    data = ExplainOut(
        graph=args.slug,
        revision=found.revision,
        focus=args.bet,
        chain_certainty=chain.certainty,
        weakest=chain.weakest,
        path=list(chain.path),
        bets=list(chain.bets),
        assumptions=list(chain.assumptions),
        chain=links,
        explanation=words,
    )
    return Answer(data, words)


def lint_findings(call: Call, args: GraphIn) -> Answer:
    return Answer(lint_out(call.read(args.slug, args.as_of)))


def leaps_of_faith(call: Call, args: LeapsIn) -> Answer:
    found = call.read(args.slug, args.as_of)
    graph = found.graph
    try:
        mapped = assumption_map(graph, dt.date.today(), args.team)
    except LensError as error:  # a team with no bets
        raise NotFoundError(str(error)) from None
    leaps = []
    for point in mapped.leaps():
        assumption = graph.assumption_by_id[point.id]
        resting = [graph.bet_by_id[b] for b in graph.assumed_by.get(point.id, ())]
        leaps.append(
            Leap(
                id=point.id,
                statement=point.statement,
                importance=point.importance,
                importance_stated=point.importance_stated,
                evidence_score=point.evidence,
                certainty=assumption.certainty,
                category=point.category.value if point.category is not None else None,
                bets=[BetRef(id=b.id, kind=b.kind.value, title=b.title) for b in resting],
            )
        )
    return Answer(
        LeapsOut(
            graph=args.slug,
            revision=found.revision,
            as_of=mapped.as_of,
            team=args.team,
            meaning=Quadrant.TEST_FIRST.meaning,
            assumptions=leaps,
        )
    )


def search(call: Call, args: SearchIn) -> Answer:
    found = finding.search(call.session, call.caller, args.q, graph=args.graph, limit=args.limit)
    base = call.base
    items = [SearchItem.model_validate(result, from_attributes=True) for result in found]
    items = [item.model_copy(update={"url": base + item.url}) for item in items]
    return Answer(SearchOut(query=args.q.strip(), items=items))


def diagram_url(call: Call, args: DiagramIn) -> Answer:
    shared = sharing.snippets(
        call.services,
        call.session,
        base=call.base,
        slug=args.slug,
        who=call.caller,
        view=args.view,
        focus=args.focus,
        as_of=moment(args.as_of),
    )
    return Answer(
        DiagramOut(
            url=shared.png_url if args.format == "png" else shared.url,
            svg_url=shared.url,
            png_url=shared.png_url,
            dark_url=shared.dark_url,
            pinned_url=shared.pinned_url,
            viewer_url=shared.viewer_url,
            alt=shared.alt,
        )
    )


A = TypeVar("A", bound=Arguments)


@dataclass(frozen=True, slots=True)
class Reader(Generic[A]):
    name: str
    title: str
    description: str
    arguments: type[A]
    answer: type[BaseModel]
    run: Callable[[Call, A], Answer]

    @property
    def tool(self) -> Tool:
        return Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.arguments.model_json_schema(),
            output_schema=self.answer.model_json_schema(),
            # What clients show and decide by before a call: every tool here only reads, the same answer twice.
            annotations=ToolAnnotations(
                title=self.title,
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=False,
            ),
        )


PRIVATE_PICTURES = "A private graph's picture is fetched with the same `Authorization: Bearer` header as this server."
TOOLS: dict[str, Reader[Any]] = {
    reader.name: reader
    for reader in (
        Reader(
            "list_graphs",
            "List graphs",
            "The graphs you may read, by slug: title, visibility (public or private), latest revision, "
            "when it was last written, and how many bets and assumptions each holds.",
            ListGraphsIn,
            GraphsOut,
            list_graphs,
        ),
        Reader(
            "read_graph",
            "Read a graph",
            "One graph's whole document as data, as GET /api/graphs/{slug} answers it: its header, every "
            "bet (kind, title, parents, certainty, horizon, status, owner, team, …) and every assumption "
            "(statement, certainty, importance, evidence). With `as_of`, the graph as it was then.",
            GraphIn,
            DocumentOut,
            read_graph,
        ),
        Reader(
            "explain_bet",
            "Why a bet matters",
            "Why we are building something: a bet's chain up to the vision (the best-supported path, each bet "
            "with the assumptions it rests on), the chain certainty (the product of every certainty on it) and "
            "its weakest link, in words and as data, as `betgraph why` says it. Find the bet's id with search.",
            ExplainIn,
            ExplainOut,
            explain_bet,
        ),
        Reader(
            "lint_findings",
            "Lint findings",
            "What the graph's checks flag (errors, warnings, infos): false certainty, orphaned bets, "
            "assumptions without evidence, horizons past due and the like, each naming the ids it is about.",
            GraphIn,
            LintOut,
            lint_findings,
        ),
        Reader(
            "leaps_of_faith",
            "Leaps of faith",
            "The assumptions to test first: those in the 'test first' quadrant of the assumption map "
            "(important, little evidence) that no verdict has closed yet, with their evidence score (0-1), "
            "importance (1-5) and the bets resting on each, the most important first.",
            LeapsIn,
            LeapsOut,
            leaps_of_faith,
        ),
        Reader(
            "search",
            "Search",
            "Bets and assumptions whose title, statement, description, owner, team or tags hold every word of "
            "`q`, best first, over the graphs you may read (or one, with `graph`).",
            SearchIn,
            SearchOut,
            search,
        ),
        Reader(
            "diagram_url",
            "Diagram URL",
            "The URL of a picture of the graph (SVG or PNG) to show or link: the map, a bet's why or impact view, "
            "a team's bets, or a lens (the board, the assumption map, the portfolio); also the viewer's page of "
            "the same view. " + PRIVATE_PICTURES,
            DiagramIn,
            DiagramOut,
            diagram_url,
        ),
    )
}


# --- the protocol --------------------------------------------------------------------------------


def refused(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(text=message)], is_error=True)


def invalid(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'arguments'}: {item['msg']}" for item in error.errors()
    ]
    return "; ".join(problems)


def answered(answer: Answer) -> CallToolResult:
    data = answer.data.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False, indent=2)
    content = [TextContent(text=answer.words)] if answer.words else []
    return CallToolResult(content=[*content, TextContent(text=text)], structured_content=data)


def run(reader: Reader[Any], raw: Mapping[str, Any], request: Request) -> CallToolResult:
    """One tool call: its arguments checked, then one read transaction, as an API request has."""
    try:
        arguments = reader.arguments.model_validate(dict(raw))
    except ValidationError as error:
        return refused(invalid(error))
    services = get_services(request)
    try:
        with transaction(services.sessions, write=False) as session:
            caller = bearer(request, session)
            return answered(reader.run(Call(services, session, caller, request), arguments))
    except ServiceError as error:
        return refused(error.message)
    except SQLAlchemyError as error:
        outage = infrastructure_error(error)
        if outage is None:
            raise
        return refused(outage.message)


async def list_tools(_: ServerRequestContext[Any], __: PaginatedRequestParams | None) -> ListToolsResult:
    return ListToolsResult(tools=[reader.tool for reader in TOOLS.values()])


async def call_tool(context: ServerRequestContext[Any], params: CallToolRequestParams) -> CallToolResult:
    reader = TOOLS.get(params.name)
    if reader is None:
        raise MCPError(INVALID_PARAMS, f"no tool {params.name!r}; the tools are {', '.join(TOOLS)}")
    request = context.request
    if not isinstance(request, Request):
        raise MCPError(INTERNAL_ERROR, "tools are served over HTTP only")
    try:
        # The services and the database are synchronous: a worker thread, as FastAPI runs a route.
        return await anyio.to_thread.run_sync(partial(run, reader, params.arguments or {}, request))
    except Exception:
        log.exception("unexpected error in MCP tool %s", reader.name)
        return refused("The error was logged; nothing was changed.")


def input_schema(name: str) -> dict[str, Any] | None:
    reader = TOOLS.get(name)
    return reader.arguments.model_json_schema() if reader is not None else None


class Endpoint:
    """The ASGI endpoint at /mcp: the caller's token checked, then the SDK's transport."""

    def __init__(self, version: str) -> None:
        self.server: Server[Any] = Server(
            "betgraph",
            version=version,
            title="Betgraph",
            instructions=INSTRUCTIONS,
            get_tool_input_schema=input_schema,
            on_list_tools=list_tools,
            on_call_tool=call_tool,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The SDK's session manager, for as long as the app runs: each run of the app's lifespan gets a
        new one, since one can run only once."""
        self.server.streamable_http_app(
            stateless_http=True,
            json_response=True,
            # The SDK checks Host and Origin only for a server on localhost, against DNS rebinding. This one
            # is also served behind proxies under any name, and is no more open than the API beside it:
            # the same tokens, the same public graphs.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        async with self.server.session_manager.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if "authorization" in request.headers:
            problem = await anyio.to_thread.run_sync(token_problem, request)
            if problem is not None:
                await problem_response(problem)(scope, receive, send)
                return
        await self.server.session_manager.handle_request(scope, receive, send)


def token_problem(request: Request) -> ProblemError | None:
    """The API's refusal of the request's Authorization header (401), if it names nobody."""
    try:
        with transaction(get_services(request).sessions, write=False) as session:
            bearer(request, session)
    except ServiceError as error:
        return problem_for(error)
    except SQLAlchemyError as error:
        outage = infrastructure_error(error)
        if outage is None:
            raise
        return problem_for(outage)
    return None


def install(app: FastAPI) -> Endpoint:
    """Serve MCP at /mcp; the app's lifespan must run `Endpoint.running`."""
    endpoint = Endpoint(app.version)
    # A Route, not a Mount: /mcp itself is the endpoint, and the request keeps the app (`get_services`).
    # POST alone: without sessions there is no stream to GET and nothing to DELETE (405 for both).
    app.router.routes.append(Route(PATH, endpoint, methods=["POST"], include_in_schema=False))
    return endpoint
