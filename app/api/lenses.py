"""/api/graphs/{slug}/lenses/{board|assumptions|portfolio}: a lens on the graph's bets as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import CallerDep, ServicesDep, SessionDep
from app.api.moments import AsOfDep
from app.api.problems import ProblemError
from app.domain.lenses import LensError, LensKind, lens_of
from app.rendering.lenses import lens_document
from app.services import access
from app.services.moments import revision_for

router = APIRouter(prefix="/api/graphs/{slug}/lenses", tags=["lenses"])


@router.get("/{lens}")
def get_lens(
    slug: str,
    lens: LensKind,
    services: ServicesDep,
    session: SessionDep,
    caller: CallerDep,
    as_of: AsOfDep,
    team: Annotated[str | None, Query(max_length=200, description="one team's bets alone")] = None,
) -> dict[str, Any]:
    """The board (Now, Next, Later, Done by team), the assumption map (each assumption's quadrant
    and evidence score: list `test-first` for the leaps of faith) or the portfolio (each bet by
    when it pays off and how sure it is, with the regions lint warns about), with the text
    alternative of its picture."""
    row = access.read_graph(session, slug, caller).row
    revision = revision_for(session, row, as_of)
    graph = services.graphs.get(session, row, revision).graph
    try:
        found = lens_of(graph, lens, dt.date.today(), team)
    except LensError as error:
        raise ProblemError(404, "Not found", str(error)) from None
    return {"graph": slug, "revision": row.head if revision is None else revision, **lens_document(found)}
