"""The web viewer: pages, their assets, and how they answer errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from app.web import pages
from app.web.auth import CsrfError

STATIC = Path(__file__).parent / "static"
# Pages load scripts and styles from this origin only; nothing inline, nothing from elsewhere.
# Wiki previews in the share panel load our own pictures; links in the picture are same-origin.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class _PageHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Cache-Control", "private, no-cache")
        return response


def _error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return pages.page(request, "error.html", {"status": status, "title": title, "detail": detail}, status)


def install(app: FastAPI) -> None:
    """Mount the viewer. Its routes must come before the diagram routes, which match /graphs/… too."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(pages.bet_editor)
    app.include_router(pages.assumption_editor)
    app.add_middleware(_PageHeaders)

    @app.exception_handler(pages.PageError)
    async def _page_error(request: Request, error: pages.PageError) -> HTMLResponse:
        return _error_page(request, error.status, error.title, error.detail)

    @app.exception_handler(CsrfError)
    async def _csrf_error(request: Request, error: CsrfError) -> HTMLResponse:
        return _error_page(request, 403, "The form could not be accepted", str(error))
