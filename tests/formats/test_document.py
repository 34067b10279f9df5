"""The "bets as code" document: validation into a Graph, errors with line and column, and the dump."""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from collections.abc import Callable
from typing import TypeVar

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import model as m
from app.domain.lint import RULES
from app.formats.document import graph_from_data, load
from app.formats.problems import DocumentError, Problem
from app.formats.source import Position
from app.formats.writing import bet_to_data, dump_json, dump_yaml, graph_to_data
from tests.domain.builders import DESIGN_EXAMPLE

T = TypeVar("T")

HEAD = "betgraph: 1\ngraph: {slug: acme, title: Acme}\n"


def problems_of(text: str) -> list[tuple[str, tuple[int, int] | None]]:
    """Each problem's message and (line, column), in the order reported."""
    with pytest.raises(DocumentError) as caught:
        load(text)
    return [
        (problem.message, (problem.position.line, problem.position.column) if problem.position else None)
        for problem in caught.value.problems
    ]


def only_problem(text: str) -> tuple[str, tuple[int, int] | None]:
    found = problems_of(text)
    assert len(found) == 1, found
    return found[0]


def bets_doc(*rows: str) -> str:
    """HEAD, then a `bets:` list with one bet per row (written as a flow mapping, line 4 onwards)."""
    return HEAD + "bets:\n" + "".join(f"  - {{{row}}}\n" for row in rows)


def at(text: str, needle: str, within: str = "") -> tuple[int, int]:
    """1-based (line, column) of `needle` in `text`, or of the last `needle` inside the first `within`."""
    index = text.index(within) + within.rindex(needle) if within else text.index(needle)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --- loading -------------------------------------------------------------------------------------


def test_the_design_example_loads() -> None:
    graph, source_map = load(DESIGN_EXAMPLE)
    assert graph.slug == "acme"
    assert graph.title == "Acme product map"
    assert graph.as_of == dt.date(2026, 11, 1)
    assert graph.visibility is m.Visibility.PRIVATE
    assert [bet.id for bet in graph.bets] == ["vision", "self-serve", "wizard"]
    vision, self_serve, wizard = graph.bets
    assert vision.kind is m.Kind.VISION
    assert vision.certainty == 0.6
    assert vision.horizon == m.Horizon(text="5y", amount=5, unit="y")
    assert self_serve.parents == ("vision",)
    assert self_serve.assumes == ("setup-pain",)
    assert self_serve.prescriptiveness is m.Prescriptiveness.OUTCOME
    assert self_serve.debate is m.Debate.OPEN
    assert self_serve.status is m.Status.PROPOSED
    assert wizard.prescriptiveness is m.Prescriptiveness.PRESCRIBED
    assert wizard.status is m.Status.ACTIVE
    assert wizard.team == "onboarding"
    (setup_pain,) = graph.assumptions
    assert setup_pain.importance == 5
    assert setup_pain.evidence == (
        m.Evidence(
            kind=m.EvidenceKind.DATA,
            summary="41% of churned accounts never finished setup",
            level=m.EvidenceLevel.MARKET_DATA,
        ),
    )
    assert source_map.value(("bets", 2, "team")) == Position(*at(DESIGN_EXAMPLE, "onboarding"))


@pytest.mark.parametrize(("text", "expected"), [("70%", 0.7), ("0%", 0.0), ("100%", 1.0), ("12.5%", 0.125)])
def test_certainty_as_a_percentage(text: str, expected: float) -> None:
    graph, _ = load(bets_doc(f"id: a, kind: vision, title: A, certainty: {text}"))
    assert graph.bets[0].certainty == expected


@pytest.mark.parametrize(("text", "expected"), [("0", 0.0), ("1", 1.0), ("0.35", 0.35)])
def test_certainty_as_a_number(text: str, expected: float) -> None:
    graph, _ = load(bets_doc(f"id: a, kind: vision, title: A, certainty: {text}"))
    assert graph.bets[0].certainty == expected
    assert isinstance(graph.bets[0].certainty, float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("explore", m.Prescriptiveness.EXPLORE),
        ("Opportunity", m.Prescriptiveness.OPPORTUNITY),
        ("outcome", m.Prescriptiveness.OUTCOME),
        ("guided", m.Prescriptiveness.GUIDED),
        ("PRESCRIBED", m.Prescriptiveness.PRESCRIBED),
        ("1", m.Prescriptiveness.EXPLORE),
        ("3", m.Prescriptiveness.OUTCOME),
        ("5", m.Prescriptiveness.PRESCRIBED),
    ],
)
def test_prescriptiveness_by_name_or_number(text: str, expected: m.Prescriptiveness) -> None:
    graph, _ = load(bets_doc(f"id: a, kind: vision, title: A, prescriptiveness: {text}"))
    assert graph.bets[0].prescriptiveness is expected


def test_a_single_parent_assumption_tag_or_link_may_be_written_without_a_list() -> None:
    graph, _ = load(
        bets_doc(
            "id: vision, kind: vision, title: V",
            "id: goal, kind: goal, title: G, parents: vision, assumes: belief, tags: growth, links: https://x.org/a",
        )
        + "assumptions:\n  - {id: belief, statement: We believe it}\n"
    )
    goal = graph.bet_by_id["goal"]
    assert goal.parents == ("vision",)
    assert goal.assumes == ("belief",)
    assert goal.tags == ("growth",)
    assert goal.links == ("https://x.org/a",)


def test_horizons_as_durations_or_dates() -> None:
    graph, _ = load(
        bets_doc(
            "id: a, kind: vision, title: A, horizon: 6w",
            "id: b, kind: vision, title: B, horizon: 2027-03-31",
        )
    )
    assert graph.bets[0].horizon == m.Horizon(text="6w", amount=6, unit="w")
    assert graph.bets[1].horizon == m.Horizon(text="2027-03-31", on=dt.date(2027, 3, 31))


