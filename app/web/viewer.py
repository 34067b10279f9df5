"""The list of graphs, and the viewer: a graph's picture beside its details, findings and history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.domain.analysis import why_chain
from app.domain.diff import GraphDiff, diff
from app.domain.lenses import LensError, LensKind, lens_of
from app.domain.lint import Finding, Severity, lint
from app.domain.model import Graph, Kind
from app.domain.model import Status as BetStatus
from app.http import ServicesDep, SessionDep
from app.rendering.lenses import lens_text
from app.rendering.style import BANDS
from app.rendering.views import BAND_NAMES, LENSES, Scene, View, ViewError, band_of, matching, select, select_diff
from app.services import access, visits
from app.services.access import Role
from app.services.context import Services
from app.services.errors import ServiceError
from app.services.moments import parse_moment, resolve_span
from app.storage import graphs as storage
from app.storage.history import list_revisions
from app.storage.tables import GraphRow
from app.web import auth
from app.web.auth import ViewerDep
from app.web.pages import LIST_LIMIT, page, theme_of
from app.web.pictures import Lens, Picture, picture
from app.web.refusals import PageRoute
from app.web.sharing import share_panel
from app.web.state import ViewState, showing, view_state

router = APIRouter(include_in_schema=False, route_class=PageRoute)
HISTORY_LIMIT = 12  # the latest revisions beside the picture; the API pages through the rest


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, principal: ViewerDep) -> HTMLResponse:
    rows = storage.list_graphs(session, visible_to=access.listable(session, principal), limit=LIST_LIMIT)
    return page(request, "graphs/index.html", {"graphs": rows, "principal": principal})


def _diff_scene(
    services: Services, session: Session, row: GraphRow, state: ViewState, today: dt.date
) -> tuple[Scene, GraphDiff]:
    """`view=diff&focus=A..B`: what changed from revision (or moment) A to B, B the latest when left out."""
    start, _, end = state.focus.partition("..")
    try:
        since, until = resolve_span(
            session, row, parse_moment(start or "1", "from"), parse_moment(end, "to") if end else None
        )
    except ServiceError as error:  # the page draws no picture and says why
        raise ViewError(error.message) from None
    graphs = services.graphs
    before, after = graphs.get(session, row, since).graph, graphs.get(session, row, until).graph
    return select_diff(before, after, View("diff", f"r{since} → r{until}"), today), diff(before, after)


def _drawn_view(graph: Graph, state: ViewState, today: dt.date) -> tuple[View, frozenset[str] | None]:
    if state.view == "diff" or state.view in LENSES:
        return View(), None
    if state.view == "map":
        if state.filters.active:
            found = matching(graph, state.filters, today)
            return View(only=found), found
        return View(), None
    return View(state.view, state.focus), None


@router.get("/graphs/{slug:slug}", response_class=HTMLResponse)
def viewer_page(
    request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    row = auth.readable(session, slug, principal)
    state = view_state(request)
    shown = showing(services, session, row, state)
    analysed, graph = shown.analysed, shown.graph
    today = dt.date.today()
    view, matched = _drawn_view(graph, state, today)
    problem = ""
    drawn: Picture | None = None
    changes: GraphDiff | None = None
    scene: Scene | None = None
    lens: Lens | None = None
    alternative = ""
    try:
        if state.view == "diff":
            scene, changes = _diff_scene(services, session, row, state, today)
        elif state.view in LENSES:
            found = lens_of(graph, cast(LensKind, state.view), today, state.focus or None)
            lens, alternative = Lens(found, row.slug), lens_text(found)
        else:
            scene = select(graph, view, today)
    except (ViewError, LensError) as error:
        problem = str(error)
    findings = lint(graph, today, analysed.support)
    focused = state.focus and state.view not in ("diff", *LENSES)
    details = _details(graph, analysed.support, findings, state.focus) if focused else None
    shareable = state.view in ("map", *LENSES) or (state.focus and state.view != "diff")
    share = share_panel(request, services, session, principal, row, state) if shareable else None
    revisions = list_revisions(session, row, limit=HISTORY_LIMIT)
    # Only the map of the latest revision is "what you see now": other views and past revisions
    # neither show nor count as a visit.
    latest_map = state.view == "map" and shown.revision is None
    since = visits.since(services.graphs, session, principal, row) if latest_map else None
    drawable = scene if scene is not None else lens
    if drawable is not None:
        # Last: a drawing ends the read (`release`), and everything above reads the same snapshot.
        # Nodes link to this viewer on whatever address the visitor used: a path, not a URL.
        base = services.settings.public_url or "/"
        drawn = picture(services, session, base, drawable, "dark" if theme_of(request) == "dark" else "light")
    return page(
        request,
        "graphs/viewer.html",
        {
            "graph": graph,
            "row": row,
            "state": state,
            "picture": drawn,
            "problem": problem,
            "matched": sorted(matched or (), key=lambda b: graph.bet_by_id[b].title.lower())[:LIST_LIMIT],
            "matched_count": len(matched or ()),
            "findings": _findings_by_severity(findings),
            "finding_count": len(findings),
            "details": details,
            "share": share,
            "principal": principal,
            "can_write": shown.editable_by(session, principal, row),
            "can_own": access.rights(session, principal, row).role >= Role.OWNER,
            "shown": shown,
            "changes": changes,
            "revisions": revisions,
            "since": since,
            "alternative": alternative,
            "lenses": [("board", "Board"), ("assumptions", "Assumptions"), ("portfolio", "Portfolio")],
            "now": dt.datetime.now(dt.UTC),
            "visiting": latest_map and principal is not None and principal.person_id is not None,
            "bands": [(name, band.label) for name, band in BAND_NAMES.items()],
            "kinds": [kind.value for kind in Kind],
            "statuses": [status.value for status in BetStatus],
            "teams": graph.teams,
            "band_labels": [band.label for band in BANDS],
        },
    )


@router.post("/graphs/{slug:slug}/visits", status_code=204)
async def record_visit(request: Request, slug: str, session: SessionDep, principal: ViewerDep) -> Response:
    """The viewer's script, once the map is shown: the person has seen this revision (`visits.record`).

    Whoever is no person gets 204 too, with nothing kept: a tab left open after its sign-in ended
    has nothing to fix, and a refusal would only be an error in its console.
    """
    values = await auth.posted(request)
    row = auth.readable(session, slug, principal)
    visits.record(session, principal, row, values.get("revision", ""))
    return Response(status_code=204)


@router.get("/graphs/{slug:slug}/nodes/{node_id}", response_class=HTMLResponse)
def node_details(
    request: Request, slug: str, node_id: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    """The details panel alone, for the viewer's script to put beside the picture."""
    row = auth.readable(session, slug, principal)
    state = view_state(request)
    shown = showing(services, session, row, state)
    findings = lint(shown.graph, dt.date.today(), shown.analysed.support)
    details = _details(shown.graph, shown.analysed.support, findings, node_id)
    return page(
        request,
        "includes/details.html",
        {
            "graph": shown.graph,
            "details": details,
            "state": state,
            "can_write": shown.editable_by(session, principal, row),
        },
    )


