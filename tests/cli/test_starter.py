"""`betgraph init`: the starter document lints clean, holds every kind of bet and documents every field."""

from __future__ import annotations

import os
import re
import subprocess
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path

from pydantic import BaseModel

from app.domain import model as m
from app.domain.lint import RULES
from app.formats.document import load
from app.formats.jsonschema import schema_text
from app.formats.schema import Document, LintDoc
from app.formats.source import Path as DocumentPath
from app.formats.source import SourceMap
from app.formats.starter import SCHEMA_FILE, STARTER
from app.formats.writing import dump_yaml
from tests.schemacheck import CHECK_JSONSCHEMA
from tests.servers import betgraph as run
from tests.servers import command_line

# A field the starter leaves unset is a comment line `# field: value` (or `# - …` in a list):
# removing the `# ` switches it on (see app/formats/starter.py).
COMMENTED_FIELD = re.compile(r"(?m)^(\s*)# ( *(?:- )?[a-z_]+:(?: |$))")


def betgraph(*args: str, cwd: Path) -> tuple[int, str, str]:
    result = run(dict(os.environ), *args, check=False, cwd=cwd)
    return result.returncode, result.stdout, result.stderr


def test_init_writes_a_document_the_real_command_lints_clean(tmp_path: Path) -> None:
    code, _, said = betgraph("init", cwd=tmp_path)
    assert code == 0, said
    written = tmp_path / "bets.yaml"
    assert "wrote bets.yaml" in said
    linted = command_line(dict(os.environ), "lint", str(written), "--fail-on", "info")
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert linted.stdout == ""  # not one finding, not even an info
    assert "0 errors, 0 warnings, 0 infos" in linted.stderr


def test_the_starter_holds_every_kind_of_bet_and_an_assumption_with_evidence() -> None:
    graph, _ = load(STARTER)
    assert [bet.kind for bet in graph.bets] == list(m.Kind)  # in order, from the vision down
    assert all(bet.parents == (above.id,) for above, bet in zip(graph.bets, graph.bets[1:], strict=False))
    outcome = graph.bet_by_id["transactions-categorised"]
    assert outcome.metric is not None
    hypothesis = next(bet for bet in graph.bets if bet.kind is m.Kind.HYPOTHESIS)
    assert hypothesis.assumes == (graph.assumptions[0].id,)
    assert graph.assumptions[0].evidence
    assert load(dump_yaml(graph))[0] == graph


def test_the_starter_begins_with_the_schema_modeline() -> None:
    assert STARTER.splitlines()[0] == f"# yaml-language-server: $schema=./{SCHEMA_FILE}"


def test_init_writes_the_schema_its_modeline_names_and_the_document_passes_it(tmp_path: Path) -> None:
    code, _, said = betgraph("init", "plans/bets.yaml", cwd=tmp_path)
    assert code == 2  # no such folder: nothing is written
    (tmp_path / "plans").mkdir()
    code, _, said = betgraph("init", "plans/bets.yaml", cwd=tmp_path)
    assert code == 0, said
    schema = tmp_path / "plans" / SCHEMA_FILE  # where `$schema=./…` points from the document
    assert schema.read_text() == schema_text()
    assert f"wrote plans/{SCHEMA_FILE}" in said
    checked = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema), str(tmp_path / "plans" / "bets.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # A schema already there is the user's (perhaps pinned to an older Betgraph): kept, unless --force.
    schema.write_text("{}")
    code, _, said = betgraph("init", "plans/other.yaml", cwd=tmp_path)
    assert (code, schema.read_text()) == (0, "{}")
    assert SCHEMA_FILE not in said
    code, _, _ = betgraph("init", "plans/other.yaml", "--force", cwd=tmp_path)
    assert (code, schema.read_text()) == (0, schema_text())


def _models(annotation: object) -> Iterator[type]:
    """The classes an annotation names, through unions, lists and Annotated."""
    if isinstance(annotation, type):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models(argument)


Field = tuple[type[BaseModel], str, tuple[str, ...]]  # its model, its name, its path in a document


def _fields(model: type[BaseModel], where: tuple[str, ...] = ()) -> Iterator[Field]:
    for name, info in model.model_fields.items():
        yield model, name, (*where, name)
        for inner in _models(info.annotation):
            if issubclass(inner, BaseModel):
                yield from _fields(inner, (*where, name))


def _values(model: type[BaseModel], name: str) -> list[str]:
    """What a field's documentation must name: an enumeration's values, or the lint rules."""
    if model is LintDoc and name == "disable":
        return list(RULES)
    for inner in _models(model.model_fields[name].annotation):
        if issubclass(inner, m.Prescriptiveness):
            return [member.label for member in m.Prescriptiveness]
        if issubclass(inner, Enum):
            return [str(member.value) for member in inner]
    return []


def _documentation(lines: list[str], index: int) -> str:
    """The comment on a line and the comment lines right above it."""
    text = lines[index].partition(" # ")[2]
    above = index - 1
    while above >= 0 and lines[above].lstrip().startswith("#"):
        text = lines[above] + "\n" + text
        above -= 1
    return text


def _documented_fields(text: str, source_map: SourceMap) -> dict[tuple[str, ...], list[str]]:
    """Each field's path without list indexes -> the documentation of each place it is written."""
    lines = text.splitlines()
    found: dict[tuple[str, ...], list[str]] = {}
    for path, node in source_map.key_nodes.items():
        documentation = _documentation(lines, node.start_mark.line)
        found.setdefault(_named(path), []).append(documentation)
    return found


def _named(path: DocumentPath) -> tuple[str, ...]:
    return tuple(part for part in path if isinstance(part, str))


def test_every_field_of_the_document_is_written_or_shown_commented_with_its_meaning_and_values() -> None:
    switched_on = COMMENTED_FIELD.sub(r"\1\2", STARTER)
    assert switched_on != STARTER
    _, source_map = load(switched_on)  # every field the starter shows commented out is valid as it stands
    documented = _documented_fields(switched_on, source_map)
    missing, undocumented, unlisted = [], [], []
    by_field: dict[tuple[type[BaseModel], str], list[tuple[str, ...]]] = {}
    for model, name, path in _fields(Document):
        by_field.setdefault((model, name), []).append(path)
    for (model, name), paths in by_field.items():
        places = [documentation for path in paths for documentation in documented.get(path, [])]
        label = f"{model.__name__}.{name}"
        if not places:
            missing.append(label)
            continue
        explained = [documentation for documentation in places if documentation.strip()]
        if not explained:
            undocumented.append(label)
        values = _values(model, name)
        if values and not any(all(re.search(rf"\b{re.escape(v)}\b", doc) for v in values) for doc in explained):
            unlisted.append(label)
    assert missing == [], "fields the starter neither writes nor shows commented out"
    assert undocumented == [], "fields written with no comment on their line or right above it"
    assert unlisted == [], "fields whose comment does not list every value they take"


def test_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    mine = tmp_path / "strategy.yaml"
    mine.write_text("betgraph: 1\n")
    code, _, said = betgraph("init", "strategy.yaml", cwd=tmp_path)
    assert code == 2
    assert "strategy.yaml already exists; pass --force" in said
    assert mine.read_text() == "betgraph: 1\n"
    code, _, said = betgraph("init", "strategy.yaml", "--force", cwd=tmp_path)
    assert code == 0, said
    assert mine.read_text() == STARTER


def test_init_to_standard_output(tmp_path: Path) -> None:
    code, out, _ = betgraph("init", "-", cwd=tmp_path)
    assert code == 0
    assert out == STARTER
    assert list(tmp_path.iterdir()) == []
