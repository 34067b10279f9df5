"""The viewer: server-rendered pages over the same storage, analysis and pictures as the API.

Every state a person can reach is a URL (view, focus, filters, theme), so a filtered view can
be shared by copying the address. Scripts only make it smoother: without them every link and
form still works.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.convertors import Convertor, register_url_convertor

from app.domain.analysis import why_chain
from app.domain.diff import GraphDiff, diff
from app.domain.lint import Finding, Severity, lint
from app.domain.model import Category, Debate, Direction, EvidenceKind, EvidenceLevel, Graph, Kind, Prescriptiveness
from app.domain.model import Status as BetStatus
from app.formats.document import parse_part
from app.formats.problems import DocumentError
from app.formats.schema import CheckInDoc, ResolutionDoc
from app.http import ServicesDep, SessionDep
from app.rendering.progress import metric_line
from app.rendering.style import BANDS
from app.rendering.views import (
    BAND_NAMES,
    VIEW_KINDS,
    Filters,
    Scene,
    View,
    ViewError,
    ViewKind,
    band_of,
    matching,
    select,
    select_diff,
)
from app.services import access, edits, loop, sharing
from app.services.access import Caller
from app.services.cache import Analysed
from app.services.context import Services
from app.services.edits import Section
from app.services.errors import ConflictError, InvalidError, ServiceError, StaleError
from app.services.moments import parse_moment, resolve, revision_number
from app.services.urls import public_base
from app.storage import graphs as storage
from app.storage.history import get_revision, list_revisions
from app.storage.tables import GraphRow
from app.storage.tokens import Scope, create_token
from app.web import auth, forms, markdown
from app.web.auth import ViewerDep
from app.web.pictures import Picture, picture
from app.web.refusals import PageError, PageRoute
from app.words import percent, plural

router = APIRouter(include_in_schema=False, route_class=PageRoute)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["percent"] = percent
templates.env.globals["plural"] = plural
templates.env.filters["markdown"] = markdown.to_html
templates.env.globals["metric_line"] = metric_line
LIST_LIMIT = 200  # rows of a list on one page; the rest is counted
HISTORY_LIMIT = 12  # the latest revisions beside the picture; the API pages through the rest


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
        "public_base": base_url(request, request.app.state.services),
        "theme": theme_of(request),
        "csrf": auth.csrf_value(request),
        "principal": getattr(request.state, "viewer", None),
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


def _readable(session: Session, slug: str, who: Caller | None) -> GraphRow:
    return access.read_graph(session, slug, who).row


def base_url(request: Request, services: Services) -> str:
    return public_base(services.settings.public_url, request.url.scheme, request.scope.get("server"))


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, principal: ViewerDep) -> HTMLResponse:
    rows = storage.list_graphs(session, visible_to=access.listable(principal), limit=LIST_LIMIT)
    return page(request, "graphs/index.html", {"graphs": rows, "principal": principal})


@dataclass(frozen=True, slots=True)
class ViewState:
    """The viewer's URL as data: what it draws, what is selected, what it is narrowed to."""

    view: ViewKind = "map"
    focus: str = ""
    filters: Filters = field(default_factory=Filters)
    as_of: str = ""  # a revision number or a moment: the graph as it was then (read only)

    def query(self, **changes: Any) -> str:
        values: dict[str, Any] = {"view": self.view, "focus": self.focus, "as_of": self.as_of} | changes
        pairs: list[tuple[str, str]] = []
        if values["view"] != "map":
            pairs.append(("view", values["view"]))
        if values["focus"]:
            pairs.append(("focus", values["focus"]))
        if values["as_of"]:
            pairs.append(("as_of", values["as_of"]))
        if changes.get("filters", True):
            f = self.filters
            pairs += [("band", v) for v in sorted(f.bands)] + [("team", v) for v in sorted(f.teams)]
            pairs += [("kind", v) for v in sorted(f.kinds)] + [("status", v) for v in sorted(f.statuses)]
            if f.min_certainty is not None:
                pairs.append(("min", f"{round(f.min_certainty * 100)}"))
            if f.debatable:
                pairs.append(("debate", "1"))
        return "?" + urlencode(pairs) if pairs else "?"