def test_yaml_1_1_lookalikes_stay_text_in_text_fields() -> None:
    graph, _ = load(
        "betgraph: 1\ngraph: {slug: acme, title: no, description: on}\n"
        "bets:\n  - {id: a, kind: vision, title: 2026-01-01, owner: yes, tags: [off, 1.5, 12]}\n"
    )
    assert graph.title == "no"
    assert graph.description == "on"
    assert graph.bets[0].title == "2026-01-01"
    assert graph.bets[0].owner == "yes"
    assert graph.bets[0].tags == ("off", "1.5", "12")


def test_a_title_is_one_line() -> None:
    graph, _ = load(bets_doc('id: a, kind: vision, title: "  Many\\n  lines\\tand   spaces  "'))
    assert graph.bets[0].title == "Many lines and spaces"


def test_visibility_and_lint_settings_are_read() -> None:
    graph, _ = load(
        textwrap.dedent(
            """\
            betgraph: 1
            graph:
              slug: acme
              title: Acme
              visibility: public
              lint:
                disable: orphan
                false_certainty: 90%
                false_certainty_chain: 0.2
                unsupported_assumption: 0.5
                long_horizon: 2y
            """
        )
    )
    assert graph.visibility is m.Visibility.PUBLIC
    assert graph.lint == m.LintSettings(
        disable=frozenset({"orphan"}),
        false_certainty=0.9,
        false_certainty_chain=0.2,
        unsupported_assumption=0.5,
        long_horizon=m.Horizon.parse("2y"),
    )


def test_a_document_without_bets_is_an_empty_graph() -> None:
    graph, _ = load(HEAD)
    assert graph == m.Graph(slug="acme", title="Acme")


def test_graph_from_data_without_a_source_map_points_with_json_pointers() -> None:
    data = {"betgraph": 1, "graph": {"slug": "acme", "title": "Acme"}, "bets": [{"id": "a", "kind": "vision"}]}
    with pytest.raises(DocumentError) as caught:
        graph_from_data(data)
    (problem,) = caught.value.problems
    assert problem.position is None
    assert problem.pointer == "/bets/0/title"
    assert problem.describe() == "/bets/0/title: missing required field 'title'"
    assert problem.describe("doc.json") == "doc.json:/bets/0/title: missing required field 'title'"
    assert str(caught.value) == "/bets/0/title: missing required field 'title'"


def test_problem_pointers_escape_tilde_and_slash() -> None:
    assert Problem("x", ("bets", 0, "a/b~c")).pointer == "/bets/0/a~1b~0c"


def test_problem_describe_with_a_file_name() -> None:
    problem = Problem("certainty must be between 0 and 1, got 1.5", ("bets", 0, "certainty"), Position(4, 46))
    assert problem.describe("acme.yaml") == "acme.yaml:4:46: certainty must be between 0 and 1, got 1.5"


def test_problem_describe_without_a_file_name_has_no_leading_colon() -> None:
    problem = Problem("certainty must be between 0 and 1, got 1.5", ("bets", 0, "certainty"), Position(4, 46))
    assert problem.describe() == "4:46: certainty must be between 0 and 1, got 1.5"


# --- errors: each with its message and place ---------------------------------------------------


def test_certainty_out_of_range_is_reported_at_the_value() -> None:
    text = bets_doc("id: a, kind: vision, title: A, certainty: 1.5")
    assert text.splitlines()[3] == "  - {id: a, kind: vision, title: A, certainty: 1.5}"
    assert only_problem(text) == ("certainty must be between 0 and 1, got 1.5", (4, 48))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0.1", "certainty must be between 0 and 1, got -0.1"),
        ("150%", "certainty must be between 0% and 100%, got 150%"),
        ("high", "certainty must be a number between 0 and 1 or a percentage such as 70%, got 'high'"),
        ("abc%", "certainty must be a number between 0 and 1 or a percentage such as 70%, got 'abc%'"),
        ("true", "certainty must be a number between 0 and 1 or a percentage such as 70%, got True"),
        (".nan", "certainty must be between 0 and 1, got nan"),
    ],
)
def test_bad_certainties(value: str, message: str) -> None:
    text = bets_doc(f"id: a, kind: vision, title: A, certainty: {value}")
    assert only_problem(text) == (message, at(text, value, within=f"certainty: {value}"))


def test_assumption_certainty_is_checked_too() -> None:
    text = HEAD + "assumptions:\n  - id: a\n    statement: S\n    certainty: 2\n"
    assert only_problem(text) == ("certainty must be between 0 and 1, got 2", (6, 16))


def test_unknown_field_is_reported_at_the_key_with_a_suggestion() -> None:
    text = HEAD + "bets:\n  - id: a\n    kind: vision\n    title: A\n    horizn: 6w\n"
    assert only_problem(text) == ("unknown field 'horizn' (did you mean 'horizon'?)", (7, 5))


@pytest.mark.parametrize(
    ("text", "name", "suggestion"),
    [
        (HEAD + "bet: []\n", "bet", "bets"),
        ("betgraph: 1\ngraph:\n  slug: acme\n  title: Acme\n  lint: {disabel: [orphan]}\n", "disabel", "disable"),
        (bets_doc("id: a, kind: outcome, title: A, metric: {name: m, dirction: up}"), "dirction", "direction"),
        (
            HEAD + "assumptions:\n  - {id: a, statement: S, evidence: [{kind: data, summary: x, levl: opinion}]}\n",
            "levl",
            "level",
        ),
        (bets_doc("id: a, kind: vision, title: A, zzz: 1"), "zzz", None),
    ],
)
def test_unknown_fields_at_every_level(text: str, name: str, suggestion: str | None) -> None:
    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
    assert only_problem(text) == (f"unknown field {name!r}{hint}", at(text, f"{name}:"))


