"""`betgraph render` and `betgraph redraw`: a document drawn, with no database."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from app.cli.common import (
    EXIT_FINDINGS,
    EXIT_INVALID,
    as_of_option,
    fail,
    load_file,
    read_or_report,
    say_unread,
    today,
    write_output,
)
from app.domain.lenses import LENS_KINDS, LensError
from app.formats.lintreport import FileReport
from app.rendering.dot import DotOptions
from app.rendering.render import FORMATS, Format, RenderOptions, ThemeError, check_theme, render
from app.rendering.runner import Limits, RenderError
from app.rendering.style import THEME_NAMES, ThemeName
from app.rendering.views import VIEW_KINDS, View, ViewError, ViewKind
from app.services.urls import viewer_links

EPILOG_RENDER = """\b
Examples:
  betgraph render strategy.yaml -o map.svg
  betgraph render strategy.yaml --view why --focus setup-wizard -o why.png
  betgraph render strategy.yaml --view team --focus onboarding --format mmd
  betgraph render strategy.yaml --format dot | dot -Tpdf -o map.pdf

\b
Views:
  map     the whole graph, in horizon bands (> 1 year at the top, ≤ 6 weeks at the bottom)
  why     a bet, everything above it and every assumption they rest on: why it matters
  impact  everything that rests on a bet or an assumption
  team    a team's bets with their why-chains

\b
Reading a diagram: fill is certainty (the percentage is in the label), the border is how much
of the how was decided (dashed explore, solid outcome, bold guided, double prescribed), a red
outline is a lint finding (named in the label), and ◇/◆ mark bets open for debate/contested.

\b
Exit status: 0 drawn, 1 the drawing failed (too large, or Graphviz timed out),
2 the file or the options are invalid (with line and column).
"""


@click.command(epilog=EPILOG_RENDER)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--view",
    "view_kind",
    type=click.Choice((*VIEW_KINDS, *LENS_KINDS)),
    default="map",
    show_default=True,
    help="A view of the graph, or a lens on its bets: board (Now/Next/Later), assumptions (importance × "
    "evidence), portfolio (time × certainty).",
)
@click.option(
    "--focus",
    help="The bet (why), bet or assumption (impact) or team (team) the view is about; for a lens, one team alone.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Output format; by default taken from -o's extension, else svg."
)
@click.option("-o", "--output", "out", help="Write here instead of standard output.")
@as_of_option
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option(
    "--every-bet",
    is_flag=True,
    help="Draw every bet of a large map; by default a map of over 1,000 nodes draws the near-term bets "
    "under each parent as one summary.",
)
@click.option("--link-base", metavar="URL", help="Make each node link to the viewer at this address.")
@click.option(
    "--theme",
    type=click.Choice(THEME_NAMES),
    default="light",
    show_default=True,
    help="Colours: light, dark, or auto (SVG only: follows the reader's colour scheme).",
)
@click.option(
    "--quality",
    type=click.Choice(["auto", "full", "fast"]),
    default="auto",
    show_default=True,
    help="Layout effort: auto uses cheaper settings for large graphs.",
)
@click.option("--timeout", type=click.FloatRange(1, 3600), default=60, show_default=True, help="Seconds for Graphviz.")
def render_command(
    file: str,
    view_kind: ViewKind,
    focus: str | None,
    fmt: Format | None,
    out: str | None,
    as_of: dt.datetime | None,
    no_legend: bool,
    every_bet: bool,
    link_base: str | None,
    theme: ThemeName,
    quality: str,
    timeout: float,
) -> None:
    """Draw FILE as SVG, PNG, PDF, DOT, Mermaid or JSON."""
    if fmt is None:
        suffix = Path(out).suffix.lstrip(".").lower() if out and out != "-" else ""
        fmt = suffix if suffix in FORMATS else "svg"
        if suffix and suffix not in FORMATS:
            fail(f"cannot tell the format from {out!r}; pass --format ({', '.join(FORMATS)})")
    assert fmt is not None
    if fmt in ("png", "pdf") and (out is None or out == "-") and sys.stdout.isatty():
        fail(f"{fmt} is binary: pass -o FILE or redirect the output")
    if link_base and not link_base.startswith(("http://", "https://")):
        fail("--link-base must be an http or https URL")
    try:
        check_theme(fmt, theme)
    except ThemeError as error:
        fail(str(error))
    graph, _ = load_file(file, positions=False)  # nothing on a valid document's drawing needs a line number
    options = RenderOptions(
        dot=DotOptions(
            legend=not no_legend,
            links=viewer_links(link_base) if link_base else None,
            quality=quality,  # type: ignore[arg-type]
            summarise=not every_bet,
            theme=theme,
        ),
        limits=Limits(timeout=timeout),
    )
    try:
        data = render(graph, View(view_kind, focus), fmt, today(as_of), options)
    except (ViewError, LensError) as error:
        fail(str(error))
    except RenderError as error:
        fail(str(error), EXIT_FINDINGS)
    write_output(out, data)
    if out and out != "-":
        click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


EPILOG_REDRAW = """\b
Examples:
  betgraph render bets.yaml -o bets.svg   # once: keep a map beside the document, and commit both
  betgraph redraw bets.yaml               # after each change (the betgraph-render pre-commit hook)

\b
For a document X.yaml, the drawings redrawn are X.svg, X.png and X.mmd, those that exist: the
map, drawn as `betgraph render` draws it by default. A drawing is written only when it changed,
and each one written is named on standard error. PDF is left out: it records when it was made,
so it would change at every redraw.

\b
Exit status: 0 every drawing is up to date or was redrawn, 1 a drawing failed, 2 a document is invalid.
"""

REDRAWN: tuple[Format, ...] = ("svg", "png", "mmd")


@click.command(name="redraw", epilog=EPILOG_REDRAW)
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@as_of_option
def redraw_command(files: tuple[str, ...], as_of: dt.datetime | None) -> None:
    """Redraw the diagrams kept beside each FILE, when the drawing changed."""
    worst = 0
    for file in files:
        drawings = [(fmt, Path(file).with_suffix(f".{fmt}")) for fmt in REDRAWN]
        drawings = [(fmt, drawing) for fmt, drawing in drawings if drawing.is_file()]
        if not drawings:
            continue
        found = read_or_report(file, positions=False)
        if isinstance(found, FileReport):
            say_unread(found)
            worst = EXIT_INVALID
            continue
        graph, _ = found
        for fmt, drawing in drawings:
            try:
                data = render(graph, View("map"), fmt, today(as_of), RenderOptions())
            except RenderError as error:
                click.echo(f"betgraph: {drawing}: {error}", err=True)
                worst = max(worst, EXIT_FINDINGS)
                continue
            if drawing.read_bytes() != data:
                write_output(str(drawing), data)
                click.echo(f"redrew {drawing} ({len(data):,} bytes)", err=True)
    sys.exit(worst)
