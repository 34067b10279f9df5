"""Reading YAML and JSON into plain values that remember their line and column."""

from __future__ import annotations

import contextlib
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from app.formats import source
from app.formats.source import (
    _PLAIN_TAG,
    MAX_DEPTH,
    MAX_DIGITS,
    QUOTED,
    Position,
    SourceError,
    SourceMap,
    parse,
    quote,
    reads_as_text,
)


def value_of(text: str) -> Any:
    data, _ = parse(f"a: {text}\n")
    assert isinstance(data, dict)
    return data["a"]


def error_of(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse(text)
    return caught.value


# --- YAML 1.2 core scalars ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["no", "No", "NO", "yes", "on", "off", "y", "n", "2026-01-01", "2026-11-01 10:00:00", "12:30", "1_000", "0x1G"],
)
def test_yaml_1_1_booleans_dates_and_sexagesimals_stay_text(text: str) -> None:
    assert value_of(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("12", 12),
        ("+12", 12),
        ("-7", -7),
        ("0.5", 0.5),
        (".5", 0.5),
        ("-1.25", -1.25),
        ("3.", 3.0),
        ("1.5e-3", 0.0015),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("null", None),
        ("Null", None),
        ("~", None),
        ("", None),
    ],
)
def test_yaml_1_2_core_numbers_bools_and_null_parse(text: str, expected: object) -> None:
    found = value_of(text)
    assert found == expected
    assert type(found) is type(expected)


@pytest.mark.parametrize(("text", "expected"), [("1e3", 1000.0), ("1.0e3", 1000.0), ("2e-1", 0.2), ("1E+2", 100.0)])
def test_yaml_1_2_core_exponent_floats_parse(text: str, expected: float) -> None:
    found = value_of(text)
    assert found == expected
    assert type(found) is float


@pytest.mark.parametrize(("text", "expected"), [("007", 7), ("08", 8)])
def test_yaml_1_2_core_ints_with_leading_zeros_parse_as_ints(text: str, expected: int) -> None:
    found = value_of(text)
    assert found == expected
    assert type(found) is int


@pytest.mark.parametrize("text", ["'no'", '"12"', "'true'", '"~"', "!!str 12", "!!str yes", "'2026-01-01'"])
def test_quoted_or_str_tagged_scalars_stay_text(text: str) -> None:
    value = value_of(text)
    assert isinstance(value, str)


def test_block_scalars_keep_their_text() -> None:
    data, _ = parse("a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n")
    assert data == {"a": "line one\nline two\n", "b": "folded text"}


def test_unsupported_tags_are_rejected_with_their_position() -> None:
    error = error_of("a: 1\nb: !!binary aGk=\n")
    assert error.message == "unsupported YAML tag 'tag:yaml.org,2002:binary'"
    assert error.position == Position(2, 4)


@pytest.mark.parametrize("text", ["a: !!python/object:os.system {}\n", "a: !!set {x}\n", "a: !custom [1]\n"])
def test_python_and_custom_tags_are_rejected(text: str) -> None:
    assert error_of(text).message.startswith("unsupported YAML tag")


# --- duplicate keys, syntax errors, aliases ------------------------------------------------------


def test_duplicate_keys_are_rejected_at_the_second_key() -> None:
    error = error_of("graph:\n  slug: a\n  title: A\n  slug: b\n")
    assert error.message == "duplicate key 'slug'"
    assert error.position == Position(4, 3)
    assert str(error) == "duplicate key 'slug'"


def test_duplicate_keys_in_a_flow_mapping_are_rejected_at_the_second_key() -> None:
    error = error_of("bets:\n  - {id: a, kind: goal, id: b}\n")
    assert error.message == "duplicate key 'id'"
    assert error.position == Position(2, 25)


def test_a_key_written_twice_with_different_quoting_is_still_a_duplicate() -> None:
    error = error_of("title: A\n'title': B\n")
    assert error.message == "duplicate key 'title'"
    assert error.position == Position(2, 1)


