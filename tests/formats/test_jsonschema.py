"""The document's JSON Schema against the loader, with check-jsonschema as the real validator: it must take
every document the loader takes, and refuse what the loader refuses for its structure."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
import subprocess
import tempfile
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.domain import model as m
from app.domain.lint import RULES
from app.domain.synthetic import synthetic_graph
from app.formats import fields
from app.formats import schema as s
from app.formats.jsonschema import DIALECT, SCHEMA_ID, document_schema, schema_text
from app.formats.starter import STARTER
from app.formats.writing import dump_json, dump_yaml
from tests.formats.test_document import HEAD, RICH, bets_doc
from tests.schemacheck import CHECK_JSONSCHEMA, loader_accepts, schema_file, schema_messages, schema_verdicts
from tests.servers import ROOT

MODELINE = "# yaml-language-server: $schema=https://betgraph.example.org/schema/v1.json\n"


def _properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(model, field, its schema) for every field of every model, the document's own first."""
    found = [("Document", name, field) for name, field in schema["properties"].items()]
    for model, definition in schema["$defs"].items():
        found += [(model, name, field) for name, field in definition.get("properties", {}).items()]
    return found


Checked = dict[str, dict[str, list[str]]]


@functools.cache
def _handed_over() -> dict[str, dict[str, tuple[str, str]]]:
    """What each test below hands check-jsonschema: by test, each document's text and file suffix."""

    def as_yaml(documents: dict[str, str]) -> dict[str, tuple[str, str]]:
        return {name: (text, ".yaml") for name, text in documents.items()}

    graphs = {bets: synthetic_graph(bets) for bets in (1, 1000)}
    return {
        "in place": {name: (text, ".json") for name, text in example_documents().items()},
        "friendly": as_yaml(FRIENDLY),
        "files": as_yaml(files()),
        **{
            f"{bets} bets": {"yaml": (dump_yaml(graph), ".yaml"), "json": (dump_json(graph), ".json")}
            for bets, graph in graphs.items()
        },
        "structure": as_yaml(STRUCTURE),
        "semantic": as_yaml(SEMANTIC),
        "modeline": as_yaml({"modeline": MODELINE + HEAD}),
        "misspelt": as_yaml({"misspelt": bets_doc("id: a, kind: vision, title: A, horizn: 6w")}),
    }


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    """check-jsonschema's messages on the documents of every test below, from one run over them all:
    each run starts Python and imports jsonschema, about a second of CPU, paid once instead of eleven times."""
    tests = _handed_over()
    everything = {(test, name): document for test, documents in tests.items() for name, document in documents.items()}
    found = schema_messages(tmp_path_factory.mktemp("schema"), everything)
    return {test: {name: found[test, name] for name in documents} for test, documents in tests.items()}


def _both(checked: Checked, test: str) -> dict[str, tuple[bool, bool]]:
    """Each document of `test`'s: (loader accepts, check-jsonschema accepts)."""
    return {name: (loader_accepts(text), not checked[test][name]) for name, (text, _) in _handed_over()[test].items()}


def _both_now(folder: Path, documents: dict[str, str]) -> dict[str, tuple[bool, bool]]:
    """Each document's (loader accepts, check-jsonschema accepts), from a run of check-jsonschema of their own."""
    schema = schema_verdicts(folder, documents)
    return {name: (loader_accepts(text), schema[name]) for name, text in documents.items()}


# --- the schema itself ---------------------------------------------------------------------------


def test_the_schema_is_valid_draft_2020_12(tmp_path: Path) -> None:
    ran = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--check-metaschema", str(schema_file(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_schema_names_its_dialect_and_id() -> None:
    schema = document_schema()
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == "urn:betgraph:document:v1"  # a name: no address serves every copy
    assert schema["title"] == "Betgraph document"
    assert schema["required"] == ["betgraph", "graph"]
    assert json.loads(schema_text()) == schema
    assert schema_text().endswith("}\n")


