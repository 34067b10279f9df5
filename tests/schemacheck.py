"""check-jsonschema, the validator from PyPI that editors' and CI's checks are built like, run as a program
on documents written to files, beside our own loader."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TypeVar

from app.formats.document import load
from app.formats.jsonschema import schema_text
from app.formats.problems import DocumentError

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
K = TypeVar("K", bound=Hashable)


def schema_file(folder: Path) -> Path:
    path = folder / "betgraph.schema.json"
    if not path.exists():
        path.write_text(schema_text())
    return path


def schema_messages(folder: Path, documents: Mapping[K, tuple[str, str]]) -> dict[K, list[str]]:
    """check-jsonschema's messages about each document, given as (text, suffix), from one run over them
    all; a document that does not parse has that message, a valid one none."""
    schema = schema_file(folder)
    named: dict[K, Path] = {}
    for index, (name, (text, suffix)) in enumerate(documents.items()):
        path = folder / f"document-{len(list(folder.iterdir()))}-{index}{suffix}"
        path.write_text(text)
        named[name] = path
    ran = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema), "-o", "json", *map(str, named.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode in (0, 1), ran.stderr
    report = json.loads(ran.stdout)
    messages: dict[str, list[str]] = {str(path): [] for path in named.values()}
    for entry in [*report.get("errors", []), *report.get("parse_errors", [])]:
        messages[entry["filename"]].append(entry["message"])
    return {name: messages[str(path)] for name, path in named.items()}


def schema_verdicts(folder: Path, documents: Mapping[str, str], suffix: str = ".yaml") -> dict[str, bool]:
    """Whether check-jsonschema finds each document valid; one that does not parse is not valid."""
    found = schema_messages(folder, {name: (text, suffix) for name, text in documents.items()})
    return {name: not messages for name, messages in found.items()}


def loader_accepts(text: str) -> bool:
    try:
        load(text)
    except DocumentError:
        return False
    return True
