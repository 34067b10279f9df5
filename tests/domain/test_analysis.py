"""Why-chains, chain certainty, weakest links and impact."""

from __future__ import annotations

import sys

import pytest

from app.domain.analysis import (
    UnknownNodeError,
    ancestors,
    descendants,
    find_cycles,
    impact,
    support,
    weakest_link,
    why_chain,
    why_in_words,
)
from app.domain.model import Kind
from tests.domain.builders import assumption, bet, chain, graph


def test_why_chain_is_the_focus_then_its_ancestors_nearest_first_with_every_assumption() -> None:
    g = graph(
        bet("vision", Kind.VISION, assumes=["market"]),
        bet("strategy", Kind.STRATEGY, ["vision"], assumes=["team", "pricing"]),
        bet("goal", Kind.GOAL, ["strategy"], assumes=["pricing", "churn"]),
        bet("wizard", Kind.INITIATIVE, ["goal"]),
        bet("unrelated", Kind.GOAL, ["vision"], assumes=["other"]),
        assumption("market"),
        assumption("team"),
        assumption("pricing"),
        assumption("churn"),
        assumption("other"),
    )
    chain_ = why_chain(g, "wizard")
    assert chain_.focus == "wizard"
    assert chain_.bets == ("wizard", "goal", "strategy", "vision")
    # in the order the chain meets them, each once; nothing from outside the chain
    assert chain_.assumptions == ("pricing", "churn", "team", "market")


def test_why_chain_of_a_bet_with_several_parents_walks_breadth_first() -> None:
    g = graph(
        bet("vision", Kind.VISION),
        bet("left", Kind.STRATEGY, ["vision"]),
        bet("right", Kind.STRATEGY, ["vision"]),
        bet("far", Kind.GOAL, ["right"]),
        bet("focus", Kind.OUTCOME, ["left", "far"]),
    )
    assert why_chain(g, "focus").bets == ("focus", "left", "far", "vision", "right")
    assert ancestors(g, "focus") == ["left", "far", "vision", "right"]
    assert ancestors(g, "vision") == []


def test_why_chain_of_a_root() -> None:
    g = graph(bet("vision", Kind.VISION, certainty=0.6, assumes=["a"]), assumption("a", 0.5))
    chain_ = why_chain(g, "vision")
    assert chain_.bets == ("vision",)
    assert chain_.assumptions == ("a",)
    assert chain_.path == ("vision",)
    assert chain_.certainty == pytest.approx(0.3)
    assert chain_.weakest == "a"


def test_why_chain_of_an_unknown_bet_raises() -> None:
    g = graph(bet("vision", Kind.VISION), assumption("a"))
    with pytest.raises(UnknownNodeError, match="no bet with id 'nope'") as caught:
        why_chain(g, "nope")
    assert caught.value.node_id == "nope"
    # an assumption is not a bet
    with pytest.raises(UnknownNodeError):
        why_chain(g, "a")


# --- chain certainty -----------------------------------------------------------------------------


def test_chain_certainty_multiplies_own_certainty_assumptions_and_parent_support() -> None:
    g = graph(
        bet("vision", Kind.VISION, certainty=0.9, assumes=["market"]),
        bet("goal", Kind.GOAL, ["vision"], certainty=0.8, assumes=["pain", "price"]),
        bet("wizard", Kind.INITIATIVE, ["goal"], certainty=0.5),
        assumption("market", 0.5),
        assumption("pain", 0.5),
        assumption("price", 0.4),
    )
    supported = support(g)
    assert supported.value["vision"] == pytest.approx(0.9 * 0.5)
    assert supported.value["goal"] == pytest.approx(0.8 * 0.5 * 0.4 * 0.45)
    assert supported.value["wizard"] == pytest.approx(0.5 * 0.8 * 0.5 * 0.4 * 0.45)
    assert supported.best_parent == {"vision": None, "goal": "vision", "wizard": "goal"}
    assert why_chain(g, "wizard").certainty == pytest.approx(0.036)


def test_chain_certainty_takes_the_best_parent_and_its_path() -> None:
    g = graph(
        bet("vision", Kind.VISION, certainty=1.0),
        bet("weak", Kind.STRATEGY, ["vision"], certainty=0.2),
        bet("strong", Kind.STRATEGY, ["vision"], certainty=0.6, assumes=["belief"]),
        bet("goal", Kind.GOAL, ["weak", "strong"], certainty=0.5),
        assumption("belief", 0.9),
    )
    supported = support(g)
    assert supported.value["goal"] == pytest.approx(0.5 * 0.6 * 0.9)
    assert supported.best_parent["goal"] == "strong"
    assert supported.path("goal") == ["goal", "strong", "vision"]
    chain_ = why_chain(g, "goal", supported)
    assert chain_.path == ("goal", "strong", "vision")
    # the why-chain still shows every ancestor, not only the best path
    assert chain_.bets == ("goal", "weak", "strong", "vision")