def test_every_field_has_a_description_and_examples() -> None:
    fields = _properties(document_schema())
    assert len(fields) > 60
    for model, name, field in fields:
        assert field.get("description"), f"{model}.{name} has no description"
        assert isinstance(field.get("examples"), list), f"{model}.{name} has no examples"
        assert field["examples"], f"{model}.{name} has no examples"
    for model, definition in document_schema()["$defs"].items():
        if definition.get("type") == "object":
            assert definition.get("description"), f"{model} has no description"
            assert definition["additionalProperties"] is False


def _enums(value: Any) -> list[list[Any]]:
    if isinstance(value, dict):
        return ([value["enum"]] if "enum" in value else []) + [e for v in value.values() for e in _enums(v)]
    if isinstance(value, list):
        return [e for v in value for e in _enums(v)]
    return []


@pytest.mark.parametrize(
    "cls",
    [
        m.Kind,
        m.Debate,
        m.Status,
        m.Verdict,
        m.Category,
        m.EvidenceKind,
        m.EvidenceLevel,
        m.Direction,
        m.MetricDirection,
        m.Visibility,
    ],
)
def test_enums_list_their_values(cls: type[Enum]) -> None:
    assert [member.value for member in cls] in _enums(document_schema())


def test_prescriptiveness_names_and_lint_rules_are_listed() -> None:
    enums = _enums(document_schema())
    assert [p.label for p in m.Prescriptiveness] in enums
    assert list(RULES) in enums


def test_the_whitespace_of_patterns_is_pythons() -> None:
    # what str.strip() takes away, the parsers' patterns take (ECMAScript's \s differs; see SPACE_CHARS)
    space = re.compile(fields.SPACE)
    assert [c for c in range(0x110000) if space.fullmatch(chr(c))] == [c for c in range(0x110000) if chr(c).isspace()]


def test_every_character_that_lowers_to_an_ascii_letter_is_folded() -> None:
    folds = {
        chr(c).lower(): chr(c)
        for c in range(0x80, 0x110000)
        if len(chr(c).lower()) == 1 and chr(c).lower().isascii() and chr(c).lower().isalpha()
    }
    assert {letter: other.encode("unicode_escape").decode() for letter, other in folds.items()} == fields.FOLDS


# --- documents both take -------------------------------------------------------------------------


def _skeleton() -> dict[str, Any]:
    """A valid document with one of every part, where each field's examples are tried in turn."""
    return {
        "betgraph": 1,
        "graph": {"slug": "acme", "title": "Acme", "lint": {}},
        "bets": [
            {"id": "vision", "kind": "vision", "title": "V"},
            {
                "id": "goal",
                "kind": "goal",
                "title": "G",
                "parents": ["vision"],
                "metric": {"name": "M", "checkins": [{"value": 1, "date": "2026-01-01"}]},
                "resolution": {"verdict": "inconclusive"},
            },
        ],
        "assumptions": [
            {"id": "setup-pain", "statement": "S", "evidence": [{"kind": "data", "summary": "E"}]},
            {"id": "other", "statement": "S", "resolution": {"verdict": "validated"}},
        ],
    }


# where each model sits in the skeleton
_PLACES: dict[str, tuple[str | int, ...]] = {
    "Document": (),
    "GraphDoc": ("graph",),
    "LintDoc": ("graph", "lint"),
    "BetDoc": ("bets", 1),
    "MetricDoc": ("bets", 1, "metric"),
    "CheckInDoc": ("bets", 1, "metric", "checkins", 0),
    "ResolutionDoc": ("bets", 1, "resolution"),
    "AssumptionDoc": ("assumptions", 0),
    "EvidenceDoc": ("assumptions", 0, "evidence", 0),
}


def example_documents() -> dict[str, str]:
    documents: dict[str, str] = {}
    for model, name, field in _properties(document_schema()):
        for number, example in enumerate(field["examples"]):
            data = _skeleton()
            where: Any = data
            for step in _PLACES[model]:
                where = where[step]
            where[name] = copy.deepcopy(example)
            if model == "MetricDoc" and name == "current":
                del where["checkins"]  # with check-ins, current must agree with the latest
            documents[f"{model}.{name}[{number}]"] = json.dumps(data)
    return documents