def test_missing_required_field_is_reported_at_the_mapping() -> None:
    text = HEAD + "bets:\n  - id: a\n    kind: vision\n"
    assert only_problem(text) == ("missing required field 'title'", (4, 5))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("graph: {slug: acme, title: Acme}\n", ("missing required field 'betgraph'", (1, 1))),
        ("betgraph: 1\ngraph: {title: Acme}\n", ("missing required field 'slug'", (2, 8))),
    ],
)
def test_missing_fields_in_the_head(text: str, expected: tuple[str, tuple[int, int]]) -> None:
    assert only_problem(text) == expected


def test_missing_fields_in_an_assumption_and_its_evidence() -> None:
    text = HEAD + "assumptions:\n  - {id: a, evidence: [{kind: data}]}\n"
    assert problems_of(text) == [
        ("missing required field 'statement'", at(text, "{id")),
        ("missing required field 'summary'", at(text, "{kind")),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "kind",
            "goel",
            "kind must be one of vision, strategy, goal, outcome, opportunity, hypothesis, initiative; "
            "got 'goel' (did you mean 'goal'?)",
        ),
        (
            "status",
            "activ",
            "status must be one of proposed, active, validated, invalidated, done, dropped; "
            "got 'activ' (did you mean 'active'?)",
        ),
        ("debate", "setled", "debate must be one of open, contested, settled; got 'setled' (did you mean 'settled'?)"),
        (
            "prescriptiveness",
            "presribed",
            "prescriptiveness must be one of 1 explore, 2 opportunity, 3 outcome, 4 guided, 5 prescribed "
            "(a name or a number); got 'presribed' (did you mean 'prescribed'?)",
        ),
        (
            "prescriptiveness",
            "6",
            "prescriptiveness must be one of 1 explore, 2 opportunity, 3 outcome, 4 guided, 5 prescribed "
            "(a name or a number); got 6",
        ),
        ("debate", "xyzzy", "debate must be one of open, contested, settled; got 'xyzzy'"),
    ],
)
def test_bad_enum_values_with_suggestions(field: str, value: str, message: str) -> None:
    row = f"id: a, kind: vision, title: A, {field}: {value}" if field != "kind" else f"id: a, kind: {value}, title: A"
    text = bets_doc(row)
    assert only_problem(text) == (message, at(text, value, within=f"{field}: {value}"))


def test_bad_enum_in_an_assumption_and_its_evidence() -> None:
    text = HEAD + textwrap.dedent(
        """\
        assumptions:
          - id: a
            statement: S
            category: desireability
            evidence:
              - {kind: data, summary: x, level: market, direction: support}
        """
    )
    assert problems_of(text) == [
        (
            "category must be one of desirability, viability, feasibility, usability, ethical; "
            "got 'desireability' (did you mean 'desirability'?)",
            (6, 15),
        ),
        (
            "level must be one of self-conviction, thematic, opinion, estimate, anecdotal, market-data, "
            "user-evidence, test-result, launch-data; got 'market' (did you mean 'market-data'?)",
            (8, 41),
        ),
        ("direction must be one of supports, refutes; got 'support' (did you mean 'supports'?)", (8, 60)),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://x",
        "data:text/html,hi",
        "file:///etc/passwd",
        "//example.org/a",
        "http:///no-host",
        "https://exa mple.org",
        "https://x.org/<script>",
        "example.org",
    ],
)
def test_links_must_be_http_or_https(url: str) -> None:
    text = (
        HEAD
        + f"bets:\n  - id: a\n    kind: vision\n    title: A\n    links:\n      - https://ok.org\n      - '{url}'\n"
    )
    assert only_problem(text) == (f"links must be an http or https URL, got {url!r}", (9, 9))


def test_a_shorthand_link_is_checked_at_its_value() -> None:
    text = bets_doc("id: a, kind: vision, title: A, links: ftp://x")
    assert only_problem(text) == ("links must be an http or https URL, got 'ftp://x'", at(text, "ftp"))


def test_an_evidence_url_must_be_http_or_https() -> None:
    text = HEAD + "assumptions:\n  - {id: a, statement: S, evidence: [{kind: data, summary: x, url: 'javascript:x'}]}\n"
    assert only_problem(text) == ("url must be an http or https URL, got 'javascript:x'", at(text, "'javascript"))


@pytest.mark.parametrize("slug", ["Vision", "-a", "a_b", "a b", "é", "a" * 64, "''"])
def test_bad_bet_ids(slug: str) -> None:
    row = f"id: {slug}, kind: vision, title: A"
    shown = "" if slug == "''" else slug
    assert only_problem(bets_doc(row)) == (
        "id must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
        f"at most 63 characters; got {shown!r}",
        (4, 10),
    )


def test_a_63_character_id_is_fine() -> None:
    graph, _ = load(bets_doc(f"id: {'a' * 63}, kind: vision, title: A"))
    assert graph.bets[0].id == "a" * 63


def test_bad_graph_slug_and_non_text_id() -> None:
    assert problems_of(
        "betgraph: 1\ngraph: {slug: Acme Corp, title: Acme}\nbets:\n  - {id: 12, kind: goal, title: A}\n"
    ) == [
        (
            "slug must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
            "at most 63 characters; got 'Acme Corp'",
            (2, 15),
        ),
        (
            "id must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
            "at most 63 characters; got 12",
            (4, 10),
        ),
    ]


@pytest.mark.parametrize("where", ["graph", "bet"])
def test_a_slug_with_a_trailing_newline_is_rejected(where: str) -> None:
    if where == "graph":
        text = 'betgraph: 1\ngraph: {slug: "acme\\n", title: Acme}\n'
    else:
        text = bets_doc('id: "a\\n", kind: vision, title: A')
    with pytest.raises(DocumentError):
        load(text)


def test_unknown_parent_is_reported_at_the_reference_with_a_suggestion() -> None:
    text = bets_doc("id: vision, kind: vision, title: V", "id: goal, kind: goal, title: G, parents: [visoin]")
    assert only_problem(text) == ("unknown bet 'visoin' (did you mean 'vision'?)", at(text, "visoin"))


def test_unknown_assumption_is_reported_at_the_reference() -> None:
    text = bets_doc("id: a, kind: vision, title: A, assumes: [nobody-knows]")
    assert only_problem(text) == ("unknown assumption 'nobody-knows'", at(text, "nobody"))