def test_a_tie_between_parents_goes_to_the_primary_one() -> None:
    g = graph(
        bet("vision", Kind.VISION, certainty=0.5),
        bet("first", Kind.STRATEGY, ["vision"], certainty=0.5),
        bet("second", Kind.STRATEGY, ["vision"], certainty=0.5),
        bet("goal", Kind.GOAL, ["second", "first"]),
    )
    assert support(g).best_parent["goal"] == "second"


def test_unstated_certainty_counts_as_1() -> None:
    g = graph(
        bet("vision", Kind.VISION, certainty=0.5),
        bet("goal", Kind.GOAL, ["vision"], assumes=["unknown", "known"]),
        bet("leaf", Kind.OUTCOME, ["goal"]),
        assumption("unknown"),
        assumption("known", 0.8),
    )
    supported = support(g)
    assert supported.value["goal"] == pytest.approx(0.5 * 0.8)
    assert supported.value["leaf"] == pytest.approx(0.4)
    assert support(graph(bet("vision", Kind.VISION))).value == {"vision": 1.0}


def test_certainty_zero_makes_the_whole_chain_zero() -> None:
    g = graph(bet("vision", Kind.VISION, certainty=0.0), bet("goal", Kind.GOAL, ["vision"], certainty=1.0))
    assert support(g).value["goal"] == 0.0


# --- weakest link --------------------------------------------------------------------------------


def test_weakest_link_is_the_least_certain_bet_or_assumption_on_the_best_path() -> None:
    g = graph(
        bet("vision", Kind.VISION, certainty=0.9),
        bet("doomed", Kind.STRATEGY, ["vision"], certainty=0.01),  # weaker, but not on the best path
        bet("strategy", Kind.STRATEGY, ["vision"], certainty=0.7, assumes=["shaky"]),
        bet("goal", Kind.GOAL, ["strategy", "doomed"], certainty=0.6),
        assumption("shaky", 0.3),
    )
    chain_ = why_chain(g, "goal")
    assert chain_.path == ("goal", "strategy", "vision")
    assert chain_.weakest == "shaky"
    assert weakest_link(g, ["goal", "doomed"]) == "doomed"


def test_weakest_link_can_be_a_bet_and_ties_go_to_the_one_nearest_the_focus() -> None:
    g = graph(
        bet("vision", Kind.VISION, certainty=0.4),
        bet("goal", Kind.GOAL, ["vision"], certainty=0.9, assumes=["belief"]),
        bet("leaf", Kind.INITIATIVE, ["goal"], certainty=0.4),
        assumption("belief", 0.5),
    )
    assert why_chain(g, "leaf").weakest == "leaf"
    assert why_chain(g, "goal").weakest == "vision"


def test_weakest_link_ignores_unstated_certainties() -> None:
    g = graph(
        bet("vision", Kind.VISION),
        bet("goal", Kind.GOAL, ["vision"], certainty=0.95, assumes=["silent"]),
        assumption("silent"),
    )
    assert why_chain(g, "goal").weakest == "goal"
    assert why_chain(g, "vision").weakest is None
    assert weakest_link(g, []) is None


# --- impact --------------------------------------------------------------------------------------


def test_impact_of_a_bet_is_the_bet_and_everything_below_it() -> None:
    g = graph(
        bet("vision", Kind.VISION),
        bet("goal", Kind.GOAL, ["vision"]),
        bet("other", Kind.GOAL, ["vision"]),
        bet("outcome", Kind.OUTCOME, ["goal"]),
        bet("shared", Kind.INITIATIVE, ["outcome", "other"]),
        bet("leaf", Kind.INITIATIVE, ["outcome"]),
    )
    found = impact(g, "goal")
    assert found.focus == "goal"
    assert found.bets == ("goal", "outcome", "shared", "leaf")
    assert found.assumptions == ()
    assert found.members == frozenset({"goal", "outcome", "shared", "leaf"})
    assert descendants(g, "goal") == ["outcome", "shared", "leaf"]
    assert impact(g, "leaf").bets == ("leaf",)


def test_impact_of_an_assumption_is_the_bets_resting_on_it_and_everything_below_them() -> None:
    g = graph(
        bet("vision", Kind.VISION),
        bet("goal", Kind.GOAL, ["vision"], assumes=["pain"]),
        bet("other", Kind.GOAL, ["vision"], assumes=["pain"]),
        bet("outcome", Kind.OUTCOME, ["goal"], assumes=["pain"]),
        bet("leaf", Kind.INITIATIVE, ["outcome"]),
        bet("unrelated", Kind.GOAL, ["vision"]),
        assumption("pain"),
        assumption("unused"),
    )
    found = impact(g, "pain")
    assert found.focus == "pain"
    assert found.bets == ("goal", "other", "outcome", "leaf")
    assert found.assumptions == ("pain",)
    assert found.members == frozenset({"pain", "goal", "other", "outcome", "leaf"})
    assert impact(g, "unused").bets == ()
    assert impact(g, "unused").assumptions == ("unused",)


def test_impact_of_an_unknown_id_raises() -> None:
    with pytest.raises(UnknownNodeError, match="no bet or assumption with id 'ghost'"):
        impact(graph(bet("vision", Kind.VISION)), "ghost")


# --- scale and damaged graphs --------------------------------------------------------------------