def test_every_example_is_taken_by_both_in_place(checked: Checked) -> None:
    verdicts = _both(checked, "in place")
    assert {name: v for name, v in verdicts.items() if v != (True, True)} == {}


FRIENDLY = {
    "percentages": bets_doc(
        "id: a, kind: vision, title: A, certainty: 70%", "id: b, kind: vision, title: B, certainty: 12.5 %"
    )
    + "assumptions:\n  - {id: c, statement: C, certainty: '  100%'}\n",
    "names or numbers": bets_doc(
        "id: a, kind: vision, title: A, prescriptiveness: 4",
        "id: b, kind: vision, title: B, prescriptiveness: Guided",
        "id: c, kind: vision, title: C, prescriptiveness: ' explore '",
    ),
    "any case": bets_doc("id: a, kind: Vision, title: A, status: ACTIVE, debate: ' Open'")
    + "assumptions:\n  - {id: c, statement: C, category: Feasibility,"
    " evidence: [{kind: Data, summary: S, level: Market-Data, direction: REFUTES}]}\n",
    # KELVIN SIGN, which str.lower() makes a k
    "a kelvin sign": HEAD
    + "assumptions:\n  - {id: c, statement: C, evidence: [{kind: data, summary: S, level: mar\u212aet-data}]}\n",
    "durations and dates": bets_doc(
        "id: a, kind: vision, title: A, horizon: 6w",
        "id: b, kind: vision, title: B, horizon: 2027-03-31",
        "id: c, kind: vision, title: C, horizon: ' 999d '",
        "id: d, kind: vision, title: D, horizon: 2q",
    ),
    "a horizon date with spaces": bets_doc("id: a, kind: vision, title: A, horizon: ' 2027-03-31 '"),
    "yaml dates": "betgraph: 1\ngraph: {slug: a, title: A, as_of: 2026-11-01}\n"
    "bets:\n  - {id: a, kind: vision, title: A, review_by: 2026-12-01,"
    " resolution: {verdict: validated, resolved_on: 2026-10-01}}\n",
    "one or a list": bets_doc(
        "id: a, kind: vision, title: A, tags: growth, links: 'HTTPS://example.org'",
        "id: b, kind: goal, title: B, parents: a, tags: [1, two, 3.5]",
    )
    + "  - {id: c, kind: goal, title: C, parents: [a, b]}\n",
    "a next-line character around a name": bets_doc('id: a, kind: vision, title: A, status: "\\x85active\\u3000"'),
    "a title of a byte-order mark": bets_doc('id: a, kind: vision, title: "\\ufeff"'),
    "numbers as text": bets_doc("id: a, kind: vision, title: 2026, owner: 42, team: 7.5, description: 1e3"),
    "empty optional text": bets_doc("id: a, kind: vision, title: A, owner: '', verdict: ''"),
    "nulls where a value may be left out": bets_doc(
        "id: a, kind: vision, title: A, horizon: null, certainty: ~, metric: null, resolution: null"
    ),
    "the format version as a float": "betgraph: 1.0\ngraph: {slug: a, title: A}\n",
    "a modeline": MODELINE + HEAD,
    "betgraph init's starter": STARTER,
    "flow of everything": RICH,
    "lint settings": "betgraph: 1\ngraph:\n  slug: a\n  title: A\n  lint: {disable: orphan, long_horizon: 2y,"
    " false_certainty: 95%}\n",
}


def test_friendly_forms_are_taken_by_both(checked: Checked) -> None:
    verdicts = _both(checked, "friendly")
    assert {name: v for name, v in verdicts.items() if v != (True, True)} == {}


def files() -> dict[str, str]:
    paths = [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "tests" / "fixtures" / "design_example.yaml"]
    paths += sorted((ROOT / "docs" / "lint").glob("*.yaml"))
    return {str(path.relative_to(ROOT)): path.read_text() for path in paths}


def test_the_examples_and_fixtures_are_taken_by_both(checked: Checked) -> None:
    found = files()
    assert "examples/acme.yaml" in found
    assert "examples/failures.yaml" in found
    verdicts = _both(checked, "files")
    assert {name: v for name, v in verdicts.items() if v != (True, True)} == {}