def test_an_assumption_used_as_a_parent() -> None:
    text = (
        bets_doc("id: vision, kind: vision, title: V", "id: goal, kind: goal, title: G, parents: [vision, belief]")
        + "assumptions:\n  - {id: belief, statement: We believe it}\n"
    )
    assert only_problem(text) == ("parents names 'belief', which is not a bet", at(text, "belief"))


def test_a_bet_used_as_an_assumption() -> None:
    text = bets_doc("id: vision, kind: vision, title: V", "id: goal, kind: goal, title: G, assumes: [vision]")
    assert only_problem(text) == (
        "assumes names 'vision', which is not an assumption",
        at(text, "vision", within="[vision]"),
    )


def test_a_parent_listed_twice() -> None:
    text = bets_doc("id: vision, kind: vision, title: V", "id: goal, kind: goal, title: G, parents: [vision, vision]")
    assert only_problem(text) == ("parents lists 'vision' twice", at(text, "vision]"))


def test_duplicate_ids_across_bets_and_assumptions() -> None:
    text = (
        bets_doc("id: a, kind: vision, title: A", "id: b, kind: vision, title: B", "id: a, kind: vision, title: C")
        + "assumptions:\n  - {id: b, statement: S}\n"
    )
    assert problems_of(text) == [
        ("duplicate id 'a': already used by bets[0]", (6, 10)),
        ("duplicate id 'b': already used by bets[1]", (8, 10)),
    ]


def test_a_bet_that_is_its_own_parent() -> None:
    text = bets_doc("id: a, kind: goal, title: A, parents: a")
    assert only_problem(text) == ("parents form a cycle: a -> a", at(text, "a", within="parents: a"))


def test_a_longer_cycle_is_reported_once_with_the_whole_loop() -> None:
    text = bets_doc(
        "id: v, kind: vision, title: V",
        "id: a, kind: goal, title: A, parents: [v, c]",
        "id: b, kind: goal, title: B, parents: [a]",
        "id: c, kind: goal, title: C, parents: [b]",
    )
    # found where b names a, which closes the loop a -> c -> b -> a
    assert only_problem(text) == ("parents form a cycle: a -> c -> b -> a", at(text, "a", within="parents: [a]"))


def test_two_separate_cycles_are_both_reported() -> None:
    text = bets_doc(
        "id: a, kind: goal, title: A, parents: [b]",
        "id: b, kind: goal, title: B, parents: [a]",
        "id: c, kind: goal, title: C, parents: [c]",
    )
    assert problems_of(text) == [
        ("parents form a cycle: a -> b -> a", at(text, "a", within="parents: [a]")),
        ("parents form a cycle: c -> c", at(text, "c", within="parents: [c]")),
    ]


def test_each_problem_is_reported_once() -> None:
    found = problems_of(bets_doc("id: a, kind: goal, title: A, parents: [a, a]"))
    assert len(found) == len(set(found))


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2", "2"), ("0", "0"), ("'1'", "'1'"), ("v1", "'v1'")],
)
def test_only_format_version_1_is_read(value: str, shown: str) -> None:
    text = f"betgraph: {value}\ngraph: {{slug: acme, title: Acme}}\n"
    assert only_problem(text) == (f"betgraph must be 1 (the document format version), got {shown}", (1, 11))


@pytest.mark.parametrize(
    "text",
    [
        "betgraph: true\ngraph: {slug: acme, title: Acme}\n",
        HEAD + "assumptions:\n  - {id: a, statement: S, importance: true}\n",
        HEAD + "bets:\n  - {id: a, kind: outcome, title: A, metric: {name: m, target: true}}\n",
    ],
)
def test_booleans_are_not_numbers(text: str) -> None:
    with pytest.raises(DocumentError):
        load(text)


@pytest.mark.parametrize("value", ["inf", "nan", "-Infinity"])
def test_metric_numbers_must_be_finite(value: str) -> None:
    with pytest.raises(DocumentError):
        load(bets_doc(f"id: a, kind: outcome, title: A, metric: {{name: m, target: {value}}}"))


def test_unknown_lint_rule_in_disable_with_a_suggestion() -> None:
    text = "betgraph: 1\ngraph:\n  slug: acme\n  title: Acme\n  lint:\n    disable: [orphan, orphans]\n"
    assert only_problem(text) == (
        "disable names an unknown lint rule 'orphans' (did you mean 'orphan'?)",
        at(text, "orphans"),
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("horizon: 6x", "horizon must be a duration such as 6w, 3m, 2q, 1y (d, w, m, q or y) or an ISO date, got '6x'"),
        ("horizon: 6", "horizon must be a duration such as 6w, 3m, 2q, 1y or an ISO date, got 6"),
        ("review_by: 2026-02-30", "review_by must be an ISO date (YYYY-MM-DD), got '2026-02-30'"),
        ("title: '   '", "title must not be empty"),
        ('title: "a\\x01b"', "title must not contain control characters"),
        ("title: [x]", "title must be text, got ['x']"),
        ("parents: {a: 1}", "parents must be a list, got {'a': 1}"),
        ("metric: 3", "metric must be a mapping of fields, got 3"),
    ],
)
def test_other_value_errors(row: str, message: str) -> None:
    text = bets_doc(f"id: a, kind: vision, {row if row.startswith('title') else f'title: A, {row}'}")
    assert only_problem(text) == (message, at(text, row.split(": ", 1)[1], within=row))


def test_importance_must_be_between_1_and_5() -> None:
    text = HEAD + "assumptions:\n  - {id: a, statement: S, importance: 6}\n"
    assert only_problem(text) == ("importance must be between 1 and 5, got 6", (4, 39))


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("[]\n", "the document must be a mapping with betgraph, graph, bets and assumptions, got []", (1, 1)),
        ("hello\n", "the document must be a mapping with betgraph, graph, bets and assumptions, got 'hello'", (1, 1)),
        ("", "the document must be a mapping with betgraph, graph, bets and assumptions, got None", None),
        (HEAD + "bets: {}\n", "bets must be a list, got {}", (3, 7)),
    ],
)
def test_documents_of_the_wrong_shape(text: str, message: str, position: tuple[int, int] | None) -> None:
    assert only_problem(text) == (message, position)