@pytest.mark.parametrize(
    ("text", "problem", "position"),
    [
        ("a: [1, 2\n", "did not find expected ',' or ']'", Position(2, 1)),
        ("a: b: c\n", "mapping values are not allowed in this context", Position(1, 5)),
        ("a: 1\n b: 2\nc: 3\n", "mapping values are not allowed in this context", Position(2, 3)),
        ("a:\n\tb: 1\n", "found character that cannot start any token", Position(2, 1)),
        ('a: "open\n', "found unexpected end of stream", Position(2, 1)),
    ],
)
def test_syntax_errors_carry_the_problem_and_its_position(text: str, problem: str, position: Position) -> None:
    error = error_of(text)
    assert error.message == f"YAML syntax error: {problem}"
    assert error.position == position


def test_several_documents_in_one_stream_are_a_syntax_error() -> None:
    error = error_of("a: 1\n---\nb: 2\n")
    assert error.message.startswith("YAML syntax error: ")
    assert error.position == Position(2, 1)


def test_plain_aliases_are_expanded() -> None:
    data, source_map = parse("team: &t onboarding\nother: *t\nlist: &l [1, 2]\ncopy: *l\n")
    assert data == {"team": "onboarding", "other": "onboarding", "list": [1, 2], "copy": [1, 2]}
    # each use of an alias is placed where the anchored node was written
    assert source_map.value(("copy", 1)) == Position(3, 14)


@pytest.mark.parametrize(
    ("text", "position"),
    [("a: &x [*x]\n", Position(1, 4)), ("a: &x {b: *x}\n", Position(1, 4)), ("a: &x [1, [2, *x]]\n", Position(1, 4))],
)
def test_recursive_aliases_are_rejected(text: str, position: Position) -> None:
    error = error_of(text)
    assert error.message == "a YAML alias refers to itself"
    assert error.position == position


def test_merge_keys_are_rejected_at_the_key() -> None:
    error = error_of("base: &b {kind: goal}\nbet:\n  id: a\n  <<: *b\n")
    assert error.message == "YAML merge keys (<<) are not supported; write the fields out"
    assert error.position == Position(4, 3)


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    data, _ = parse("'<<': 1\n")
    assert data == {"<<": 1}


def test_complex_keys_are_rejected() -> None:
    error = error_of("? [a, b]\n: 1\n")
    assert error.message == "mapping keys must be plain names"
    assert error.position == Position(1, 3)


def test_an_alias_bomb_is_rejected_quickly() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
    error = error_of("\n".join(levels) + "\n")
    assert error.message == "the document is too large (or expands too far through aliases)"
    assert error.position is not None


def test_aliases_within_reason_are_expanded() -> None:
    data, _ = parse("base: &b {kind: data, summary: shared}\nothers: [*b, *b, *b]\n")
    assert data["others"] == [{"kind": "data", "summary": "shared"}] * 3


def test_a_source_error_can_leave_a_context_manager() -> None:
    @contextlib.contextmanager
    def block() -> Iterator[None]:
        yield

    with pytest.raises(SourceError), block():
        parse("a: [")


# --- positions -----------------------------------------------------------------------------------


def test_positions_of_values_and_keys_are_one_based() -> None:
    text = "betgraph: 1\ngraph:\n  slug: acme\nbets:\n  - id: a\n    parents: [b, c]\n"
    data, source_map = parse(text)
    assert data == {"betgraph": 1, "graph": {"slug": "acme"}, "bets": [{"id": "a", "parents": ["b", "c"]}]}
    assert source_map.value(()) == Position(1, 1)
    assert source_map.value(("betgraph",)) == Position(1, 11)
    assert source_map.key(("graph", "slug")) == Position(3, 3)
    assert source_map.value(("graph", "slug")) == Position(3, 9)
    assert source_map.value(("bets", 0)) == Position(5, 5)
    assert source_map.value(("bets", 0, "parents", 1)) == Position(6, 18)
    assert source_map.key(("bets", 0, "parents")) == Position(6, 5)