@pytest.mark.parametrize("bets", [1, 1000])
def test_generated_graphs_are_taken_by_both_as_yaml_and_json(checked: Checked, bets: int) -> None:
    assert _both(checked, f"{bets} bets") == {"yaml": (True, True), "json": (True, True)}


# --- documents both refuse -----------------------------------------------------------------------

STRUCTURE = {
    # unknown fields, at every level
    "unknown top-level field": HEAD + "bet: []\n",
    "unknown graph field": "betgraph: 1\ngraph: {slug: a, title: A, colour: red}\n",
    "unknown lint field": "betgraph: 1\ngraph: {slug: a, title: A, lint: {disabel: [orphan]}}\n",
    "unknown bet field": bets_doc("id: a, kind: vision, title: A, horizn: 6w"),
    "unknown metric field": bets_doc("id: a, kind: outcome, title: A, metric: {name: m, dirction: up}"),
    "unknown check-in field": bets_doc(
        "id: a, kind: outcome, title: A, metric: {name: m, checkins: [{value: 1, date: 2026-01-01, by: x}]}"
    ),
    "unknown resolution field": bets_doc("id: a, kind: vision, title: A, resolution: {verdict: validated, why: x}"),
    "unknown assumption field": HEAD + "assumptions:\n  - {id: a, statement: S, owner: x}\n",
    "unknown evidence field": HEAD
    + "assumptions:\n  - {id: a, statement: S, evidence: [{kind: data, summary: x, levl: opinion}]}\n",
    # missing required fields
    "no version": "graph: {slug: acme, title: Acme}\n",
    "no graph": "betgraph: 1\n",
    "no slug": "betgraph: 1\ngraph: {title: Acme}\n",
    "no graph title": "betgraph: 1\ngraph: {slug: acme}\n",
    "no bet title": HEAD + "bets:\n  - {id: a, kind: vision}\n",
    "no bet kind": HEAD + "bets:\n  - {id: a, title: A}\n",
    "no bet id": HEAD + "bets:\n  - {kind: vision, title: A}\n",
    "no statement": HEAD + "assumptions:\n  - {id: a}\n",
    "no evidence summary": HEAD + "assumptions:\n  - {id: a, statement: S, evidence: [{kind: data}]}\n",
    "no metric name": bets_doc("id: a, kind: outcome, title: A, metric: {target: 3}"),
    "no check-in date": bets_doc("id: a, kind: outcome, title: A, metric: {name: m, checkins: [{value: 3}]}"),
    "no verdict": bets_doc("id: a, kind: vision, title: A, resolution: {learned: x}"),
    # wrong types
    "a list for a document": "[]\n",
    "text for a document": "hello\n",
    "an empty document": "",
    "bets as a mapping": HEAD + "bets: {}\n",
    "a list for a title": bets_doc("id: a, kind: vision, title: [x]"),
    "a mapping for parents": bets_doc("id: a, kind: vision, title: A, parents: {a: 1}"),
    "a number for a metric": bets_doc("id: a, kind: vision, title: A, metric: 3"),
    "a number for horizon": bets_doc("id: a, kind: vision, title: A, horizon: 6"),
    "a bool for certainty": bets_doc("id: a, kind: vision, title: A, certainty: true"),
    "a bool for the version": "betgraph: true\ngraph: {slug: acme, title: Acme}\n",
    "a bool for importance": HEAD + "assumptions:\n  - {id: a, statement: S, importance: true}\n",
    "a bool for a target": bets_doc("id: a, kind: outcome, title: A, metric: {name: m, target: true}"),
    "a bool for a title": bets_doc("id: a, kind: vision, title: true"),
    "a number for an id": bets_doc("id: 12, kind: vision, title: A"),
    "a number for tags": bets_doc("id: a, kind: vision, title: A, tags: 42"),
    "null for an owner": bets_doc("id: a, kind: vision, title: A, owner: null"),
    "null for parents": bets_doc("id: a, kind: vision, title: A, parents: null"),
    "text for a value": bets_doc(
        "id: a, kind: outcome, title: A, metric: {name: m, checkins: [{value: x, date: 2026-01-01}]}"
    ),
    "a float for a rank": bets_doc("id: a, kind: vision, title: A, rank: 1.5"),
    # bad values of enums and forms
    "a kind that is none": bets_doc("id: a, kind: goel, title: A"),
    "a status that is none": bets_doc("id: a, kind: vision, title: A, status: activ"),
    "a debate that is none": bets_doc("id: a, kind: vision, title: A, debate: setled"),
    "prescriptiveness 6": bets_doc("id: a, kind: vision, title: A, prescriptiveness: 6"),
    "prescriptiveness 0": bets_doc("id: a, kind: vision, title: A, prescriptiveness: 0"),
    "a bad prescriptiveness name": bets_doc("id: a, kind: vision, title: A, prescriptiveness: presribed"),
    "a bad category": HEAD + "assumptions:\n  - {id: a, statement: S, category: cost}\n",
    "a bad evidence level": HEAD
    + "assumptions:\n  - {id: a, statement: S, evidence: [{kind: data, summary: x, level: rumour}]}\n",
    "a bad visibility": "betgraph: 1\ngraph: {slug: a, title: A, visibility: secret}\n",
    "a bad verdict": bets_doc("id: a, kind: vision, title: A, resolution: {verdict: maybe}"),
    "an unknown lint rule": "betgraph: 1\ngraph: {slug: a, title: A, lint: {disable: [orphans]}}\n",
    "a rule that cannot be disabled": "betgraph: 1\ngraph: {slug: a, title: A, lint: {disable: cycle}}\n",
    "version 2": "betgraph: 2\ngraph: {slug: acme, title: Acme}\n",
    "version '1'": "betgraph: '1'\ngraph: {slug: acme, title: Acme}\n",
    "certainty 1.5": bets_doc("id: a, kind: vision, title: A, certainty: 1.5"),
    "certainty -0.1": bets_doc("id: a, kind: vision, title: A, certainty: -0.1"),
    "certainty 150%": bets_doc("id: a, kind: vision, title: A, certainty: 150%"),
    "certainty 100.5%": bets_doc("id: a, kind: vision, title: A, certainty: 100.5%"),
    "certainty high": bets_doc("id: a, kind: vision, title: A, certainty: high"),
    "certainty abc%": bets_doc("id: a, kind: vision, title: A, certainty: abc%"),
    "certainty 7e1%": bets_doc("id: a, kind: vision, title: A, certainty: 7e1%"),
    "certainty -0%": bets_doc("id: a, kind: vision, title: A, certainty: -0%"),
    "importance 6": HEAD + "assumptions:\n  - {id: a, statement: S, importance: 6}\n",
    "rank 0": bets_doc("id: a, kind: vision, title: A, rank: 0"),
    "horizon 6x": bets_doc("id: a, kind: vision, title: A, horizon: 6x"),
    "horizon 1000d": bets_doc("id: a, kind: vision, title: A, horizon: 1000d"),
    "horizon as a week date": bets_doc("id: a, kind: vision, title: A, horizon: 2026-W44-1"),
    "horizon in other digits": bets_doc("id: a, kind: vision, title: A, horizon: \u0663w"),
    "review_by 2026-02-30": bets_doc("id: a, kind: vision, title: A, review_by: 2026-02-30"),
    "review_by with a time": bets_doc("id: a, kind: vision, title: A, review_by: 2026-11-01T00:00:00"),
    "review_by 20261101": bets_doc("id: a, kind: vision, title: A, review_by: '20261101'"),
    "review_by as a number": bets_doc("id: a, kind: vision, title: A, review_by: 0"),
    "a blank title": bets_doc("id: a, kind: vision, title: '   '"),
    "a title of a control character": bets_doc('id: a, kind: vision, title: "a\\x01b"'),
    "a NUL in a description": bets_doc('id: a, kind: vision, title: A, description: "a\\0b"'),
    "a title too long": bets_doc(f"id: a, kind: vision, title: {'x' * 1001}"),
    "a tag too long": bets_doc(f"id: a, kind: vision, title: A, tags: [{'x' * 201}]"),
    "a bad id": bets_doc("id: Vision, kind: vision, title: A"),
    "an id too long": bets_doc(f"id: {'a' * 64}, kind: vision, title: A"),
    "a bad slug": "betgraph: 1\ngraph: {slug: Acme, title: A}\n",
    "a slug with a newline": 'betgraph: 1\ngraph: {slug: "acme\\n", title: A}\n',
    "a javascript link": bets_doc("id: a, kind: vision, title: A, links: ['javascript:alert(1)']"),
    "an ftp link": bets_doc("id: a, kind: vision, title: A, links: ftp://x"),
    "a link without a host": bets_doc("id: a, kind: vision, title: A, links: 'http:///no-host'"),
    "a link with a space": bets_doc("id: a, kind: vision, title: A, links: 'https://exa mple.org'"),
    "a link with a tag": bets_doc("id: a, kind: vision, title: A, links: 'https://x.org/<script>'"),
    "a link without a scheme": bets_doc("id: a, kind: vision, title: A, links: example.org"),
    "an evidence url": HEAD
    + "assumptions:\n  - {id: a, statement: S, evidence: [{kind: data, summary: x, url: 'javascript:x'}]}\n",
    "a byte-order mark around a name": bets_doc('id: a, kind: vision, title: A, status: "\\ufeffactive"'),
    "a title of a next-line character": bets_doc('id: a, kind: vision, title: "\\x85"'),
    "too many check-ins": bets_doc(
        "id: a, kind: outcome, title: A, metric: {name: m, checkins: ["
        + ", ".join(f"{{value: {i}, date: 2026-01-01}}" for i in range(1001))
        + "]}"
    ),
}


