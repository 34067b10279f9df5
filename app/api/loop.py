"""Closing the loop over HTTP: resolve a bet or an assumption, check in on a metric, calibration.

The writes are item writes (`app.services.edits`): they answer with the item and its ETag and
honour If-Match like PATCH. Their bodies are parts of a document (a resolution, a check-in) and
are validated as such, so a mistake reads the same as it would in a YAML file.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Response

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.api.items import ReasonDep, expected_version, written_item
from app.api.moments import AsOfDep
from app.domain.calibration import calibrate, calibration_data
from app.services import access, edits, loop
from app.services.edits import Section
from app.services.moments import revision_for

router = APIRouter(prefix="/api/graphs/{slug}", tags=["closing the loop"])

_RESOLVE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResolutionDoc"}}},
        "description": "verdict; learned; committed_certainty (default: from the item's history); "
        "resolved_on (default: today)",
    }
}
_CHECKIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["value"],
                    "additionalProperties": False,
                    "properties": {
                        "value": {"type": "number"},
                        "date": {"type": "string", "format": "date", "description": "default: today"},
                        "note": {"type": "string", "maxLength": 1000},
                    },
                }
            }
        },
    }
}


def _resolve_route(section: Section, prefix: str) -> None:
    noun = edits.noun(section)

    @router.post(f"/{section}/{{item_id}}/resolve", name=f"resolve_{noun}", openapi_extra=_RESOLVE_BODY)
    def resolve(
        slug: str,
        item_id: str,
        body: Annotated[Any, Body()],
        session: SessionDep,
        caller: CallerDep,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
        reason: ReasonDep = None,
    ) -> dict[str, Any]:
        row, writer = access.write_graph(session, slug, caller)
        written = loop.resolve_as_sent(
            session,
            row,
            section,
            item_id,
            body,
            by=writer.by,
            expected=expected_version(if_match, prefix),
            reason=reason,
        )
        return written_item(response, prefix, written)


_resolve_route("bets", "b")
_resolve_route("assumptions", "a")


@router.post("/bets/{item_id}/checkins", name="check_in", openapi_extra=_CHECKIN_BODY)
def check_in(
    slug: str,
    item_id: str,
    body: Annotated[Any, Body()],
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
    reason: ReasonDep = None,
) -> dict[str, Any]:
    row, writer = access.write_graph(session, slug, caller)
    written = loop.check_in_as_sent(
        session, row, item_id, body, by=writer.by, expected=expected_version(if_match, "b"), reason=reason
    )
    return written_item(response, "b", written)


@router.get("/calibration", name="calibration")
def calibration(
    slug: str, services: ServicesDep, session: SessionDep, caller: CallerDep, as_of: AsOfDep
) -> dict[str, Any]:
    row = access.read_graph(session, slug, caller).row
    revision = revision_for(session, row, as_of)
    graph = services.graphs.get(session, row, revision).graph
    shown = row.head if revision is None else revision
    return {"graph": slug, "revision": shown, **calibration_data(calibrate(graph, dt.date.today()))}
