"""Closing the loop from the viewer: resolving a bet or an assumption, and a metric's check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.formats.document import parse_part
from app.formats.problems import DocumentError
from app.formats.schema import CheckInDoc, ResolutionDoc
from app.http import SessionDep
from app.services import loop
from app.services.edits import Section
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
            resolution = parse_part(ResolutionDoc, body, (section, "resolution"))
            loop.resolve(
                session,
                row,
                section,
                item_id,
                verdict=resolution.verdict,
                learned=resolution.learned,
                committed_certainty=resolution.committed_certainty,
                resolved_on=resolution.resolved_on or dt.date.today(),
                token_id=writer.token_id,
            )
        return to_viewer(slug, item_id)


_closing("bets")
_closing("assumptions")


@router.post("/graphs/{slug:slug}/bets/{item_id}/checkin", response_model=None)
async def check_in(request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep) -> Response:
    values = await auth.posted(request)
    row, writer = auth.writable(session, slug, principal)
    body: dict[str, Any] = {key: values[key].strip() for key in ("date", "note") if values.get(key, "").strip()}
    body["value"] = forms.number_text(values.get("value", ""))
    body.setdefault("date", dt.date.today().isoformat())
    with _refusals():
        checkin = parse_part(CheckInDoc, body, ("bets", "metric", "checkins"))
        loop.check_in(
            session, row, item_id, value=checkin.value, on=checkin.date, note=checkin.note, token_id=writer.token_id
        )
    return to_viewer(slug, item_id)


@contextmanager
def _refusals() -> Iterator[None]:
    """A resolution or a check-in that does not read as one, as a page that says what to change."""
    try:
        yield
    except DocumentError as error:
        detail = "; ".join(
            f"{problem.pointer.lstrip('/') or 'the form'}: {problem.message}" for problem in error.problems
        )
        raise PageError(422, "Nothing was saved", detail) from None
