"""The viewer's picture: the same pipeline, shared render cache and single flight as the diagram URLs.

Nodes link back to the viewer on this host, so clicking a bet in the picture selects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from sqlalchemy.orm import Session

from app.api.diagrams import draw_and_store, stored_picture
from app.api.renderer import BusyError, Renderer
from app.rendering.dot import DotOptions
from app.rendering.render import RenderOptions, prepare
from app.rendering.runner import Limits, RenderError
from app.rendering.views import Scene
from app.storage.db import release
from app.storage.renders import get_render


@dataclass(frozen=True, slots=True)
class Picture:
    svg: str  # sanitized by app.rendering.svg: safe to put into the page as it is
    title: str
    description: str
    error: str = ""


def picture(request: Request, session: Session, scene: Scene, theme: Literal["light", "dark"]) -> Picture:
    """The scene drawn as SVG; a failed drawing comes back as `error`, in words."""
    base = request.app.state.settings.public_url or str(request.base_url)
    options = RenderOptions(dot=DotOptions(link_base=base, theme=theme), limits=Limits(timeout=30))
    try:
        prepared = prepare(scene, "svg", options)
        key = prepared.key(theme)
        cached = get_render(session, key)
        if cached is not None:
            body = cached.body
        else:
            release(session)  # the drawing may take seconds: wait without holding a connection
            renderer: Renderer = request.app.state.renderer
            _, body = renderer.draw(
                key,
                lambda: draw_and_store(request, key, prepared, options),
                stored=lambda: stored_picture(request, key),
            )
    except RenderError as error:
        return Picture("", scene.title, scene.description, str(error))
    except BusyError:
        return Picture("", scene.title, scene.description, "Every render slot is busy; reload in a few seconds.")
    return Picture(body.decode("utf-8"), scene.title, scene.description)