def test_a_missing_path_falls_back_to_the_nearest_enclosing_value() -> None:
    _, source_map = parse("bets:\n  - id: a\n")
    assert source_map.value(("bets", 0, "title")) == Position(2, 5)
    assert source_map.value(("bets", 3, "title")) == Position(2, 3)
    # no key was written for a missing field, so its key falls back to the value too
    assert source_map.key(("bets", 0, "title")) == Position(2, 5)
    assert source_map.key(("bets", 0, "id")) == Position(2, 5)


def test_an_empty_source_map_places_nothing() -> None:
    assert SourceMap().value(("a",)) is None
    assert SourceMap().key(("a",)) is None


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_an_empty_document_is_none(text: str) -> None:
    data, source_map = parse(text)
    assert data is None
    assert source_map.value_nodes == {}


# --- JSON ----------------------------------------------------------------------------------------


def test_json_text_is_parsed_with_positions() -> None:
    document = {"betgraph": 1, "graph": {"slug": "acme", "title": "no"}, "bets": [{"id": "a", "certainty": 0.5}]}
    text = json.dumps(document, indent=2)
    data, source_map = parse(text)
    assert data == document
    lines = text.splitlines()
    line = next(index for index, row in enumerate(lines, 1) if '"certainty"' in row)
    assert source_map.value(("bets", 0, "certainty")) == Position(line, lines[line - 1].index("0.5") + 1)
    assert source_map.key(("bets", 0, "certainty")) == Position(line, lines[line - 1].index('"certainty"') + 1)


def test_json_on_one_line_and_with_tabs_parses() -> None:
    data, source_map = parse('{"a": {"b": [true, null, 1.5, "x"]}}')
    assert data == {"a": {"b": [True, None, 1.5, "x"]}}
    assert source_map.value(("a", "b", 3)) == Position(1, 31)
    data, _ = parse('{\n\t"a": 1,\n\t"b": "2026-01-01"\n}\n')
    assert data == {"a": 1, "b": "2026-01-01"}


def test_json_escapes_are_decoded() -> None:
    data, _ = parse(r'{"a": "caf\u00e9 \"q\" \\ \/ \n\t"}')
    assert data == {"a": 'café "q" \\ / \n\t'}


def test_json_surrogate_pair_escapes_are_decoded() -> None:
    text = json.dumps({"title": "Ship it 😀"})
    assert "\\ud83d\\ude00" in text
    data, _ = parse(text)
    assert data == {"title": "Ship it 😀"}


def test_duplicate_keys_in_json_are_rejected() -> None:
    error = error_of('{\n  "a": 1,\n  "a": 2\n}\n')
    assert error.message == "duplicate key 'a'"
    assert error.position == Position(3, 3)


def test_a_json_syntax_error_has_a_position() -> None:
    error = error_of('{\n  "a": 1,\n  "b": [1, 2\n}\n')
    assert error.message.startswith("YAML syntax error: ")
    assert error.position is not None
    assert error.position.line == 4


# --- limits: aliases, depth, long numbers, odd text -----------------------------------------------


