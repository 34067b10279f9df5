"""Graph + view + format -> bytes: the pipeline every caller (CLI, API, viewer) goes through."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from app.domain.lenses import AssumptionMap, Board, LensKind, Portfolio, lens_of
from app.domain.model import Graph
from app.rendering.dot import DotOptions, DotPlan, build_dot, drawn_scene
from app.rendering.jsonview import to_json
from app.rendering.lenses import assumptions_dot, board_dot, lens_document, named, portfolio_dot
from app.rendering.runner import Limits, RenderError, RenderTooLargeError, convert_svg, graphviz_version, run_dot
from app.rendering.style import THEME_NAMES, ThemeName, dark_scheme
from app.rendering.svg import SvgError, sanitize, svg_size
from app.rendering.views import LENSES, Scene, View, select

Format = Literal["svg", "png", "pdf", "dot", "mmd", "json"]
FORMATS: tuple[Format, ...] = get_args(Format)
MEDIA_TYPES: dict[Format, str] = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "mmd": "text/vnd.mermaid; charset=utf-8",
    "json": "application/json",
}
# Bumped whenever our own output changes for the same input, so cached pictures are redrawn.
RENDERER_VERSION = "betgraph-render-2"
# Beyond this many nodes in one picture `dot` takes minutes even with the cheap settings and
# nobody can read the result; the focused views are the answer.
MAX_NODES = 6_000


@dataclass(frozen=True, slots=True)
class RenderOptions:
    dot: DotOptions = field(default_factory=DotOptions)
    limits: Limits = field(default_factory=Limits)


def check_size(scene: Scene) -> None:
    if scene.size > MAX_NODES:
        raise RenderTooLargeError(
            f"this view has {scene.size} bets and assumptions; at most {MAX_NODES} can be drawn in one picture. "
            "Draw a why, impact or team view instead."
        )


class ThemeError(RenderError, ValueError):
    """A theme that this format cannot be drawn in."""


# The formats Graphviz draws in a theme but that cannot carry a style sheet to follow the reader.
FIXED_SCHEME: tuple[Format, ...] = ("png", "pdf", "dot")


def check_theme(fmt: Format, theme: str) -> ThemeName:
    """`theme` if a picture in `fmt` can be drawn in it; else a ThemeError that says what can."""
    if theme not in THEME_NAMES:
        raise ThemeError(f"unknown theme {theme!r}: choose {', '.join(THEME_NAMES)}")
    if theme == "auto" and fmt in FIXED_SCHEME:
        raise ThemeError(
            f"the auto theme follows the reader's colour scheme and only SVG can carry both; "
            f"draw {fmt} as light or dark"
        )
    return theme


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything a picture is made from, before Graphviz runs: its key hashes exactly this."""

    title: str  # the picture's <title>, and a PDF's
    description: str  # its <desc>: the view in words
    fmt: Format
    text: str  # the DOT source, or the Mermaid or JSON output itself
    plan: DotPlan | None = None  # for the formats Graphviz draws

    def key(self, theme: str = "light") -> str:
        check_theme(self.fmt, theme)
        shaping = "\n".join((RENDERER_VERSION, graphviz_version(), self.fmt, theme, self.text))
        return hashlib.sha256(shaping.encode()).hexdigest()


def prepare(scene: Scene, fmt: Format, options: RenderOptions | None = None) -> Prepared:
    options = options or RenderOptions()
    if fmt == "json":
        return Prepared(scene.title, scene.description, fmt, to_json(scene))
    if fmt == "mmd":
        from app.rendering.mermaid import to_mermaid  # noqa: PLC0415 - the CLI draws one format a run

        # Mermaid has no scheme-following picture: "auto" is drawn light, as json ignores the theme.
        mermaid = to_mermaid(scene, "dark" if options.dot.theme == "dark" else "light")
        return Prepared(scene.title, scene.description, fmt, mermaid)
    check_theme(fmt, options.dot.theme)
    scene = drawn_scene(scene, options.dot)
    check_size(scene)
    plan = build_dot(scene, options.dot)
    return Prepared(scene.title, scene.description, fmt, plan.source, plan)


def prepare_lens(
    graph: Graph,
    lens: LensKind,
    fmt: Format,
    today: dt.date,
    *,
    team: str | None = None,
    options: RenderOptions | None = None,
) -> Prepared:
    """A lens (`app.domain.lenses`) as a picture in `fmt`; LensError when it cannot be drawn as asked."""
    return prepare_found(lens_of(graph, lens, today, team), graph.slug, fmt, options)


def prepare_found(
    found: Board | AssumptionMap | Portfolio, slug: str, fmt: Format, options: RenderOptions | None = None
) -> Prepared:
    """A lens already computed (of the graph `slug`) as a picture in `fmt`."""
    options = options or RenderOptions()
    theme, links = options.dot.theme, options.dot.links
    if fmt == "json":
        text = json.dumps(lens_document(found), ensure_ascii=False, indent=2) + "\n"
        return Prepared(*named(found), fmt, text)
    if fmt == "mmd":
        from app.rendering.lens_mermaid import (  # noqa: PLC0415 - the CLI draws one format a run
            assumptions_mermaid,
            board_mermaid,
            portfolio_mermaid,
        )

        mermaid_theme: Literal["light", "dark"] = "dark" if theme == "dark" else "light"
        if isinstance(found, Board):
            return Prepared(*named(found), fmt, board_mermaid(found, mermaid_theme))
        if isinstance(found, AssumptionMap):
            return Prepared(*named(found), fmt, assumptions_mermaid(found, mermaid_theme))
        return Prepared(*named(found), fmt, portfolio_mermaid(found, mermaid_theme))
    if isinstance(found, Board):
        picture = board_dot(found, slug, theme, links)
    elif isinstance(found, AssumptionMap):
        picture = assumptions_dot(found, slug, theme, links)
    else:
        picture = portfolio_dot(found, slug, theme, links)
    check_theme(fmt, theme)
    plan = DotPlan(picture.source, (), theme)
    return Prepared(picture.title, picture.description, fmt, picture.source, plan)


def draw(prepared: Prepared, options: RenderOptions | None = None) -> bytes:
    """Run Graphviz (and the converter) on a prepared picture; the only step that takes time."""
    options = options or RenderOptions()
    plan = prepared.plan
    if plan is None or prepared.fmt == "dot":
        return prepared.text.encode()
    try:
        drawn = run_dot(plan.source, "svg", options.limits)
        dark = dark_scheme() if plan.theme == "auto" else None
        svg = sanitize(drawn, prepared.title, prepared.description, plan.bands(), dark)
    except SvgError as error:
        raise RenderError(str(error)) from None
    if prepared.fmt == "svg":
        return svg
    width, height = svg_size(svg)
    return convert_svg(
        svg, prepared.fmt, width, height, options.limits, title=prepared.title, subject=prepared.description
    )


def render_scene(scene: Scene, fmt: Format, options: RenderOptions | None = None) -> bytes:
    return draw(prepare(scene, fmt, options), options)


def prepare_view(
    graph: Graph, view: View, fmt: Format, today: dt.date, options: RenderOptions | None = None
) -> Prepared:
    """A view of `graph` or a lens on it (`LENSES`), prepared; ViewError or LensError when it cannot be."""
    if view.kind in LENSES:
        return prepare_lens(graph, cast(LensKind, view.kind), fmt, today, team=view.focus, options=options)
    return prepare(select(graph, view, today), fmt, options)


def render(graph: Graph, view: View, fmt: Format, today: dt.date, options: RenderOptions | None = None) -> bytes:
    return draw(prepare_view(graph, view, fmt, today, options), options)
