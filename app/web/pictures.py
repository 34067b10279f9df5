"""The viewer's picture: the same pipeline, shared render cache and single flight as the diagram URLs.

Nodes link back to the viewer, so clicking a bet in the picture selects it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.domain.model import Graph
from app.rendering.render import prepare, prepare_view
from app.rendering.runner import RenderError
from app.rendering.views import Scene, View
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
    """The scene (or a lens: a graph and a lens view of it) drawn as SVG; a failed drawing comes
    back as `error`, in words."""
    options = pictures.options(base, theme)
    title, description = (shown.title, shown.description) if isinstance(shown, Scene) else ("", "")
    try:
        if isinstance(shown, Scene):
            prepared = prepare(shown, "svg", options)
        else:
            prepared = prepare_view(shown.graph, shown.view, "svg", shown.today, options)
            title, description = prepared.title, prepared.description
        # The drawing may take seconds: it waits without holding a connection (the read ends).
        found = pictures.found_or_drawn(services, session, prepared, options, theme)
    except RenderError as error:
        return Picture("", title, description, str(error))
    except BusyError:
        return Picture("", title, description, "Every render slot is busy; reload in a few seconds.")
    return Picture(found[1].decode("utf-8"), title, description)


@dataclass(frozen=True, slots=True)
class Lens:
    """A lens the viewer shows: `view` (a lens kind, its focus a team) of `graph` on `today`."""

    graph: Graph
    view: View
    today: dt.date