def test_a_yaml_syntax_error_becomes_a_located_problem() -> None:
    assert only_problem(HEAD + "bets:\n  - {id: a, kind: goal\n") == (
        "YAML syntax error: did not find expected ',' or '}'",
        (5, 1),
    )


def test_a_duplicate_key_becomes_a_located_problem() -> None:
    assert only_problem(HEAD + "bets:\n  - id: a\n    id: b\n") == ("duplicate key 'id'", (5, 5))


def test_several_problems_are_reported_at_once_sorted_by_line() -> None:
    # assumptions come before bets in the text, but after them in the schema
    text = textwrap.dedent(
        """\
        betgraph: 1
        graph:
          slug: acme
          title: Acme
          visibility: secret
        assumptions:
          - id: belief
            statement: We believe
            certainty: 1.5
        bets:
          - id: a
            kind: goel
            title: A
            colour: red
          - id: Bad
            kind: goal
            title: B
        """
    )
    assert problems_of(text) == [
        ("visibility must be one of private, public; got 'secret'", (5, 15)),
        ("certainty must be between 0 and 1, got 1.5", (9, 16)),
        (
            "kind must be one of vision, strategy, goal, outcome, opportunity, hypothesis, initiative; "
            "got 'goel' (did you mean 'goal'?)",
            (12, 11),
        ),
        ("unknown field 'colour'", (14, 5)),
        (
            "id must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
            "at most 63 characters; got 'Bad'",
            (15, 9),
        ),
    ]


def test_several_reference_problems_are_sorted_by_line() -> None:
    text = bets_doc(
        "id: c, kind: goal, title: C, parents: [nope]",
        "id: a, kind: goal, title: A, parents: [b]",
        "id: b, kind: goal, title: B, parents: [a], assumes: [gone]",
    )
    assert problems_of(text) == [
        ("unknown bet 'nope'", at(text, "nope")),
        ("parents form a cycle: a -> b -> a", at(text, "a", within="parents: [a]")),
        ("unknown assumption 'gone'", at(text, "gone")),
    ]


def test_json_documents_report_json_lines_and_columns() -> None:
    document = {
        "betgraph": 1,
        "graph": {"slug": "acme", "title": "Acme"},
        "bets": [{"id": "a", "kind": "vision", "title": "A", "certainty": 1.5}],
    }
    text = json.dumps(document, indent=2)
    assert text.splitlines()[11] == '      "certainty": 1.5'
    assert only_problem(text) == ("certainty must be between 0 and 1, got 1.5", (12, 20))


def test_the_design_example_as_json_gives_the_same_graph() -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    data = yaml.safe_load(DESIGN_EXAMPLE)
    assert load(json.dumps(data, default=str))[0] == graph


# --- dump and round trip -------------------------------------------------------------------------

RICH = """\
betgraph: 1
graph:
  slug: acme
  title: Acme product map — ünïcödé 🚀
  description: |
    # The map

    - **bold** claims
    - `code` and [links](https://example.org)

    Trailing paragraph.
  as_of: 2026-11-01
  visibility: public
  lint:
    disable: [multi-parent, orphan]
    false_certainty: 0.9
    false_certainty_chain: 5%
    unsupported_assumption: 0.6
    long_horizon: 18m
bets:
  - id: vision
    kind: vision
    title: 'no'
    horizon: 5y
    certainty: 60%
  - id: '2026-01-01'
    kind: goal
    title: '1e3'
    description: "Line one\\n\\tindented: with # and - dashes\\n"
    parents: vision
    assumes: [setup-pain, '12']
    horizon: 2027-12-31
    certainty: 0.5
    prescriptiveness: 3
    debate: contested
    review_by: 2026-12-01
    status: active
    owner: 'yes'
    team: onboarding
    tags: [growth, 'on', '1.5', ~tilde, 'null']
    links: [https://example.org/a?b=c&d=e#f, 'http://x.org']
    metric: {name: Activation, unit: '%', direction: down, baseline: 12, target: 4.5, current: -0.25}
    verdict: Worked.
    learned: |
      People want it.
      More than we thought.
  - id: wizard
    kind: initiative
    title: '2026-01-01'
    parents: ['2026-01-01', vision]
    horizon: 6w
    certainty: 0
    prescriptiveness: prescribed
    debate: settled
    status: done
assumptions:
  - id: setup-pain
    statement: Customers churn because setup takes too long
    certainty: 0.3
    importance: 5
    category: viability
    debate: open
    review_by: 2026-10-01
    evidence:
      - {kind: data, summary: 41% of churned accounts never finished setup, level: market-data}
      - kind: insight
        summary: 'false'
        level: test-result
        direction: refutes
        url: https://example.org/study
        date: 2026-06-30
  - id: '12'
    statement: '~'
"""


def test_a_rich_document_round_trips_through_yaml_and_json() -> None:
    graph, _ = load(RICH)
    # the tricky values are read as text, not bools, numbers or dates
    assert graph.bets[0].title == "no"
    assert graph.bets[1].title == "1e3"
    assert graph.bets[1].id == "2026-01-01"
    assert graph.bets[2].title == "2026-01-01"
    assert graph.bets[1].tags == ("growth", "on", "1.5", "~tilde", "null")
    assert graph.assumptions[1].statement == "~"
    assert graph.lint.false_certainty_chain == 0.05
    assert graph.bets[1].metric == m.Metric("Activation", "%", m.MetricDirection.DOWN, 12, 4.5, -0.25)
    assert graph.assumptions[0].evidence[1].date == dt.date(2026, 6, 30)

    again, _ = load(dump_yaml(graph))
    assert again == graph
    again, _ = load(dump_json(graph))
    assert again == graph
    assert json.loads(dump_json(graph)) == json.loads(dump_json(again))


