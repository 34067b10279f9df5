"""The bet and assumption editors: a form to create an item, to change it, and a button to delete it.

An edit is sent as the whole item and carries the version it was opened at, so a save that
would overwrite someone else's change shows both instead (`app.services.edits`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.domain.model import Category, Debate, Direction, EvidenceKind, EvidenceLevel, Kind, Prescriptiveness
from app.domain.model import Status as BetStatus
from app.http import ServicesDep, SessionDep
from app.services import edits
from app.services.context import Services
from app.services.edits import Section
from app.services.errors import ConflictError, InvalidError, StaleError
from app.services.moments import revision_number
from app.storage.tables import GraphRow
from app.web import auth, forms
from app.web.auth import ViewerDep
from app.web.pages import page, to_viewer
from app.web.refusals import PageError, PageRoute

CHOICES = {
    "kind": [k.value for k in Kind],
    "status": [s.value for s in BetStatus],
    "debate": [d.value for d in Debate],
    "prescriptiveness": [p.label for p in Prescriptiveness],
    "category": [c.value for c in Category],
    "evidence_kind": [k.value for k in EvidenceKind],
    "level": [level.value for level in EvidenceLevel],
    "direction": [d.value for d in Direction],
    "metric_direction": ["up", "down"],
}


def _form_page(
    request: Request,
    services: Services,
    session: Session,
    row: GraphRow,
    section: Section,
    values: dict[str, str],
    *,
    item_id: str = "",
    version: int | None = None,
    errors: dict[str, list[str]] | None = None,
    conflict: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    template = "graphs/bet_form.html" if section == "bets" else "graphs/assumption_form.html"
    graph = services.graphs.get(session, row).graph  # the form names the graph and links back to it
    return page(
        request,
        template,
        {
            "graph": graph,
            "row": row,
            "values": values,
            "item_id": item_id,
            "version": version,
            "errors": errors or {},
            "conflict": conflict,
            "choices": CHOICES,
            "evidence_rows": forms.evidence_rows(values) if section == "assumptions" else 0,
        },
        status,
    )


def _to_form(section: Section, item: dict[str, Any]) -> dict[str, str]:
    return forms.bet_to_form(item) if section == "bets" else forms.assumption_to_form(item)


def _from_form(section: Section, values: dict[str, str]) -> dict[str, Any]:
    return forms.bet_from_form(values) if section == "bets" else forms.assumption_from_form(values)


def _editor(section: Section) -> APIRouter:
    editor = APIRouter(prefix=f"/graphs/{{slug:slug}}/{section}", include_in_schema=False, route_class=PageRoute)
    noun = edits.noun(section)

    @editor.get("/new", response_class=HTMLResponse)
    def new_item(
        request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> HTMLResponse:
        row, _ = auth.writable(session, slug, principal, lock=False)
        values = {"parents": request.query_params.get("parent", "")} if section == "bets" else {}
        return _form_page(request, services, session, row, section, values)

    @editor.post("/new", response_class=HTMLResponse, response_model=None)
    async def create(
        request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> Response:
        values = await auth.posted(request)
        row, writer = auth.writable(session, slug, principal)
        item = {"id": values.get("id", "").strip()} | {
            k: v for k, v in _from_form(section, values).items() if v is not None
        }
        try:
            edits.create_item(session, row, section, item, by=writer.by)
        except InvalidError as error:
            return _form_page(
                request, services, session, row, section, values, errors=forms.field_errors(error.problems), status=422
            )
        except ConflictError as error:
            return _form_page(request, services, session, row, section, values, errors={"id": [str(error)]}, status=409)
        return to_viewer(slug, item["id"])

    @editor.get("/{item_id}/edit", response_class=HTMLResponse)
    def edit_page(
        request: Request, slug: str, item_id: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> HTMLResponse:
        row, _ = auth.writable(session, slug, principal, lock=False)
        item, version = edits.read_item(session, row, section, item_id)
        return _form_page(
            request, services, session, row, section, _to_form(section, item), item_id=item_id, version=version
        )

    @editor.post("/{item_id}/edit", response_class=HTMLResponse, response_model=None)
    async def update(
        request: Request, slug: str, item_id: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> Response:
        values = await auth.posted(request)
        row, writer = auth.writable(session, slug, principal)
        expected = revision_number(values.get("version", ""))
        if expected is None:
            raise PageError(400, "The form is incomplete", "It has no version; open the editor again.")
        try:
            edits.update_item(
                session, row, section, item_id, _from_form(section, values), by=writer.by, expected=expected
            )
        except StaleError:
            # Someone saved this item after the form was opened: show theirs beside ours, keep ours.
            current, version = edits.read_item(session, row, section, item_id)
            return _form_page(
                request,
                services,
                session,
                row,
                section,
                values,
                item_id=item_id,
                version=version,
                conflict=_to_form(section, current),
                status=412,
            )
        except InvalidError as error:
            errors = forms.field_errors(error.problems)
            return _form_page(
                request,
                services,
                session,
                row,
                section,
                values,
                item_id=item_id,
                version=expected,
                errors=errors,
                status=422,
            )
        return to_viewer(slug, item_id)

    @editor.post("/{item_id}/delete", response_class=HTMLResponse, response_model=None)
    async def delete(request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep) -> Response:
        values = await auth.posted(request)
        row, writer = auth.writable(session, slug, principal)
        expected = revision_number(values.get("version", ""))
        try:
            edits.delete_item(session, row, section, item_id, by=writer.by, expected=expected)
        except StaleError:
            raise PageError(412, f"The {noun} changed", "Someone changed it since you opened it; look again.") from None
        except ConflictError as error:
            raise PageError(409, f"The {noun} cannot be deleted yet", str(error)) from None
        return to_viewer(slug)

    return editor


bets = _editor("bets")
assumptions = _editor("assumptions")