def _state(request: Request) -> ViewState:
    params = request.query_params
    view = params.get("view", "map")
    minimum = params.get("min", "").strip().rstrip("%")
    try:
        min_certainty: float | None = min(max(float(minimum) / 100, 0.0), 1.0) if minimum else None
    except ValueError:
        min_certainty = None
    if min_certainty is not None and not math.isfinite(min_certainty):  # `nan` reads as a float
        min_certainty = None
    filters = Filters(
        bands=frozenset(b for b in params.getlist("band") if b in BAND_NAMES),
        teams=frozenset(t for t in params.getlist("team") if t),
        kinds=frozenset(k for k in params.getlist("kind") if k in Kind.__members__.values()),
        statuses=frozenset(s for s in params.getlist("status") if s in BetStatus.__members__.values()),
        min_certainty=min_certainty,
        debatable=params.get("debate") in ("1", "on", "true"),
    )
    as_of = params.get("as_of", "").strip()[:64]
    kind: ViewKind = view if view in (*VIEW_KINDS, "diff") else "map"
    return ViewState(kind, params.get("focus", "")[:200], filters, as_of)


@dataclass(frozen=True, slots=True)
class Shown:
    """The graph a page shows: the latest, or the revision `as_of` names."""

    analysed: Analysed
    revision: int | None  # None: the latest
    written: dt.datetime | None  # when that revision was written

    @property
    def graph(self) -> Graph:
        return self.analysed.graph


def _shown(services: Services, session: Session, row: GraphRow, state: ViewState) -> Shown:
    revision = None
    if state.as_of:
        try:
            revision = resolve(session, row, parse_moment(state.as_of))
        except ServiceError as error:
            raise PageError(404, "No such moment in this graph's history", error.message) from None
    found = get_revision(session, row, revision or row.head)
    return Shown(services.graphs.get(session, row, revision), revision, found.created_at if found else None)


def _diff_scene(
    services: Services, session: Session, row: GraphRow, state: ViewState, today: dt.date
) -> tuple[Scene, GraphDiff]:
    """`view=diff&focus=A..B`: what changed from revision (or moment) A to B, B the latest when left out."""
    start, _, end = state.focus.partition("..")
    try:
        since = resolve(session, row, parse_moment(start or "1", "from"), "from")
        until = resolve(session, row, parse_moment(end, "to"), "to") if end else row.head
    except ServiceError as error:
        raise ViewError(error.message) from None
    if since > until:
        raise ViewError(f"revision {since} comes after {until}: compare an earlier revision with a later one")
    graphs = services.graphs
    before, after = graphs.get(session, row, since).graph, graphs.get(session, row, until).graph
    return select_diff(before, after, View("diff", f"r{since} → r{until}"), today), diff(before, after)


def _drawn_view(graph: Graph, state: ViewState, today: dt.date) -> tuple[View, frozenset[str] | None]:
    if state.view == "diff":
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
    row = _readable(session, slug, principal)
    state = _state(request)
    shown = _shown(services, session, row, state)
    analysed, graph = shown.analysed, shown.graph
    today = dt.date.today()
    view, matched = _drawn_view(graph, state, today)
    problem = ""
    drawn: Picture | None = None
    changes: GraphDiff | None = None
    scene: Scene | None = None
    try:
        if state.view == "diff":
            scene, changes = _diff_scene(services, session, row, state, today)
        else:
            scene = select(graph, view, today)
    except ViewError as error:
        problem = str(error)
    findings = lint(graph, today, analysed.support)
    details = _details(graph, analysed.support, findings, state.focus) if state.focus and state.view != "diff" else None
    shareable = state.view == "map" or (state.focus and state.view != "diff")
    share = _share(request, services, session, principal, row, state) if shareable else None
    revisions = list_revisions(session, row, limit=HISTORY_LIMIT)
    if scene is not None:
        # Last: a drawing ends the read (`release`), and everything above reads the same snapshot.
        # Nodes link to this viewer on whatever address the visitor used: a path, not a URL.
        base = services.settings.public_url or "/"
        drawn = picture(services, session, base, scene, "dark" if theme_of(request) == "dark" else "light")
    can_write = principal is not None and principal.may_write and shown.revision is None
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
            "can_write": can_write,
            "shown": shown,
            "changes": changes,
            "revisions": revisions,
            "bands": [(name, band.label) for name, band in BAND_NAMES.items()],
            "kinds": [kind.value for kind in Kind],
            "statuses": [status.value for status in BetStatus],
            "teams": graph.teams,
            "band_labels": [band.label for band in BANDS],
        },
    )


