"""The viewer's picture: the same pipeline, shared render cache and single flight as the diagram URLs.

Nodes link back to the viewer, so clicking a bet in the picture selects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.rendering.render import prepare
from app.rendering.runner import RenderError
from app.rendering.views import Scene
from app.services import pictures
from app.services.context import Services
from app.services.errors import BusyError


@dataclass(frozen=True, slots=True)
class Picture:
    svg: str  # sanitized by app.rendering.svg: safe to put into the page as it is
    title: str
    description: str
    error: str = ""


def picture(services: Services, session: Session, base: str, scene: Scene, theme: Literal["light", "dark"]) -> Picture:
    """The scene drawn as SVG; a failed drawing comes back as `error`, in words."""
    options = pictures.options(base, theme)
    try:
        prepared = prepare(scene, "svg", options)
        # The drawing may take seconds: it waits without holding a connection (the read ends).
        found = pictures.found_or_drawn(services, session, prepared, options, theme)
    except RenderError as error:
        return Picture("", scene.title, scene.description, str(error))
    except BusyError:
        return Picture("", scene.title, scene.description, "Every render slot is busy; reload in a few seconds.")
    return Picture(found[1].decode("utf-8"), scene.title, scene.description)
