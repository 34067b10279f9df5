"""The records reader takes exactly what the schema's models take, and reads it into the same values.

It is written from the models (app.formats.recordgen) and must be current. Every corpus the JSON
Schema is tested with is read by both, and so are documents with junk in any one place: where the
reader answers, its answer is the models' own, and it answers for every document the models take.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import subprocess
import sys
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from app.domain.synthetic import synthetic_graph
from app.formats import recordgen, records
from app.formats.document import graph_from_data, load
from app.formats.schema import Document
from app.formats.source import SourceError, parse
from app.formats.writing import graph_to_data
from tests.formats.test_jsonschema import FRIENDLY, STRUCTURE, documents, example_documents, files
from tests.servers import ROOT


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "asdict"):
        return {name: _plain(item) for name, item in value.asdict().items()}
    return value


def _model_values(value: Any) -> Any:
    if isinstance(value, list):
        return [_model_values(item) for item in value]
    if isinstance(value, BaseModel):
        return {name: _model_values(getattr(value, name)) for name in type(value).model_fields}
    return value


def _by_models(data: Any) -> str | None:
    """What the models make of `data`, written out exactly (1 and 1.0 differ), or None if they refuse it."""
    try:
        return repr(_model_values(Document.model_validate(data)))
    except ValidationError:
        return None


def _by_records(data: Any) -> str | None:
    found = records.read(data)
    return None if found is None else repr(_plain(found))


def _disagreements(corpus: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    verdicts = {name: (_by_records(data), _by_models(data)) for name, data in corpus.items()}
    return {name: both for name, both in verdicts.items() if both[0] != both[1]}


def _parsed(texts: dict[str, str]) -> dict[str, Any]:
    corpus = {}
    for name, text in texts.items():
        try:
            corpus[name] = parse(text)[0]
        except SourceError:  # not YAML at all: nothing for either to read
            continue
    return corpus


def test_the_committed_reader_is_what_the_models_write() -> None:
    assert recordgen.TARGET.read_text() == recordgen.render(), "run: python -m app.formats.recordgen"


def test_the_check_reads_and_does_not_write() -> None:
    before = recordgen.TARGET.stat().st_mtime_ns
    done = subprocess.run(
        [sys.executable, "-m", "app.formats.recordgen", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert recordgen.TARGET.stat().st_mtime_ns == before


def test_the_examples_fixtures_and_friendly_forms_are_read_alike() -> None:
    corpus = _parsed({**files(), **FRIENDLY})
    corpus.update({name: json.loads(text) for name, text in example_documents().items()})
    assert len(corpus) > 50
    assert _disagreements(corpus) == {}
    assert all(records.read(data) is not None for data in corpus.values())


def test_structural_errors_are_refused_alike() -> None:
    corpus = _parsed(STRUCTURE)
    assert len(corpus) > 60
    assert _disagreements(corpus) == {}
    assert [name for name, data in corpus.items() if records.read(data) is not None] == []


def test_generated_graphs_and_stored_data_are_read_alike() -> None:
    graph = synthetic_graph(300)
    stored = graph_to_data(graph)  # dates stay dates, as storage hands them back
    assert _disagreements({"stored": stored, "json": json.loads(json.dumps(stored, default=str))}) == {}
    assert records.read(stored) is not None
    assert graph_from_data(stored) == graph


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(documents(), min_size=10, max_size=10))
def test_generated_documents_are_read_alike(generated: list[dict[str, Any]]) -> None:
    # through YAML, as a file would be read: the strategy's values are what a document can say
    corpus = {str(i): parse(yaml.safe_dump(data, allow_unicode=True))[0] for i, data in enumerate(generated)}
    assert _disagreements(corpus) == {}


# Values no document is written with but data can hold: read by neither, or by both alike.
_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.sampled_from([10**400, -(10**400), math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324]),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["\x00", "\ud800", "a\udfffb", "1", "70%", "6w", "2026-02-30", "open", " OPEN ", "", " "]),
    st.dates().map(lambda day: day),
    st.just(dt.datetime(2026, 1, 1, 12, 0)),
    st.lists(st.sampled_from(["vision", "a", 1, None]), max_size=3),
    st.tuples(st.just("vision")),
    st.dictionaries(st.sampled_from(["name", "value", "kind", "x"]), st.integers(0, 3), max_size=2),
)


def _skeleton() -> dict[str, Any]:
    return {
        "betgraph": 1,
        "graph": {"slug": "acme", "title": "Acme", "lint": {"disable": ["orphan"], "long_horizon": "18m"}},
        "bets": [
            {"id": "vision", "kind": "vision", "title": "V", "horizon": "5y", "certainty": 0.5},
            {
                "id": "goal",
                "kind": "goal",
                "title": "G",
                "parents": ["vision"],
                "assumes": "pain",
                "rank": 2,
                "tags": ["q1"],
                "links": ["https://example.org/a"],
                "owner": "Ana",
                "prescriptiveness": "guided",
                "metric": {"name": "M", "baseline": 1, "checkins": [{"value": 1, "date": "2026-01-01", "note": "n"}]},
                "resolution": {"verdict": "inconclusive", "committed_certainty": "60%", "resolved_on": "2026-02-01"},
            },
        ],
        "assumptions": [
            {
                "id": "pain",
                "statement": "S",
                "importance": 4,
                "category": "viability",
                "evidence": [{"kind": "data", "summary": "E", "level": "opinion", "url": "https://example.org/e"}],
            }
        ],
    }


def _places(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in `value` a value sits, and every mapping (a new key goes there)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
        found.append((*path, "unknown"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


_PLACES = _places(_skeleton())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_PLACES), _JUNK, st.booleans()), min_size=1, max_size=3))
def test_junk_anywhere_is_read_alike(changes: list[tuple[tuple[str | int, ...], Any, bool]]) -> None:
    data = _skeleton()
    for path, junk, remove in changes:
        where: Any = data
        try:
            for step in path[:-1]:
                where = where[step]
            if path and remove and isinstance(where, dict):
                where.pop(path[-1], None)
            elif path:
                where[path[-1]] = copy.deepcopy(junk)
            else:
                data = copy.deepcopy(junk)
        except (KeyError, IndexError, TypeError):  # an earlier change took this place away
            continue
    records_say, models_say = _by_records(data), _by_models(data)
    if records_say is not None or _plain_data(data):
        assert records_say == models_say
    # else: a tuple for a list is data no document or store holds; the models take it, and decide


def _plain_data(value: Any) -> bool:
    """Whether `value` is what YAML, JSON or the store hand over: no tuple where a list would be."""
    if isinstance(value, dict):
        return all(_plain_data(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain_data(item) for item in value)
    return not isinstance(value, tuple)


def test_a_tuple_is_passed_on_to_the_models() -> None:
    data = _skeleton()
    data["bets"][1]["parents"] = ("vision",)
    assert records.read(data) is None  # not vouched for: the models take it
    assert graph_from_data(data).bet_by_id["goal"].parents == ("vision",)


def test_a_valid_document_is_read_without_pydantic() -> None:
    probe = (
        "import sys\n"
        "from app.formats.document import load\n"
        f"load(open({str(ROOT / 'examples' / 'acme.yaml')!r}).read())\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pydantic', 'pydantic_core')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_an_invalid_document_is_told_by_the_models() -> None:
    with pytest.raises(Exception, match="kind must be one of") as error:
        load("betgraph: 1\ngraph: {slug: a, title: A}\nbets:\n  - {id: v, kind: visoin, title: V}\n")
    assert "4:" in str(error.value)  # with its line