@router.get("/graphs/{slug:slug}/nodes/{node_id}", response_class=HTMLResponse)
def node_details(
    request: Request, slug: str, node_id: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    """The details panel alone, for the viewer's script to put beside the picture."""
    row = _readable(session, slug, principal)
    state = _state(request)
    shown = _shown(services, session, row, state)
    findings = lint(shown.graph, dt.date.today(), shown.analysed.support)
    details = _details(shown.graph, shown.analysed.support, findings, node_id)
    return page(
        request,
        "includes/details.html",
        {
            "graph": shown.graph,
            "details": details,
            "state": state,
            "can_write": principal is not None and principal.may_write and shown.revision is None,
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


def _share(
    request: Request, services: Services, session: Session, who: Caller | None, row: GraphRow, state: ViewState
) -> dict[str, Any] | None:
    view: ViewKind = state.view
    focus = state.focus if view != "map" else None
    public = storage.visibility(session, row) == "public"
    try:
        moment = parse_moment(state.as_of) if state.as_of else None
        found = sharing.snippets(
            services,
            session,
            base=base_url(request, services),
            slug=row.slug,
            who=who,
            view=view,
            focus=focus,
            as_of=moment,
        )
    except ServiceError:  # a view that cannot be drawn has nothing to share; the page says why
        return None
    return {"public": public, "snippets": found}


# --- signing in -----------------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "signin.html", {"next": _local(next), "error": ""})


@router.post("/signin", response_class=HTMLResponse, response_model=None)
def signin(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    auth.check_csrf(request, csrf)
    if access.caller(session, token.strip()) is None:
        return page(request, "signin.html", {"next": _local(next), "error": "That token is unknown or revoked."}, 401)
    response = RedirectResponse(_local(next), status_code=303)
    auth.sign_in(request, response, token.strip())
    return response


@router.post("/signout", response_model=None)
def signout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    auth.check_csrf(request, csrf)
    response = RedirectResponse("/", status_code=303)
    auth.sign_out(response)
    return response


@router.post("/theme", response_model=None)
def choose_theme(
    request: Request,
    theme: Annotated[Literal["light", "dark"], Form()],
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    auth.check_csrf(request, csrf)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie("betgraph_theme", theme, max_age=auth.MAX_AGE, path="/", samesite="strict", httponly=True)
    return response


def _local(target: str) -> str:
    # Only paths of this site: a link that signs someone in must not send them elsewhere.
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


# --- editing ----------------------------------------------------------------------------------

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


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {key: value for key, value in data.items() if isinstance(value, str)}


def _editor(section: Section) -> APIRouter:
    editor = APIRouter(prefix=f"/graphs/{{slug:slug}}/{section}", include_in_schema=False, route_class=PageRoute)
    noun = edits.noun(section)

    @editor.get("/new", response_class=HTMLResponse)
    def new_item(
        request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> HTMLResponse:
        row = _readable(session, slug, principal)
        access.check_writer(principal, slug, row)
        values = {"parents": request.query_params.get("parent", "")} if section == "bets" else {}
        return _form_page(request, services, session, row, section, values)

    @editor.post("/new", response_class=HTMLResponse, response_model=None)
    async def create(
        request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> Response:
        values = await _form(request)
        auth.check_csrf(request, values.get("csrf", ""))
        _readable(session, slug, principal)
        row, writer = access.write_graph(session, slug, principal)
        item = {"id": values.get("id", "").strip()} | {
            k: v for k, v in _from_form(section, values).items() if v is not None
        }
        try:
            edits.create_item(session, row, section, item, token_id=writer.token_id)
        except InvalidError as error:
            return _form_page(
                request, services, session, row, section, values, errors=forms.field_errors(error.problems), status=422
            )
        except ConflictError as error:
            return _form_page(request, services, session, row, section, values, errors={"id": [str(error)]}, status=409)
        return RedirectResponse(f"/graphs/{slug}?focus={item['id']}", status_code=303)

    @editor.get("/{item_id}/edit", response_class=HTMLResponse)
    def edit_page(
        request: Request, slug: str, item_id: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> HTMLResponse:
        row = _readable(session, slug, principal)
        access.check_writer(principal, slug, row)
        item, version = edits.read_item(session, row, section, item_id)
        return _form_page(
            request, services, session, row, section, _to_form(section, item), item_id=item_id, version=version
        )

    @editor.post("/{item_id}/edit", response_class=HTMLResponse, response_model=None)
    async def update(
        request: Request, slug: str, item_id: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
    ) -> Response:
        values = await _form(request)
        auth.check_csrf(request, values.get("csrf", ""))
        _readable(session, slug, principal)
        row, writer = access.write_graph(session, slug, principal)
        expected = revision_number(values.get("version", ""))
        if expected is None:
            raise PageError(400, "The form is incomplete", "It has no version; open the editor again.")
        try:
            edits.update_item(
                session, row, section, item_id, _from_form(section, values), token_id=writer.token_id, expected=expected
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
        return RedirectResponse(f"/graphs/{slug}?focus={item_id}", status_code=303)

    @editor.post("/{item_id}/delete", response_class=HTMLResponse, response_model=None)
    async def delete(request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep) -> Response:
        values = await _form(request)
        auth.check_csrf(request, values.get("csrf", ""))
        _readable(session, slug, principal)
        row, writer = access.write_graph(session, slug, principal)
        expected = revision_number(values.get("version", ""))
        try:
            edits.delete_item(session, row, section, item_id, token_id=writer.token_id, expected=expected)
        except StaleError:
            raise PageError(412, f"The {noun} changed", "Someone changed it since you opened it; look again.") from None
        except ConflictError as error:
            raise PageError(409, f"The {noun} cannot be deleted yet", str(error)) from None
        return RedirectResponse(f"/graphs/{slug}", status_code=303)

    return editor


bet_editor = _editor("bets")
assumption_editor = _editor("assumptions")


def _closing(section: Section) -> None:
    @router.post(f"/graphs/{{slug:slug}}/{section}/{{item_id}}/resolve", response_model=None)
    async def resolve_item(
        request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep
    ) -> Response:
        values = await _form(request)
        auth.check_csrf(request, values.get("csrf", ""))
        _readable(session, slug, principal)
        row, writer = access.write_graph(session, slug, principal)
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
        return RedirectResponse(f"/graphs/{slug}?focus={item_id}", status_code=303)


_closing("bets")
_closing("assumptions")


@router.post("/graphs/{slug:slug}/bets/{item_id}/checkin", response_model=None)
async def check_in(request: Request, slug: str, item_id: str, session: SessionDep, principal: ViewerDep) -> Response:
    values = await _form(request)
    auth.check_csrf(request, values.get("csrf", ""))
    _readable(session, slug, principal)
    row, writer = access.write_graph(session, slug, principal)
    body: dict[str, Any] = {key: values[key].strip() for key in ("date", "note") if values.get(key, "").strip()}
    body["value"] = forms.number_text(values.get("value", ""))
    body.setdefault("date", dt.date.today().isoformat())
    with _refusals():
        checkin = parse_part(CheckInDoc, body, ("bets", "metric", "checkins"))
        loop.check_in(
            session, row, item_id, value=checkin.value, on=checkin.date, note=checkin.note, token_id=writer.token_id
        )
    return RedirectResponse(f"/graphs/{slug}?focus={item_id}", status_code=303)


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


@router.post("/graphs/{slug:slug}/embed-token", response_class=HTMLResponse)
async def embed_token(
    request: Request, slug: str, services: ServicesDep, session: SessionDep, principal: ViewerDep
) -> HTMLResponse:
    """A read-only token for this one graph, shown once, so a private graph can be embedded."""
    values = await _form(request)
    auth.check_csrf(request, values.get("csrf", ""))
    row = _readable(session, slug, principal)
    access.check_writer(principal, slug, row)
    _, token = create_token(session, Scope.READ, graph=row, label=f"embed from the viewer ({slug})")
    view = values.get("view", "map")
    state = ViewState(view if view in VIEW_KINDS else "map", values.get("focus", "")[:200])
    focus = state.focus if state.view != "map" else None
    try:
        found = sharing.snippets(
            services,
            session,
            base=base_url(request, services),
            slug=slug,
            who=principal,
            view=state.view,
            focus=focus,
            token=token,
        )
    except ServiceError as error:
        raise PageError(404, "Nothing to share", "This view cannot be drawn.") from error
    return page(request, "graphs/embed_token.html", {"row": row, "snippets": found, "state": state})
