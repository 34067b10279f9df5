"""How every page of the viewer is answered: its template, the visitor's theme, this site's address."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.convertors import Convertor, register_url_convertor

from app.http import public_base_url
from app.rendering.progress import metric_line
from app.web import auth, markdown
from app.words import ago, percent, plural

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["percent"] = percent
templates.env.globals["plural"] = plural
templates.env.globals["ago"] = ago
templates.env.filters["markdown"] = markdown.to_html
templates.env.globals["metric_line"] = metric_line
LIST_LIMIT = 200  # rows of a list on one page; the rest is counted


class SlugConvertor(Convertor[str]):
    # Graph slugs never contain a dot, so /graphs/acme is the viewer and /graphs/acme.svg a picture.
    regex = "[a-z0-9][a-z0-9-]{0,62}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("slug", SlugConvertor())


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    context = {
        "public_base": public_base_url(request),
        "theme": theme_of(request),
        "csrf": auth.csrf_value(request),
        "principal": getattr(request.state, "viewer", None),
        "person": getattr(request.state, "person", None),
        "sso": request.app.state.services.provider is not None,
    } | context
    response = templates.TemplateResponse(request, name, context, status_code=status)
    auth.remember_csrf(request, response)
    # Browsers that know the hint send it again at once, so the first page is already in their theme.
    response.headers["Accept-CH"] = "Sec-CH-Prefers-Color-Scheme"
    response.headers["Critical-CH"] = "Sec-CH-Prefers-Color-Scheme"
    response.headers["Vary"] = "Cookie, Sec-CH-Prefers-Color-Scheme"
    return response


Theme = Literal["light", "dark", "auto"]


def theme_of(request: Request) -> Theme:
    """The visitor's choice, else their browser's hint; "auto" leaves it to CSS (the picture stays light)."""
    chosen = request.query_params.get("theme") or request.cookies.get("betgraph_theme")
    hint = request.headers.get("sec-ch-prefers-color-scheme", "").strip('"')
    for theme in (chosen, hint):
        if theme in ("light", "dark"):
            return cast(Theme, theme)
    return "auto"


def to_viewer(slug: str, focus: str = "") -> RedirectResponse:
    """After a form is saved: the graph's page, on the item it changed."""
    return RedirectResponse(f"/graphs/{slug}?focus={focus}" if focus else f"/graphs/{slug}", status_code=303)
