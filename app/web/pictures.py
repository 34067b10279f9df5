"""The viewer's picture: the same pipeline and shared render cache as the diagram URLs.

Nodes link back to the viewer on this host, so clicking a bet in the picture selects it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from sqlalchemy.orm import Session

from app.api.renderer import BusyError
from app.rendering.dot import DotOptions
from app.rendering.render import MEDIA_TYPES, RenderOptions, draw, prepare
from app.rendering.runner import Limits, RenderError
from app.rendering.views import View, select
from app.storage.db import transaction
from app.storage.renders import get_render, put_render
from app.storage.tables import GraphRow


@dataclass(frozen=True, slots=True)
class Picture:
    svg: str  # sanitized by app.rendering.svg: safe to put into the page as it is
    title: str
    description: str
    error: str = ""


def picture(request: Request, session: Session, row: GraphRow, view: View, theme: Literal["light", "dark"]) -> Picture:
    """Raises ViewError for a view that cannot be drawn; a failed drawing comes back as `error`."""
    base = request.app.state.settings.public_url or str(request.base_url)
    options = RenderOptions(dot=DotOptions(link_base=base, theme=theme), limits=Limits(timeout=30))
    graph = request.app.state.graphs.get(session, row).graph
    scene = select(graph, view, dt.date.today())
    try:
        prepared = prepare(scene, "svg", options)
        key = prepared.key(theme)
        cached = get_render(session, key)
        if cached is not None:
            body = cached.body
        else:
            body = request.app.state.renderer.draw(key, lambda: draw(prepared, options))
            with transaction(request.app.state.sessions, write=True) as writer:
                etag = hashlib.sha256(body).hexdigest()[:32]
                put_render(writer, key, etag=etag, media_type=MEDIA_TYPES["svg"], body=body)
    except RenderError as error:
        return Picture("", scene.title, scene.description, str(error))
    except BusyError:
        return Picture("", scene.title, scene.description, "Every render slot is busy; reload in a few seconds.")
    return Picture(body.decode("utf-8"), scene.title, scene.description)
