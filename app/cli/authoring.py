"""Commands for writing documents by hand: `schema`, the JSON Schema editors check a document against."""

from __future__ import annotations

import click

from app.cli.common import write_output
from app.formats.jsonschema import schema_text

EPILOG_SCHEMA = """\b
Examples:
  betgraph schema > betgraph.schema.json
  betgraph schema -o .vscode/betgraph.schema.json

\b
Editors that read JSON Schema check and complete a document as it is written: point VS Code's
YAML extension (yaml.schemas) or a JetBrains IDE (JSON Schema mappings) at the file, or start a
document with the line
  # yaml-language-server: $schema=betgraph.schema.json
A running Betgraph serves the same schema at /schema/v1.json. The schema checks each field;
what needs the whole graph (unknown ids, cycles) `betgraph lint` checks.
"""


@click.command(name="schema", epilog=EPILOG_SCHEMA)
@click.option("-o", "--output", "out", help="Write here instead of standard output.")
def schema_command(out: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of the YAML or JSON document."""
    write_output(out, schema_text().encode())
