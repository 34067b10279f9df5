"""Bets as spreadsheet rows: one path per row, errors on the line and field, and the way back."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given

from app.domain import model as m
from app.formats.csvpaths import read_csv, write_csv
from app.formats.document import load
from app.formats.problems import DocumentError
from tests.domain.builders import DESIGN_EXAMPLE
from tests.domain.graphs import fields_of, graphs, tree_of

FIXTURES = Path(__file__).parent.parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent.parent / "examples"


def problems_of(text: str) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        read_csv(text, "bets.csv")
    return [problem.describe("bets.csv") for problem in caught.value.problems]


def test_a_team_sheet_reads_into_a_tree() -> None:
    graph, source_map = read_csv((FIXTURES / "paths.csv").read_text(), "paths.csv")
    assert (graph.slug, graph.title) == ("paths", "Paths")
    assert [bet.id for bet in graph.bets if not bet.parents] == ["self-serve-onboarding", "embedded-payments"]
    wizard = graph.bet_by_id["tax-setup-wizard"]
    assert wizard.kind is m.Kind.INITIATIVE  # the sheet calls it a solution
    assert wizard.parents == ("owners-dont-know-which-tax-settings",)
    assert (wizard.team, wizard.certainty, wizard.status) == ("onboarding", 0.8, m.Status.DONE)
    # the same outcome on three rows is one bet; a row that stops early is about the inner bet
    assert graph.children["owners-run-their-first-payroll-within"] == (
        "collecting-bank-details-stalls-setup",
        "owners-dont-know-which-tax-settings",
    )
    assert graph.bet_by_id["employers-turn-on-instant-pay"].horizon == m.Horizon.parse("1y")
    # a blank middle cell skips that level
    assert graph.bet_by_id["pricing-page-rewrite"].parents == ("trial-accounts-convert-to-paid",)
    position = source_map.value(("bets", 6))
    assert position is not None
    assert (position.line, position.column) == (4, 4)


@pytest.mark.parametrize(
    "text",
    [
        "goal;outcome;team\nGrow;More trials;growth\n",
        "goal\toutcome\tteam\nGrow\tMore trials\tgrowth\n",
        "\ufeffGoal,Key Result,TEAM\r\nGrow,More trials,growth\r\n",
        'goal,outcome,team\n"Grow",  More trials  ,growth\n\n',
    ],
)
def test_dialects_and_header_spellings(text: str) -> None:
    graph, _ = read_csv(text, "x.csv")
    assert [(bet.id, bet.kind, bet.team) for bet in graph.bets] == [
        ("grow", m.Kind.GOAL, None),
        ("more-trials", m.Kind.OUTCOME, "growth"),
    ]


def test_a_title_under_two_parents_is_two_bets_unless_an_id_says_otherwise() -> None:
    text = "goal,initiative,id\nGrow,Wizard,\nKeep,Wizard,\nGrow,Docs,docs\nKeep,Docs,docs\n"
    graph, _ = read_csv(text, "x.csv")
    assert graph.bet_by_id["wizard"].parents == ("grow",)
    assert graph.bet_by_id["wizard-2"].parents == ("keep",)
    assert graph.bet_by_id["docs"].parents == ("grow", "keep")


def test_slug_and_title_come_from_the_caller_or_the_name() -> None:
    graph, _ = read_csv("goal\nGrow\n", "Q3 bets.csv", title="Q3")
    assert (graph.slug, graph.title) == ("q3-bets", "Q3")
    assert read_csv("goal\nGrow\n", "x.csv", slug="acme")[0].slug == "acme"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "bets.csv: no header row: the first line names the levels, such as goal,outcome,initiative"),
        ("team,status\nx,active\n", "bets.csv:1:1: the header names no level"),
        ("goal,certainity\nGrow,70%\n", "bets.csv:1:2: unknown column 'certainity' (did you mean 'certainty'?)"),
        ("goal,,team\nGrow,,x\n", "bets.csv:1:2: this column has no name"),
        ("goal,team,team\nGrow,a,b\n", "bets.csv:1:3: column 'team' appears twice"),
        ("goal,outcome\nGrow,More,extra\n", "bets.csv:2:3: this row has more cells than the header's 2 columns"),
        ("goal,outcome,team\n,,growth\n", "bets.csv:2:1: this row names no bet: every level cell is blank"),
        ("goal,outcome,certainty\nGrow,More,1.5\n", "bets.csv:2:3: certainty must be between 0 and 1, got 1.5"),
        ("goal,outcome,status\nGrow,More,actve\n", "bets.csv:2:3: status must be one of"),
        ('goal,outcome\nGrow,"More\n', "bets.csv:2:1: CSV syntax error: unexpected end of data"),
        (
            "goal,outcome,team\nGrow,More,a\nGrow,More,b\n",
            "bets.csv:3:3: team 'b' differs from 'a' given on line 2 for the same bet",
        ),
        ("goal,outcome,id\nGrow,More,Bad Id\n", "bets.csv:2:3: id must be a slug"),
        (
            "goal,outcome,id\nGrow,More,x\nKeep,Other,x\n",
            "bets.csv:3:3: id 'x' already names the outcome 'More' (line 2)",
        ),
    ],
)
def test_bad_sheets_say_where(text: str, expected: str) -> None:
    assert any(problem.startswith(expected) for problem in problems_of(text)), problems_of(text)


def test_a_multi_line_record_is_placed_on_the_line_it_starts() -> None:
    text = 'goal,description,certainty\nGrow,"two\nlines",0.5\nKeep,,2\n'
    assert problems_of(text) == ["bets.csv:4:3: certainty must be between 0 and 1, got 2"]


def test_writes_one_row_per_leaf_and_reads_back() -> None:
    graph, _ = read_csv((FIXTURES / "paths.csv").read_text(), "paths.csv")
    text = write_csv(graph)
    assert text.splitlines()[0] == "goal,outcome,opportunity,initiative,horizon,certainty,status,team"
    assert len(text.splitlines()) == 7  # the five leaves, the outcome with a horizon of its own, the header
    again, _ = read_csv(text, "paths.csv")
    assert again == graph


@pytest.mark.parametrize("path", [EXAMPLES / "acme.yaml", EXAMPLES / "failures.yaml"])
def test_examples_round_trip(path: Path) -> None:
    graph, _ = load(path.read_text())
    again, _ = read_csv(write_csv(graph), "x.csv")
    assert tree_of(again) == tree_of(graph)
    assert fields_of(again, description=False) == fields_of(graph, description=False)


def test_ids_titles_would_not_give_get_a_column() -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    text = write_csv(graph)
    assert text.splitlines()[:2] == [
        "vision,goal,initiative,id,horizon,certainty,prescriptiveness,debate,status,team",
        "Payroll in five minutes,,,vision,5y,60%,,,,",
    ]
    assert tree_of(read_csv(text, "x.csv")[0]) == tree_of(graph)


def test_kinds_out_of_the_usual_order_get_columns_of_their_own() -> None:
    text = "outcome,initiative,outcome\nMore trials,Wizard,Setup time\nMore trials,Docs,\n"
    graph, _ = read_csv(text, "x.csv")
    assert graph.bet_by_id["setup-time"].parents == ("wizard",)
    assert write_csv(graph).splitlines()[0] == "outcome,initiative,outcome"
    assert read_csv(write_csv(graph), "x.csv")[0] == graph


def _second_parent_has_a_twin(graph: m.Graph) -> bool:
    keys = [(graph.parents[bet.id][:1], bet.kind, bet.title) for bet in graph.bets]
    twins = {bet.id for bet, key in zip(graph.bets, keys, strict=True) if keys.count(key) > 1}

    def line_of(bet_id: str) -> set[str]:
        above = graph.parents[bet_id]
        return {bet_id} | (line_of(above[0]) if above else set())

    return any(line_of(parent) & twins for bet in graph.bets for parent in graph.parents[bet.id][1:])


@given(graphs())
def test_round_trip(graph: m.Graph) -> None:
    assume(not _second_parent_has_a_twin(graph))  # the one case write_csv says it cannot keep
    again, _ = read_csv(write_csv(graph), "x.csv")
    assert tree_of(again) == tree_of(graph)
    assert fields_of(again, description=False) == fields_of(graph, description=False)