def test_dump_yaml_is_readable() -> None:
    graph, _ = load(RICH)
    text = dump_yaml(graph)
    assert text.startswith("betgraph: 1\ngraph:\n  slug: acme\n")
    assert "ünïcödé" in text  # unicode is written as itself, not escaped
    assert "  description: |" in text  # multi-line Markdown as a block
    assert "title: 'no'" in text
    assert "title: '2026-01-01'" in text
    assert "status: proposed" not in text  # defaults are left out
    assert "direction: supports" not in text
    assert "prescriptiveness: outcome" in text  # names, not numbers
    assert "review_by: 2026-12-01" in text


def test_dump_yaml_quotes_text_that_yaml_1_2_reads_as_a_number() -> None:
    graph = m.Graph(slug="acme", title="1e3")
    assert "title: '1e3'" in dump_yaml(graph) or 'title: "1e3"' in dump_yaml(graph)


def test_dump_json_is_plain_json_with_iso_dates() -> None:
    graph, _ = load(RICH)
    data = json.loads(dump_json(graph))
    assert data["graph"]["as_of"] == "2026-11-01"
    assert data["graph"]["lint"] == {
        "disable": ["multi-parent", "orphan"],
        "false_certainty": 0.9,
        "false_certainty_chain": 0.05,
        "unsupported_assumption": 0.6,
        "long_horizon": "18m",
    }
    assert data["bets"][0] == {"id": "vision", "kind": "vision", "title": "no", "horizon": "5y", "certainty": 0.6}
    assert data["bets"][1]["prescriptiveness"] == "outcome"
    assert data["assumptions"][0]["evidence"][1]["date"] == "2026-06-30"


def test_graph_to_data_round_trips_without_text() -> None:
    graph, _ = load(RICH)
    data = graph_to_data(graph)
    assert data["graph"]["as_of"] == dt.date(2026, 11, 1)
    assert graph_from_data(data) == graph


def test_default_lint_settings_are_not_dumped() -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    assert "lint" not in graph_to_data(graph)["graph"]


@pytest.mark.parametrize(
    ("row", "field"),
    [("id: a, kind: goal, title: A, owner: ''", "owner"), ("id: a, kind: goal, title: A, verdict: ''", "verdict")],
)
def test_empty_optional_text_is_absent_and_round_trips(row: str, field: str) -> None:
    graph, _ = load(bets_doc(row))
    assert getattr(graph.bets[0], field) is None
    assert load(dump_yaml(graph))[0] == graph


def test_an_empty_metric_name_is_refused() -> None:
    assert only_problem(bets_doc("id: a, kind: outcome, title: A, metric: {name: ''}"))[0] == "name must not be empty"


@pytest.mark.parametrize(
    "dump",
    [dump_yaml, dump_json],
)
def test_text_with_a_next_line_character_round_trips(dump: Callable[[m.Graph], str]) -> None:
    graph = m.Graph(slug="acme", title="Acme", description="a\x85b")
    assert load(dump(graph))[0] == graph


# --- round trip of generated graphs ---------------------------------------------------------------

_LETTERS = st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85\u2028\u2029")
_PLAIN = st.sampled_from(["no", "yes", "on", "1e3", "12", "0.5", "2026-01-01", "null", "~", "- x", "a: b", "#x"])
_TEXT = st.one_of(_PLAIN, st.text(_LETTERS, min_size=1, max_size=20))
_DESCRIPTION = st.one_of(st.just(""), _TEXT, st.lists(_TEXT, min_size=2, max_size=4).map("\n".join))
_TITLE = _TEXT.map(lambda text: " ".join(text.split())).filter(bool)
_SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
_DATE = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
_HORIZON = st.one_of(
    st.builds(lambda n, unit: m.Horizon.parse(f"{n}{unit}"), st.integers(0, 999), st.sampled_from("dwmqy")),
    _DATE.map(lambda day: m.Horizon.parse(day.isoformat())),
)
# JSON writes numbers under 1e-4 or from 1e16 up with an exponent and no dot, which is not read back
# (see test_dump_json_numbers_with_an_exponent_are_read_back); those get their own test.
_UNIT = st.floats(0, 1).filter(lambda x: x == 0 or x >= 1e-4)
_NUMBER = st.floats(-1e15, 1e15).filter(lambda x: x == 0 or abs(x) >= 1e-4)


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


_RESOLUTIONS = st.builds(
    m.Resolution,
    verdict=st.sampled_from(m.Verdict),
    learned=_optional(_DESCRIPTION.filter(bool)),
    committed_certainty=_optional(_UNIT),
    resolved_on=_optional(_DATE),
)
_CHECKINS = st.builds(m.CheckIn, value=_NUMBER, date=_DATE, note=_optional(_TITLE))


@st.composite
def _metrics(draw: st.DrawFn) -> m.Metric:
    checkins = tuple(draw(st.lists(_CHECKINS, max_size=3)))
    # with check-ins, current is the latest one's value: the only state a document can express
    latest = max(reversed(checkins), key=lambda c: c.date).value if checkins else draw(_optional(_NUMBER))
    return m.Metric(
        name=draw(_TEXT),
        unit=draw(_optional(_TEXT)),
        direction=draw(st.sampled_from(m.MetricDirection)),
        baseline=draw(_optional(_NUMBER)),
        target=draw(_optional(_NUMBER)),
        current=latest,
        checkins=checkins,
    )


