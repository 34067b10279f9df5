"""check-jsonschema, the validator from PyPI that editors' and CI's checks are built like, run as a program
on documents written to files, beside our own loader."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from app.formats.document import load
from app.formats.jsonschema import schema_text
from app.formats.problems import DocumentError

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


def schema_file(folder: Path) -> Path:
    path = folder / "betgraph.schema.json"
    if not path.exists():
        path.write_text(schema_text())
    return path


def schema_verdicts(folder: Path, documents: Mapping[str, str], suffix: str = ".yaml") -> dict[str, bool]:
    """Whether check-jsonschema finds each document valid; one that does not parse is not valid."""
    schema = schema_file(folder)
    named: dict[str, Path] = {}
    for index, (name, text) in enumerate(documents.items()):
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
    refused = {entry["filename"] for entry in [*report.get("errors", []), *report.get("parse_errors", [])]}
    return {name: str(path) not in refused for name, path in named.items()}


def schema_errors(folder: Path, text: str, suffix: str = ".yaml") -> list[str]:
    """check-jsonschema's messages about one document."""
    path = folder / f"one-{len(list(folder.iterdir()))}{suffix}"
    path.write_text(text)
    ran = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema_file(folder)), "-o", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode in (0, 1), ran.stderr
    report = json.loads(ran.stdout)
    return [entry["message"] for entry in [*report.get("errors", []), *report.get("parse_errors", [])]]


def loader_accepts(text: str) -> bool:
    try:
        load(text)
    except DocumentError:
        return False
    return True
