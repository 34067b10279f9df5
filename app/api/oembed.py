"""oEmbed (https://oembed.com) for the URLs people copy: pictures, pinned pictures, diffs and viewer pages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.api.deps import ServicesDep, SessionDep
from app.api.problems import ProblemError
from app.http import public_base_url
from app.rendering.runner import RenderError
from app.services import oembed as service
from app.services.errors import UnauthenticatedError
from app.services.urls import Unembeddable

router = APIRouter(tags=["sharing"])


class OEmbed(BaseModel):
    version: str = "1.0"
    type: Literal["photo"] = "photo"
    url: str
    width: int
    height: int
    title: str
    provider_name: str = "Betgraph"
    provider_url: str


@router.get(
    "/oembed",
    response_model=OEmbed,
    responses={
        401: {"description": "a private graph: embed it through its embed URL (/e/{token}/…)"},
        404: {"description": "not a URL of this Betgraph, or nothing there"},
        501: {"description": "a format other than json, or a URL no photo shows (a filtered map, .dot)"},
    },
)
def oembed(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    url: Annotated[str, Query(max_length=2000, description="a picture URL or a viewer page, on this Betgraph")],
    format: Annotated[str, Query()] = "json",
    maxwidth: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    maxheight: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> OEmbed:
    """A photo: the picture's own size in CSS pixels, scaled down to fit maxwidth and maxheight.

    A viewer page embeds the picture it shows, and a URL naming a moment (`as_of`, a diff by date)
    the pinned picture it resolves to. It may draw the picture first, which can take seconds.
    """
    if format != "json":
        raise ProblemError(501, "Not implemented", "only the json format is served")
    base = public_base_url(request)
    try:
        found = service.embed(services, session, url, base=base, maxwidth=maxwidth, maxheight=maxheight)
    except Unembeddable as error:
        raise ProblemError(501, "Not implemented", str(error)) from None
    except UnauthenticatedError:
        # oEmbed's own answer for a resource that needs authorisation.
        raise ProblemError(401, "Private", "this graph is private: use its embed URL (/e/{token}/…)") from None
    except RenderError as error:
        raise ProblemError(422, "The diagram cannot be drawn", str(error)) from None
    return OEmbed(url=found.url, width=found.width, height=found.height, title=found.title, provider_url=base)
