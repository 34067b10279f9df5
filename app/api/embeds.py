"""Sharing a diagram: oEmbed for wikis that discover it, and snippets ready to paste."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, cast
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.api.moments import AsOfDep
from app.api.problems import ProblemError
from app.http import public_base_url
from app.rendering.views import View, ViewError, ViewKind, select
from app.services import access, sharing
from app.services.errors import NotFoundError, UnauthenticatedError
from app.services.moments import check_revision
from app.services.urls import read_picture_path

router = APIRouter(tags=["sharing"])


class OEmbed(BaseModel):
    version: str = "1.0"
    type: Literal["photo"] = "photo"
    url: str
    width: int
    height: int
    title: str
    provider_name: str = "Betgraph"
    provider_url: str


@router.get("/oembed", response_model=OEmbed)
def oembed(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    url: Annotated[str, Query(max_length=2000)],
    format: Annotated[str, Query()] = "json",
    maxwidth: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    maxheight: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> OEmbed:
    """oEmbed (https://oembed.com) for diagram URLs: a photo, sized to fit maxwidth and maxheight."""
    if format != "json":
        raise ProblemError(501, "Not implemented", "only the json format is served")
    path = urlsplit(url).path
    found = read_picture_path(path)
    if found is None:
        raise ProblemError(404, "Not found", "not the URL of a Betgraph diagram")
    if found.fmt not in ("svg", "png"):
        raise ProblemError(501, "Not implemented", "only .svg and .png diagrams embed as photos")
    try:
        row = access.read_graph(session, found.slug, None, embed=found.token).row
    except UnauthenticatedError:
        # oEmbed's own answer for a resource that needs authorisation.
        raise ProblemError(401, "Private", "this graph is private: use its embed URL (/e/{token}/…)") from None
    revision = check_revision(row, found.revision) if found.revision is not None else None
    view = View(cast(ViewKind, found.view), found.focus) if found.view != "map" else View()
    try:
        scene = select(services.graphs.get(session, row, revision).graph, view, dt.date.today())
    except ViewError as error:
        raise NotFoundError(str(error)) from None
    # A size that fits the box asked for; the picture itself scales, being SVG or a large PNG.
    width, height = _size(scene.size)
    scale = min(1.0, (maxwidth or width) / width, (maxheight or height) / height)
    base = public_base_url(request)
    return OEmbed(
        url=base + path,  # ours, whatever scheme or host the asker wrote
        width=max(1, round(width * scale)),
        height=max(1, round(height * scale)),
        title=scene.title,
        provider_url=base,
    )


def _size(nodes: int) -> tuple[int, int]:
    # An estimate from the node count, so that oEmbed never waits for Graphviz.
    width = min(2400, 400 + 120 * max(1, round(nodes**0.5)))
    return width, round(width * 0.75)


@router.get("/api/graphs/{slug}/snippets", response_model=sharing.Snippets)
def snippets(
    slug: str,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    caller: CallerDep,
    view: Annotated[ViewKind, Query()] = "map",
    focus: Annotated[str | None, Query(max_length=200)] = None,
    token: Annotated[str | None, Query(max_length=100, description="an embed token, for a private graph")] = None,
    as_of: AsOfDep = None,
) -> sharing.Snippets:
    """Ready-made embeds of a view, each named for where it suits (`hints` says so in words): plain
    Markdown, Markdown with a dark-mode <picture> for GitHub, HTML, clickable HTML (a PNG whose bets
    open the viewer), Confluence, MediaWiki.

    With `as_of`, every URL is the pinned picture of that revision. The clickable HTML may wait for
    the picture to be drawn; it is null when the picture cannot be drawn.
    """
    return sharing.snippets(
        services,
        session,
        base=public_base_url(request),
        slug=slug,
        who=caller,
        view=view,
        focus=focus,
        token=token,
        as_of=as_of,
        draw=True,
    )