@dataclass(frozen=True)
class Details:
    kind: Literal["bet", "assumption", "missing"]
    id: str
    item: Any
    findings: list[Finding]
    chain_certainty: float | None = None
    path: tuple[str, ...] = ()
    weakest: str | None = None
    band: str = ""
    children: tuple[str, ...] = ()
    rests_on: tuple[str, ...] = ()  # bets resting on an assumption


def _details(graph: Graph, supported: Any, findings: list[Finding], node_id: str) -> Details:
    mine = [f for f in findings if node_id in f.ids]
    if node_id in graph.bet_by_id:
        chain = why_chain(graph, node_id, supported)
        band = band_of(graph, dt.date.today())[node_id].label
        return Details(
            "bet",
            node_id,
            graph.bet_by_id[node_id],
            mine,
            chain.certainty,
            chain.path,
            chain.weakest,
            band,
            graph.children.get(node_id, ()),
        )
    if node_id in graph.assumption_by_id:
        return Details(
            "assumption", node_id, graph.assumption_by_id[node_id], mine, rests_on=graph.assumed_by.get(node_id, ())
        )
    return Details("missing", node_id, None, [])


def _findings_by_severity(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    grouped = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        these = [f for f in findings if f.severity is severity]
        if these:
            grouped.append((severity.label, these))
    return grouped
