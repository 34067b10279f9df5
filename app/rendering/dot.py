"""Scene -> DOT text. Pure and deterministic: the same graph and view give the same bytes.

User text reaches DOT only through `escape.label_text` (inside HTML-like labels) and
`escape.attribute_text` (tooltips); every other attribute is built from our own constants,
validated slugs and numbers, so no document can set a Graphviz attribute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from app.domain.lint import Severity
from app.domain.model import Assumption, Bet, Graph, Kind
from app.rendering import style
from app.rendering.dotwriter import DotWriter, Html
from app.rendering.escape import attribute_text, label_text
from app.rendering.layout import Row, assign_rows, columns_for
from app.rendering.progress import metric_line, metric_tip
from app.rendering.summary import summarise
from app.rendering.svg import HEAD, LEGEND, BandSpan
from app.rendering.views import Scene, Summary, View, select
from app.words import percent, plural

Quality = Literal["auto", "full", "fast"]

# Past this many nodes `dot`'s default crossing minimisation and spline routing take minutes;
# the cheaper settings keep a map of thousands of bets to seconds (bench/render_bench.py).
FAST_FROM = 700
TITLE_WIDTH = 26
TITLE_LINES = 4


@dataclass(frozen=True, slots=True)
class DotOptions:
    legend: bool = True
    # A node's address in the viewer, from the graph's slug and the node's id (the service layer
    # owns the viewer's URL grammar: `app.services.urls.viewer_links`); None draws no links.
    links: Callable[[str, str], str] | None = None
    quality: Quality = "auto"
    columns: int | None = None  # row width in nodes; derived from the scene's size when None
    summarise: bool = True  # large maps draw their many near-term bets as summaries (summary.py)
    theme: style.ThemeName = "light"  # "auto": SVG only, light with a dark colour-scheme style sheet


def node_name(node_id: str, *, assumption: bool = False) -> str:
    if node_id.startswith("~"):
        return f"s_{node_id[1:]}"  # a summary of the near-term bets under a parent
    return f"{'a' if assumption else 'b'}_{node_id}"


def wrap(text: str, width: int = TITLE_WIDTH, lines: int = TITLE_LINES) -> list[str]:
    wrapped = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def heading(scene: Scene, bet: Bet) -> list[str]:
    """The words above a bet's title, in every format: whether it is the focus, its kind, its team."""
    return (["FOCUS"] if bet.id in scene.focus else []) + [bet.kind.value.upper()] + ([bet.team] if bet.team else [])


def _table(rows: Iterable[str]) -> Html:
    cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>')


def _small(text: str, colour: str = style.MUTED) -> str:
    return f'<FONT POINT-SIZE="8" COLOR="{colour}">{label_text(text)}</FONT>'


def _title_lines(text: str, width: int = TITLE_WIDTH) -> str:
    return "<BR/>".join(f"<B>{label_text(line)}</B>" for line in wrap(text, width))


