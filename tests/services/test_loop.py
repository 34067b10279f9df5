"""Resolving and checking in through storage: history gives the committed certainty; writes are item writes."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.model import Resolution, Status, Verdict
from app.formats.document import load
from app.services import edits
from app.services.errors import ConflictError, NotFoundError, StaleError
from app.services.loop import check_in, resolve
from app.storage.graphs import get_graph_row, graph_data, load_graph, save_graph
from app.storage.history import commitment
from app.storage.tables import GraphRow, RevisionRow

DOCUMENT = textwrap.dedent(
    """\
    betgraph: 1
    graph: {slug: loop, title: Loop, as_of: 2026-11-01}
    bets:
      - {id: goal, kind: goal, title: Goal, certainty: 0.5, metric: {name: activation, baseline: 10, target: 40}}
      - {id: test, kind: hypothesis, title: Test, parents: [goal], assumes: [belief], certainty: 0.5}
      - {id: plain, kind: goal, title: No metric}
    assumptions:
      - {id: belief, statement: Owners want it, certainty: 0.4}
    """
)
DAY = dt.date(2026, 11, 20)


def _stored(session: Session) -> GraphRow:
    save_graph(session, load(DOCUMENT)[0])
    row = get_graph_row(session, "loop")
    assert row is not None
    return row


def _patch(
    session: Session, row: GraphRow, item_id: str, patch: dict[str, object], section: edits.Section = "bets"
) -> None:
    edits.update_item(session, row, section, item_id, patch, by=None)


def test_a_resolution_and_checkins_round_trip_through_the_database(session: Session) -> None:
    text = DOCUMENT.replace(
        "target: 40}}",
        "target: 40, checkins: [{value: 12, date: 2026-10-01, note: first}, {value: 18, date: 2026-10-15}]}}",
    ).replace(
        "certainty: 0.4}",
        "certainty: 0.4, resolution: {verdict: invalidated, learned: They did not, committed_certainty: 0.6, "
        "resolved_on: 2026-10-30}}",
    )
    graph = load(text)[0]
    save_graph(session, graph)
    row = get_graph_row(session, "loop")
    assert row is not None
    assert load_graph(session, row) == graph
    stored = graph_data(session, row)
    assert stored["bets"][0]["metric"]["checkins"][1] == {"value": 18, "date": "2026-10-15"}
    assert stored["assumptions"][0]["resolution"]["verdict"] == "invalidated"


def test_the_committed_certainty_is_the_one_when_the_bet_was_made_active(session: Session) -> None:
    row = _stored(session)
    _patch(session, row, "test", {"certainty": 0.6})
    _patch(session, row, "test", {"status": "active", "certainty": 0.7})
    _patch(session, row, "test", {"certainty": 0.9})  # more sure once work began: not what was bet
    committed = commitment(session, row, "bets", "test")
    assert committed is not None
    assert (committed.certainty, committed.revision) == (0.7, 3)
    written = resolve(
        session,
        row,
        "bets",
        "test",
        verdict=Verdict.VALIDATED,
        learned="Owners invited their staff",
        committed_certainty=None,
        resolved_on=DAY,
        by=None,
    )
    bet = load_graph(session, row).bet_by_id["test"]
    assert bet.resolution == Resolution(Verdict.VALIDATED, "Owners invited their staff", 0.7, DAY)
    assert bet.status is Status.VALIDATED
    assert written.version == written.revision == row.head


def test_without_activation_the_first_stored_certainty_counts(session: Session) -> None:
    row = _stored(session)
    _patch(session, row, "goal", {"certainty": 0.8})
    _patch(session, row, "belief", {"certainty": 0.9}, "assumptions")
    assert commitment(session, row, "bets", "goal") == commitment(session, row, "bets", "test")
    goal = commitment(session, row, "bets", "goal")
    belief = commitment(session, row, "assumptions", "belief")
    assert goal is not None
    assert belief is not None
    assert (goal.certainty, belief.certainty) == (0.5, 0.4)
    assert commitment(session, row, "bets", "nope") is None


def test_a_bet_made_again_under_its_id_starts_its_history_over(session: Session) -> None:
    row = _stored(session)
    edits.delete_item(session, row, "bets", "plain", by=None)
    edits.create_item(
        session, row, "bets", {"id": "plain", "kind": "goal", "title": "Again", "certainty": 0.3}, by=None
    )
    again = commitment(session, row, "bets", "plain")
    assert again is not None
    assert again.certainty == 0.3


def test_a_certainty_stated_after_the_commitment_stands_in_for_a_missing_one(session: Session) -> None:
    row = _stored(session)
    _patch(session, row, "plain", {"status": "active"})
    _patch(session, row, "plain", {"certainty": 0.65})
    committed = commitment(session, row, "bets", "plain")
    assert committed is not None
    assert committed.certainty == 0.65


@pytest.mark.parametrize(("verdict", "status"), [(Verdict.INVALIDATED, "invalidated"), (Verdict.INCONCLUSIVE, "done")])
def test_the_status_follows_the_verdict_and_a_given_certainty_wins(
    session: Session, verdict: Verdict, status: str
) -> None:
    row = _stored(session)
    resolve(
        session,
        row,
        "bets",
        "test",
        verdict=verdict,
        learned=None,
        committed_certainty=0.25,
        resolved_on=DAY,
        by=None,
    )
    item = graph_data(session, row)["bets"][1]
    assert item["status"] == status
    assert item["resolution"] == {"verdict": verdict.value, "committed_certainty": 0.25, "resolved_on": DAY}


def test_resolving_an_assumption_leaves_it_without_a_status(session: Session) -> None:
    row = _stored(session)
    resolve(
        session,
        row,
        "assumptions",
        "belief",
        verdict=Verdict.INCONCLUSIVE,
        learned="Too few answers",
        committed_certainty=None,
        resolved_on=DAY,
        by=None,
    )
    belief = load_graph(session, row).assumption_by_id["belief"]
    assert belief.resolution == Resolution(Verdict.INCONCLUSIVE, "Too few answers", 0.4, DAY)


def test_a_stale_version_is_refused(session: Session) -> None:
    row = _stored(session)
    with pytest.raises(StaleError):
        resolve(
            session,
            row,
            "bets",
            "test",
            verdict=Verdict.VALIDATED,
            learned=None,
            committed_certainty=None,
            resolved_on=DAY,
            by=None,
            expected=99,
        )


def test_checkins_keep_date_order_and_current_follows_the_latest(session: Session) -> None:
    row = _stored(session)
    check_in(session, row, "goal", value=18, on=dt.date(2026, 10, 15), note="after the wizard", by=None)
    check_in(session, row, "goal", value=12, on=dt.date(2026, 10, 1), by=None)  # back-dated
    metric = load_graph(session, row).bet_by_id["goal"].metric
    assert metric is not None
    assert [(c.value, c.date.day) for c in metric.checkins] == [(12, 1), (18, 15)]
    assert metric.current == 18
    written = check_in(session, row, "goal", value=25, on=dt.date(2026, 10, 15), by=None)
    assert written.item is not None
    assert written.item["metric"]["checkins"][-1]["value"] == 25
    metric = load_graph(session, row).bet_by_id["goal"].metric
    assert metric is not None
    assert metric.current == 25  # of one day's, the last one made


def test_a_checkin_without_a_metric_is_refused_and_changes_nothing(session: Session) -> None:
    row = _stored(session)
    head = row.head
    with pytest.raises(ConflictError, match="has no metric"):
        check_in(session, row, "plain", value=1, on=DAY, by=None)
    with pytest.raises(NotFoundError):
        check_in(session, row, "nope", value=1, on=DAY, by=None)
    assert row.head == head


def test_the_reason_is_kept_with_the_revision(session: Session) -> None:
    row = _stored(session)
    resolve(
        session,
        row,
        "bets",
        "test",
        verdict=Verdict.VALIDATED,
        learned=None,
        committed_certainty=None,
        resolved_on=DAY,
        by=None,
        reason="quarterly review",
    )
    check_in(session, row, "goal", value=20, on=DAY, by=None, reason="November numbers")
    reasons = session.scalars(
        select(RevisionRow.reason).where(RevisionRow.graph_id == row.id).order_by(RevisionRow.number)
    ).all()
    assert reasons[-2:] == ["quarterly review", "November numbers"]
