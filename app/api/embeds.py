"""Sharing a diagram: snippets ready to paste (oEmbed, for wikis that discover it, is `app.api.oembed`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.api.moments import AsOfDep
from app.http import public_base_url
from app.rendering.views import ViewKind
from app.services import sharing

router = APIRouter(tags=["sharing"])


@router.get("/api/graphs/{slug}/snippets", response_model=sharing.Snippets)
def snippets(
    slug: str,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    caller: CallerDep,
    view: Annotated[ViewKind, Query()] = "map",
    focus: Annotated[str | None, Query(max_length=200)] = None,
    token: Annotated[str | None, Query(max_length=100, description="an embed token, for a private graph")] = None,
    as_of: AsOfDep = None,
) -> sharing.Snippets:
    """Ready-made embeds of a view, each named for where it suits (`hints` says so in words): plain
    Markdown, Markdown with a dark-mode <picture> for GitHub, HTML, clickable HTML (a PNG whose bets
    open the viewer), Confluence, MediaWiki.

    With `as_of`, every URL is the pinned picture of that revision. The clickable HTML may wait for
    the picture to be drawn; it is null when the picture cannot be drawn.
    """
    return sharing.snippets(
        services,
        session,
        base=public_base_url(request),
        slug=slug,
        who=caller,
        view=view,
        focus=focus,
        token=token,
        as_of=as_of,
        draw=True,
    )