@st.composite
def _graphs(draw: st.DrawFn) -> m.Graph:
    ids = draw(st.lists(_SLUG, min_size=0, max_size=8, unique=True))
    split = draw(st.integers(0, len(ids)))
    bet_ids, assumption_ids = ids[:split], ids[split:]
    bets = []
    for index, bet_id in enumerate(bet_ids):
        metric = draw(_optional(_metrics()))
        resolution = draw(_optional(_RESOLUTIONS))
        status = draw(st.sampled_from(m.Status))
        if resolution is not None and {resolution.verdict.value, status.value} == {"validated", "invalidated"}:
            status = m.Status.DONE  # a verdict and a status that contradict each other are refused
        bets.append(
            m.Bet(
                id=bet_id,
                kind=draw(st.sampled_from(m.Kind)),
                title=draw(_TITLE),
                description=draw(_DESCRIPTION),
                parents=tuple(draw(st.lists(st.sampled_from(bet_ids[:index]), unique=True))) if index else (),
                assumes=tuple(draw(st.lists(st.sampled_from(assumption_ids), unique=True))) if assumption_ids else (),
                horizon=draw(_optional(_HORIZON)),
                certainty=draw(_optional(_UNIT)),
                prescriptiveness=draw(_optional(st.sampled_from(m.Prescriptiveness))),
                debate=draw(_optional(st.sampled_from(m.Debate))),
                review_by=draw(_optional(_DATE)),
                status=status,
                owner=draw(_optional(_TEXT)),
                team=draw(_optional(_TEXT)),
                tags=tuple(draw(st.lists(_TEXT, max_size=3))),
                links=tuple(draw(st.lists(st.sampled_from(["https://example.org/a?b=1", "http://x.org"]), max_size=2))),
                metric=metric,
                verdict=draw(_optional(_DESCRIPTION.filter(bool))),
                learned=draw(_optional(_DESCRIPTION.filter(bool))),
                resolution=resolution,
            )
        )
    evidence = st.builds(
        m.Evidence,
        kind=st.sampled_from(m.EvidenceKind),
        summary=_TITLE,
        level=_optional(st.sampled_from(m.EvidenceLevel)),
        direction=st.sampled_from(m.Direction),
        url=_optional(st.just("https://example.org/e")),
        date=_optional(_DATE),
    )
    assumptions = [
        m.Assumption(
            id=assumption_id,
            statement=draw(_TITLE),
            certainty=draw(_optional(_UNIT)),
            importance=draw(_optional(st.integers(1, 5))),
            category=draw(_optional(st.sampled_from(m.Category))),
            debate=draw(_optional(st.sampled_from(m.Debate))),
            review_by=draw(_optional(_DATE)),
            evidence=tuple(draw(st.lists(evidence, max_size=3))),
            resolution=draw(_optional(_RESOLUTIONS)),
        )
        for assumption_id in assumption_ids
    ]
    lint = draw(
        st.one_of(
            st.just(m.LintSettings()),
            st.builds(
                m.LintSettings,
                disable=st.frozensets(st.sampled_from(sorted(RULES))),
                false_certainty=_UNIT,
                false_certainty_chain=_UNIT,
                unsupported_assumption=_UNIT,
                long_horizon=_HORIZON,
            ),
        )
    )
    return m.Graph(
        slug=draw(_SLUG),
        title=draw(_TITLE),
        description=draw(_DESCRIPTION),
        as_of=draw(_optional(_DATE)),
        visibility=draw(st.sampled_from(m.Visibility)),
        lint=lint,
        bets=tuple(bets),
        assumptions=tuple(assumptions),
    )


@settings(max_examples=20, deadline=None, database=None, derandomize=True)
@given(_graphs())
def test_generated_graphs_round_trip_through_yaml_and_json(graph: m.Graph) -> None:
    assert load(dump_yaml(graph))[0] == graph
    assert load(dump_json(graph))[0] == graph
    assert graph_from_data(graph_to_data(graph)) == graph


def test_dump_json_numbers_with_an_exponent_are_read_back() -> None:
    graph = m.Graph(
        slug="acme",
        title="Acme",
        bets=(m.Bet(id="a", kind=m.Kind.OUTCOME, title="A", certainty=1e-05, metric=m.Metric(name="m", target=1e16)),),
    )
    assert load(dump_json(graph))[0] == graph


def test_floats_keep_their_exact_value() -> None:
    graph = m.Graph(
        slug="acme",
        title="Acme",
        bets=(
            m.Bet(
                id="a",
                kind=m.Kind.OUTCOME,
                title="A",
                certainty=1e-05,
                metric=m.Metric(name="m", baseline=1e300, target=-2.5e-300, current=0.1 + 0.2),
            ),
        ),
    )
    for dump in (dump_yaml,):
        bet = load(dump(graph))[0].bets[0]
        assert bet.certainty == 1e-05
        assert bet.metric is not None
        assert bet.metric.baseline == 1e300
        assert bet.metric.target == -2.5e-300
        assert bet.metric.current is not None
        assert math.isclose(bet.metric.current, 0.1 + 0.2, rel_tol=0, abs_tol=0)


def test_dump_yaml_writes_emoji_as_themselves() -> None:
    graph = m.Graph(slug="acme", title="Ship it 🚀 café")
    text = dump_yaml(graph)
    assert "Ship it 🚀 café" in text
    assert load(text)[0] == graph


def test_loading_without_positions_still_locates_problems() -> None:
    text = bets_doc("id: a, kind: vision, title: A, certainty: 1.5")
    with pytest.raises(DocumentError) as raised:
        load(text, positions=False)
    assert raised.value.problems[0].position == Position(4, 48)
    graph, source_map = load(bets_doc("id: a, kind: vision, title: A"), positions=False)
    assert graph.bets[0].id == "a"
    assert source_map.value_nodes == {}


def test_json_documents_load_fast_and_fail_with_positions() -> None:
    graph, _ = load(DESIGN_EXAMPLE)
    text = dump_json(graph)
    assert load(text, positions=False)[0] == graph
    broken = text.replace('"certainty": 0.5', '"certainty": 1.5', 1)
    with pytest.raises(DocumentError) as raised:
        load(broken, positions=False)
    problem = raised.value.problems[0]
    assert problem.message == "certainty must be between 0 and 1, got 1.5"
    assert problem.position is not None
    duplicate = '{"betgraph": 1, "betgraph": 1, "graph": {"slug": "a", "title": "A"}}'
    with pytest.raises(DocumentError, match="duplicate key 'betgraph'"):
        load(duplicate, positions=False)
    with pytest.raises(DocumentError):
        load(
            '{"betgraph": 1, "graph": {"slug": "a", "title": "A"}, "bets": [{"id": "x", "kind": "goal", '
            '"title": "T", "certainty": NaN}]}',
            positions=False,
        )


