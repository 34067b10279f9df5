"""Diagrams for wikis: /graphs/{slug}.svg and the focused views, public or through an embed token.

Every URL ends in its format (MediaWiki and Confluence take only such URLs). A picture is
drawn once per distinct input and kept in the database; its ETag is a hash of its bytes, so
it changes exactly when the picture does, and a revalidation is answered without drawing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy.orm import Session

from app.api.deps import Principal, PrincipalDep, SessionDep, readable_graph
from app.api.problems import ProblemError
from app.api.renderer import BusyError
from app.rendering.dot import DotOptions
from app.rendering.render import MEDIA_TYPES, Format, RenderOptions, draw, prepare
from app.rendering.runner import Limits, RenderError
from app.rendering.views import View, ViewError, ViewKind, select
from app.storage import graphs as storage
from app.storage.db import transaction
from app.storage.renders import get_render, put_render
from app.storage.tables import GraphRow, as_utc
from app.storage.tokens import find_token

router = APIRouter(tags=["diagrams"])

IMAGE_FORMATS: tuple[Format, ...] = ("svg", "png", "pdf", "dot", "mmd")
# Pictures are never documents: nothing in them may run or load, even opened on their own.
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
# Wikis revalidate the latest picture every minute; CDNs may serve a stale one while they do.
LATEST = "public, max-age=60, stale-while-revalidate=600"
PRIVATE = "private, max-age=60"


def _split(file: str) -> tuple[str, Literal["light", "dark"], Format]:
    stem, dot, fmt = file.rpartition(".")
    if not dot or fmt not in IMAGE_FORMATS:
        endings = ", ".join("." + known for known in IMAGE_FORMATS)
        raise ProblemError(404, "Not found", f"a diagram URL ends in one of {endings}")
    theme: Literal["light", "dark"] = "light"
    if stem.endswith(".dark"):
        stem, theme = stem.removesuffix(".dark"), "dark"
    return stem, theme, fmt


def _error_picture(message: str) -> bytes:
    text = html.escape(message)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="640" height="80" viewBox="0 0 640 80">'
        f"<title>Betgraph could not draw this diagram</title><desc>{text}</desc>"
        '<rect width="640" height="80" fill="#fff4f4" stroke="#c0142b"/>'
        '<text x="16" y="32" font-family="Helvetica,Arial,sans-serif" font-size="14" font-weight="bold" '
        'fill="#1a1a1a">Betgraph could not draw this diagram</text>'
        '<text x="16" y="56" font-family="Helvetica,Arial,sans-serif" font-size="12" fill="#1a1a1a">'
        f"{text[:110]}</text>"
        "</svg>"
    ).encode()


def _diagram(
    request: Request,
    session: SessionDep,
    row: GraphRow,
    public: bool,
    view: View,
    theme: Literal["light", "dark"],
    fmt: Format,
    if_none_match: str | None,
    accept_encoding: str,
) -> Response:
    settings = request.app.state.settings
    options = RenderOptions(
        dot=DotOptions(link_base=settings.public_url or None, theme=theme), limits=Limits(timeout=30)
    )
    analysed = request.app.state.graphs.get(session, row)
    try:
        prepared = prepare(select(analysed.graph, view, dt.date.today()), fmt, options)
    except ViewError as error:
        raise ProblemError(404, "Not found", str(error)) from None
    except RenderError as error:
        return _failed(fmt, str(error))
    key = prepared.key(theme)
    cached = get_render(session, key)
    if cached is not None:
        etag, body = cached.etag, cached.body
    else:
        try:
            body = request.app.state.renderer.draw(key, lambda: draw(prepared, options))
        except BusyError:
            raise ProblemError(
                503, "Busy", "every render slot is taken; try again", headers={"Retry-After": "5"}
            ) from None
        except RenderError as error:
            return _failed(fmt, str(error))
        etag = hashlib.sha256(body).hexdigest()[:32]
        with transaction(request.app.state.sessions, write=True) as writer:
            put_render(writer, key, etag=etag, media_type=MEDIA_TYPES[fmt], body=body)
    headers = {
        "Cache-Control": LATEST if public else PRIVATE,
        "Last-Modified": format_datetime(as_utc(row.updated_at), usegmt=True),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": IMAGE_CSP,
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Vary": "Accept-Encoding",
    }
    if public:
        headers["Access-Control-Allow-Origin"] = "*"
    zipped = fmt == "svg" and "gzip" in accept_encoding
    tag = f'"{etag}-gz"' if zipped else f'"{etag}"'
    headers["ETag"] = tag
    if if_none_match and tag in [part.strip() for part in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    if zipped:
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    media_type = "image/svg+xml; charset=utf-8" if fmt == "svg" else MEDIA_TYPES[fmt]
    return Response(body, media_type=media_type, headers=headers)


def _failed(fmt: Format, message: str) -> Response:
    if fmt == "svg":  # an image tag shows a picture, not an error status: say what went wrong in one
        return Response(
            _error_picture(message),
            media_type="image/svg+xml; charset=utf-8",
            headers={
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": IMAGE_CSP,
            },
        )
    raise ProblemError(422, "The diagram cannot be drawn", message)


def _graph(session: SessionDep, slug: str, principal: PrincipalDep, token: str | None) -> tuple[GraphRow, bool]:
    row = storage.get_graph_row(session, slug)
    public = storage.visibility(session, row) == "public" if row is not None else None
    if token is None:
        return readable_graph(session, slug, principal, public=public), bool(public)
    found = find_token(session, token)
    if row is None or found is None or found.graph_id not in (None, row.id):
        raise ProblemError(404, "Not found", f"no graph {slug!r}", headers={"Cache-Control": "no-store"})
    return row, False


Kind = Literal["why", "impact", "team"]


@dataclass(frozen=True, slots=True)
class DiagramRequest:
    """What every diagram route reads besides its path: one dependency, four routes."""

    request: Request
    session: Session
    principal: Principal | None
    if_none_match: str | None
    accept_encoding: str

    def answer(
        self, file: str, *, slug: str | None = None, kind: Kind | None = None, token: str | None = None
    ) -> Response:
        name, theme, fmt = _split(file)  # the map's file names the graph; a view's, its focus
        view = View(cast(ViewKind, kind), name) if kind else View()
        row, public = _graph(self.session, slug or name, self.principal, token)
        return _diagram(
            self.request, self.session, row, public, view, theme, fmt, self.if_none_match, self.accept_encoding
        )


def _diagram_request(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str, Header()] = "",
) -> DiagramRequest:
    return DiagramRequest(request, session, principal, if_none_match, accept_encoding)


DiagramDep = Annotated[DiagramRequest, Depends(_diagram_request)]


@router.get("/graphs/{file}", name="map_diagram")
def map_diagram(file: str, diagram: DiagramDep) -> Response:
    return diagram.answer(file)


@router.get("/graphs/{slug}/{kind}/{file}", name="focused_diagram")
def focused_diagram(slug: str, kind: Kind, file: str, diagram: DiagramDep) -> Response:
    return diagram.answer(file, slug=slug, kind=kind)


@router.get("/e/{token}/graphs/{file}", name="embedded_map_diagram")
def embedded_map_diagram(token: str, file: str, diagram: DiagramDep) -> Response:
    return diagram.answer(file, token=token)


@router.get("/e/{token}/graphs/{slug}/{kind}/{file}", name="embedded_focused_diagram")
def embedded_focused_diagram(token: str, slug: str, kind: Kind, file: str, diagram: DiagramDep) -> Response:
    return diagram.answer(file, slug=slug, kind=kind, token=token)
