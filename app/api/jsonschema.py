"""The document's JSON Schema at /schema/v1.json, for editors and CI checks to fetch (app.formats.jsonschema)."""

from __future__ import annotations

import hashlib
from functools import cache

from fastapi import APIRouter, Request, Response

from app.api.deps import tag_matches
from app.formats.jsonschema import schema_text
from app.formats.schema import FORMAT_VERSION

router = APIRouter(tags=["documents"])

SCHEMA_PATH = f"/schema/v{FORMAT_VERSION}.json"
MEDIA_TYPE = "application/schema+json"
# The same for every caller, and changed only by an upgrade: shared caches keep it an hour, then
# ask again with its ETag. Any origin may read it (editors in a browser fetch it from their own).
HEADERS = {"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"}


@cache
def _answer() -> tuple[bytes, str]:
    body = schema_text().encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@router.get(
    SCHEMA_PATH,
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}, 304: {"description": "the copy the client has is current"}},
)
def document_schema(request: Request) -> Response:
    """The JSON Schema (draft 2020-12) of the document `betgraph` reads and `PUT /api/graphs/{slug}` takes."""
    body, tag = _answer()
    headers = {**HEADERS, "ETag": tag}
    if tag_matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)
