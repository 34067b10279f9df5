"""The events a revision raises, and those the days raise: pure, from two graphs and a date."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.domain.diff import diff
from app.domain.events import (
    ASSUMPTION_RESOLVED,
    BET_RESOLVED,
    EVENTS,
    HORIZON_PASSED,
    LINT_FINDING,
    REVIEW_DUE,
    REVISION_CREATED,
    dated_events,
    revision_events,
    summary,
    week_of,
)
from app.domain.model import Graph, Kind, Resolution, Verdict
from tests.domain.builders import TODAY, assumption, bet, graph

EVERYTHING = frozenset(EVENTS)


def _plans() -> Graph:
    return graph(
        bet("vision", Kind.VISION),
        bet("grow", Kind.GOAL, ["vision"], assumes=["owners"], certainty=0.6),
        bet("invite", Kind.INITIATIVE, ["grow"], certainty=0.7, team="growth"),
        assumption("owners", 0.5),
    )


def _changed(before: Graph, bet_id: str, **fields: object) -> Graph:
    changed = dataclasses.replace(before.bet_by_id[bet_id], **fields)  # type: ignore[arg-type]
    return dataclasses.replace(before, bets=tuple(changed if b.id == bet_id else b for b in before.bets))


def test_a_new_graph_raises_one_revision_created() -> None:
    created = _plans()
    [event] = revision_events(None, created, None, TODAY, EVERYTHING)
    assert event.type == REVISION_CREATED
    assert event.data == {"created": True, "summary": "created with 3 bets and 1 assumption"}


def test_a_change_is_summed_up_in_words() -> None:
    before = _plans()
    after = _changed(before, "invite", certainty=0.3, title="Invite by link")
    assert summary(diff(before, after), after) == "1 bet changed"
    fewer = dataclasses.replace(after, bets=after.bets[:2])
    assert summary(diff(before, fewer), fewer) == "1 bet removed"


def test_a_verdict_raises_resolved_once_and_only_for_what_it_settles() -> None:
    before = _plans()
    resolved = _changed(before, "invite", resolution=Resolution(Verdict.VALIDATED, learned="They did"))
    events = revision_events(before, resolved, diff(before, resolved), TODAY, EVERYTHING)
    assert [event.type for event in events] == [REVISION_CREATED, BET_RESOLVED]
    assert events[1].subject == "invite"
    assert events[1].data["item"]["resolution"]["verdict"] == "validated"
    assert events[1].data["item"]["team"] == "growth"
    # editing it afterwards settles nothing new
    edited = _changed(resolved, "invite", title="Invite by link")
    assert [e.type for e in revision_events(resolved, edited, diff(resolved, edited), TODAY, EVERYTHING)] == [
        REVISION_CREATED
    ]
    # an assumption's verdict is its own event
    settled = dataclasses.replace(
        before, assumptions=(dataclasses.replace(before.assumptions[0], resolution=Resolution(Verdict.INVALIDATED)),)
    )
    events = revision_events(before, settled, diff(before, settled), TODAY, EVERYTHING)
    assert [e.type for e in events] == [REVISION_CREATED, ASSUMPTION_RESOLVED]


def test_only_the_lint_findings_a_revision_introduced_are_raised() -> None:
    before = _plans()
    orphaned = _changed(before, "invite", parents=())
    events = revision_events(before, orphaned, diff(before, orphaned), TODAY, frozenset({LINT_FINDING}))
    assert {(e.data["finding"]["rule"], e.subject) for e in events} >= {("orphan", "invite")}
    # the same finding again, after another edit, is not new
    again = _changed(orphaned, "invite", title="Still alone")
    later = revision_events(orphaned, again, diff(orphaned, again), TODAY, frozenset({LINT_FINDING}))
    assert ("orphan", "invite") not in {(e.data["finding"]["rule"], e.subject) for e in later}


def test_only_the_wanted_types_are_raised() -> None:
    before = _plans()
    orphaned = _changed(before, "invite", parents=(), resolution=Resolution(Verdict.VALIDATED))
    events = revision_events(before, orphaned, diff(before, orphaned), TODAY, frozenset({BET_RESOLVED}))
    assert [e.type for e in events] == [BET_RESOLVED]
    assert revision_events(before, orphaned, diff(before, orphaned), TODAY, frozenset()) == []


def test_dated_events_come_on_their_day_and_not_for_what_has_a_verdict() -> None:
    plans = graph(
        bet("vision", Kind.VISION),
        bet("due", Kind.GOAL, ["vision"], review_by=TODAY),
        bet("late", Kind.GOAL, ["vision"], review_by=TODAY - dt.timedelta(days=3)),
        bet("later", Kind.GOAL, ["vision"], review_by=TODAY + dt.timedelta(days=1)),
        bet("settled", Kind.GOAL, ["vision"], review_by=TODAY, resolution=Resolution(Verdict.VALIDATED)),
        assumption("check", review_by=TODAY),
    )
    found = {(e.type, e.subject, e.due, e.data["days_past"]) for e in dated_events(plans, TODAY)}
    assert found == {
        (REVIEW_DUE, "due", TODAY, 0),
        (REVIEW_DUE, "late", TODAY - dt.timedelta(days=3), 3),
        (REVIEW_DUE, "check", TODAY, 0),
    }


def test_a_passed_horizon_is_an_event_of_its_own() -> None:
    as_of = dt.date(2026, 1, 1)
    plans = dataclasses.replace(
        graph(bet("vision", Kind.VISION), bet("quarter", Kind.GOAL, ["vision"], horizon="1q")), as_of=as_of
    )
    passed = dated_events(plans, dt.date(2026, 6, 1))
    assert [(e.type, e.subject) for e in passed] == [(HORIZON_PASSED, "quarter")]
    assert passed[0].due is not None
    assert passed[0].due < dt.date(2026, 6, 1)
    assert dated_events(plans, dt.date(2026, 1, 2)) == []


def test_a_week_starts_on_monday() -> None:
    assert week_of(dt.date(2026, 12, 3)) == dt.date(2026, 11, 30)  # a Thursday
    assert week_of(dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)
