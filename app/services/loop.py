"""Closing the loop: resolving a bet or an assumption, and checking in on a metric.

Both are one-item writes through `app.services.edits`, so they take If-Match and conflict like any
other edit. The certainty an item was committed at comes from its stored versions: the history
remembers what the item itself no longer says. These functions never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.domain.model import Status, Verdict
from app.formats.document import parse_part
from app.formats.problems import DocumentError
from app.formats.schema import CheckInDoc, ResolutionDoc
from app.services import edits
from app.services.edits import Section, Written
from app.services.errors import ConflictError, InvalidError
from app.storage.graphs import Writer
from app.storage.history import commitment
from app.storage.tables import GraphRow

# An inconclusive bet is closed without having shown anything either way: `done`, not validated,
# so that delivery resting on it is still flagged by the untested-delivery rule.
STATUS_AFTER = {
    Verdict.VALIDATED: Status.VALIDATED,
    Verdict.INVALIDATED: Status.INVALIDATED,
    Verdict.INCONCLUSIVE: Status.DONE,
}


def resolve(
    session: Session,
    row: GraphRow,
    section: Section,
    item_id: str,
    *,
    verdict: Verdict,
    learned: str | None,
    committed_certainty: float | None,
    resolved_on: dt.date,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    """Record the item's resolution, with the committed certainty from its history unless given;
    a bet's status follows the verdict (`STATUS_AFTER`)."""
    if committed_certainty is None:
        committed = commitment(session, row, section, item_id)
        committed_certainty = committed.certainty if committed is not None else None
    resolution: dict[str, Any] = {"verdict": verdict.value, "resolved_on": resolved_on}
    if learned is not None:
        resolution["learned"] = learned
    if committed_certainty is not None:
        resolution["committed_certainty"] = committed_certainty

    def change(item: dict[str, Any]) -> dict[str, Any]:
        item = {**item, "resolution": resolution}
        if section == "bets":
            item["status"] = STATUS_AFTER[verdict].value
        return item

    return edits.change_item(session, row, section, item_id, change, by=by, expected=expected, reason=reason)


def check_in(
    session: Session,
    row: GraphRow,
    bet_id: str,
    *,
    value: float,
    on: dt.date,
    note: str | None = None,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    """Add a check-in to a bet's metric; `current` follows the latest one."""
    checkin: dict[str, Any] = {"value": value, "date": on}
    if note is not None:
        checkin["note"] = note

    def change(item: dict[str, Any]) -> dict[str, Any]:
        metric = item.get("metric")
        if not metric:
            raise ConflictError(f"bet {bet_id!r} has no metric to check in on; give it one first")
        checkins = [*metric.get("checkins", []), checkin]
        # kept in date order (a back-dated check-in goes where it belongs), so the list reads as a history
        checkins.sort(key=lambda entry: str(entry["date"]))
        return {**item, "metric": {**metric, "checkins": checkins, "current": checkins[-1]["value"]}}

    return edits.change_item(session, row, "bets", bet_id, change, by=by, expected=expected, reason=reason)


def resolve_as_sent(
    session: Session,
    row: GraphRow,
    section: Section,
    item_id: str,
    sent: Any,
    *,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    """`resolve` with a resolution as a document writes it (`ResolutionDoc`), from any entrypoint:
    it is read as a document part would be, and is resolved today unless it says when."""
    resolution = _part(ResolutionDoc, sent, (section, "resolution"))
    return resolve(
        session,
        row,
        section,
        item_id,
        verdict=resolution.verdict,
        learned=resolution.learned,
        committed_certainty=resolution.committed_certainty,
        resolved_on=resolution.resolved_on or dt.date.today(),
        by=by,
        expected=expected,
        reason=reason,
    )


def check_in_as_sent(
    session: Session,
    row: GraphRow,
    bet_id: str,
    sent: Any,
    *,
    by: Writer | None,
    expected: int | None = None,
    reason: str | None = None,
) -> Written:
    """`check_in` with a check-in as a document writes it (`CheckInDoc`); measured today unless it says when."""
    if isinstance(sent, dict) and "date" not in sent:
        sent = {**sent, "date": dt.date.today()}
    checkin = _part(CheckInDoc, sent, ("bets", "metric", "checkins"))
    return check_in(
        session,
        row,
        bet_id,
        value=checkin.value,
        on=checkin.date,
        note=checkin.note,
        by=by,
        expected=expected,
        reason=reason,
    )


P = TypeVar("P", ResolutionDoc, CheckInDoc)


def _part(schema: type[P], sent: Any, where: tuple[str, ...]) -> P:
    try:
        return parse_part(schema, sent, where)
    except DocumentError as error:
        raise InvalidError(list(error.problems)) from None
