"""Ready-made embeds of a view for wikis: the picture URLs and the markup to paste."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from app.rendering.views import View, ViewError, ViewKind, select
from app.services import access
from app.services.access import Caller
from app.services.context import Services
from app.services.errors import InvalidParameterError, NotFoundError
from app.services.moments import Moment, revision_for
from app.services.urls import PicturePath


@dataclass(frozen=True, slots=True)
class Snippets:
    alt: str
    url: str
    dark_url: str
    pinned_url: str  # this revision's picture, which never changes (for a page that must not either)
    markdown: str
    html: str
    confluence: str
    mediawiki: str


def snippets(
    services: Services,
    session: Session,
    *,
    base: str,
    slug: str,
    who: Caller | None,
    view: ViewKind = "map",
    focus: str | None = None,
    token: str | None = None,
    as_of: Moment | None = None,
) -> Snippets:
    """Embeds of a view; with `token` (an embed token) through it, with `as_of` pinned to that revision."""
    row = access.read_graph(session, slug, who).row
    if token is not None and not access.embeds(session, token, row):
        raise InvalidParameterError("token", "token is not an embed token for this graph")
    revision = revision_for(session, row, as_of)
    try:
        scene = select(services.graphs.get(session, row, revision).graph, View(view, focus), dt.date.today())
    except ViewError as error:
        raise NotFoundError(str(error)) from None
    shown = PicturePath(slug, view, focus if view != "map" else None, token=token)
    pinned = base + replace(shown, revision=row.head if revision is None else revision).path()
    url = base + shown.path() if revision is None else pinned
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