# --- closing the loop: resolutions and metric check-ins -------------------------------------------


def test_a_resolution_on_a_bet_and_an_assumption_loads_and_round_trips() -> None:
    text = HEAD + textwrap.dedent(
        """\
        bets:
          - id: a
            kind: hypothesis
            title: A
            status: validated
            verdict: Worked, in a six-week test.
            resolution: {verdict: validated, learned: Owners want it, committed_certainty: 60%, resolved_on: 2026-10-20}
        assumptions:
          - {id: s, statement: S, resolution: {verdict: inconclusive}}
        """
    )
    graph, _ = load(text)
    assert graph.bets[0].resolution == m.Resolution(m.Verdict.VALIDATED, "Owners want it", 0.6, dt.date(2026, 10, 20))
    assert graph.bets[0].verdict == "Worked, in a six-week test."  # the narrative stays beside it
    assert graph.assumptions[0].resolution == m.Resolution(m.Verdict.INCONCLUSIVE)
    assert load(dump_yaml(graph))[0] == graph
    assert graph_to_data(graph)["assumptions"][0]["resolution"] == {"verdict": "inconclusive"}


def test_resolution_problems_have_line_and_column() -> None:
    text = HEAD + textwrap.dedent(
        """\
        bets:
          - id: a
            kind: hypothesis
            title: A
            resolution: {verdict: validatd, committed_certainty: 1.5, when: 2026-10-01}
        assumptions:
          - {id: s, statement: S, resolution: {learned: x}}
        """
    )
    assert problems_of(text) == [
        (
            "verdict must be one of validated, invalidated, inconclusive; got 'validatd' (did you mean 'validated'?)",
            (7, 27),
        ),
        ("committed_certainty must be between 0 and 1, got 1.5", (7, 58)),
        ("unknown field 'when'", (7, 63)),
        ("missing required field 'verdict'", (9, 39)),
    ]


def test_a_verdict_that_contradicts_the_status_is_refused() -> None:
    row = "id: a, kind: hypothesis, title: A, status: invalidated, resolution: {verdict: validated}"
    message, where = only_problem(bets_doc(row))
    assert message == "status is invalidated but the resolution's verdict is validated"
    assert where is not None
    # an inconclusive test may be followed by more work: that is no contradiction
    load(bets_doc("id: a, kind: hypothesis, title: A, status: active, resolution: {verdict: inconclusive}"))


def test_current_is_the_latest_checkin() -> None:
    text = HEAD + textwrap.dedent(
        """\
        bets:
          - id: a
            kind: outcome
            title: A
            metric:
              name: activation
              baseline: 10
              target: 40
              checkins:
                - {value: 31, date: 2026-10-15, note: after the wizard}
                - {value: 18, date: 2026-09-01}
                - {value: 25, date: 2026-10-01}
        """
    )
    graph, _ = load(text)
    metric = graph.bets[0].metric
    assert metric is not None
    assert metric.current == 31
    assert metric.latest == m.CheckIn(31, dt.date(2026, 10, 15), "after the wizard")
    assert [c.value for c in metric.checkins] == [31, 18, 25]  # document order is kept
    again, _ = load(dump_yaml(graph))
    assert again == graph
    assert graph_to_data(graph)["bets"][0]["metric"]["current"] == 31


def test_a_current_that_disagrees_with_the_checkins_is_refused_at_its_line() -> None:
    text = HEAD + textwrap.dedent(
        """\
        bets:
          - id: a
            kind: outcome
            title: A
            metric:
              name: activation
              current: 20
              checkins: [{value: 31, date: 2026-10-15}, {value: x, date: 2026-10-32, notes: n}]
        """
    )
    assert problems_of(text) == [
        ("value must be a number, got 'x'", (10, 57)),
        ("date must be an ISO date (YYYY-MM-DD), got '2026-10-32'", (10, 66)),
        ("unknown field 'notes' (did you mean 'note'?)", (10, 78)),
    ]
    fixed = text.replace("{value: x, date: 2026-10-32, notes: n}", "{value: 25, date: 2026-10-01}")
    assert problems_of(fixed) == [
        ("current is 20 but the latest check-in (2026-10-15) says 31: leave current out, or make them agree", (9, 16))
    ]


def test_checkins_of_one_day_take_the_last_listed() -> None:
    checkins = "[{value: 1, date: 2026-10-01}, {value: 2, date: 2026-10-01}]"
    row = f"id: a, kind: outcome, title: A, metric: {{name: m, checkins: {checkins}}}"
    metric = load(bets_doc(row))[0].bets[0].metric
    assert metric is not None
    assert metric.current == 2


def test_a_rank_is_a_whole_number_from_1_and_is_written_back() -> None:
    graph, _ = load(bets_doc("id: a, kind: vision, title: A, rank: 3"))
    assert graph.bet_by_id["a"].rank == 3
    assert bet_to_data(graph.bet_by_id["a"])["rank"] == 3
    assert "rank" not in bet_to_data(load(bets_doc("id: a, kind: vision, title: A"))[0].bet_by_id["a"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "rank must be between 1 and 1,000,000, got 0"),
        ("-2", "rank must be between 1 and 1,000,000, got -2"),
        ("1.5", "rank must be a whole number, got 1.5"),
        ("first", "rank must be a whole number, got 'first'"),
    ],
)
def test_a_rank_that_is_no_place_in_a_column_is_refused_where_it_stands(value: str, message: str) -> None:
    text = bets_doc(f"id: a, kind: vision, title: A, rank: {value}")
    assert only_problem(text) == (message, at(text, value, within=f"rank: {value}"))
