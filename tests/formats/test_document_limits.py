"""Bad input in a document: always a clear, small problem; never a crash, huge memory or a huge answer."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.formats.document import graph_from_data, load
from app.formats.problems import MAX_PROBLEMS, DocumentError, Problem, check_text
from app.formats.source import Path

NESTED_TOO_DEEPLY = "the document is nested too deeply (more than 64 levels)"

# Every field a document may have, each with a valid value.
FULL: dict[str, Any] = {
    "betgraph": 1,
    "graph": {
        "slug": "acme",
        "title": "Acme",
        "description": "What we bet on.",
        "as_of": "2026-11-01",
        "visibility": "private",
        "lint": {
            "disable": ["orphan"],
            "false_certainty": 0.8,
            "false_certainty_chain": 0.1,
            "unsupported_assumption": 0.7,
            "long_horizon": "1y",
        },
    },
    "bets": [
        {
            "id": "grow",
            "kind": "goal",
            "title": "Grow",
            "description": "More accounts.",
            "parents": ["vision"],
            "assumes": ["pain"],
            "horizon": "6w",
            "certainty": "70%",
            "prescriptiveness": "outcome",
            "debate": "open",
            "review_by": "2026-12-01",
            "status": "active",
            "owner": "Ann",
            "team": "growth",
            "tags": ["q4"],
            "links": ["https://example.com/grow"],
            "metric": {
                "name": "Signups",
                "unit": "per week",
                "direction": "up",
                "baseline": 10,
                "target": 20,
                "checkins": [{"value": 12.5, "date": "2026-10-01", "note": "first week"}],
            },
            "verdict": "too early",
            "learned": "nothing yet",
            "resolution": {
                "verdict": "inconclusive",
                "learned": "mixed",
                "committed_certainty": 0.5,
                "resolved_on": "2026-10-02",
            },
        },
        {"id": "vision", "kind": "vision", "title": "Vision"},
    ],
    "assumptions": [
        {
            "id": "pain",
            "statement": "Setup hurts",
            "certainty": 0.5,
            "importance": 3,
            "category": "desirability",
            "debate": "open",
            "review_by": "2026-12-01",
            "evidence": [
                {
                    "kind": "data",
                    "summary": "41% never finish setup",
                    "level": "market-data",
                    "direction": "supports",
                    "url": "https://example.com/data",
                    "date": "2026-01-01",
                }
            ],
            "resolution": {"verdict": "validated", "learned": "it does", "committed_certainty": 0.6},
        }
    ],
}

# Free text: whatever is written is kept, so these are refused by check_text's rule itself.
FREE_TEXT = {"title", "description", "owner", "team", "tags", "links", "unit", "note", "verdict", "learned"}
FREE_TEXT |= {"name", "statement", "summary", "url"}


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def replaced(path: Path, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(FULL)
    *parents, last = path
    holder: Any = document
    for part in parents:
        holder = holder[part]
    holder[last] = value
    return document


def pointer(path: Path) -> str:
    return "".join(f"/{part}" for part in path)


def problems_of(text: str, *, positions: bool) -> tuple[Problem, ...]:
    with pytest.raises(DocumentError) as caught:
        load(text, positions=positions)
    problems = caught.value.problems
    for problem in problems:  # what an answer carries can be sent as UTF-8
        problem.message.encode("utf-8")
        problem.pointer.encode("utf-8")
    str(caught.value).encode("utf-8")
    return problems


def test_the_full_document_is_valid() -> None:
    graph, _ = load(json.dumps(FULL))
    assert graph.bets[0].metric is not None


STRINGS = [path for path, value in leaves(FULL) if isinstance(value, str)]


@pytest.mark.parametrize("bad", ["\x00", chr(0xD800), chr(0xDFFF)], ids=["nul", "high-surrogate", "low-surrogate"])
@pytest.mark.parametrize("path", STRINGS, ids=pointer)
@pytest.mark.parametrize("positions", [True, False])
def test_nul_and_lone_surrogates_are_refused_in_every_string(path: Path, bad: str, positions: bool) -> None:
    original = FULL
    for part in path:
        original = original[part]  # type: ignore[index]
    text = json.dumps(replaced(path, f"{original}{bad}x"))
    problems = problems_of(text, positions=positions)
    found = [problem for problem in problems if problem.pointer == pointer(path)]
    assert found, problems
    if {part for part in path if isinstance(part, str)} & FREE_TEXT and path[-2:] != ("resolution", "verdict"):
        assert found[0].message.endswith(check_text(bad) or "?"), found[0].message


@pytest.mark.parametrize("positions", [True, False])
def test_nul_and_lone_surrogates_in_keys_are_refused(positions: bool) -> None:
    (problem,) = problems_of(json.dumps(replaced(("graph", "ti\x00tle"), "A")), positions=positions)
    assert problem.message == "unknown field 'ti\\x00tle' (did you mean 'title'?)"
    assert problem.pointer == "/graph/ti\x00tle"
    (problem,) = problems_of(json.dumps(replaced(("graph", "ti\ud800tle"), "A")), positions=positions)
    assert problem.message == (
        "graph: 'ti\\ud800tle' must not contain U+D800, a lone surrogate: half of a character written as two"
    )
    assert problem.pointer == "/graph"


def test_check_text() -> None:
    assert check_text("plain text, ünïcode and 😀") is None
    assert check_text("a\x00b") == "must not contain NUL characters (\\x00)"
    assert check_text("a\ud83d") == "must not contain U+D83D, a lone surrogate: half of a character written as two"
    assert check_text("\udc00") == "must not contain U+DC00, a lone surrogate: half of a character written as two"


NUMBERS = [path for path, value in leaves(FULL) if isinstance(value, int | float) and not isinstance(value, bool)]
NUMBERS += [
    ("bets", 0, "metric", "current"),
    ("bets", 0, "prescriptiveness"),
    ("bets", 0, "certainty"),
    ("graph", "as_of"),
    ("bets", 0, "review_by"),
    ("bets", 0, "metric", "checkins", 0, "date"),
]
HUGE = ["1e400", "-1e400", "1" + "0" * 400, "-1" + "0" * 400, "NaN", "Infinity", "-Infinity"]


@pytest.mark.parametrize("literal", HUGE)
@pytest.mark.parametrize("path", NUMBERS, ids=pointer)
@pytest.mark.parametrize("positions", [True, False])
def test_huge_and_non_finite_numbers_are_refused_in_every_numeric_field(
    path: Path, literal: str, positions: bool
) -> None:
    text = json.dumps(replaced(path, "@@")).replace('"@@"', literal)
    problems = problems_of(text, positions=positions)
    assert any(problem.pointer == pointer(path) for problem in problems), problems
    assert all(len(problem.message) < 300 for problem in problems), problems


def test_many_huge_bad_values_give_a_small_answer() -> None:
    big = "x" * 20_000
    bets = [
        {"id": f"b{index}", "kind": big, "title": big, "certainty": big + "%", "horizon": big, "links": [big]}
        for index in range(100)
    ]
    document = {"betgraph": 1, "graph": {"slug": "acme", "title": "Acme", big: big}, "bets": bets}
    text = json.dumps(document)
    for positions in (True, False):
        problems = problems_of(text, positions=positions)
        assert len(problems) == MAX_PROBLEMS + 1
        assert problems[-1] == Problem(f"… and {1 + 5 * 100 - MAX_PROBLEMS} more problems")
        assert sum(len(problem.message) + len(problem.pointer) for problem in problems) < 32_000
    with pytest.raises(DocumentError) as caught:
        graph_from_data(document)
    assert len(str(caught.value)) < 32_000


def test_a_value_repeated_through_aliases_is_quoted_short_each_time() -> None:
    # 22 KB that answered with 30 MB: every alias of a 20 KB value quoted whole
    text = "betgraph: 1\ngraph: {slug: acme, title: Acme}\nbets:\n"
    text += "  - {id: a, kind: &big " + "k" * 20_000 + ", title: A}\n"
    text += "".join(f"  - {{id: b{index}, kind: *big, title: *big}}\n" for index in range(90))
    assert len(text) < 25_000
    problems = problems_of(text, positions=True)
    assert len(problems) == MAX_PROBLEMS + 1
    assert all(len(problem.message) < 400 for problem in problems)
    assert problems[0].message.startswith("kind must be one of ")
    assert problems[0].message.endswith("got " + repr("k" * 80) + "…")


@pytest.mark.parametrize("length", [1_000, 100_000])  # YAML reads keys of up to 1024 characters
def test_an_unknown_key_too_long_to_quote_points_at_its_mapping(length: int) -> None:
    (problem,) = problems_of(json.dumps(replaced(("graph", "k" * length), 1)), positions=False)
    assert problem.message == f"unknown field {'k' * 80!r}…"
    assert problem.pointer == "/graph"
    if length < 1024:
        assert problem.position is not None  # at the key itself


def test_a_long_cycle_is_told_by_its_start_and_end() -> None:
    bets = [
        {"id": f"b{index}", "kind": "goal", "title": "B", "parents": [f"b{(index + 1) % 300}"]} for index in range(300)
    ]
    document = {"betgraph": 1, "graph": {"slug": "acme", "title": "Acme"}, "bets": bets}
    (problem,) = problems_of(json.dumps(document), positions=False)
    assert problem.message == "parents form a cycle: b0 -> b1 -> b2 -> b3 -> b4 -> b5 -> b6 -> b7 -> … 292 more -> b0"


DEEP = {
    "list": "[" * 100_000 + "]" * 100_000,
    "mapping": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "mapping-500": '{"a": ' * 500 + "1" + "}" * 500,  # deep enough for json.loads, not for a document
    "in-a-field": '{"betgraph": 1, "graph": {"slug": ' + "[" * 900 + "]" * 900 + ', "title": "A"}}',
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
@pytest.mark.parametrize("positions", [True, False])
def test_a_document_nested_too_deeply_is_one_clear_problem(text: str, positions: bool) -> None:
    (problem,) = problems_of(text, positions=positions)
    assert problem.message == NESTED_TOO_DEEPLY
    assert problem.position is not None
