"""The FastAPI application."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import web
from app.api import diagrams, embeds, graphs, history, items, loop, problems
from app.api.cache import GraphCache, Pictures
from app.api.fastpath import FastPath
from app.api.locks import locks_for
from app.api.problems import ProblemError, problem_response
from app.api.renderer import Renderer
from app.config import Settings, settings
from app.domain.document import Document
from app.storage.changes import Changes, watch
from app.storage.db import make_engine, make_sessionmaker


class BodyLimit:
    """413 for a request body over the limit, whether it declares its length or streams it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = ProblemError(413, "Payload too large", f"the body is over {self.limit:,} bytes")
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await problem_response(too_large)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLargeError:
            await problem_response(too_large)(scope, receive, send)


class _TooLargeError(Exception):
    pass


class _Watcher:
    """The database's change signal, started on the first picture request and stopped with the app."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._changes: Changes | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Changes:
        if self._changes is None:
            with self._lock:
                if self._changes is None:
                    self._changes = watch(self._engine)
        return self._changes

    def close(self) -> None:
        with self._lock:
            if self._changes is not None:
                self._changes.close()
                self._changes = None


def served(app: FastAPI) -> FastPath:
    """What uvicorn runs: warm pictures answered in front of FastAPI, which costs more per request
    than the rest of their answer (app.api.fastpath); everything else, lifespan included, passes on."""
    return FastPath(app, changes=app.state.watcher)


def create_app(config: Settings | None = None, **engine_options: Any) -> FastAPI:
    config = config or settings()
    engine = make_engine(config.database_url, **engine_options)
    watcher = _Watcher(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        watcher.close()

    app = FastAPI(
        title="Betgraph",
        summary="Nested bets, the assumptions behind them, and how sure we are.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.settings = config
    app.state.graphs = GraphCache()
    app.state.pictures = Pictures()
    app.state.renderer = Renderer(slots=max(1, (os.cpu_count() or 2)), locks=locks_for(engine))
    problems.install(app)
    app.include_router(graphs.router)
    app.include_router(items.bets)
    app.include_router(items.assumptions)
    app.include_router(loop.router)
    app.include_router(history.router)
    web.install(app)  # before the diagrams: /graphs/{slug} is a page, /graphs/{slug}.svg a picture
    app.include_router(diagrams.router)
    app.include_router(embeds.router)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    app.state.watcher = watcher

    def openapi() -> dict[str, Any]:
        # Documents are read from the raw body (YAML or JSON) so that errors can name YAML lines;
        # their schema is added here so the document describes what those routes take.
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            document = Document.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(document.pop("$defs"))
            components["Document"] = document
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
