"""/api/graphs: whole documents, their analysis, and the list of graphs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel

from app.api.deps import CallerDep, ServicesDep, SessionDep, tag_matches
from app.api.moments import AsOfDep
from app.api.problems import ProblemError, invalid_document
from app.domain.lint import lint
from app.domain.model import Graph
from app.formats.document import load
from app.formats.problems import DocumentError, Problem
from app.formats.writing import dump_json, dump_yaml
from app.services import access, people, reading
from app.services.errors import StaleError
from app.services.moments import revision_for
from app.services.reading import Reading
from app.services.why import explain
from app.storage import graphs as storage
from app.storage.tables import GraphRow, as_utc

router = APIRouter(prefix="/api/graphs", tags=["graphs"])

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Document"}},
            "application/yaml": {"schema": {"type": "string", "description": "the same document as YAML"}},
        },
    }
}


class GraphSummary(BaseModel):
    slug: str
    title: str
    visibility: str
    revision: int
    updated_at: dt.datetime


class GraphList(BaseModel):
    items: list[GraphSummary]
    next: str | None  # pass as ?after= for the next page


class Written(BaseModel):
    slug: str
    revision: int
    created: bool
    changed: bool


class FindingOut(BaseModel):
    rule: str
    severity: str
    ids: list[str]
    message: str


class LintOut(BaseModel):
    graph: str
    revision: int
    findings: list[FindingOut]


class WhyOut(BaseModel):
    graph: str
    focus: str
    bets: list[str]
    assumptions: list[str]
    chain_certainty: float
    path: list[str]
    weakest: str | None


def etag(revision: int, *, yaml: bool = False) -> str:
    """A graph's tag at a revision: one per representation, both naming the revision for If-Match."""
    return f'"r{revision}{"-yaml" if yaml else ""}"'


def expected_head(if_match: str | None, row: GraphRow | None) -> int | None:
    """The head a write may apply to, from If-Match; 412 when it names another."""
    if if_match is None:
        return None
    if row is None:
        raise StaleError("the graph does not exist")
    if not (tag_matches(if_match, etag(row.head)) or tag_matches(if_match, etag(row.head, yaml=True))):
        raise StaleError(f"the graph is at {etag(row.head)}; fetch it again")
    return row.head


async def raw_body(request: Request) -> bytes:
    return await request.body()


BodyDep = Annotated[bytes, Depends(raw_body)]


def parse_document(body: bytes, content_type: str) -> Graph:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProblemError(400, "The body is not UTF-8 text", f"invalid byte at offset {error.start}") from None
    try:
        # JSON takes the json module's fast path; YAML (or JSON that fails) is read with positions.
        graph, _ = load(text, positions="json" not in content_type)
    except DocumentError as error:
        raise invalid_document(error.problems) from None
    return graph


@router.get("", response_model=GraphList)
def list_graphs(
    session: SessionDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str, Query(max_length=63)] = "",
) -> GraphList:
    # No token: public graphs; a token for every graph: all of them; a token for one: that one too.
    rows = storage.list_graphs(session, visible_to=access.listable(session, caller), after=after, limit=limit + 1)
    items = [
        GraphSummary(
            slug=g.slug, title=h.title, visibility=h.visibility, revision=g.head, updated_at=as_utc(g.updated_at)
        )
        for g, h in rows[:limit]
    ]
    return GraphList(items=items, next=items[-1].slug if len(rows) > limit else None)


@router.put(
    "/{slug}",
    response_model=Written,
    openapi_extra=DOCUMENT_BODY,
    responses={201: {"description": "created"}, 412: {"description": "If-Match names another revision"}},
)
def put_graph(
    slug: str,
    body: BodyDep,
    request: Request,
    response: Response,
    session: SessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> Written:
    """Replace the whole graph with a document (YAML or JSON), atomically, as one revision."""
    access.may_write(caller)
    # Parsed before the graph is locked: other writers need not wait while a large document is read.
    graph = parse_document(body, request.headers.get("content-type", "application/json"))
    if graph.slug != slug:
        problem = Problem(f"graph.slug is {graph.slug!r} but the URL names {slug!r}", ("graph", "slug"))
        raise invalid_document([problem])
    row, writer = access.write_document(session, slug, caller, graph)
    try:
        saved = storage.save_graph(
            session, graph, by=writer.by, reason=reason, expected_head=expected_head(if_match, row)
        )
    except storage.ConflictError as error:
        raise ProblemError(409, "Conflict", str(error)) from None
    if saved.created:
        people.created_by(session, slug, writer)
    response.headers["ETag"] = etag(saved.revision)
    if saved.created:
        response.status_code = 201
        response.headers["Location"] = f"/api/graphs/{slug}"
    return Written(slug=slug, revision=saved.revision, created=saved.created, changed=saved.changed)


@router.get(
    "/{slug}",
    responses={200: {"content": {"application/json": {}, "application/yaml": {}}}, 304: {"description": "unchanged"}},
)
def get_graph(
    slug: str,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    caller: CallerDep,
    as_of: AsOfDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The graph's document, as JSON, or as YAML with `Accept: application/yaml`."""
    row = access.read_graph(session, slug, caller).row
    revision = revision_for(session, row, as_of)
    yaml = any(kind in request.headers.get("accept", "") for kind in YAML_TYPES)
    tag = etag(row.head if revision is None else revision, yaml=yaml)
    headers = {"ETag": tag, "Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}
    if tag_matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    graph = services.graphs.get(session, row, revision).graph
    if yaml:
        return Response(dump_yaml(graph), media_type="application/yaml; charset=utf-8", headers=headers)
    return Response(dump_json(graph), media_type="application/json", headers=headers)


@router.delete("/{slug}", status_code=204, responses={412: {"description": "If-Match names another revision"}})
def delete_graph(
    slug: str,
    session: SessionDep,
    caller: CallerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    row, _ = access.write_graph(session, slug, caller, need=access.Role.OWNER)
    expected_head(if_match, row)
    storage.delete_graph(session, row)
    return Response(status_code=204)


@router.get("/{slug}/lint", response_model=LintOut)
def lint_graph(slug: str, services: ServicesDep, session: SessionDep, caller: CallerDep, as_of: AsOfDep) -> LintOut:
    return lint_out(reading.read(services, session, caller, slug, as_of))


def lint_out(found: Reading) -> LintOut:
    """The findings of a graph as read, as the lint route (and the MCP server's lint_findings) answer them."""
    findings = lint(found.graph, dt.date.today(), found.analysed.support)
    return LintOut(
        graph=found.row.slug,
        revision=found.revision,
        findings=[
            FindingOut(rule=f.rule, severity=f.severity.label, ids=list(f.ids), message=f.message) for f in findings
        ],
    )


@router.get("/{slug}/why/{bet_id}", response_model=WhyOut)
def why(
    slug: str, bet_id: str, services: ServicesDep, session: SessionDep, caller: CallerDep, as_of: AsOfDep
) -> WhyOut:
    chain = explain(services, session, caller, slug, bet_id, as_of=as_of).chain
    return WhyOut(
        graph=slug,
        focus=bet_id,
        bets=list(chain.bets),
        assumptions=list(chain.assumptions),
        chain_certainty=chain.certainty,
        path=list(chain.path),
        weakest=chain.weakest,
    )
