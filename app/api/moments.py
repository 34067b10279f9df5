"""`?as_of=` on every read: the query parameter, parsed by the history service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.services.moments import DESCRIPTION, Moment, parse_moment


def as_of_query(
    as_of: Annotated[str | None, Query(max_length=64, description=DESCRIPTION)] = None,
) -> Moment | None:
    return parse_moment(as_of) if as_of is not None else None


AsOfDep = Annotated[Moment | None, Depends(as_of_query)]
