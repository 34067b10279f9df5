"""The web viewer: pages, their assets, and how they answer errors."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web import account, editing, loop, pages, search, settings, sharing, signin, sso, viewer, webhooks
from app.web.auth import CsrfError
from app.web.refusals import PageError

STATIC = Path(__file__).parent / "static"
# Pages load scripts and styles from this origin only; nothing inline, nothing from elsewhere.
# Wiki previews in the share panel load our own pictures; links in the picture are same-origin.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'{provider}; base-uri 'none'; frame-ancestors 'none'"
)


def page_headers(provider: str = "") -> dict[bytes, bytes]:
    """The pages' headers. Signing out posts a form whose answer goes on to the provider's sign-out
    page, and browsers hold such a redirect to `form-action` too: `provider` is its origin."""
    return {
        b"content-security-policy": PAGE_CSP.format(provider=f" {provider}" if provider else "").encode(),
        b"x-content-type-options": b"nosniff",
        b"referrer-policy": b"same-origin",
        b"x-frame-options": b"DENY",
        b"cache-control": b"private, no-cache",
    }


class _PageHeaders:
    """The pages' security headers on every HTML answer; plain ASGI, so pictures pay nothing for it."""

    def __init__(self, app: ASGIApp, provider: str = "") -> None:
        self.app = app
        self.headers = page_headers(provider)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {bytes(name).lower() for name, _ in headers}
                if dict(headers).get(b"content-type", b"").startswith(b"text/html"):
                    headers += [(name, value) for name, value in self.headers.items() if name not in names]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return pages.page(request, "error.html", {"status": status, "title": title, "detail": detail}, status)


def install(app: FastAPI) -> None:
    """Mount the viewer. Its routes must come before the diagram routes, which match /graphs/… too."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        viewer.router,
        search.router,
        signin.router,
        sso.router,
        account.router,
        settings.router,
        webhooks.router,
        loop.router,
        sharing.router,
        editing.bets,
        editing.assumptions,
    ):
        app.include_router(router)
    oidc = app.state.services.settings.oidc
    app.add_middleware(_PageHeaders, provider=origin(oidc.issuer) if oidc is not None else "")

    @app.exception_handler(PageError)
    async def _page_error(request: Request, error: PageError) -> HTMLResponse:
        response = _error_page(request, error.status, error.title, error.detail)
        response.headers.update(error.headers)
        return response

    @app.exception_handler(CsrfError)
    async def _csrf_error(request: Request, error: CsrfError) -> HTMLResponse:
        return _error_page(request, 403, "The form could not be accepted", str(error))
