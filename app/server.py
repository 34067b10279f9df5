"""The whole service: the API, the viewer and the pictures over one set of services, and what guards them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import web
from app.api import (
    diagrams,
    digest,
    embeds,
    graphs,
    history,
    items,
    jsonschema,
    lenses,
    loop,
    mcp,
    members,
    oembed,
    problems,
    search,
    signins,
    webhooks,
)
from app.api.fastpath import FastPath
from app.api.problems import ProblemError, http_problem, problem_response
from app.config import Settings, settings
from app.formats.schema import Document
from app.services.context import make_services
from app.services.deliveries import Deliverer
from app.services.errors import UnavailableError, infrastructure_error
from app.services.urls import PICTURE_PATH
from app.storage.changes import Changes, watch
from app.storage.db import make_engine, transaction


class RequestGuard:
    """What every request must be before any route sees it: a body of bounded size that arrives in
    time, and a path and query without NUL bytes (which PostgreSQL cannot hold and no slug,
    id or value of ours contains)."""

    def __init__(self, app: ASGIApp, limit: int, body_seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope["query_string"]):
            nul = ProblemError(400, "The request is not valid", "the URL holds a NUL byte (%00)")
            await problem_response(nul)(scope, receive, send)
            return
        if scope["method"] == "HEAD" and PICTURE_PATH.match(scope["path"]):
            # Caches, link checkers and wikis ask with HEAD whether a picture is there: the route
            # answers it as GET, and the server, which knows the request was HEAD, sends no body.
            scope = {**scope, "method": "GET"}
        declared = dict(scope["headers"]).get(b"content-length")
        # Digits past what any body could be are simply too large (int() refuses 4,300 of them).
        if declared is not None and declared.isdigit() and (len(declared) > 15 or int(declared) > self.limit):
            await problem_response(http_problem(_TooLargeError(self.limit)))(scope, receive, send)
            return
        seen = 0
        deadline = asyncio.get_running_loop().time() + self.body_seconds
        started = False

        async def counted() -> Message:
            nonlocal seen
            left = deadline - asyncio.get_running_loop().time()
            try:
                # A client that trickles its body would hold a worker's request open forever.
                message = await asyncio.wait_for(receive(), max(left, 0.001))
            except TimeoutError:
                raise _TooSlowError(self.body_seconds) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLargeError(self.limit)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except (_TooLargeError, _TooSlowError) as error:
            if not started:
                await problem_response(http_problem(error))(scope, receive, send)


# HTTPExceptions: a route that reads its body through FastAPI (a JSON `Body()`) lets them pass
# to the problem+json handler as they are, where another exception would become its 400.
class _TooLargeError(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is over {limit:,} bytes")


class _TooSlowError(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"the body did not arrive within {seconds:g} s")


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


class InFlight:
    """How many requests this worker is answering now: background work (webhook deliveries) yields to them."""

    def __init__(self) -> None:
        self.count = 0  # changed on the event loop's thread alone: no lock

    def busy(self) -> bool:
        return self.count > 0


class Served:
    """The app as uvicorn runs it (`served`): requests counted, then the fast path, then FastAPI."""

    def __init__(self, app: FastPath, in_flight: InFlight) -> None:
        self.app = self.fast = app
        self.in_flight = in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.in_flight.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight.count -= 1


def served(app: FastAPI) -> Served:
    """What uvicorn runs: warm pictures answered in front of FastAPI, which costs more per request
    than the rest of their answer (app.api.fastpath); everything else, lifespan included, passes on.
    Outermost, the count of requests in flight, which the app's deliverer reads."""
    return Served(FastPath(app, changes=app.state.watcher), app.state.in_flight)


def create_app(config: Settings | None = None, *, deliver: bool = False, **engine_options: Any) -> FastAPI:
    """The app; with `deliver`, it sends the webhook outbox while it runs (each served worker does)."""
    config = config or settings()
    engine = make_engine(config.database_url, timeout=config.database_timeout, **engine_options)
    watcher = _Watcher(engine)
    services = make_services(engine, config)

    in_flight = InFlight()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        deliverer = Deliverer(services.sessions, config, busy=in_flight.busy) if deliver else None
        if deliverer is not None:
            deliverer.start()
        async with assistants.running():
            yield
        if deliverer is not None:
            deliverer.stop()
        watcher.close()

    app = FastAPI(
        title="Betgraph",
        summary="Nested bets, the assumptions behind them, and how sure we are.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.watcher = watcher
    app.state.in_flight = in_flight
    problems.install(app)
    for router in (
        graphs.router,
        items.bets,
        items.assumptions,
        loop.router,
        history.router,
        digest.router,
        members.router,
        lenses.router,
        signins.router,
        search.router,
        webhooks.router,
        jsonschema.router,
    ):
        app.include_router(router)
    web.install(app)  # before the diagrams: /graphs/{slug} is a page, /graphs/{slug}.svg a picture
    app.include_router(diagrams.router)
    app.include_router(embeds.router)
    app.include_router(oembed.router)
    assistants = mcp.install(app)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """The process answers (liveness)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["service"], responses={503: {"description": "the database does not answer"}})
    def readyz() -> JSONResponse:
        """The database answers too (readiness): a load balancer sends requests here only then."""
        try:
            with transaction(services.sessions, write=False) as session:
                session.execute(text("SELECT 1"))
        except Exception as error:
            if infrastructure_error(error) is None:
                raise
            body = {"status": "unavailable", "database": "not answering"}
            retry = str(UnavailableError.retry_after)
            return JSONResponse(body, status_code=503, headers={"Retry-After": retry, "Cache-Control": "no-store"})
        return JSONResponse({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})

    app.add_middleware(RequestGuard, limit=config.max_body_bytes, body_seconds=config.body_seconds)

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
