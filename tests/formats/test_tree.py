"""What spreadsheets and outlines share: ids from titles, when two mentions are one bet, placed errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import model as m
from app.formats.problems import DocumentError
from app.formats.source import Position
from app.formats.tree import TreeBuilder, allocate, field_text, field_value, graph_header, ids_to_write, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Setup wizard", "setup-wizard"),
        ("Owners don't know which plan fits", "owners-dont-know-which-plan-fits"),
        ("Café crème — v2!", "cafe-creme-v2"),
        ("日本語", "goal"),
        ("A very long title that goes on and on past forty characters", "a-very-long-title-that-goes-on-and-on"),
        ("x" * 50, "x" * 40),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title, "goal") == slug


def test_allocate_suffixes_what_is_taken() -> None:
    assert allocate(["a", "a", "b", "a"], reserved=["b"]) == ["a", "a-2", "b-2", "a-3"]
    assert allocate(["x" * 63, "x" * 63]) == ["x" * 63, "x" * 61 + "-2"]


def test_ids_to_write_names_only_ids_titles_would_not_give() -> None:
    assert ids_to_write([("setup", "setup"), ("setup-2", "setup")]) == set()
    assert ids_to_write([("vision", "payroll-in-five-minutes"), ("wizard", "setup-wizard")]) == {"vision", "wizard"}
    # Writing `setup` out reserves it, so the first mention would derive `setup-2`: both are written.
    assert ids_to_write([("setup-2", "setup"), ("setup", "setup")]) == {"setup", "setup-2"}


@given(
    st.lists(st.tuples(st.sampled_from(["a", "a-2", "b", "x"]), st.sampled_from(["a", "b"])), unique_by=lambda p: p[0])
)
def test_ids_to_write_settles_on_what_a_reader_derives(items: list[tuple[str, str]]) -> None:
    explicit = ids_to_write(items)
    rest = [(item_id, base) for item_id, base in items if item_id not in explicit]
    assert allocate((base for _, base in rest), explicit) == [item_id for item_id, _ in rest]


def test_graph_header_from_the_file_name() -> None:
    assert graph_header("team-bets_2026.csv") == {"slug": "team-bets-2026", "title": "Team bets 2026"}
    assert graph_header("") == {"slug": "graph", "title": "Bets"}
    assert graph_header("x.csv", "s", "T") == {"slug": "s", "title": "T"}


def test_fields_read_as_a_document_would_hold_them() -> None:
    assert field_value("certainty", "0.7") == 0.7
    assert field_value("certainty", "70%") == "70%"
    assert field_value("prescriptiveness", "3") == 3
    assert field_value("tags", "growth, q3,\nretention") == ["growth", "q3", "retention"]
    assert field_value("links", "https://a.example/x,y https://b.example") == [
        "https://a.example/x,y",
        "https://b.example",
    ]
    assert field_value("team", " 123 ") == "123"
    assert field_text("certainty", 0.7) == "70%"
    assert field_text("certainty", 0.30000000000000004) == "0.30000000000000004"


def at(line: int, column: int = 1) -> Position:
    return Position(line, column)


def test_the_same_title_under_the_same_parent_is_one_bet() -> None:
    builder = TreeBuilder()
    goal = builder.bet(None, m.Kind.GOAL, "Grow", at(2))
    first = builder.bet(goal, m.Kind.OUTCOME, "More  trials", at(2, 2))
    assert builder.bet(goal, m.Kind.OUTCOME, "More trials", at(3, 2)) is first
    other_goal = builder.bet(None, m.Kind.GOAL, "Keep", at(4))
    elsewhere = builder.bet(other_goal, m.Kind.OUTCOME, "More trials", at(4, 2))
    assert elsewhere is not first
    graph, _ = builder.graph({"slug": "g", "title": "G"})
    assert [bet.id for bet in graph.bets] == ["grow", "more-trials", "keep", "more-trials-2"]
    assert graph.bet_by_id["more-trials-2"].parents == ("keep",)


def test_an_id_met_under_a_second_parent_adds_that_parent() -> None:
    builder = TreeBuilder()
    grow = builder.bet(None, m.Kind.GOAL, "Grow", at(2))
    keep = builder.bet(None, m.Kind.GOAL, "Keep", at(3))
    builder.bet(grow, m.Kind.INITIATIVE, "Wizard", at(4), explicit_id="wizard")
    builder.bet(keep, m.Kind.INITIATIVE, "Wizard", at(5), explicit_id="wizard")
    graph, _ = builder.graph({"slug": "g", "title": "G"})
    assert graph.bet_by_id["wizard"].parents == ("grow", "keep")


def test_an_id_given_late_is_the_id_from_the_start() -> None:
    builder = TreeBuilder()
    builder.bet(None, m.Kind.GOAL, "Grow", at(2))
    builder.bet(None, m.Kind.GOAL, "Grow", at(3), explicit_id="growth")
    builder.bet(None, m.Kind.GOAL, "Growth", at(4))
    graph, _ = builder.graph({"slug": "g", "title": "G"})
    assert [bet.id for bet in graph.bets] == ["growth", "growth-2"]


def test_conflicts_are_placed_problems() -> None:
    builder = TreeBuilder()
    goal = builder.bet(None, m.Kind.GOAL, "Grow", at(2), explicit_id="grow")
    builder.bet(None, m.Kind.GOAL, "Keep", at(3, 1), explicit_id="grow", id_place=at(3, 4))
    builder.set_field(goal, "team", "a", at(2, 3))
    builder.set_field(goal, "team", "b", at(4, 3))
    builder.assumption(goal, "Owners care", at(5), explicit_id="grow", id_place=at(5, 9))
    with pytest.raises(DocumentError) as caught:
        builder.graph({"slug": "g", "title": "G"})
    assert [(p.position, p.message) for p in caught.value.problems] == [
        (at(3, 4), "id 'grow' already names the goal 'Grow' (line 2)"),
        (at(4, 3), "team 'b' differs from 'a' given on line 2 for the same bet"),
        (at(5, 9), "id 'grow' already names a bet (line 2)"),
    ]


def test_validation_problems_land_on_the_cell_they_came_from() -> None:
    builder = TreeBuilder()
    goal = builder.bet(None, m.Kind.GOAL, "Grow", at(2))
    builder.set_field(goal, "certainty", 1.5, at(2, 4))
    with pytest.raises(DocumentError) as caught:
        builder.graph({"slug": "g", "title": "G"})
    (problem,) = caught.value.problems
    assert problem.describe("bets.csv") == "bets.csv:2:4: certainty must be between 0 and 1, got 1.5"


def test_ids_tell_twins_apart_and_a_bare_title_names_the_newer_twin() -> None:
    builder = TreeBuilder()
    goal = builder.bet(None, m.Kind.GOAL, "Grow", at(2))
    first = builder.bet(goal, m.Kind.OUTCOME, "Trials", at(3), explicit_id="trials-eu")
    second = builder.bet(goal, m.Kind.OUTCOME, "Trials", at(4), explicit_id="trials-us")
    assert first is not second
    assert builder.bet(goal, m.Kind.OUTCOME, "Trials", at(5)) is second
    assert builder.bet(goal, m.Kind.OUTCOME, "Trials", at(6), explicit_id="trials-eu") is first
    graph, _ = builder.graph({"slug": "g", "title": "G"})
    assert [(bet.id, bet.parents) for bet in graph.bets] == [
        ("grow", ()),
        ("trials-eu", ("grow",)),
        ("trials-us", ("grow",)),
    ]
