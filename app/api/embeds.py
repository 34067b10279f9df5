"""Sharing a diagram: oEmbed for wikis that discover it, and snippets ready to paste."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Annotated, Literal, cast
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.api.asof import AsOfDep, revision_for
from app.api.deps import PrincipalDep, SessionDep
from app.api.graphs import readable
from app.api.problems import ProblemError
from app.rendering.views import View, ViewError, ViewKind, select
from app.storage import graphs as storage
from app.storage.tokens import find_token

router = APIRouter(tags=["sharing"])

# /graphs/{slug}.{fmt} or /graphs/{slug}/{kind}/{focus}.{fmt}, pinned with /r/{revision} after the
# slug, optionally under /e/{token}
_DIAGRAM = re.compile(
    r"^(?:/e/(?P<token>[^/]+))?/graphs/(?P<slug>[a-z0-9][a-z0-9-]{0,62})(?:/r/(?P<revision>[0-9]{1,9}))?"
    r"(?:/(?P<kind>why|impact|team)/(?P<focus>[^/]+?))?(?P<dark>\.dark)?\.(?P<fmt>[a-z]+)$"
)


class OEmbed(BaseModel):
    version: str = "1.0"
    type: Literal["photo"] = "photo"
    url: str
    width: int
    height: int
    title: str
    provider_name: str = "Betgraph"
    provider_url: str


class Snippets(BaseModel):
    alt: str
    url: str
    dark_url: str
    pinned_url: str  # this revision's picture, which never changes (for a page that must not either)
    markdown: str
    html: str
    confluence: str
    mediawiki: str


def _base(request: Request) -> str:
    configured: str = request.app.state.settings.public_url
    return configured or str(request.base_url).rstrip("/")


@router.get("/oembed", response_model=OEmbed)
def oembed(
    request: Request,
    session: SessionDep,
    url: Annotated[str, Query(max_length=2000)],
    format: Annotated[str, Query()] = "json",
    maxwidth: Annotated[int | None, Query(ge=1)] = None,
    maxheight: Annotated[int | None, Query(ge=1)] = None,
) -> OEmbed:
    """oEmbed (https://oembed.com) for diagram URLs: a photo, sized to fit maxwidth and maxheight."""
    if format != "json":
        raise ProblemError(501, "Not implemented", "only the json format is served")
    match = _DIAGRAM.match(urlsplit(url).path)
    if match is None:
        raise ProblemError(404, "Not found", "not the URL of a Betgraph diagram")
    if match["fmt"] not in ("svg", "png"):
        raise ProblemError(501, "Not implemented", "only .svg and .png diagrams embed as photos")
    row = storage.get_graph_row(session, match["slug"])
    if row is None:
        raise ProblemError(404, "Not found", f"no graph {match['slug']!r}")
    public = storage.visibility(session, row) == "public"
    token = match["token"]
    if not public:
        found = find_token(session, token) if token else None
        if found is None or found.graph_id not in (None, row.id):
            # oEmbed's own answer for a resource that needs authorisation (the issue asks for it too).
            raise ProblemError(401, "Private", "this graph is private: use its embed URL (/e/{token}/…)")
    revision = int(match["revision"]) if match["revision"] else None
    if revision is not None and not 1 <= revision <= row.head:
        raise ProblemError(404, "Not found", f"graph {row.slug!r} has revisions 1 to {row.head}")
    view = View(cast(ViewKind, match["kind"]), match["focus"]) if match["kind"] else View()
    try:
        scene = select(request.app.state.graphs.get(session, row, revision).graph, view, dt.date.today())
    except ViewError as error:
        raise ProblemError(404, "Not found", str(error)) from None
    # A size that fits the box asked for; the picture itself scales, being SVG or a large PNG.
    width, height = _size(scene.size)
    scale = min(1.0, (maxwidth or width) / width, (maxheight or height) / height)
    return OEmbed(
        url=_base(request) + urlsplit(url).path,  # ours, whatever scheme or host the asker wrote
        width=max(1, round(width * scale)),
        height=max(1, round(height * scale)),
        title=scene.title,
        provider_url=_base(request),
    )


def _size(nodes: int) -> tuple[int, int]:
    # An estimate from the node count, so that oEmbed never waits for Graphviz.
    width = min(2400, 400 + 120 * max(1, round(nodes**0.5)))
    return width, round(width * 0.75)


@router.get("/api/graphs/{slug}/snippets", response_model=Snippets)
def snippets(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    view: Annotated[ViewKind, Query()] = "map",
    focus: Annotated[str | None, Query(max_length=200)] = None,
    token: Annotated[str | None, Query(max_length=100, description="an embed token, for a private graph")] = None,
    as_of: AsOfDep = None,
) -> Snippets:
    """Ready-made embeds of a view: Markdown (with a dark-mode <picture>), HTML, Confluence, MediaWiki.

    With `as_of`, every URL is the pinned picture of that revision.
    """
    row = readable(session, slug, principal)
    if token is not None:
        found = find_token(session, token)
        if found is None or found.graph_id not in (None, row.id):
            raise ProblemError(422, "The request is not valid", "token is not an embed token for this graph")
    revision = revision_for(session, row, as_of)
    try:
        scene = select(request.app.state.graphs.get(session, row, revision).graph, View(view, focus), dt.date.today())
    except ViewError as error:
        raise ProblemError(404, "Not found", str(error)) from None
    prefix = f"{_base(request)}{'/e/' + quote(token, safe='') if token else ''}/graphs/{slug}"
    tail = "" if view == "map" else f"/{view}/{quote(focus or '', safe='')}"
    pinned = f"{prefix}/r/{row.head if revision is None else revision}{tail}.svg"
    url = f"{prefix}{tail}.svg" if revision is None else pinned
    dark = url.removesuffix(".svg") + ".dark.svg"
    alt = scene.description
    text = html.escape(alt, quote=True)
    src, dark_src = html.escape(url, quote=True), html.escape(dark, quote=True)
    picture = (
        f'<picture><source media="(prefers-color-scheme: dark)" srcset="{dark_src}">'
        f'<img src="{src}" alt="{text}"></picture>'
    )
    return Snippets(
        alt=alt,
        url=url,
        dark_url=dark,
        pinned_url=pinned,
        markdown=picture,
        html=f'<img src="{src}" alt="{text}" loading="lazy">',
        confluence=f'!{url}|alt="{alt.replace("|", "/").replace("!", "")}"!',
        mediawiki=f"[{url} {alt.replace(']', ')')}]",
    )
