"""The three lenses, computed from small graphs: the board, the assumption map and the portfolio."""

from __future__ import annotations

import pytest

from app.domain.lenses import (
    Column,
    LensError,
    Quadrant,
    assumption_map,
    board,
    evidence_score,
    portfolio,
    quadrant_of,
)
from app.domain.model import Direction, EvidenceLevel, Kind, Prescriptiveness, Resolution, Status, Verdict
from tests.domain.builders import TODAY, assumption, bet, evidence, graph

FRAME = (
    bet("v", Kind.VISION, horizon="5y"),
    bet("s", Kind.STRATEGY, ["v"], horizon="2y"),
    bet("g", Kind.GOAL, ["s"], horizon="1y", certainty=0.8),
)


def _columns(found: object) -> dict[str, dict[str, list[str]]]:
    lanes = getattr(found, "lanes")  # noqa: B009 - a Board
    return {lane.label: {c.value: [card.id for card in lane.cards[c]] for c in Column} for lane in lanes}


def test_cards_go_to_columns_by_how_far_out_they_pay_off_and_done_by_verdict_or_status() -> None:
    found = board(
        graph(
            *FRAME,
            bet("now", Kind.INITIATIVE, ["g"], horizon="6w", team="a"),
            bet("next", Kind.INITIATIVE, ["g"], horizon="10w", team="a"),
            bet("later", Kind.OUTCOME, ["g"], horizon="6m", team="a"),
            bet("inherits", Kind.INITIATIVE, ["now"], team="a"),  # no horizon: its primary parent's
            bet("closed", Kind.INITIATIVE, ["g"], horizon="2w", status=Status.DONE, team="a"),
            bet(
                "verdict",
                Kind.HYPOTHESIS,
                ["g"],
                horizon="2w",
                team="a",
                resolution=Resolution(Verdict.VALIDATED, "it held", None, TODAY),
            ),
        ),
        TODAY,
    )

    lane = _columns(found)["a"]
    assert lane == {
        "now": ["inherits", "now"],
        "next": ["next"],
        "later": ["later"],
        "done": ["closed", "verdict"],
    }


def test_the_vision_and_strategies_frame_the_board_and_are_no_cards() -> None:
    found = board(graph(*FRAME), TODAY)

    assert [card.id for card in found.cards] == ["g"]
    assert found.lanes[0].label == "No team"


def test_a_lane_per_team_the_teamless_last_and_one_team_alone() -> None:
    bets = (
        *FRAME,
        bet("x", Kind.INITIATIVE, ["g"], horizon="2w", team="Payments"),
        bet("y", Kind.INITIATIVE, ["g"], horizon="2w", team="growth"),
    )

    assert [lane.label for lane in board(graph(*bets), TODAY).lanes] == ["growth", "Payments", "No team"]
    alone = board(graph(*bets), TODAY, team="growth")
    assert [card.id for card in alone.cards] == ["y"]
    with pytest.raises(LensError, match="no bet belongs to team 'nobody'; teams are Payments, growth"):
        board(graph(*bets), TODAY, team="nobody")


def test_cards_are_stack_ranked_then_by_chain_certainty() -> None:
    found = board(
        graph(
            *FRAME,
            bet("sure", Kind.INITIATIVE, ["g"], horizon="2w", certainty=0.9, team="t"),
            bet("unsure", Kind.INITIATIVE, ["g"], horizon="2w", certainty=0.2, team="t"),
            bet("second", Kind.INITIATIVE, ["g"], horizon="2w", certainty=0.1, rank=2, team="t"),
            bet("first", Kind.INITIATIVE, ["g"], horizon="2w", certainty=0.1, rank=1, team="t"),
        ),
        TODAY,
    )

    assert _columns(found)["t"]["now"] == ["first", "second", "sure", "unsure"]


def test_a_card_names_the_goal_or_outcome_it_serves_and_its_chain_certainty() -> None:
    found = board(
        graph(
            *FRAME,
            bet("o", Kind.OUTCOME, ["g"], horizon="6m", certainty=0.5),
            bet("h", Kind.HYPOTHESIS, ["o"], horizon="8w", certainty=0.5),
            bet("i", Kind.INITIATIVE, ["h"], horizon="4w", certainty=0.5, prescriptiveness=Prescriptiveness.GUIDED),
        ),
        TODAY,
    )
    card = next(card for card in found.cards if card.id == "i")

    assert card.serves == ("o", "O")
    assert card.chain_certainty == pytest.approx(0.8 * 0.5 * 0.5 * 0.5)
    assert card.prescriptiveness is Prescriptiveness.GUIDED
    assert next(c for c in found.cards if c.id == "o").serves == ("g", "G")


