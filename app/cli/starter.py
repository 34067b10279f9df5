"""`betgraph init`: a first document to edit, which lints clean and explains every field."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.common import fail, write_output
from app.formats.jsonschema import schema_text
from app.formats.starter import DEFAULT_NAME, SCHEMA_FILE, STARTER

EPILOG_INIT = f"""\b
Examples:
  betgraph init                  # writes {DEFAULT_NAME}
  betgraph init strategy/bets.yaml
  betgraph init - | less         # read it first

\b
The document walks from a vision down to an initiative, with an outcome's metric and an
assumption with its evidence; its comments give each field's meaning and allowed values.
Its first line points editors that use the YAML language server at the document's JSON
Schema, {SCHEMA_FILE}, which init writes beside it unless one is there already (with
--force, it is written again: `betgraph schema -o` does the same after an upgrade).
"""


@click.command(name="init", epilog=EPILOG_INIT)
@click.argument("file", default=DEFAULT_NAME, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def init_command(file: str, force: bool) -> None:
    """Write a starter document to FILE (default: bets.yaml; - for standard output), and its schema beside it."""
    if file != "-" and not force and Path(file).exists():
        fail(f"{file} already exists; pass --force to overwrite it")
    write_output(file, STARTER.encode())
    if file != "-":
        drawing = Path(file).with_suffix(".svg")
        then = f"`betgraph lint {file}` and `betgraph render {file} -o {drawing}`"
        click.echo(f"wrote {file}: edit it, then {then}", err=True)
        schema = Path(file).parent / SCHEMA_FILE
        if force or not schema.exists():
            write_output(str(schema), schema_text().encode())
            click.echo(f"wrote {schema}: the schema editors check {file} against", err=True)
