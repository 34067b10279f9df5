"""Pictures for the diagram URLs and the viewer: prepared, found in the shared render cache, or drawn once.

A picture's key hashes everything that shapes its bytes (`app.rendering.render.Prepared.key`),
so the render cache every worker shares never needs invalidating. Storing a picture changes no
answer, so storing one sends no change signal (which makes every worker drop its warm answers,
`app.storage.changes`): reads never write anything anyone can see.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from email.utils import format_datetime

from sqlalchemy.orm import Session

from app.rendering.dot import DotOptions
from app.rendering.render import MEDIA_TYPES, Format, Prepared, RenderOptions, draw, prepare, prepare_view
from app.rendering.runner import Limits
from app.rendering.style import ThemeName
from app.rendering.views import LENSES, Scene, View, select, select_diff
from app.services.cache import Picture
from app.services.context import Services
from app.services.urls import viewer_links
from app.storage.db import release, transaction
from app.storage.renders import get_render, put_render
from app.storage.tables import GraphRow, as_utc


def options(link_base: str | None, theme: ThemeName) -> RenderOptions:
    """How the service draws: given less time than on the command line. Graphviz inherits the
    lower CPU priority of the thread that starts it (`app.services.renderer`)."""
    links = viewer_links(link_base) if link_base else None
    return RenderOptions(dot=DotOptions(links=links, theme=theme), limits=Limits(timeout=30))


def served_options(services: Services, theme: ThemeName) -> RenderOptions:
    """How the picture URLs draw: their nodes link to the viewer at the public URL, when one is set."""
    return options(services.settings.public_url or None, theme)


def scene(
    services: Services,
    session: Session,
    row: GraphRow,
    view: View,
    *,
    revision: int | None,
    today: dt.date,
    since: int | None = None,
) -> Scene:
    """What a picture URL shows: `view` of `revision` (None: the latest), or with `since`, what
    changed from `since` to `revision`. Raises ViewError when the view cannot be drawn."""
    graphs = services.graphs
    graph = graphs.get(session, row, revision).graph
    if since is None:
        return select(graph, view, today)
    return select_diff(graphs.get(session, row, since).graph, graph, view, today)


def prepared(
    services: Services,
    session: Session,
    row: GraphRow,
    view: View,
    *,
    fmt: Format,
    options: RenderOptions,
    revision: int | None,
    today: dt.date,
    since: int | None = None,
) -> Prepared:
    """What a picture URL draws, prepared: a view (a diff with `since`) or a lens. Raises ViewError
    or LensError when it cannot be drawn as asked, RenderError when not in `fmt`."""
    if view.kind in LENSES:
        graph = services.graphs.get(session, row, revision).graph
        return prepare_view(graph, view, fmt, today, options)
    return prepare(scene(services, session, row, view, revision=revision, today=today, since=since), fmt, options)


def finished(etag: str, body: bytes, fmt: Format, modified: dt.datetime) -> Picture:
    zipped = gzip.compress(body, compresslevel=6, mtime=0) if fmt == "svg" else None
    return Picture(etag, body, zipped, format_datetime(as_utc(modified), usegmt=True))


def cached(session: Session, prepared: Prepared, theme: str) -> tuple[str, bytes] | None:
    """The picture as the shared render cache has it (etag, bytes), if some worker drew it."""
    return _lookup(session, prepared.key(theme))


def found_or_drawn(
    services: Services, session: Session, prepared: Prepared, options: RenderOptions, theme: ThemeName
) -> tuple[str, bytes]:
    """The picture from the shared render cache, else drawn; `session` (a read) is released before
    drawing, which may take seconds. Raises as `drawn` does."""
    found = cached(session, prepared, theme)
    if found is None:
        release(session)
        found = drawn(services, prepared, options, theme)
    return found


def _lookup(session: Session, key: str) -> tuple[str, bytes] | None:
    found = get_render(session, key)
    return (found.etag, found.body) if found is not None else None


def drawn(services: Services, prepared: Prepared, options: RenderOptions, theme: str) -> tuple[str, bytes]:
    """Draw the picture once however many ask, here or in other workers, and keep it for all of them.

    Call it outside any transaction: it may wait seconds. Raises BusyError, or RenderError when
    the picture cannot be drawn (remembered for a while, so it is not tried again at once).
    """
    key = prepared.key(theme)

    def stored() -> tuple[str, bytes] | None:
        with transaction(services.sessions, write=False) as session:
            return _lookup(session, key)

    def make() -> tuple[str, bytes]:
        body = draw(prepared, options)
        etag = hashlib.sha256(body).hexdigest()[:32]
        # Committed before the renderer lets go of the picture's lock, so whoever waited finds it.
        with transaction(services.sessions, write=True) as writer:
            put_render(writer, key, etag=etag, media_type=MEDIA_TYPES[prepared.fmt], body=body)
        return etag, body

    return services.renderer.draw(key, make, stored=stored)
