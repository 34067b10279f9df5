"""What the `betgraph` commands share: reading documents, writing output, options, and how they fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click

from app.domain.model import SLUG_RE, Graph
from app.formats.document import load
from app.formats.lintreport import FileReport
from app.formats.problems import DocumentError, Problem
from app.formats.source import SourceMap

EXIT_FINDINGS = 1
EXIT_INVALID = 2


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"betgraph: {message}", err=True)
    sys.exit(code)


class UnreadableError(Exception):
    """A file that cannot be read as text; the message reads after its name."""


def text_of(path: str) -> str:
    """The text of the file at `path` (`-`: standard input), or `UnreadableError`."""
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableError("no such file") from None
    except IsADirectoryError:
        raise UnreadableError("is a directory, not a document") from None
    except UnicodeDecodeError as error:
        raise UnreadableError(f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise UnreadableError(f"cannot read: {error.strerror}") from None


# A file's format is its extension; anything else (and standard input) is read as YAML or JSON.
DOCUMENT_FORMATS = ("yaml", "json", "csv", "md")
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".md": "md", ".markdown": "md"}
_READ_ONLY_SUFFIXES = {".tsv": "csv"}


def document_format(path: str, *, reading: bool = False) -> str | None:
    suffix = Path(path).suffix.lower()
    return _SUFFIXES.get(suffix) or (_READ_ONLY_SUFFIXES.get(suffix) if reading else None)


def read_document(
    text: str, path: str, *, positions: bool = True, slug: str | None = None, title: str | None = None
) -> tuple[Graph, SourceMap]:
    """A graph from a document of any format, by its file name; `slug` and `title` win over what it says."""
    fmt = document_format(path, reading=True) if path != "-" else None
    if fmt == "csv":
        from app.formats import csvpaths  # noqa: PLC0415 - imported by what reads one: lint starts at every commit

        return csvpaths.read_csv(text, path, slug=slug, title=title)
    if fmt == "md":
        from app.formats import outline  # noqa: PLC0415 - as above

        return outline.read_markdown(text, path, slug=slug, title=title)
    graph, source_map = load(text, positions=positions)
    if slug or title:
        graph = dataclasses.replace(graph, slug=slug or graph.slug, title=title or graph.title)
    return graph, source_map


def dump_document(graph: Graph, fmt: str) -> str:
    from app.formats import csvpaths, outline  # noqa: PLC0415 - as in read_document
    from app.formats.writing import dump_json, dump_yaml  # noqa: PLC0415 - lint writes no document

    writers = {"yaml": dump_yaml, "json": dump_json, "csv": csvpaths.write_csv, "md": outline.write_markdown}
    return writers[fmt](graph)


def left_out(graph: Graph, fmt: str) -> None:
    """Say on standard error what a spreadsheet or outline could not hold of `graph`."""
    from app.formats import csvpaths, outline  # noqa: PLC0415 - as in read_document

    lost = {"csv": csvpaths.left_out, "md": outline.left_out}.get(fmt, lambda _: [])(graph)
    if lost:
        click.echo(f"betgraph: {fmt} leaves out {', '.join(lost)}; yaml and json keep everything", err=True)


def output_format(fmt: str | None, out: str | None) -> str:
    """--format, else the output file's extension; to standard output without --format, YAML."""
    if fmt is not None:
        return fmt
    if out is None or out == "-":
        return "yaml"
    found = document_format(out)
    if found is None:
        fail(f"cannot tell the format from {out!r}; pass --format ({', '.join(DOCUMENT_FORMATS)})")
    return found


def _check_slug(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is not None and not SLUG_RE.fullmatch(value):
        raise click.BadParameter("lowercase letters, digits and hyphens, starting with a letter or digit (at most 63)")
    return value


def _check_title(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("must not be empty")
    return " ".join(value.split()) if value is not None else None


slug_option = click.option(
    "--slug", callback=_check_slug, help="The graph's slug (a CSV has no header: by default from the file's name)."
)
title_option = click.option(
    "--title", callback=_check_title, help="The graph's title (by default the outline's # heading or the file's name)."
)


def load_file(
    path: str, *, positions: bool = True, slug: str | None = None, title: str | None = None
) -> tuple[Graph, SourceMap]:
    """The document in `path`, or why not on standard error and exit 2: for commands on one file."""
    found = read_or_report(path, positions=positions, slug=slug, title=title)
    if isinstance(found, FileReport):
        say_unread(found)
        sys.exit(EXIT_INVALID)
    return found


def say_problems(path: str, problems: Iterable[Problem]) -> None:
    """On standard error, each problem of the document at `path` with its line and column."""
    for problem in problems:  # at most MAX_PROBLEMS, then how many more there were
        click.echo(problem.describe(path), err=True)


def write_output(out: str | None, data: bytes) -> None:
    if out is None or out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(out)
    import tempfile  # noqa: PLC0415 - lint writes no file; tempfile costs it a few milliseconds

    # Write beside the target and rename: a failed or interrupted render never leaves half a file.
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except FileNotFoundError:
        fail(f"{out}: the folder does not exist")
    except OSError as error:
        fail(f"{out}: cannot write: {error.strerror}")


def today(as_of: dt.datetime | None) -> dt.date:
    return as_of.date() if as_of else dt.date.today()


as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Read horizons and review dates against this date when the graph has no as_of (default: today).",
)


def read_or_report(
    file: str, *, positions: bool = True, slug: str | None = None, title: str | None = None
) -> tuple[Graph, SourceMap] | FileReport:
    """The document in `file`, or why it cannot be had (commands on several files go on to the next)."""
    try:
        return read_document(text_of(file), file, positions=positions, slug=slug, title=title)
    except UnreadableError as error:
        return FileReport(file, problems=(Problem(str(error)),), unreadable=True)
    except DocumentError as error:
        return FileReport(file, problems=error.problems)


def say_unread(report: FileReport) -> None:
    """Why a file could not be had, on standard error, with its line and column where it has them."""
    if report.unreadable:
        click.echo(f"betgraph: {report.problems[0].describe(report.path)}", err=True)
    else:
        say_problems(report.path, report.problems)