def test_aliases_that_repeat_a_large_value_are_refused_before_building_it() -> None:
    # 260 KB of text that would build 4 GB: a 100 KB string, then 40,000 aliases of it
    text = "big: &big " + "x" * 100_000 + "\nuses: [" + ", ".join(["*big"] * 40_000) + "]\n"
    tracemalloc.start()
    try:
        error = error_of(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.message == "YAML aliases repeat this value too often (their copies pass 4,000,000 characters)"
    assert error.position == Position(1, 6)  # the anchored value, which every alias stands for
    assert peak < 32_000_000


def test_keys_reached_through_aliases_count_towards_the_budget() -> None:
    # one node each, but every copy carries a 100 KB key
    text = "one: &m\n  ? " + "k" * 100_000 + "\n  : 1\nmany: [" + ", ".join(["*m"] * 100) + "]\n"
    assert error_of(text).message.startswith("YAML aliases repeat this value too often")


def test_aliases_within_the_budget_are_expanded() -> None:
    text = "big: &big " + "x" * 100_000 + "\nuses: [" + ", ".join(["*big"] * 39) + "]\n"
    data, _ = parse(text)
    assert len(data["uses"]) == 39


@pytest.mark.parametrize("positions", [True, False])
def test_nesting_is_limited_in_flow_and_block_style(positions: bool) -> None:
    assert parse("[" * MAX_DEPTH + "]" * MAX_DEPTH, positions=positions)[0] is not None
    with pytest.raises(SourceError) as caught:
        parse("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), positions=positions)
    assert caught.value.message == "the document is nested too deeply (more than 64 levels)"
    assert caught.value.position == Position(1, MAX_DEPTH + 1)
    block = "".join(" " * level + "a:\n" for level in range(MAX_DEPTH + 1)) + " " * (MAX_DEPTH + 1) + "b: 1\n"
    with pytest.raises(SourceError) as caught:
        parse(block, positions=positions)
    assert caught.value.message == "the document is nested too deeply (more than 64 levels)"
    assert caught.value.position == Position(MAX_DEPTH + 1, MAX_DEPTH + 1)


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a": ' * 100_000 + "1" + "}" * 100_000])
def test_json_nested_a_hundred_thousand_deep_is_too_deep(text: str) -> None:
    error = error_of(text)
    assert error.message == "the document is nested too deeply (more than 64 levels)"
    assert error.position is not None


def test_nesting_is_limited_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    class PureLoader(yaml.SafeLoader):
        def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode and implicit[0]:
                return _PLAIN_TAG
            return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]

    monkeypatch.setattr(source, "_Loader", PureLoader)
    for depth in (MAX_DEPTH + 1, 5_000):  # our limit, then the pure-Python composer's recursion
        assert error_of("[" * depth + "]" * depth).message == "the document is nested too deeply (more than 64 levels)"


def test_an_integer_too_long_to_read_is_refused_where_it_stands() -> None:
    assert value_of("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    for digits in ("9" * (MAX_DIGITS + 1), "0x" + "f" * MAX_DIGITS, "-" + "1" * 5_000):
        error = error_of(f"a: 1\nb: {digits}\n")
        assert error.message == "a whole number of more than 1,000 digits cannot be read"
        assert error.position == Position(2, 4)
    # quoted, it is text, and whether text reads as text stays answerable
    assert value_of("'" + "9" * 5_000 + "'") == "9" * 5_000
    assert not reads_as_text("9" * 5_000)


def test_a_lone_surrogate_in_the_text_is_refused_with_its_position() -> None:
    error = error_of("a: 1\nb: x\ud800y\n")
    assert error.message == "the text holds a lone surrogate, which is not a character"
    assert error.position == Position(2, 5)


def test_messages_quote_only_the_start_of_long_keys_and_tags() -> None:
    key = "k" * 100_000
    assert error_of(f"? {key}\n: 1\n? {key}\n: 2\n").message == f"duplicate key {'k' * QUOTED!r}…"
    assert len(error_of(f"a: !{'t' * 100_000} 1\n").message) < 200


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("short", "'short'"),
        ("x" * 100_000, repr("x" * QUOTED) + "…"),
        ("a\x00b\ud800", r"'a\x00b\ud800'"),
        (12, "12"),
        (1.5, "1.5"),
        (10**400, "a whole number of about 401 digits"),
        (-(10**5000), "a whole number of about 5001 digits"),
        ([1, 2], "[1, 2]"),
        (list(range(1_000_000)), "[0, 1, 2, 3, …]"),
        (None, "None"),
    ],
    ids=["short", "long", "unstorable", "int", "float", "huge-int", "too-long-int", "list", "long-list", "none"],
)
def test_quote_shows_a_short_prefix(value: object, shown: str) -> None:
    assert quote(value) == shown


def test_quote_stays_short_for_deep_and_wide_values() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    wide = {f"key {index} " + "v" * 1_000: ["x" * 1_000] * 1_000 for index in range(1_000)}
    for value in (deep, wide, [[["y" * 10_000] * 10] * 10] * 10):
        assert len(quote(value)) <= 4 * QUOTED + 1
