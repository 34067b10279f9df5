"""The viewer's picture: the same pipeline, shared render cache and single flight as the diagram URLs.

Nodes link back to the viewer, so clicking a bet in the picture selects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.domain.lenses import AssumptionMap, Board, Portfolio
from app.rendering.lenses import named
from app.rendering.render import prepare, prepare_found
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


def picture(
    services: Services, session: Session, base: str, shown: Scene | Lens, theme: Literal["light", "dark"]
) -> Picture:
    """The scene (or a lens, computed already) drawn as SVG; a failed drawing comes back as
    `error`, in words."""
    options = pictures.options(base, theme)
    if isinstance(shown, Scene):
        title, description = shown.title, shown.description
    else:
        title, description = named(shown.found)
    try:
        if isinstance(shown, Scene):
            prepared = prepare(shown, "svg", options)
        else:
            prepared = prepare_found(shown.found, shown.slug, "svg", options)
        # The drawing may take seconds: it waits without holding a connection (the read ends).
        found = pictures.found_or_drawn(services, session, prepared, options, theme)
    except RenderError as error:
        return Picture("", title, description, str(error))
    except BusyError:
        return Picture("", title, description, "Every render slot is busy; reload in a few seconds.")
    return Picture(found[1].decode("utf-8"), title, description)


@dataclass(frozen=True, slots=True)
class Lens:
    """A lens the viewer shows, computed (`app.domain.lenses.lens_of`) from the graph `slug`."""

    found: Board | AssumptionMap | Portfolio
    slug: str