def test_a_chain_of_3000_bets_does_not_hit_the_recursion_limit() -> None:
    assert sys.getrecursionlimit() < 3000
    g = graph(*chain(3000, certainty=0.999))
    chain_ = why_chain(g, "b2999")
    assert len(chain_.bets) == 3000
    assert chain_.bets[:3] == ("b2999", "b2998", "b2997")
    assert chain_.bets[-1] == "b0"
    assert len(chain_.path) == 3000
    assert chain_.certainty == pytest.approx(0.999**3000)
    assert chain_.weakest == "b2999"
    assert impact(g, "b0").bets[-1] == "b2999"
    assert len(impact(g, "b0").bets) == 3000
    assert find_cycles({bet_.id: list(bet_.parents) for bet_ in g.bets}) == []


def test_a_cycle_of_3000_bets_is_found_without_recursion() -> None:
    parents = {f"b{index}": [f"b{(index + 1) % 3000}"] for index in range(3000)}
    ((child, parent, loop),) = find_cycles(parents)
    assert (child, parent) == ("b2999", "b0")
    assert len(loop) == 3001
    assert loop[0] == loop[-1] == "b0"


def test_find_cycles_reports_each_loop_with_its_closing_link() -> None:
    assert find_cycles({"a": ["a"]}) == [("a", "a", ["a", "a"])]
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"]}) == [("c", "a", ["a", "b", "c", "a"])]
    # a parent that is not in the map is ignored; a diamond is not a cycle
    assert find_cycles({"a": ["ghost"], "b": ["a"], "c": ["a"], "d": ["b", "c"]}) == []
    # the same loops, whatever order the map was built in
    first = find_cycles({"x": ["y"], "y": ["x"], "p": ["q"], "q": ["p"]})
    second = find_cycles({"q": ["p"], "p": ["q"], "y": ["x"], "x": ["y"]})
    assert first == second == [("q", "p", ["p", "q", "p"]), ("y", "x", ["x", "y", "x"])]


def test_cycles_and_dangling_references_do_not_crash_the_analysis() -> None:
    # documents reject these, but a model edited through the API may hold them until lint reports them
    g = graph(
        bet("root", Kind.VISION, certainty=0.5),
        bet("a", Kind.GOAL, ["b", "ghost"], certainty=0.8, assumes=["nope", "real"]),
        bet("b", Kind.GOAL, ["a", "root"], certainty=0.9),
        bet("c", Kind.OUTCOME, ["b"], certainty=0.7),
        bet("self", Kind.GOAL, ["self"], certainty=0.6),
        assumption("real", 0.5),
    )
    supported = support(g)
    assert set(supported.value) == {"root", "a", "b", "c", "self"}
    assert all(0 <= value <= 1 for value in supported.value.values())
    assert supported.value["self"] == pytest.approx(0.6)

    chain_ = why_chain(g, "c")
    assert chain_.bets[0] == "c"
    assert set(chain_.bets) == {"c", "b", "a", "root"}
    assert chain_.assumptions == ("real",)
    assert len(chain_.path) == len(set(chain_.path))
    assert chain_.weakest is not None

    assert why_chain(g, "self").bets == ("self",)
    assert why_chain(g, "self").path == ("self",)
    assert set(impact(g, "a").bets) == {"a", "b", "c"}
    assert impact(g, "real").bets == ("a", "b", "c")
    assert ancestors(g, "a") == ["b", "root"]
    assert descendants(g, "self") == []


def test_a_graph_that_is_one_big_cycle_still_gets_a_support_value_for_every_bet() -> None:
    g = graph(
        bet("a", Kind.GOAL, ["c"], certainty=0.5),
        bet("b", Kind.GOAL, ["a"], certainty=0.5),
        bet("c", Kind.GOAL, ["b"], certainty=0.5),
    )
    supported = support(g)
    assert supported.value == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.125})
    assert supported.path("a") == ["a"]
    assert supported.path("c") == ["c", "b", "a"]


def test_duplicate_parents_in_a_model_are_harmless() -> None:
    g = graph(bet("vision", Kind.VISION, certainty=0.5), bet("goal", Kind.GOAL, ["vision", "vision"], certainty=0.5))
    assert support(g).value["goal"] == pytest.approx(0.25)
    assert g.children["vision"] == ("goal",)
    assert impact(g, "vision").bets == ("vision", "goal")


def test_why_in_words_says_the_chain_from_the_top_down_with_what_each_bet_rests_on() -> None:
    made = graph(
        bet("v", Kind.VISION, certainty=0.9, title="Payroll in minutes"),
        bet("g", Kind.GOAL, ["v"], certainty=0.5, assumes=["a"]),
        bet("i", Kind.INITIATIVE, ["g"], certainty=0.8),
        assumption("a", 0.6, statement="We believe owners want it"),
    )
    assert why_in_words(made, why_chain(made, "i")) == [
        "vision v: Payroll in minutes (90%)",
        "  goal g: G (50%)",
        "    · rests on a: We believe owners want it (60%)",
        "    initiative i: I (80%)",
        "chain certainty: 22%",
        "weakest link: g",
    ]
