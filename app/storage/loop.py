"""Closing the loop in storage: resolving a bet or an assumption, and checking in on a metric.

Both are one-item writes through `app.storage.items`, so they take If-Match and conflict like any
other edit. The certainty an item was committed at comes from its stored versions: the history
remembers what the item itself no longer says. These functions never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.model import Status, Verdict
from app.storage import items as edits
from app.storage.items import Section, Written
from app.storage.tables import AssumptionVersionRow, BetVersionRow, GraphRow

# An inconclusive bet is closed without having shown anything either way: `done`, not validated,
# so that delivery resting on it is still flagged by the untested-delivery rule.
STATUS_AFTER = {
    Verdict.VALIDATED: Status.VALIDATED,
    Verdict.INVALIDATED: Status.INVALIDATED,
    Verdict.INCONCLUSIVE: Status.DONE,
}


class NoMetricError(Exception):
    """A check-in was sent for a bet without a metric."""


@dataclass(frozen=True, slots=True)
class Commitment:
    certainty: float | None
    revision: int  # the revision whose version the certainty was read from


def commitment(session: Session, row: GraphRow, section: Section, item_id: str) -> Commitment | None:
    """The certainty a bet had when it was last made `active` (else when it was first stored);
    for an assumption, when it was first stored. None when the item is not stored.

    Only the item's present life counts: a bet deleted and made again under the same id starts over.
    """
    versions: list[tuple[int, int | None, float | None, str | None]]
    if section == "bets":
        bets = select(BetVersionRow.valid_from, BetVersionRow.valid_to, BetVersionRow.certainty, BetVersionRow.status)
        bets = bets.where(BetVersionRow.graph_id == row.id, BetVersionRow.bet_id == item_id)
        versions = [(start, end, certainty, status) for start, end, certainty, status in session.execute(bets)]
    else:
        table = AssumptionVersionRow
        assumptions = select(table.valid_from, table.valid_to, table.certainty)
        assumptions = assumptions.where(table.graph_id == row.id, table.assumption_id == item_id)
        versions = [(start, end, certainty, None) for start, end, certainty in session.execute(assumptions)]
    versions.sort(key=lambda version: version[0])
    if not versions or versions[-1][1] is not None:
        return None
    life = [versions[-1]]
    for version in reversed(versions[:-1]):
        if version[1] != life[0][0]:
            break  # a gap: the item was removed, and what came before is another item's story
        life.insert(0, version)
    start = 0
    for index, (_, _, _, status) in enumerate(life):
        if status == Status.ACTIVE and (index == 0 or life[index - 1][3] != Status.ACTIVE):
            start = index
    # A commitment made before any certainty was stated is judged by the first one stated after it.
    stated = [version for version in life[start:] if version[2] is not None]
    chosen = stated[0] if stated else life[start]
    return Commitment(chosen[2], chosen[0])


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
    token_id: int | None,
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

    return edits.change_item(
        session, row, section, item_id, change, token_id=token_id, expected=expected, reason=reason
    )


def check_in(
    session: Session,
    row: GraphRow,
    bet_id: str,
    *,
    value: float,
    on: dt.date,
    note: str | None = None,
    token_id: int | None,
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
            raise NoMetricError(f"bet {bet_id!r} has no metric to check in on; give it one first")
        checkins = [*metric.get("checkins", []), checkin]
        # kept in date order (a back-dated check-in goes where it belongs), so the list reads as a history
        checkins.sort(key=lambda entry: str(entry["date"]))
        return {**item, "metric": {**metric, "checkins": checkins, "current": checkins[-1]["value"]}}

    return edits.change_item(session, row, "bets", bet_id, change, token_id=token_id, expected=expected, reason=reason)