def test_structural_errors_are_refused_by_both(checked: Checked) -> None:
    verdicts = _both(checked, "structure")
    assert {name: v for name, v in verdicts.items() if v != (False, False)} == {}


# What needs the whole graph is beyond a schema: the loader refuses these, check-jsonschema takes them
# (docs/document.md says so).
SEMANTIC = {
    "a cycle": bets_doc("id: a, kind: vision, title: A, parents: b", "id: b, kind: goal, title: B, parents: a"),
    "an unknown parent": bets_doc("id: a, kind: vision, title: A", "id: b, kind: goal, title: B, parents: c"),
    "an unknown assumption": bets_doc("id: a, kind: vision, title: A, assumes: nothing"),
    "a duplicate id": bets_doc("id: a, kind: vision, title: A", "id: a, kind: goal, title: B"),
    "a parent listed twice": bets_doc("id: a, kind: vision, title: A", "id: b, kind: goal, title: B, parents: [a, a]"),
    "current against the latest check-in": bets_doc(
        "id: a, kind: outcome, title: A, metric: {name: m, current: 3, checkins: [{value: 4, date: 2026-01-01}]}"
    ),
    "a status against the verdict": bets_doc(
        "id: a, kind: vision, title: A, status: validated, resolution: {verdict: invalidated}"
    ),
}


