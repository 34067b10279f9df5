"""Closing the loop from the viewer: resolving a bet or an assumption, and a metric's check-in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.http import SessionDep
from app.services import loop
from app.services.edits import Section
from app.services.errors import InvalidError
from app.web import auth, forms
from app.web.auth import ViewerDep
from app.web.pages import to_viewer
from app.web.refusals import PageError, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _closing(section: Section) -> None:
    @router.post(f"/graphs/{{slug:slug}}/{section}/{{item_id}}/resolve", response_model=None)
    async def resolve_item(
        request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep
    ) -> Response:
        values = await auth.posted(request)
        row, writer = auth.writable(session, slug, principal)
        body: dict[str, Any] = {
            key: values[key].strip() for key in ("verdict", "learned") if values.get(key, "").strip()
        }
        committed = forms.certainty_text(values.get("committed_certainty", ""))
        if committed is not None:  # left empty: taken from the item's history
            body["committed_certainty"] = committed
        with _refusals():
            loop.resolve_as_sent(session, row, section, item_id, body, by=writer.by)
        return to_viewer(slug, item_id)


_closing("bets")
_closing("assumptions")


@router.post("/graphs/{slug:slug}/bets/{item_id}/checkin", response_model=None)
async def check_in(request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep) -> Response:
    values = await auth.posted(request)
    row, writer = auth.writable(session, slug, principal)
    body: dict[str, Any] = {key: values[key].strip() for key in ("date", "note") if values.get(key, "").strip()}
    body["value"] = forms.number_text(values.get("value", ""))
    with _refusals():
        loop.check_in_as_sent(session, row, item_id, body, by=writer.by)
    return to_viewer(slug, item_id)


@contextmanager
def _refusals() -> Iterator[None]:
    """A resolution or a check-in that does not read as one, as a page that says what to change."""
    try:
        yield
    except InvalidError as error:
        detail = "; ".join(
            f"{problem.pointer.lstrip('/') or 'the form'}: {problem.message}" for problem in error.problems
        )
        raise PageError(422, "Nothing was saved", detail) from None
