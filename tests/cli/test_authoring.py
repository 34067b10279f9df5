"""`betgraph schema`: the document's JSON Schema for editors, printed or written, and read by a real validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.formats.jsonschema import schema_text
from tests.schemacheck import CHECK_JSONSCHEMA
from tests.servers import ROOT, betgraph, command_line


def test_schema_prints_the_json_schema() -> None:
    done = command_line(dict(os.environ), "schema")
    assert done.returncode == 0, done.stderr
    assert done.stdout == schema_text()
    assert done.stderr == ""


def test_the_written_copy_validates_documents_with_check_jsonschema(tmp_path: Path) -> None:
    copy = tmp_path / "betgraph.schema.json"
    assert betgraph(dict(os.environ), "schema", "-o", str(copy)).returncode == 0
    assert copy.read_text() == schema_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("betgraph: 1\ngraph: {slug: acme, title: Acme}\nbets:\n  - {id: a, kind: goel, title: A}\n")

    def check(document: Path) -> subprocess.CompletedProcess[str]:
        command = [str(CHECK_JSONSCHEMA), "--schemafile", str(copy), str(document)]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    good = check(ROOT / "examples" / "acme.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    refused = check(bad)
    assert refused.returncode == 1
    assert "$.bets[0].kind" in refused.stdout


def test_a_folder_that_is_not_there_is_a_message(tmp_path: Path) -> None:
    done = betgraph(dict(os.environ), "schema", "-o", str(tmp_path / "nowhere" / "s.json"), check=False)
    assert done.returncode == 2
    assert "the folder does not exist" in done.stderr


# Runs `betgraph lint` in a fresh interpreter, then lists the modules it loaded (lazy commands are
# imported by importlib, which `python -X importtime` does not report).
_LOADED = """
import json, sys
from app.cli import cli
try:
    cli.main(["lint", sys.argv[1]], prog_name="betgraph")
except SystemExit as done:
    assert done.code == 0, done.code
print(json.dumps(sorted(sys.modules)))
"""


def test_lint_does_not_import_the_schema() -> None:
    # `schema` is a lazy command: linting a file must not pay for what only it needs
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, str(ROOT / "examples" / "acme.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "app.cli.linting" in loaded
    assert not loaded & {"app.cli.authoring", "app.formats.jsonschema"}
