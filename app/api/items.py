"""/api/graphs/{slug}/bets and /assumptions: one item at a time, with ETag and If-Match.

An item's ETag is the revision that wrote its current version (`app.services.edits`), so two
clients editing the same bet get 412 while edits to different bets never conflict.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response

from app.api.deps import CallerDep, SessionDep
from app.api.moments import AsOfDep
from app.formats.schema import AssumptionDoc, BetDoc
from app.services import access, edits
from app.services.edits import Section
from app.services.moments import revision_for, revision_number
from app.storage import graphs as storage

# Kept with the revision the write makes, as `PUT /api/graphs/{slug}?reason=` is.
ReasonDep = Annotated[str | None, Query(max_length=500, description="why this change: kept with the revision")]


def item_tag(prefix: str, revision: int) -> str:
    return f'"{prefix}{revision}"'


def written_item(response: Response, prefix: str, written: edits.Written) -> dict[str, Any]:
    """The answer to a write that changed one item: the item, its new version as the ETag."""
    assert written.version is not None
    assert written.item is not None
    response.headers["ETag"] = item_tag(prefix, written.version)
    return written.item


def expected_version(if_match: str | None, prefix: str) -> int | None:
    """The item version an If-Match names; a tag of another kind can never match."""
    if if_match is None or if_match.strip() == "*":
        return None
    versions = []
    for part in if_match.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        version = revision_number(tag[len(prefix) :]) if tag.startswith(prefix) else None
        if version is not None:
            versions.append(version)
    return versions[0] if versions else -1


def _router(section: Section, schema: type[BetDoc] | type[AssumptionDoc], prefix: str) -> APIRouter:
    router = APIRouter(prefix=f"/api/graphs/{{slug}}/{section}", tags=[section])
    noun = edits.noun(section)

    @router.get("", name=f"list_{section}")
    def list_items(
        slug: str,
        session: SessionDep,
        caller: CallerDep,
        as_of: AsOfDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        after: Annotated[str, Query(max_length=63)] = "",
    ) -> dict[str, Any]:
        row = access.read_graph(session, slug, caller).row
        data = storage.graph_data(session, row, revision_for(session, row, as_of))
        items = sorted(data[section], key=lambda item: item["id"])
        page = [item for item in items if item["id"] > after][: limit + 1]
        return {"items": page[:limit], "next": page[limit - 1]["id"] if len(page) > limit else None}

    @router.get("/{item_id}", name=f"get_{noun}")
    def get_item(
        slug: str, item_id: str, session: SessionDep, caller: CallerDep, response: Response, as_of: AsOfDep
    ) -> dict[str, Any]:
        row = access.read_graph(session, slug, caller).row
        revision = revision_for(session, row, as_of)
        item, version = edits.read_item(session, row, section, item_id, revision)
        response.headers["ETag"] = item_tag(prefix, version)
        return item

    body = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema.__name__}"}}},
        }
    }

    @router.post("", status_code=201, name=f"create_{noun}", openapi_extra=body)
    def create_item(
        slug: str,
        item: Annotated[dict[str, Any], Body()],
        session: SessionDep,
        caller: CallerDep,
        response: Response,
        reason: ReasonDep = None,
    ) -> dict[str, Any]:
        row, writer = access.write_graph(session, slug, caller)
        written = edits.create_item(session, row, section, item, by=writer.by, reason=reason)
        response.headers["ETag"] = item_tag(prefix, written.revision)
        response.headers["Location"] = f"/api/graphs/{slug}/{section}/{item.get('id')}"
        return item

    @router.patch("/{item_id}", name=f"update_{noun}")
    def update_item(
        slug: str,
        item_id: str,
        patch: Annotated[dict[str, Any], Body(description="a JSON Merge Patch (RFC 7396) of the item")],
        session: SessionDep,
        caller: CallerDep,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
        reason: ReasonDep = None,
    ) -> dict[str, Any]:
        row, writer = access.write_graph(session, slug, caller)
        written = edits.update_item(
            session,
            row,
            section,
            item_id,
            patch,
            by=writer.by,
            expected=expected_version(if_match, prefix),
            reason=reason,
        )
        return written_item(response, prefix, written)

    @router.delete("/{item_id}", status_code=204, name=f"delete_{noun}")
    def delete_item(
        slug: str,
        item_id: str,
        session: SessionDep,
        caller: CallerDep,
        if_match: Annotated[str | None, Header()] = None,
        reason: ReasonDep = None,
    ) -> Response:
        row, writer = access.write_graph(session, slug, caller)
        edits.delete_item(
            session,
            row,
            section,
            item_id,
            by=writer.by,
            expected=expected_version(if_match, prefix),
            reason=reason,
        )
        return Response(status_code=204)

    return router


bets = _router("bets", BetDoc, "b")
assumptions = _router("assumptions", AssumptionDoc, "a")