def test_evidence_adds_up_and_evidence_against_pulls_it_back() -> None:
    nothing = assumption("a")
    one_test = assumption("a", evidence=[evidence(level=EvidenceLevel.TEST_RESULT)])
    two = assumption(
        "a", evidence=[evidence(level=EvidenceLevel.TEST_RESULT), evidence(level=EvidenceLevel.USER_EVIDENCE)]
    )
    refuted = assumption(
        "a",
        evidence=[
            evidence(level=EvidenceLevel.TEST_RESULT),
            evidence(level=EvidenceLevel.TEST_RESULT, direction=Direction.REFUTES),
        ],
    )
    unrated = assumption("a", evidence=[evidence()])

    assert evidence_score(nothing) == 0
    assert evidence_score(one_test) == pytest.approx(0.7)
    assert evidence_score(two) == pytest.approx(1 - 0.3 * 0.5)
    assert evidence_score(refuted) == 0
    assert evidence_score(unrated) == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("importance", "evidence_found", "quadrant"),
    [
        (5, 0.0, Quadrant.TEST_FIRST),
        (4, 0.49, Quadrant.TEST_FIRST),
        (4, 0.5, Quadrant.KEEP_AN_EYE_ON),
        (3, 0.0, Quadrant.DEFER),
        (1, 0.9, Quadrant.IGNORE),
    ],
)
def test_the_four_quadrants(importance: int, evidence_found: float, quadrant: Quadrant) -> None:
    assert quadrant_of(importance, evidence_found) is quadrant


def test_the_assumption_map_lists_the_leaps_of_faith_first_with_what_rests_on_them() -> None:
    found = assumption_map(
        graph(
            *FRAME,
            bet("i", Kind.INITIATIVE, ["g"], assumes=["leap", "known"], team="t"),
            bet("j", Kind.INITIATIVE, ["g"], assumes=["leap"]),
            assumption("leap", importance=5),
            assumption("known", importance=4, evidence=[evidence(level=EvidenceLevel.LAUNCH_DATA)]),
            assumption("minor", importance=1),
            assumption("unrated"),
        ),
        TODAY,
    )

    assert [(p.id, p.quadrant, p.resting) for p in found.points] == [
        ("leap", Quadrant.TEST_FIRST, 2),
        ("known", Quadrant.KEEP_AN_EYE_ON, 1),
        ("unrated", Quadrant.DEFER, 0),
        ("minor", Quadrant.DEFER, 0),
    ]
    unrated = next(p for p in found.points if p.id == "unrated")
    assert (unrated.importance, unrated.importance_stated) == (3, False)
    assert [p.id for p in found.in_quadrant(Quadrant.TEST_FIRST)] == ["leap"]


def test_a_leap_of_faith_a_verdict_has_closed_is_placed_but_no_longer_a_leap() -> None:
    closed = Resolution(Verdict.INVALIDATED, "it did not hold", None, TODAY)
    found = assumption_map(
        graph(*FRAME, assumption("open", importance=5), assumption("tested", importance=5, resolution=closed)),
        TODAY,
    )
    assert [(p.id, p.resolved) for p in found.in_quadrant(Quadrant.TEST_FIRST)] == [("open", False), ("tested", True)]
    assert [p.id for p in found.leaps()] == ["open"]


def test_a_teams_assumption_map_holds_what_its_bets_rest_on() -> None:
    found = assumption_map(
        graph(
            *FRAME,
            bet("i", Kind.INITIATIVE, ["g"], assumes=["theirs"], team="t"),
            bet("j", Kind.INITIATIVE, ["g"], assumes=["others"], team="u"),
            assumption("theirs"),
            assumption("others"),
        ),
        TODAY,
        team="t",
    )

    assert [p.id for p in found.points] == ["theirs"]


def test_the_portfolio_places_bets_in_time_and_marks_the_regions_lint_warns_about() -> None:
    found = portfolio(
        graph(
            *FRAME,
            bet("far", Kind.INITIATIVE, ["g"], horizon="2y", prescriptiveness=Prescriptiveness.PRESCRIBED),
            bet("near", Kind.INITIATIVE, ["g"], horizon="4w", prescriptiveness=Prescriptiveness.PRESCRIBED),
            bet("sure", Kind.HYPOTHESIS, ["v"], horizon="8w", certainty=0.95, assumes=["doubt"]),
            bet("child", Kind.INITIATIVE, ["near"]),
            assumption("doubt", 0.05),
        ),
        TODAY,
    )
    by_id = {placed.id: placed for placed in found.bets}

    assert by_id["near"].days == 28
    assert (by_id["child"].days, by_id["child"].inherited) == (28, True)
    assert by_id["far"].regions == ("overprescribed-long-horizon",)
    assert by_id["near"].regions == ()
    assert by_id["sure"].regions == ("false-certainty",)
    assert [region.id for region in found.regions] == ["overprescribed-long-horizon", "false-certainty"]
    assert found.regions[0].days_from == 365
    assert found.longest == by_id["v"].days == (TODAY.replace(year=TODAY.year + 5) - TODAY).days


def test_a_bet_without_a_horizon_anywhere_on_its_line_has_no_place_in_time() -> None:
    found = portfolio(graph(bet("v", Kind.VISION), bet("g", Kind.GOAL, ["v"])), TODAY)

    assert [(p.id, p.days, p.inherited) for p in found.bets] == [("g", None, False), ("v", None, False)]
