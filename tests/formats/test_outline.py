"""Bets as a Markdown outline: an opportunity solution tree, errors on the line and column, and back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given

from app.domain import model as m
from app.formats.document import load
from app.formats.outline import read_markdown, write_markdown
from app.formats.problems import DocumentError
from tests.domain.builders import DESIGN_EXAMPLE
from tests.domain.graphs import fields_of, graphs, tree_of

FIXTURES = Path(__file__).parent.parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent.parent / "examples"


def read(text: str) -> m.Graph:
    return read_markdown(textwrap.dedent(text), "tree.md")[0]


def problems_of(text: str) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        read_markdown(textwrap.dedent(text), "tree.md")
    return [problem.describe("tree.md") for problem in caught.value.problems]


def test_an_opportunity_solution_tree_reads_into_bets_and_assumptions() -> None:
    graph, source_map = read_markdown((FIXTURES / "ost.md").read_text(), "ost.md")
    assert (graph.slug, graph.title) == ("onboarding-ost", "Onboarding team: opportunity solution tree")
    assert graph.description == "Kept by the onboarding trio; reviewed every second Thursday."
    assert graph.as_of is not None
    link = graph.bet_by_id["employees-enter-their-own-bank-details"]
    assert link.kind is m.Kind.INITIATIVE  # a solution
    assert (link.team, link.certainty) == ("onboarding", 0.7)
    assert [graph.assumption_by_id[a].statement for a in link.assumes] == [
        "Employees open the link within a day (link open rate ≥ 60%)",
        "Owners trust employees to type their own details",
    ]
    # unlabelled: an opportunity under an outcome, solutions under it as bullets, a test under those
    tax = graph.bet_by_id["owners-dont-know-which-tax-settings"]
    assert tax.kind is m.Kind.OPPORTUNITY
    assert graph.children[tax.id] == ("tax-setup-wizard", "pre-filled-settings-by-state")
    assert graph.bet_by_id["tax-setup-wizard"].assumes == ("owners-can-answer-three-questions-about",)
    assert graph.bet_by_id["comparison-table"].kind is m.Kind.HYPOTHESIS
    assert graph.bet_by_id["plan-comparison-table"].parents == ("comparison-table",)
    outcome = graph.bet_by_id["owners-run-their-first-payroll-within"]
    assert outcome.description == "Measured from sign-up to the first payroll that is sent, per account."
    position = source_map.value(("bets", 2, "team"))
    assert position is not None
    assert (position.line, position.column) == (16, 68)


def test_labels_name_kinds_and_nesting_follows_heading_levels() -> None:
    graph = read(
        """\
        ## Objective: Grow
        #### KR: More trials
        ### Problem: Pricing is unclear
        - Hypothesis: A table helps
            - Epic: Comparison table
                - Test: People read tables
        - Idea without a label
        """
    )
    assert graph.title == "Tree"  # no title heading: from the file's name
    assert [(bet.id, bet.kind, bet.parents) for bet in graph.bets] == [
        ("grow", m.Kind.GOAL, ()),
        ("more-trials", m.Kind.OUTCOME, ("grow",)),
        ("pricing-is-unclear", m.Kind.OPPORTUNITY, ("grow",)),
        ("a-table-helps", m.Kind.HYPOTHESIS, ("pricing-is-unclear",)),
        ("comparison-table", m.Kind.INITIATIVE, ("a-table-helps",)),
        ("idea-without-a-label", m.Kind.INITIATIVE, ("pricing-is-unclear",)),
    ]
    assert graph.bet_by_id["comparison-table"].assumes == ("people-read-tables",)


def test_prose_belongs_to_what_it_follows() -> None:
    graph = read(
        """\
        # Map

        About the map.

        ## Outcome: More trials {#trials}

        Why it matters.

        - Solution: Wizard
          Set up in one sitting.

          ```
          # not a heading
          ```
        - Solution: Docs

        Back to the outcome, after the list.
        """
    )
    assert graph.description == "About the map."
    assert graph.bet_by_id["trials"].description == "Why it matters.\n\nBack to the outcome, after the list."
    assert graph.bet_by_id["wizard"].description == "Set up in one sitting.\n\n```\n# not a heading\n```"


def test_the_same_statement_is_one_assumption() -> None:
    graph = read(
        """\
        ## Outcome: A
        - Assumption: Owners care {certainty=30% importance=4}
        ## Outcome: B
        - Assumption: Owners care
        """
    )
    (assumption,) = graph.assumptions
    assert (assumption.certainty, assumption.importance) == (0.3, 4)
    assert graph.assumed_by[assumption.id] == ("a", "b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nslug: x\n", "tree.md:1:1: the front matter that starts here is never closed by ---"),
        ("---\nslug: [x\n---\n", "tree.md:3:1: front matter: YAML syntax error"),
        ("---\n- x\n---\n", "tree.md:2:1: front matter must be a mapping of graph fields"),
        ("---\nslug: x\nowner: y\n---\n", "tree.md:3:1: unknown field 'owner'"),
        ("---\nslug: Bad Slug\n---\n", "tree.md:2:7: slug must be a slug"),
        ("## Outcome: A {certainty=150%}\n", "tree.md:1:16: certainty must be between 0% and 100%, got 150%"),
        ("## Outcome: A {team=x\n", None),
        ("## Outcome: A {colour=red}\n", "tree.md:1:16: unknown attribute 'colour'; a bet takes horizon"),
        ("## Outcome: A {stauts=done}\n", "tree.md:1:16: unknown attribute 'stauts' (did you mean 'status'?)"),
        ("## Outcome:\n", "tree.md:1:12: this heading or item has no title"),
        ("## Test: A\n### Outcome: B\n", "tree.md:2:1: an assumption holds no bets or assumptions"),
        ("## A {#x}\n## B {#x}\n", "tree.md:2:7: id 'x' already names the outcome 'A' (line 1)"),
        (
            "## Outcome: A\n- Assumption: B {#a}\n## Outcome: C {#a}\n",
            "tree.md:3:16: id 'a' already names an assumption",
        ),
    ],
)
def test_bad_outlines_say_where(text: str, expected: str | None) -> None:
    if expected is None:  # an unclosed brace is part of the title, not an attribute
        assert read(text).bets[0].title == "A {team=x"
        return
    found = problems_of(text)
    assert any(problem.startswith(expected) for problem in found), found


def test_writes_labels_and_only_the_ids_titles_would_not_give() -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    text = write_markdown(graph)
    assert "# Acme product map\n" in text
    assert "#### Initiative: Setup wizard {#wizard horizon=6w certainty=80%" in text
    assert "- Assumption: Customers churn because setup takes too long {#setup-pain certainty=30% importance=5}" in text
    from_sheet = read("## Outcome: More trials\n### Opportunity: Pricing\n")
    assert "{" not in write_markdown(from_sheet)


def test_the_fixture_round_trips() -> None:
    graph, _ = read_markdown((FIXTURES / "ost.md").read_text(), "ost.md")
    assert read_markdown(write_markdown(graph), "ost.md")[0] == graph


@pytest.mark.parametrize("path", [EXAMPLES / "acme.yaml", EXAMPLES / "failures.yaml"])
def test_examples_round_trip(path: Path) -> None:
    graph, _ = load(path.read_text())
    again, _ = read_markdown(write_markdown(graph), "x.md")
    assert tree_of(again, all_parents=False) == tree_of(graph, all_parents=False)
    assert fields_of(again, description=True) == fields_of(graph, description=True)
    assert {bet.id: bet.assumes for bet in again.bets} == {bet.id: bet.assumes for bet in graph.bets}
    assert (again.slug, again.title, again.as_of, again.visibility) == (
        graph.slug,
        graph.title,
        graph.as_of,
        graph.visibility,
    )


def test_deep_trees_go_on_in_bullets() -> None:
    kinds = list(m.Kind)
    text = "".join(
        f"{'#' * (depth + 2)} {kind.value.capitalize()}: level {depth}\n" for depth, kind in enumerate(kinds[:5])
    )
    text += "- Hypothesis: level 5\n  - Initiative: level 6\n"
    graph = read(text)
    written = write_markdown(graph)
    assert "###### Opportunity: level 4\n\n- Hypothesis: level 5\n  - Initiative: level 6\n" in written
    assert read_markdown(written, "tree.md")[0] == graph


@given(graphs(assumptions=True))
def test_round_trip(graph: m.Graph) -> None:
    again, _ = read_markdown(write_markdown(graph), "x.md")
    assert tree_of(again, all_parents=False) == tree_of(graph, all_parents=False)
    assert fields_of(again, description=True) == fields_of(graph, description=True)
    assert {a.id: (a.statement, a.certainty, a.importance) for a in again.assumptions} == {
        a.id: (a.statement, a.certainty, a.importance) for a in graph.assumptions
    }
    assert {bet.id: bet.assumes for bet in again.bets} == {bet.id: bet.assumes for bet in graph.bets}
    assert again.title == graph.title