class _Builder:
    def __init__(self, scene: Scene, options: DotOptions) -> None:
        self.scene = scene
        self.options = options
        self.dot = DotWriter()
        self.summaries = {summary.id: summary for summary in scene.summaries}
        self.theme = style.palette(options.theme)

    def build(self) -> DotPlan:
        scene = self.scene
        fast = self.options.quality == "fast" or (self.options.quality == "auto" and scene.size >= FAST_FROM)
        self._graph_attributes(fast)
        columns = self.options.columns or columns_for(scene.size)
        rows = assign_rows(scene, columns)
        row_of = {node: index for index, row in enumerate(rows) for node in row.nodes}
        self._rows(rows)
        self._edges(row_of)
        if self.options.legend:
            self._legend(len(rows))
        return DotPlan(self.dot.source(), tuple(rows), self.options.theme)

    def _graph_attributes(self, fast: bool) -> None:
        scene = self.scene
        heading = f"{scene.title} · as of {scene.as_of.isoformat()}"
        attributes = {
            "newrank": "true",
            "rankdir": "TB",
            "nodesep": "0.22",
            "ranksep": "0.45",
            "fontname": style.FONT,
            "fontsize": "16",
            "labelloc": "t",
            "labeljust": "l",
            "label": Html(f"<B>{label_text(heading)}</B>"),
            "tooltip": attribute_text(scene.description),
            "bgcolor": self.theme.background,
            "fontcolor": self.theme.ink,
            "pad": "0.2",
            "outputorder": "edgesfirst",
            # Edges from one parent share their first stretch: a parent's children may sit several
            # rows down, and unshared, those long edges were most of a large map's width.
            "concentrate": "true",
        }
        if fast:
            # Fewer crossing-minimisation passes, bounded network simplex, straight edges.
            attributes |= {"mclimit": "0.05", "nslimit": "0.05", "nslimit1": "1", "remincross": "false"}
            attributes |= {"splines": "line", "searchsize": "10"}
        self.dot.attr("graph", **attributes)
        self.dot.attr(
            "node",
            **{"fontname": style.FONT, "fontsize": "11", "fontcolor": style.INK, "margin": "0.1,0.05", "penwidth": "1"},
        )
        self.dot.attr("edge", color=self.theme.edge, arrowsize="0.6", penwidth="1")

    def _rows(self, rows: list[Row]) -> None:
        # An empty rank between the title and the first row: room for the first band's label.
        self._point(self.dot, HEAD)
        if rows:
            self.dot.edge(HEAD, "row0", style="invis")
        for row_index, row in enumerate(rows):
            with self.dot.subgraph(name=f"row{row_index}") as same:
                same.attr(rank="same")
                self._spine(same, row_index)
                for node in row.nodes:
                    self._node(same, node)

    @classmethod
    def _spine(cls, into: DotWriter, row_index: int) -> None:
        # A transparent point per row: it chains the rows in order, and its position in the SVG
        # tells the post-processor where each horizon band begins and ends.
        cls._point(into, f"row{row_index}")

    @staticmethod
    def _point(into: DotWriter, name: str) -> None:
        into.node(
            name,
            id=name,
            shape="point",
            width="0.01",
            height="0.01",
            style="filled",
            color="transparent",
            fillcolor="transparent",
            label="",
        )

    def _node(self, into: DotWriter, node_id: str) -> None:
        scene = self.scene
        bet = scene.graph.bet_by_id.get(node_id)
        if bet is not None:  # ids are unique across bets and assumptions
            self._bet(into, bet)
        elif node_id in self.summaries:
            self._summary(into, self.summaries[node_id])
        else:
            self._assumption(into, scene.graph.assumption_by_id[node_id])

    def _summary(self, into: DotWriter, summary: Summary) -> None:
        graph = self.scene.graph
        kinds = ", ".join(plural(count, kind, Kind(kind).plural) for kind, count in summary.kinds)
        facts = [f"{percent(summary.certainty)} on average", self.scene.bands[summary.id].label]
        lines = [
            _small(f"SUMMARY · {plural(len(summary.bets), 'bet')} under {summary.parent}"),
            _title_lines(kinds),
            _small(" · ".join(facts), style.INK),
        ]
        attributes = {"id": f"summary-{summary.parent}", "shape": "box", "style": "filled,rounded"}
        if summary.flagged:
            lines.append(_small(f"⚠ {summary.flagged} with lint findings", style.LINT_TEXT))
            attributes["color"] = style.LINT
        titles = [graph.bet_by_id[b].title for b in summary.bets]
        shown = titles[:25] + ([f"… and {len(titles) - 25} more"] if len(titles) > 25 else [])
        tip = f"{plural(len(titles), 'bet')} under “{graph.bet_by_id[summary.parent].title}”:\n" + "\n".join(shown)
        attributes |= {
            "fillcolor": style.certainty_fill(summary.certainty),
            "label": _table(lines),
            "tooltip": attribute_text(tip),
        }
        attributes |= self._link(summary.parent)
        into.node(node_name(summary.id), **attributes)

    def _marks(self, node_id: str) -> tuple[list[str], dict[str, str], list[str]]:
        """Lint and weakest-link marks: label lines, attributes, tooltip lines."""
        lines: list[str] = []
        attributes: dict[str, str] = {}
        tips: list[str] = []
        findings = self.scene.findings.get(node_id, ())
        if node_id == self.scene.weakest:
            lines.append(_small("▲ weakest link of this chain", style.WEAKEST))
            attributes |= {"color": style.WEAKEST, "penwidth": "3"}
            tips.append("weakest link: the least certain step on the best-supported path")
        if findings:
            rules = sorted({f.rule for f in findings})
            lines.append(_small("⚠ " + ", ".join(rules), style.LINT_TEXT))
            attributes["color"] = style.LINT
            if any(f.severity >= Severity.WARNING for f in findings):
                attributes["penwidth"] = "2.4"  # an info finding (multi-parent) is outlined, not shouted
            tips += [f"{f.severity.label} [{f.rule}]: {f.message}" for f in findings]
        return lines, attributes, tips

    def _change(self, node_id: str, styles: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
        """A diff view's marks on a node: label lines, attributes, tooltip lines."""
        change = self.scene.changes.get(node_id)
        if change is None:
            return [], {}, []
        if change.kind == "removed":
            dashed = ["filled", "dashed", *[s for s in styles if s == "rounded"]]
            attributes = {"color": style.REMOVED, "style": ",".join(dashed), "fillcolor": style.REMOVED_FILL}
            return [_small(change.lines[0], style.MUTED)], attributes | {"penwidth": "2", "peripheries": "1"}, []
        colour, ink = (style.ADDED, style.ADDED_TEXT) if change.kind == "added" else (style.CHANGED, style.CHANGED_TEXT)
        lines = [_small(line, ink) for line in change.lines]
        return lines, {"color": colour, "penwidth": "3"}, list(change.lines)

    def _link(self, node_id: str) -> dict[str, str]:
        links = self.options.links
        if links is None:
            return {}
        return {"URL": links(self.scene.graph.slug, node_id), "target": "_top"}

    def _bet(self, into: DotWriter, bet: Bet) -> None:
        scene = self.scene
        head = heading(scene, bet)
        facts = [percent(bet.certainty)]
        if bet.horizon is not None:
            facts.append(bet.horizon.text)
        border = style.BORDERS[bet.prescriptiveness] if bet.prescriptiveness else style.UNSTATED_BORDER
        if border.label:
            facts.append(border.label)
        if bet.status != "proposed":
            facts.append(bet.status.value)
        lines = [_small(" · ".join(head)), _title_lines(bet.title)]
        if bet.metric is not None:
            lines.append(_small(metric_line(bet.metric)))
        lines.append(_small(" · ".join(facts), style.INK))
        if bet.debate in style.DEBATE_MARKERS:
            lines.append(_small(style.DEBATE_MARKERS[bet.debate], style.INK))
        if self.scene.view.kind == "why" and bet.id in scene.focus:
            chain = scene.support.value[bet.id]
            lines.append(_small(f"chain certainty {percent(chain)}", style.WEAKEST))
        marks, mark_attributes, tips = self._marks(bet.id)
        lines += marks

        styles = ["filled", border.style]
        if bet.kind in style.ROUNDED:
            styles.append("rounded")
        changed, change_attributes, change_tips = self._change(bet.id, styles)
        lines += changed
        tips += change_tips
        attributes = {
            "id": f"bet-{bet.id}",
            "shape": style.SHAPES[bet.kind],
            "margin": style.MARGINS.get(bet.kind, "0.1,0.05"),
            "style": ",".join(styles),
            "fillcolor": style.certainty_fill(bet.certainty),
            "penwidth": f"{border.penwidth:g}",
            "peripheries": str(border.peripheries),
            "label": _table(lines),
            "tooltip": attribute_text(self._bet_tooltip(bet, tips)),
        }
        attributes |= mark_attributes | change_attributes
        attributes |= self._link(bet.id)
        into.node(node_name(bet.id), **attributes)

    def _bet_tooltip(self, bet: Bet, marks: list[str]) -> str:
        chain = self.scene.support.value.get(bet.id)
        parts = [bet.title, f"{bet.kind.value} · certainty {percent(bet.certainty)} · chain certainty {percent(chain)}"]
        if bet.horizon is not None:
            pays_off = bet.horizon.resolve(self.scene.as_of).isoformat()
            parts.append(f"pays off by {pays_off} ({bet.horizon.text})")
        if bet.prescriptiveness is not None:
            parts.append(f"prescriptiveness: {bet.prescriptiveness.value} {bet.prescriptiveness.label}")
        if bet.debate is not None:
            parts.append(f"debate: {bet.debate.value}")
        if bet.owner:
            parts.append(f"owner: {bet.owner}")
        if bet.metric is not None and (checked := metric_tip(bet.metric)):
            parts.append(checked)
        return "\n".join(parts + marks)

    def _assumption(self, into: DotWriter, assumption: Assumption) -> None:
        head = ["ASSUMPTION"]
        if assumption.category:
            head.append(assumption.category.value)
        if assumption.importance:
            head.append(f"importance {assumption.importance}/5")
        supporting = sum(1 for e in assumption.evidence if e.direction == "supports")
        refuting = len(assumption.evidence) - supporting
        facts = [percent(assumption.certainty)]
        facts.append(f"evidence {supporting}+ {refuting}−" if assumption.evidence else "no evidence")
        lines = [_small(" · ".join(head)), _title_lines(assumption.statement, TITLE_WIDTH + 2)]
        lines.append(_small(" · ".join(facts), style.INK))
        if assumption.debate in style.DEBATE_MARKERS:
            lines.append(_small(style.DEBATE_MARKERS[assumption.debate], style.INK))
        marks, mark_attributes, tips = self._marks(assumption.id)
        lines += marks
        changed, change_attributes, change_tips = self._change(assumption.id, [])
        lines += changed
        tips += change_tips
        tooltip = [assumption.statement, f"assumption · certainty {percent(assumption.certainty)}"]
        tooltip += [
            f"{e.direction.value}: {e.summary}" + (f" ({e.level.value})" if e.level else "")
            for e in assumption.evidence
        ]
        attributes = {
            "id": f"assumption-{assumption.id}",
            "shape": style.SHAPES["assumption"],
            "style": "filled",
            "fillcolor": style.certainty_fill(assumption.certainty),
            "label": _table(lines),
            "tooltip": attribute_text("\n".join(tooltip + tips)),
        }
        attributes |= mark_attributes | change_attributes
        attributes |= self._link(assumption.id)
        into.node(node_name(assumption.id, assumption=True), **attributes)

    def _edges(self, row_of: dict[str, int]) -> None:
        for index in range(max(row_of.values(), default=-1)):
            self.dot.edge(f"row{index}", f"row{index + 1}", style="invis")
        on_path = set(zip(self.scene.path[1:], self.scene.path[:-1], strict=False))
        for edge in sorted(self.scene.edges, key=lambda e: (e.child, e.parent)):
            attributes = {"dir": "back", "tooltip": attribute_text(f"{edge.child} contributes to {edge.parent}")}
            if row_of[edge.child] <= row_of[edge.parent]:
                attributes["constraint"] = "false"  # a horizon inversion points upwards
            if not edge.primary:
                # dir=back draws the arrow at the tail: at the parent the bet contributes to
                attributes |= {"color": style.SECONDARY_EDGE, "style": "dashed", "arrowtail": "empty"}
            if (edge.parent, edge.child) in on_path:
                attributes |= {"penwidth": "2.6", "color": self.theme.path}
            if self._removed(edge.parent, edge.child):
                attributes |= {"color": style.REMOVED, "style": "dashed"}
            self.dot.edge(node_name(edge.parent), node_name(edge.child), **attributes)
        for edge in self.scene.was_edges:
            # A link the later graph dropped: where a re-parented bet used to hang.
            self.dot.edge(
                node_name(edge.parent),
                node_name(edge.child),
                dir="back",
                style="dashed",
                color=self.theme.faint,
                fontcolor=self.theme.faint,
                fontname=style.FONT,
                fontsize="9",
                label="was",
                constraint="false",
                tooltip=attribute_text(f"{edge.child} contributed to {edge.parent}"),
            )
        for assumption_id, bet_id in sorted(self.scene.rests_on, key=lambda pair: (pair[1], pair[0])):
            self.dot.edge(
                node_name(assumption_id, assumption=True),
                node_name(bet_id),
                style="dotted",
                arrowhead="none",
                constraint="false",
                color=style.REMOVED if self._removed(assumption_id, bet_id) else self.theme.muted,
                tooltip=attribute_text(f"{bet_id} rests on {assumption_id}"),
            )
        for assumption_id, bet_id in self.scene.was_rests_on:
            self.dot.edge(
                node_name(assumption_id, assumption=True),
                node_name(bet_id),
                style="dashed",
                arrowhead="none",
                constraint="false",
                color=self.theme.faint,
                fontcolor=self.theme.faint,
                fontname=style.FONT,
                fontsize="9",
                label="was",
                tooltip=attribute_text(f"{bet_id} rested on {assumption_id}"),
            )

    def _removed(self, *node_ids: str) -> bool:
        changes = self.scene.changes
        return any(node in changes and changes[node].kind == "removed" for node in node_ids)

    def _legend(self, row_index: int) -> None:
        """One compact table under the drawing; every entry says in words what it shows."""

        ink = self.theme.ink  # words on the page; words on a swatch are node text

        def cell(text: str, attributes: str = 'BORDER="1"', colour: str = ink) -> str:
            return f'<TD {attributes} CELLPADDING="3">{_small(text, colour)}</TD>'

        def line(heading: str, cells: list[str]) -> str:
            words = f'<FONT POINT-SIZE="8" COLOR="{ink}"><B>{label_text(heading)}</B></FONT>'
            head = f'<TD ALIGN="LEFT" CELLPADDING="2">{words}</TD>'
            frame = f'ALIGN="LEFT" BORDER="0" COLOR="{ink}" CELLSPACING="3"'
            inner = f"<TABLE {frame}><TR>{head}{''.join(cells)}</TR></TABLE>"
            return f'<TR><TD ALIGN="LEFT">{inner}</TD></TR>'

        ramp = [(swatch.label, swatch.fill) for swatch in style.CERTAINTY_RAMP] + [("unknown (?%)", style.UNKNOWN_FILL)]
        certainty = [cell(label, f'BORDER="1" BGCOLOR="{fill}"', style.INK) for label, fill in ramp]
        prescribed = (
            f'<TD BORDER="1" CELLPADDING="1"><TABLE BORDER="1" COLOR="{ink}" CELLBORDER="0" CELLPADDING="2"><TR>'
            f"<TD>{_small('prescribed', ink)}</TD></TR></TABLE></TD>"
        )
        decided = [
            cell("explore / opportunity", 'BORDER="1" STYLE="dashed"'),
            cell("outcome"),
            cell("guided", 'BORDER="3"'),
            prescribed,
        ]
        marks = [
            cell("⚠ lint finding, rule named", f'BORDER="2" COLOR="{style.LINT}"'),
            cell("▲ weakest link", f'BORDER="3" COLOR="{style.WEAKEST}"'),
            cell("◇ open for debate", 'BORDER="0"'),
            cell("◆ contested", 'BORDER="0"'),
        ]
        shapes = ", ".join(f"{style.shape_words(kind)} {kind}" for kind in style.SHAPES)
        lines = [
            line("certainty (fill)", certainty),
            line("how much of the how is decided (border)", decided),
            line("marks", marks),
            *self._diff_legend(cell, line),
            line("shape", [cell(shapes, 'BORDER="0"')]),
            line("lines", [cell("arrow: contributes to · dashed: second parent · dotted: rests on", 'BORDER="0"')]),
        ]
        table = (
            f'<TABLE BORDER="1" COLOR="#bdbdbd" STYLE="rounded" CELLBORDER="0" CELLSPACING="2">{"".join(lines)}</TABLE>'
        )
        with self.dot.subgraph(name=f"row{row_index}") as same:
            same.attr(rank="same")
            self._spine(same, row_index)
            same.node(LEGEND, shape="plaintext", margin="0", label=Html(table), tooltip="legend")
        if row_index > 0:
            self.dot.edge(f"row{row_index - 1}", f"row{row_index}", style="invis")

    def _diff_legend(self, cell: Callable[..., str], line: Callable[[str, list[str]], str]) -> list[str]:
        if self.scene.view.kind != "diff":
            return []
        cells = [
            cell("+ added", f'BORDER="3" COLOR="{style.ADDED}"'),
            cell("△ changed: what, before → after", f'BORDER="3" COLOR="{style.CHANGED}"'),
            cell("− removed", f'BORDER="2" STYLE="dashed" COLOR="{style.REMOVED}"'),
            cell("dashed grey line “was”: a link that was dropped", 'BORDER="0"'),
        ]
        return [line(f"changes {self.scene.view.focus}", cells)]


@dataclass(frozen=True, slots=True)
class DotPlan:
    source: str
    rows: tuple[Row, ...]  # row n is the rank of the spine node `row{n}`
    theme: style.ThemeName = "light"

    def bands(self) -> list[BandSpan]:
        """The horizon bands, top to bottom, with the spine nodes of their first and last rows."""
        theme = style.palette(self.theme)
        spans: list[BandSpan] = []
        for index, row in enumerate(self.rows):
            if spans and spans[-1].label == row.band.label:
                spans[-1] = dataclasses.replace(spans[-1], last=f"row{index}")
            else:
                fill = theme.bands[row.band.index % 2]
                spans.append(BandSpan(row.band.label, fill, f"row{index}", f"row{index}", theme.muted, theme.band_line))
        return spans


def build_dot(scene: Scene, options: DotOptions | None = None) -> DotPlan:
    return _Builder(scene, options or DotOptions()).build()


def drawn_scene(scene: Scene, options: DotOptions) -> Scene:
    """The scene as Graphviz draws it: a large map with its near-term bets summarised."""
    return summarise(scene) if options.summarise else scene


def to_dot(
    graph: Graph, view: View | None = None, *, today: dt.date | None = None, options: DotOptions | None = None
) -> str:
    """The DOT that `render` hands to Graphviz for a view of a graph: pure and deterministic.

    `today` is only read when the graph has no `as_of` of its own.
    """
    if today is None and graph.as_of is None:
        raise ValueError("the graph has no as_of: pass today")
    options = options or DotOptions()
    scene = select(graph, view or View(), today or graph.reference_date(dt.date.min))
    return build_dot(drawn_scene(scene, options), options).source
