"""The digest of a period: what changed, what fell due, the leaps of faith, calibration, new findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from app.domain.digest import Digest, RevisionNote, digest, digest_data
from app.domain.model import Assumption, Bet, EvidenceLevel, Graph, Kind, Resolution, Status, Verdict
from tests.domain.builders import assumption, bet, evidence, graph

SINCE = dt.datetime(2026, 10, 25, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
FIRST, LAST = SINCE.date(), UNTIL.date()


def undated(*items: Bet | Assumption) -> Graph:
    """A graph read against the period's own dates (no as_of of its own)."""
    return graph(*items, as_of=None)


def note(number: int, day: int, who: str | None = None, reason: str | None = None) -> RevisionNote:
    return RevisionNote(number, dt.datetime(2026, 10, day, 9, 0, tzinfo=dt.UTC), who, reason)


def over(before: Graph | None, after: Graph, *notes: RevisionNote, start: int | None = 3) -> Digest:
    end = (start or 0) + len(notes)
    return digest(before, after, notes, since=SINCE, until=UNTIL, start=start, end=end)


BASE = (
    bet("vision", Kind.VISION),
    bet("goal", Kind.GOAL, ["vision"], certainty=0.4, title="Grow"),
    bet("old", Kind.GOAL, ["vision"], title="Old goal"),
)


def test_an_empty_period_says_so_and_is_quiet() -> None:
    g = undated(*BASE)
    found = over(g, g)
    assert found.period.count == 0
    assert found.changes.empty
    assert found.worded == ()
    assert (found.newly_due, found.still_due, found.findings, found.leaps) == ((), (), (), ())
    assert not found.calibration.moved
    assert found.calibration.after.resolved == 0
    assert found.quiet
    assert not found.created


def test_what_changed_lists_the_revisions_oldest_first_and_the_change_in_words() -> None:
    before = undated(*BASE)
    grown = dataclasses.replace(BASE[1], certainty=0.7)
    after = undated(BASE[0], grown, bet("new", Kind.OUTCOME, ["goal"], title="New outcome"))
    found = over(before, after, note(5, 28, "Bo", "second"), note(4, 27, "Ana", "pilot data"))
    assert [(n.number, n.who, n.reason) for n in found.revisions] == [(4, "Ana", "pilot data"), (5, "Bo", "second")]
    assert (found.period.start, found.period.end, found.period.count) == (3, 5, 2)
    assert [w.text for w in found.worded] == [
        "bet “New outcome” added",
        "bet “Grow” changed: certainty 40% → 70%",
        "bet “Old goal” removed",
    ]
    assert [w.focus for w in found.worded] == ["new", "goal", None]  # a removed bet is not on the map
    assert found.changes.bets_added == ("new",)
    assert not found.quiet


def test_what_fell_due_is_newly_due_in_the_period_or_still_overdue_from_before() -> None:
    g = undated(
        *BASE,
        bet("late", Kind.GOAL, ["vision"], review_by=dt.date(2026, 10, 1)),  # due before the period
        bet("first-day", Kind.GOAL, ["vision"], review_by=FIRST),  # due on its first day: new in it
        bet("paid-off", Kind.GOAL, ["vision"], horizon="2026-10-30"),  # its horizon passed in the period
        bet("today", Kind.GOAL, ["vision"], review_by=LAST),  # due on the last day: not past yet
        bet("later", Kind.GOAL, ["vision"], review_by=dt.date(2026, 12, 1)),
        bet("settled", Kind.GOAL, ["vision"], review_by=dt.date(2026, 10, 28), status=Status.VALIDATED),
        bet("judged", Kind.GOAL, ["vision"], horizon="2026-10-28", resolution=Resolution(Verdict.INCONCLUSIVE)),
        assumption("stale", review_by=dt.date(2026, 10, 26)),
        assumption("answered", review_by=dt.date(2026, 10, 26), resolution=Resolution(Verdict.VALIDATED)),
    )
    found = over(g, g)
    assert found.due_as_of == LAST
    assert [(e.id, e.due) for e in found.newly_due] == [
        ("first-day", FIRST),
        ("stale", dt.date(2026, 10, 26)),
        ("paid-off", dt.date(2026, 10, 30)),
    ]
    assert [(e.id, e.section) for e in found.newly_due] == [
        ("first-day", "bets"),
        ("stale", "assumptions"),
        ("paid-off", "bets"),
    ]
    assert [e.id for e in found.still_due] == ["late"]
    assert found.still_due[0].days(found.due_as_of) == 31
    assert not found.quiet  # nothing was written, but something fell due


def test_leaps_of_faith_are_important_untested_assumptions_most_important_first() -> None:
    weak = evidence(level=None)
    strong = evidence(level=EvidenceLevel.TEST_RESULT)
    before = undated(
        *BASE,
        assumption("raised", importance=3),
        assumption("leap", importance=4, evidence=[weak]),
        assumption("big-leap", importance=5),
        assumption("known", importance=5, evidence=[strong]),
        assumption("minor", importance=2),
        assumption("answered", importance=5, resolution=Resolution(Verdict.INVALIDATED)),
    )
    resting = (
        bet("a", Kind.GOAL, ["vision"], assumes=["big-leap"]),
        bet("b", Kind.GOAL, ["vision"], assumes=["big-leap", "leap"]),
    )
    raised = tuple(dataclasses.replace(a, importance=5) if a.id == "raised" else a for a in before.assumptions)
    after = dataclasses.replace(before, bets=(*before.bets, *resting), assumptions=raised)
    found = over(before, after, note(4, 27))
    assert [(leap.id, leap.importance, leap.resting, leap.new) for leap in found.leaps] == [
        ("big-leap", 5, 2, False),
        ("raised", 5, 0, True),  # it became important in the period
        ("leap", 4, 1, False),
    ]
    assert found.leaps[2].evidence == 0.05  # an opinion's worth, by the assumption map's own score


