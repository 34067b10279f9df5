"""/api/graphs/{slug}/digest: the agenda of a bet review over a period, as JSON or as Markdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.domain.digest import digest_data
from app.http import public_base_url
from app.services import digest as service

router = APIRouter(prefix="/api/graphs/{slug}", tags=["digest"])

MARKDOWN = "text/markdown"
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the digest as JSON (`digest_data`), or as GitHub Markdown with `Accept: text/markdown`",
        "content": {"application/json": {}, MARKDOWN: {"schema": {"type": "string"}}},
    }
}


@router.get("/digest", response_class=JSONResponse, responses=_ANSWERS)
def get_digest(
    slug: str,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    caller: CallerDep,
    since: Annotated[str | None, Query(max_length=64, description=service.DESCRIPTION["since"])] = None,
    until: Annotated[str | None, Query(max_length=64, description=service.DESCRIPTION["until"])] = None,
) -> Response:
    """What changed in the period (revisions, who, why, and the change in words), what fell due
    without a verdict, the leaps of faith still untested, how calibration moved, and the lint
    findings the period brought. By default the last 7 days."""
    start, end = service.period(since, until)
    found = service.digest(session, caller, slug, since=start, until=end, graphs=services.graphs)
    # It changes with the clock as much as with the graph: never kept by anyone but its reader.
    headers = {"Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}
    if MARKDOWN in request.headers.get("accept", ""):
        body = service.markdown([found], public_base_url(request))
        return Response(body, media_type=f"{MARKDOWN}; charset=utf-8", headers=headers)
    return JSONResponse(digest_data(found), headers=headers)
