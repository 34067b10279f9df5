"""What the services share within one process: the database, its settings and the process's memos."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.rendering.runner import RenderTimeoutError, RenderTooLargeError
from app.services.cache import GraphCache, Pictures
from app.services.locks import locks_for
from app.services.oidc import Provider
from app.services.renderer import Renderer
from app.storage.db import make_sessionmaker


@dataclass(frozen=True, slots=True)
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    settings: Settings
    graphs: GraphCache  # parsed graphs by revision
    pictures: Pictures  # finished pictures by what names them
    renderer: Renderer  # one drawing per picture, a bounded number at a time
    provider: Provider | None = None  # the OpenID provider people sign in with, if configured


def make_services(engine: Engine, settings: Settings) -> Services:
    return Services(
        engine=engine,
        sessions=make_sessionmaker(engine),
        settings=settings,
        graphs=GraphCache(),
        pictures=Pictures(),
        renderer=Renderer(
            slots=max(1, (os.cpu_count() or 2)),
            locks=locks_for(engine),
            # What an input would do again: Graphviz's timeout, a picture too large. Not its other
            # failures (a missing Graphviz, a bug of ours), which may be mended meanwhile.
            remember=(RenderTimeoutError, RenderTooLargeError),
            remember_for=settings.failed_render_seconds,
        ),
        provider=Provider(settings.oidc, f"{settings.public_url}/auth/callback") if settings.oidc else None,
    )