def test_a_bet_resolved_in_the_period_moves_calibration() -> None:
    bets = (*BASE, bet("pilot", Kind.HYPOTHESIS, ["goal"], certainty=0.7, status=Status.ACTIVE))
    before = undated(*bets)
    resolution = Resolution(Verdict.VALIDATED, committed_certainty=0.7, resolved_on=dt.date(2026, 10, 30))
    pilot = dataclasses.replace(bets[-1], status=Status.VALIDATED, resolution=resolution)
    after = undated(*bets[:-1], pilot)
    found = over(before, after, note(4, 30, reason="pilot done"))
    move = found.calibration
    assert (move.before.resolved, move.after.resolved) == (0, 1)
    assert move.moved
    band = next(b for b in move.after.bands if b.label == "60–80%")
    assert (band.ids, band.validated, band.rate) == (("pilot",), 1, 1.0)
    assert [(r.id, r.section, r.verdict, r.claimed) for r in move.resolved] == [
        ("pilot", "bets", Verdict.VALIDATED, 0.7)
    ]
    data = digest_data(found)["calibration"]
    assert data["resolved"] == 1
    assert data["before"]["resolved"] == 0
    assert "overdue" not in data["after"]  # what fell due is the digest's own section


def test_a_verdict_changed_in_the_period_counts_as_resolved_in_it() -> None:
    first = Resolution(Verdict.INCONCLUSIVE)
    before = undated(*BASE, assumption("s", 0.5, resolution=first))
    after = undated(*BASE, assumption("s", 0.5, resolution=Resolution(Verdict.INVALIDATED)))
    found = over(before, after, note(4, 29))
    assert [(r.id, r.verdict) for r in found.calibration.resolved] == [("s", Verdict.INVALIDATED)]
    unchanged = over(after, after)
    assert unchanged.calibration.resolved == ()


def test_only_the_lint_findings_the_period_brought_are_listed() -> None:
    before = undated(*BASE, bet("stray", Kind.GOAL))
    after = undated(
        *BASE, bet("stray", Kind.GOAL), bet("lost", Kind.GOAL), bet("late", Kind.GOAL, ["vision"], review_by=FIRST)
    )
    found = over(before, after, note(4, 27))
    assert [(f.rule, f.ids) for f in found.findings] == [("orphan", ("lost",)), ("stale-review", ("late",))]


def test_a_graph_created_in_the_period_has_everything_added_and_nothing_before() -> None:
    after = undated(*BASE, assumption("leap", importance=5))
    found = over(None, after, note(1, 26, "Ana", "first import"), note(2, 27), start=None)
    assert found.created
    assert (found.period.start, found.period.end, found.period.count) == (None, 2, 2)
    assert found.changes.bets_added == ("goal", "old", "vision")
    assert found.changes.assumptions_added == ("leap",)
    assert found.changes.header == ()  # its title and the rest are not "changed" from nothing
    assert [leap.new for leap in found.leaps] == [True]
    assert found.calibration.before.resolved == 0


def test_the_data_form_is_plain_json() -> None:
    before = undated(*BASE, assumption("leap", importance=5))
    after = undated(*BASE[:2], assumption("leap", importance=5), bet("late", Kind.GOAL, ["vision"], review_by=FIRST))
    data = digest_data(over(before, after, note(4, 27, "Ana", "why")))
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "graph",
        "title",
        "since",
        "until",
        "from_revision",
        "to_revision",
        "created",
        "quiet",
        "revisions",
        "changes",
        "due",
        "leaps",
        "calibration",
        "findings",
    ]
    assert (data["since"], data["until"]) == ("2026-10-25T00:00:00+00:00", "2026-11-01T12:00:00+00:00")
    assert (data["from_revision"], data["to_revision"], data["created"]) == (3, 4, False)
    assert data["revisions"] == {
        "count": 1,
        "items": [{"number": 4, "created_at": "2026-10-27T09:00:00+00:00", "who": "Ana", "reason": "why"}],
    }
    assert data["changes"]["bets"]["removed"] == ["old"]
    assert data["changes"]["in_words"][0] == {"what": "bet", "name": "Late", "words": "added", "id": "late"}
    assert data["due"]["newly"] == [
        {
            "id": "late",
            "section": "bets",
            "title": "Late",
            "due": "2026-10-25",
            "days": 7,
            "horizon": None,
            "review_by": "2026-10-25",
        }
    ]
    assert data["leaps"] == [
        {
            "id": "leap",
            "statement": "We believe that leap",
            "importance": 5,
            "importance_stated": True,
            "evidence": 0.0,
            "resting": 0,
            "new": False,
        }
    ]
    assert data["findings"] == [
        {
            "rule": "stale-review",
            "severity": "warning",
            "ids": ["late"],
            "message": "late was due for review on 2026-10-25",
        }
    ]