def test_what_needs_the_whole_graph_is_for_the_loader_alone(checked: Checked) -> None:
    assert _both(checked, "semantic") == dict.fromkeys(SEMANTIC, (False, True))


def test_a_modeline_is_a_comment(checked: Checked) -> None:
    assert loader_accepts(MODELINE + HEAD)
    assert checked["modeline"]["modeline"] == []


def test_check_jsonschema_names_the_field(checked: Checked) -> None:
    messages = checked["misspelt"]["misspelt"]
    assert messages == ["Additional properties are not allowed ('horizn' was unexpected)"]


# --- generated documents -------------------------------------------------------------------------
# Each document is valid but for at most one field, whose every use takes values near the edge of
# what the loader takes (and plain junk): the two verdicts must agree on every one.

_CHARS = st.characters(exclude_categories=["Cs"])  # no lone surrogates: YAML cannot hold them
_SPACES = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\x85", "\ufeff"])
_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(-10, 10, allow_nan=False).filter(lambda x: not x.is_integer()),
    st.text(_CHARS, max_size=12),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "name"]), st.integers(0, 3), max_size=1),
)


def _any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda ups: "".join(c.upper() if up else c for c, up in zip(word, ups, strict=True))
    )


def _choice(values: list[str]) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    chosen = st.sampled_from(values)
    spaced = st.tuples(_SPACES, chosen.flatmap(_any_case), _SPACES).map("".join)
    return st.one_of(chosen, chosen.flatmap(_any_case)), st.one_of(spaced, st.text("abdegilnoprstuv- ", max_size=8))


