"""Closing the loop over HTTP: resolve a bet or an assumption, check in on a metric, calibration.

The writes are item writes (`app.services.edits`): they answer with the item and its ETag and
honour If-Match like PATCH. Their bodies are parts of a document (a resolution, a check-in) and
are validated as such, so a mistake reads the same as it would in a YAML file.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Header, Response

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.api.items import ReasonDep, expected_version, written_item
from app.api.moments import AsOfDep
from app.api.problems import ProblemError, document_errors
from app.domain.calibration import calibrate, calibration_data
from app.formats.document import parse_part
from app.formats.problems import DocumentError
from app.formats.schema import CheckInDoc, ResolutionDoc
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


P = TypeVar("P", ResolutionDoc, CheckInDoc)


def _part(schema: type[P], body: Any, where: tuple[str, ...]) -> P:
    try:
        return parse_part(schema, body, where)
    except DocumentError as error:
        errors = document_errors(error.problems)
        detail = "; ".join(entry["message"] for entry in errors[:3])
        raise ProblemError(422, "The request is not valid", detail, errors=errors) from None


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
        resolution = _part(ResolutionDoc, body, (section, "resolution"))
        written = loop.resolve(
            session,
            row,
            section,
            item_id,
            verdict=resolution.verdict,
            learned=resolution.learned,
            committed_certainty=resolution.committed_certainty,
            resolved_on=resolution.resolved_on or dt.date.today(),
            token_id=writer.token_id,
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
    if isinstance(body, dict) and "date" not in body:
        body = {**body, "date": dt.date.today()}
    checkin = _part(CheckInDoc, body, ("bets", "metric", "checkins"))
    written = loop.check_in(
        session,
        row,
        item_id,
        value=checkin.value,
        on=checkin.date,
        note=checkin.note,
        token_id=writer.token_id,
        expected=expected_version(if_match, "b"),
        reason=reason,
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
