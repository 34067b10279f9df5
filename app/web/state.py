"""What the viewer's URL asks for: the view, its focus and filters, and the revision it shows.

Every state a person can reach is a URL (view, focus, filters, theme), so a filtered view can
be shared by copying the address. Scripts only make it smoother: without them every link and
form still works.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.orm import Session

from app.domain.model import Graph, Kind
from app.domain.model import Status as BetStatus
from app.rendering.views import BAND_NAMES, VIEW_KINDS, Filters, ViewKind
from app.services.access import Caller
from app.services.cache import Analysed
from app.services.context import Services
from app.services.errors import ServiceError
from app.services.moments import parse_moment, resolve
from app.storage.history import get_revision
from app.storage.tables import GraphRow
from app.web.refusals import PageError


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


def view_state(request: Request) -> ViewState:
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

    def editable_by(self, who: Caller | None) -> bool:
        """Whether the page offers `who` its editors: only the latest revision can be changed."""
        return who is not None and who.may_write and self.revision is None


def showing(services: Services, session: Session, row: GraphRow, state: ViewState) -> Shown:
    revision = None
    if state.as_of:
        try:
            revision = resolve(session, row, parse_moment(state.as_of))
        except ServiceError as error:
            raise PageError(404, "No such moment in this graph's history", error.message) from None
    found = get_revision(session, row, revision or row.head)
    return Shown(services.graphs.get(session, row, revision), revision, found.created_at if found else None)