_PERCENT = st.tuples(
    _SPACES, st.from_regex(r"0{0,2}[0-9]{1,4}(\.[0-9]{0,2})?|\.[0-9]{1,2}", fullmatch=True), _SPACES, _SPACES
).map(lambda t: f"{t[0]}{t[1]}{t[2]}%{t[3]}")
_DATE = st.dates(dt.date(1, 1, 1)).map(dt.date.isoformat)
_EDGE_DATE = st.one_of(
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.tuples(_SPACES, _DATE, _SPACES).map("".join),
    st.sampled_from(["2026-11-01T00:00:00", "20261101", "2026-W44-1", "0000-01-01"]),
)
_TITLE = st.one_of(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,.'!-]{0,20}", fullmatch=True), st.integers())
_NUMBER = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**20), 10**20))
FIELDS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    # name: (values the loader takes, values near the edge)
    "betgraph": (st.just(1), st.sampled_from([0, 2, "1", 1.5])),
    "slug": (
        st.from_regex(m.SLUG_PATTERN, fullmatch=True),
        st.one_of(st.text("abz09-_A.\n", min_size=1, max_size=5), st.text("a", min_size=62, max_size=65)),
    ),
    "title": (
        _TITLE,
        st.one_of(st.text(_CHARS, max_size=12), st.sampled_from([" ", "\ufeff", "\x85", "a\x01", "a\nb", "\t"])),
    ),
    "certainty": (
        st.one_of(st.floats(0, 1), _PERCENT.filter(fields.PERCENT_RE.fullmatch)),
        st.one_of(st.floats(-0.5, 1.5), _PERCENT),
    ),
    "date": (_DATE, _EDGE_DATE),
    "horizon": (
        st.one_of(st.from_regex(r"[0-9]{1,3}[dwmqy]", fullmatch=True), _DATE),
        st.one_of(
            st.tuples(_SPACES, st.from_regex(r"[0-9]{1,4}[dwmqyx]", fullmatch=True), _SPACES).map("".join), _EDGE_DATE
        ),
    ),
    "visibility": _choice([v.value for v in m.Visibility]),
    "kind": _choice([k.value for k in m.Kind]),
    "category": _choice([c.value for c in m.Category]),
    "level": _choice([e.value for e in m.EvidenceLevel]),
    "direction": _choice(["supports", "refutes", "up", "down"]),
    "debate": _choice([d.value for d in m.Debate]),
    "status": _choice([v.value for v in m.Status]),
    "verdict": _choice([v.value for v in m.Verdict]),
    "prescriptiveness": (
        st.one_of(st.integers(1, 5), _choice([p.label for p in m.Prescriptiveness])[0]),
        st.one_of(st.integers(-1, 7), _choice([p.label for p in m.Prescriptiveness])[1]),
    ),
    "importance": (st.integers(1, 5), st.integers(-1, 7)),
    "rank": (st.integers(1, s.MAX_RANK), st.sampled_from([0, -1, s.MAX_RANK + 1])),
    "tags": (
        st.one_of(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True), st.lists(_TITLE, max_size=2)),
        st.text(_CHARS, min_size=199, max_size=202),
    ),
    "url": (
        st.from_regex(r"https?://[a-z]{1,8}\.org(/[a-z0-9]{0,5})?", fullmatch=True),
        st.tuples(
            st.sampled_from(["http://", "HTTPS://", "ftp://", "http:///", "https:", "http://a"]),
            st.text("ab/?#. <>\x7f\ufeff\x85", max_size=6),
        ).map("".join),
    ),
    "disable": (
        st.one_of(st.sampled_from(list(RULES)), st.lists(st.sampled_from(list(RULES)), max_size=2, unique=True)),
        st.sampled_from(["cycle", "orphans", "Orphan", " orphan"]),
    ),
    "number": (_NUMBER, st.sampled_from(["1", "x"])),
}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A document whose ids and links hold together: no cycle, no unknown id, no disagreement."""
    wrong = draw(st.sampled_from([None, *FIELDS]))

    def value(name: str) -> Any:
        valid, edge = FIELDS[name]
        return draw(st.one_of(edge, _JUNK) if name == wrong else valid)

    def maybe(mapping: dict[str, Any], field: str, name: str | None = None) -> None:
        if draw(st.booleans()):
            mapping[field] = value(name or field)

    graph: dict[str, Any] = {"slug": value("slug"), "title": value("title")}
    maybe(graph, "as_of", "date")
    maybe(graph, "visibility")
    if draw(st.booleans()):
        lint: dict[str, Any] = {}
        maybe(lint, "disable")
        maybe(lint, "false_certainty", "certainty")
        maybe(lint, "long_horizon", "horizon")
        graph["lint"] = lint
    assumptions: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 2))):
        assumption: dict[str, Any] = {"id": f"a{index}", "statement": value("title")}
        for field in ("certainty", "importance", "category", "debate"):
            maybe(assumption, field)
        maybe(assumption, "review_by", "date")
        if draw(st.booleans()):
            evidence: dict[str, Any] = {"kind": draw(st.sampled_from(["data", "insight"])), "summary": value("title")}
            for field in ("level", "direction", "url", "date"):
                maybe(evidence, field)
            assumption["evidence"] = [evidence]
        assumptions.append(assumption)
    bets: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 3))):
        bet: dict[str, Any] = {"id": f"b{index}", "kind": value("kind"), "title": value("title")}
        if index:
            one_or_more: list[Any] = [f"b{index - 1}", ["b0"], [f"b{i}" for i in range(index)]]
            bet["parents"] = draw(st.sampled_from(one_or_more))
        if draw(st.booleans()) and assumptions:
            bet["assumes"] = "a0"
        for field in ("horizon", "certainty", "prescriptiveness", "debate", "rank", "tags"):
            maybe(bet, field)
        maybe(bet, "owner", "title")
        maybe(bet, "review_by", "date")
        if draw(st.booleans()):
            bet["links"] = draw(st.one_of(st.just(value("url")), st.lists(st.just(value("url")), max_size=2)))
        if draw(st.booleans()):
            metric: dict[str, Any] = {"name": value("title")}
            maybe(metric, "baseline", "number")
            if draw(st.booleans()):
                metric["checkins"] = [{"value": value("number"), "date": value("date")}]
            else:
                maybe(metric, "current", "number")
            bet["metric"] = metric
        if draw(st.booleans()):
            # a status would have to agree with the verdict: left out
            resolution: dict[str, Any] = {"verdict": value("verdict")}
            maybe(resolution, "committed_certainty", "certainty")
            maybe(resolution, "resolved_on", "date")
            bet["resolution"] = resolution
        else:
            maybe(bet, "status")
        bets.append(bet)
    return {"betgraph": value("betgraph"), "graph": graph, "bets": bets, "assumptions": assumptions}


# No shrinking: the message shows every document whose verdicts differ, and shrinking eighty documents,
# each checked by a new process, takes longer than reading them.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(
    max_examples=6,  # 150 documents (300 took 37 s of the suite)
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(st.lists(documents(), min_size=25, max_size=25))
def test_generated_documents_get_one_verdict_from_both(documents: list[dict[str, Any]]) -> None:
    texts = {str(i): yaml.safe_dump(data, allow_unicode=True, sort_keys=False) for i, data in enumerate(documents)}
    with tempfile.TemporaryDirectory() as folder:
        verdicts = _both_now(Path(folder), texts)
    differing = {texts[name]: v for name, v in verdicts.items() if v[0] != v[1]}
    assert differing == {}
