"""Scene -> Mermaid flowchart, for wikis and READMEs that render Mermaid natively.

The picture follows the Graphviz one as far as Mermaid's flowchart allows: horizon bands stacked
with the longest at the top, a bet above what contributes to it (`flowchart BT`, arrows pointing
up to the parent), certainty as fill, a dashed border for explore and opportunity. Mermaid has no
double border nor every shape, so the label also says the kind, certainty and prescriptiveness.

Everything here is written for what Mermaid (11.x) does with text, read in its source:

- Labels are HTML. The text first goes through `encodeEntities`, which turns `#60;` into a
  placeholder that survives parsing and DOMPurify and comes back as `&#60;` in the finished SVG,
  so user text is written with every character Mermaid or HTML would read as `#code;`.
- The front matter's `title` skips `encodeEntities` but is sanitised by DOMPurify and then set as
  plain text, so `<draft>` vanishes and `&` shows as `&amp;`. Mermaid's placeholder itself
  (`ﬂ°°60¶ß`), which its last step turns into `&#60;` across the whole SVG, is the one way to
  get `<`, `>` and `&` there literally.
- Mermaid wraps a label's lines at `flowchart.wrappingWidth` pixels, wherever a space falls. The
  lines here are short enough not to wrap, and a phrase that must not be split (`31 of 10 → 40 %`)
  has no-break spaces.
- By default Mermaid refuses more than 50,000 characters (`maxTextSize`, after the front matter)
  and 500 links (`maxEdges`), and a diagram cannot raise either. A view that would not fit is
  drawn summarised; when even that cannot fit, `MermaidTooLargeError` says what to draw instead.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from app.domain.model import Assumption, Bet, Kind
from app.rendering import style
from app.rendering.dot import heading, wrap
from app.rendering.progress import metric_line
from app.rendering.runner import RenderTooLargeError
from app.rendering.summary import summarise
from app.rendering.views import Edge, Scene, Summary, summary_id
from app.words import percent, plural

MermaidTheme = Literal["light", "dark"]

# Mermaid's defaults (`maxTextSize`, counted in UTF-16 code units as JavaScript does, and
# `maxEdges`); `secure` keys, so a diagram's own config cannot raise them.
MAX_TEXT = 50_000
MAX_EDGES = 500
# Lines of at most this many characters stay within WRAPPING_WIDTH pixels at Mermaid's 16px font.
LINE_WIDTH = 28
WRAPPING_WIDTH = 320
# A phrase longer than this keeps its spaces, so that Mermaid may still wrap it inside the node.
PHRASE_WIDTH = 36
NBSP = "\u00a0"

# Characters Mermaid's parser, its directives (`%%{`) or HTML
# would read inside a quoted label; each becomes a `#code;` entity that Mermaid prints literally.
_SPECIAL = frozenset('"#&<>`[](){}|\\*_~=:;%')
# What DOMPurify's serialisation or Mermaid's last step would change in the front matter's title.
_TITLE_SPECIAL = frozenset("&<>\u00a0\ufb02\u00b6")


class MermaidTooLargeError(RenderTooLargeError):
    """Even summarised, the view is beyond what Mermaid draws by default."""


def text(value: str) -> str:
    """User text for inside a quoted label: literal in the rendered picture."""
    # A label's entities are decoded before Mermaid's last pass, so its placeholder, spelled out by
    # a user, would still be read there: a word joiner (invisible) keeps the two halves apart.
    value = value.replace("\ufb02\u00b0", "\ufb02\u2060\u00b0").replace("\u00b6\u00df", "\u00b6\u2060\u00df")
    out = []
    for ch in value:
        if ch in _SPECIAL:
            out.append(f"#{ord(ch)};")
        elif ch in "\r\n\t" or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def title_text(value: str) -> str:
    """The front matter's `title` as a YAML double-quoted scalar (JSON is one) that Mermaid shows literally."""
    placeholders = "".join(f"\ufb02\u00b0\u00b0{ord(ch)}\u00b6\u00df" if ch in _TITLE_SPECIAL else ch for ch in value)
    quoted = json.dumps(placeholders, ensure_ascii=False)
    # Line and paragraph separators and format characters: escaped, so nothing can end the line.
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Zl", "Zp", "Cf") else ch for ch in quoted)


def front_matter(title: str, theme: MermaidTheme, *config: str) -> list[str]:
    """A diagram's front matter: its title, shown literally, the theme, and `config`'s own lines."""
    return [
        "---",
        f"title: {title_text(title)}",
        "config:",
        f"  theme: {'dark' if theme == 'dark' else 'default'}",
        *config,
        "---",
    ]


def _phrase(value: str) -> str:
    return value.replace(" ", NBSP) if len(value) <= PHRASE_WIDTH else value


def pack(phrases: Iterable[str], joiner: str = " · ", width: int = LINE_WIDTH) -> list[str]:
    """Phrases onto lines of about `width` characters, never splitting one: `70% ■■■■□` stays whole."""
    lines: list[str] = []
    for phrase in map(_phrase, phrases):
        if lines and len(lines[-1]) + len(joiner) + len(phrase) <= width:
            lines[-1] += joiner + phrase
        else:
            lines.append(phrase)
    return lines


def metric_lines(line: str, name: str) -> list[str]:
    """`metric_line` in phrases: the name wrapped at its spaces, then each figure whole."""
    rest = line[len(name) + 1 :] if line.startswith(name + " ") else ""
    if not rest:
        return pack([line])
    arrow, _, figures = rest.partition(" ")
    phrases = figures.replace(" (now ", " · (now ").split(" · ")
    words = wrap(name, LINE_WIDTH)
    words[-1] = f"{words[-1]} {arrow}"
    if len(phrases[0]) + len(words[-1]) + 1 <= LINE_WIDTH:
        words[-1] = f"{words[-1]} {phrases.pop(0)}"
    return [*words[:-1], _phrase(words[-1]), *pack(phrases)]


@dataclass(frozen=True, slots=True)
class _Drawing:
    scene: Scene
    compact: bool = False  # labels cut to what identifies a node
    left_out: tuple[tuple[int, int], ...] = ()  # (band index, how many nodes) not drawn


# Shapes Mermaid's classic syntax has that come closest to ours (style.SHAPES).
_SHAPES: dict[Kind | str, tuple[str, str]] = {
    Kind.VISION: ('[/"', '"\\]'),  # a trapezoid for the house
    Kind.STRATEGY: ('{{"', '"}}'),
    Kind.GOAL: ('[["', '"]]'),  # its double sides for the 3-D box
    Kind.OUTCOME: ('("', '")'),
    Kind.OPPORTUNITY: ('>"', '"]'),
    Kind.HYPOTHESIS: ('["', '"]'),
    Kind.INITIATIVE: ('["', '"]'),
    "assumption": ('[/"', '"/]'),
    "summary": ('(["', '"])'),
}


def _id(node_id: str, *, assumption: bool = False) -> str:
    # Mermaid reads `-` in an id as the start of an arrow; slugs never contain `_`, so this is unique.
    if node_id.startswith("~"):
        return f"s_{node_id[1:].replace('-', '_')}"
    return f"{'a' if assumption else 'b'}_{node_id.replace('-', '_')}"


def _class(certainty: float | None) -> str:
    if certainty is None:
        return "cu"
    return f"c{min(4, int(certainty * 5))}"


class _Writer:
    def __init__(self, drawing: _Drawing, theme: MermaidTheme) -> None:
        self.drawing = drawing
        self.scene = drawing.scene
        self.theme = theme
        self.edges = 0
        self.link_styles: dict[str, list[int]] = {}

    def _label(self, lines: list[str]) -> str:
        return "<br/>".join(text(line) for line in lines)

    def _marks(self, node_id: str) -> list[str]:
        scene = self.scene
        marks = []
        if node_id == scene.weakest:
            marks.append("▲ weakest link of this chain")
        rules = sorted({f.rule for f in scene.findings.get(node_id, ())})
        if rules:
            marks += pack([f"⚠ {rules[0]}", *rules[1:]], joiner=", ")
        change = scene.changes.get(node_id)
        if change is not None:
            marks += change.lines  # each on its own line, short enough not to be wrapped
        return marks

    def _bet(self, bet: Bet) -> str:
        scene = self.scene
        lines = pack(heading(scene, bet))
        facts = [percent(bet.certainty)]
        if self.drawing.compact:
            lines += wrap(bet.title, LINE_WIDTH, 2)
        else:
            lines += wrap(bet.title, LINE_WIDTH)
            if bet.metric is not None:
                lines += metric_lines(metric_line(bet.metric), bet.metric.name)
            if bet.horizon:
                facts.append(bet.horizon.text)
            if bet.prescriptiveness:
                facts.append(bet.prescriptiveness.label)
            if bet.status != "proposed":
                facts.append(bet.status.value)
        lines += pack(facts)
        if bet.debate in style.DEBATE_MARKERS:
            lines.append(_phrase(style.DEBATE_MARKERS[bet.debate]))
        if scene.view.kind == "why" and bet.id in scene.focus:
            lines.append(_phrase(f"chain certainty {percent(scene.support.value[bet.id])}"))
        start, end = _SHAPES[bet.kind]
        return f"{_id(bet.id)}{start}{self._label(lines + self._marks(bet.id))}{end}"

    def _assumption(self, assumption: Assumption) -> str:
        width = LINE_WIDTH + 2
        statement = wrap(assumption.statement, width, 2) if self.drawing.compact else wrap(assumption.statement, width)
        lines = ["ASSUMPTION", *statement, percent(assumption.certainty)]
        if assumption.debate in style.DEBATE_MARKERS:
            lines.append(_phrase(style.DEBATE_MARKERS[assumption.debate]))
        start, end = _SHAPES["assumption"]
        return f"{_id(assumption.id, assumption=True)}{start}{self._label(lines + self._marks(assumption.id))}{end}"

    def _summary(self, summary: Summary) -> str:
        kinds = [plural(count, kind, Kind(kind).plural) for kind, count in summary.kinds]
        lines = pack(["SUMMARY", plural(len(summary.bets), "bet"), f"under {summary.parent}"])
        lines += pack(kinds, joiner=", ")
        lines += pack([f"{percent(summary.certainty)} on average", self.scene.bands[summary.id].label])
        if summary.flagged:
            lines.append(_phrase(f"⚠ {summary.flagged} with lint findings"))
        start, end = _SHAPES["summary"]
        return f"{_id(summary.id)}{start}{self._label(lines)}{end}"

    def _link(self, line: str, kind: str | None = None) -> str:
        if kind is not None:
            self.link_styles.setdefault(kind, []).append(self.edges)
        self.edges += 1
        return "  " + line

    def write(self) -> str:
        scene = self.scene
        theme = style.THEMES[self.theme]
        out = [
            *front_matter(scene.title, self.theme, "  flowchart:", f"    wrappingWidth: {WRAPPING_WIDTH}"),
            "flowchart BT",
        ]
        members: dict[int, list[str]] = {}
        for bet in scene.bets:
            members.setdefault(scene.bands[bet.id].index, []).append(self._bet(bet))
        for summary in scene.summaries:
            members.setdefault(scene.bands[summary.id].index, []).append(self._summary(summary))
        for assumption in scene.assumptions:
            members.setdefault(scene.bands[assumption.id].index, []).append(self._assumption(assumption))
        for index, count in self.drawing.left_out:
            lines = [
                plural(count, "node") + " not drawn:",
                "too many for Mermaid.",
                "Draw the SVG, or a why,",
                "impact or team view",
            ]
            members.setdefault(index, []).append(f'l_{index}["{self._label(lines)}"]')
        labels = {band.index: band.label for band in scene.bands.values()}
        labels |= {band.index: band.label for band in (*style.BANDS, style.UNATTACHED)}
        # Each band holds the shorter ones: dagre then stacks them, longest on top, where bands side
        # by side (or chained by invisible links) came out side by side or as a staircase.
        order = sorted(members)
        for depth, index in enumerate(order):
            indent = "  " * (depth + 1)
            out.append(f'{indent}subgraph band{index}["{text(labels[index])}"]')
            # A subgraph laid out on its own takes its own direction, whatever the chart's.
            out.append(f"{indent}  direction BT")
            out.extend(f"{indent}  {line}" for line in members[index])
        out += ["  " * depth + "end" for depth in range(len(order), 0, -1)]
        on_path = set(zip(scene.path[1:], scene.path[:-1], strict=False))
        removed = {key for key, change in scene.changes.items() if change.kind == "removed"}
        for edge in sorted(scene.edges, key=lambda e: (e.child, e.parent)):
            arrow = "-->" if edge.primary else "-.->"
            kind = "removed" if {edge.child, edge.parent} & removed else None
            if (edge.parent, edge.child) in on_path:
                kind = "path"
            elif not edge.primary and kind is None:
                kind = "secondary"
            out.append(self._link(f"{_id(edge.child)} {arrow} {_id(edge.parent)}", kind))
        out += self._rests_on(removed)
        for edge in scene.was_edges:
            out.append(self._link(f"{_id(edge.child)} -. was .-> {_id(edge.parent)}", "removed"))
        for assumption_id, bet_id in scene.was_rests_on:
            out.append(self._link(f"{_id(assumption_id, assumption=True)} -. was .- {_id(bet_id)}", "removed"))
        out += self._styles(order, theme)
        return "\n".join(out) + "\n"

    def _rests_on(self, removed: set[str]) -> Iterator[str]:
        # In `flowchart BT` a link's first node is drawn below: an assumption hangs under the topmost
        # bet resting on it, in that bet's band, and the bets further down hang under it.
        scene = self.scene
        anchored: set[str] = set()
        pairs = sorted(scene.rests_on, key=lambda pair: (scene.bands[pair[1]].index, pair[1], pair[0]))
        for assumption_id, bet_id in pairs:
            name = _id(assumption_id, assumption=True)
            kind = "removed" if {assumption_id, bet_id} & removed else "rests"
            if assumption_id in anchored:
                yield self._link(f"{_id(bet_id)} -.- {name}", kind)
            else:
                anchored.add(assumption_id)
                yield self._link(f"{name} -.- {_id(bet_id)}", kind)

    def _styles(self, order: list[int], theme: style.Theme) -> list[str]:
        scene = self.scene
        out = [
            f"  style band{index} fill:{theme.bands[index % 2]},stroke:{theme.muted},color:{theme.ink}"
            for index in order
        ]
        # Nodes keep their light certainty fills and dark text in both themes, as in the SVG.
        out += [
            f"  classDef c{i} fill:{swatch.fill},color:{style.INK}" for i, swatch in enumerate(style.CERTAINTY_RAMP)
        ]
        out.append(f"  classDef cu fill:{style.UNKNOWN_FILL},color:{style.INK}")
        out.append(f"  classDef note fill:{style.UNKNOWN_FILL},color:{style.INK},stroke-dasharray:5 3")
        out.append("  classDef dashed stroke-dasharray:5 3")
        out.append("  classDef guided stroke-width:2.6px")
        out.append("  classDef prescribed stroke-width:4px")
        out.append(f"  classDef lint stroke:{style.LINT},stroke-width:3px")
        out.append(f"  classDef weakest stroke:{style.WEAKEST},stroke-width:3px")
        if scene.changes:
            out.append(f"  classDef added stroke:{style.ADDED},stroke-width:3px")
            out.append(f"  classDef changed stroke:{style.CHANGED},stroke-width:3px")
            out.append(
                f"  classDef removed fill:{style.REMOVED_FILL},color:{style.INK},"
                f"stroke:{style.REMOVED},stroke-dasharray:5 3"
            )
        classes: dict[str, list[str]] = {}
        nodes = [(_id(b.id), b.certainty, b.id) for b in scene.bets]
        nodes += [(_id(s.id), s.certainty, s.id) for s in scene.summaries]
        nodes += [(_id(a.id, assumption=True), a.certainty, a.id) for a in scene.assumptions]
        for name, certainty, _ in nodes:
            classes.setdefault(_class(certainty), []).append(name)
        for bet in scene.bets:
            if bet.prescriptiveness is not None:
                border = {1: "dashed", 2: "dashed", 4: "guided", 5: "prescribed"}.get(int(bet.prescriptiveness))
                if border:
                    classes.setdefault(border, []).append(_id(bet.id))
        for name, _, node_id in nodes:
            if node_id in scene.findings:
                classes.setdefault("lint", []).append(name)
            if node_id == scene.weakest:
                classes.setdefault("weakest", []).append(name)
            if node_id in scene.changes:
                classes.setdefault(scene.changes[node_id].kind, []).append(name)
        classes.setdefault("note", []).extend(f"l_{index}" for index, _ in self.drawing.left_out)
        # Later statements win where two classes set the same property: marks over fills.
        for name in ("cu", "c0", "c1", "c2", "c3", "c4", "note", "dashed", "guided", "prescribed"):
            if classes.get(name):
                out.append(f"  class {','.join(classes[name])} {name}")
        for name in ("lint", "weakest", "added", "changed", "removed"):
            if classes.get(name):
                out.append(f"  class {','.join(classes[name])} {name}")
        edge_colours = {
            "secondary": f"stroke:{style.SECONDARY_EDGE}",
            "rests": f"stroke:{theme.muted},stroke-dasharray:2 3",
            "path": f"stroke:{style.WEAKEST},stroke-width:2.6px",
            "removed": f"stroke:{style.REMOVED},stroke-dasharray:5 3",
        }
        for kind, colour in edge_colours.items():
            if self.link_styles.get(kind):
                out.append(f"  linkStyle {','.join(map(str, self.link_styles[kind]))} {colour}")
        return out


def text_size(value: str) -> int:
    """The length Mermaid measures: JavaScript's, in UTF-16 code units."""
    return len(value.encode("utf-16-le")) // 2


def body_size(value: str) -> int:
    # maxTextSize applies to the diagram after its front matter.
    return text_size(value.split("\n---\n", 1)[1])


def _collapsed(scene: Scene, last: int) -> tuple[Scene, tuple[tuple[int, int], ...]]:
    """The bands up to `last` as they are; below them, one summary per nearest kept bet of what hangs
    from it (as `summary.summarise` does for the nearest band), and a count of the rest."""
    kept = {key for key, band in scene.bands.items() if band.index <= last}
    graph = scene.graph
    groups: dict[str, list[str]] = {}
    loose: dict[int, int] = {}
    for bet in scene.bets:
        if bet.id in kept:
            continue
        step, seen = bet, {bet.id}
        while step.id not in kept and step.parents and step.parents[0] in scene.bands and step.parents[0] not in seen:
            step = graph.bet_by_id[step.parents[0]]
            seen.add(step.id)
        if step.id in kept:
            groups.setdefault(step.id, []).append(bet.id)
        else:
            index = scene.bands[bet.id].index
            loose[index] = loose.get(index, 0) + 1
    below = style.BANDS[min(last + 1, len(style.BANDS) - 1)]
    summaries = []
    for parent, members in sorted(groups.items()):
        bets = [graph.bet_by_id[b] for b in members]
        stated = [b.certainty for b in bets if b.certainty is not None]
        summaries.append(
            Summary(
                id=summary_id(parent),
                parent=parent,
                bets=tuple(members),
                kinds=tuple(Counter(b.kind.value for b in bets).most_common()),
                certainty=statistics.fmean(stated) if stated else None,
                flagged=sum(1 for b in members if b in scene.findings),
            )
        )
    assumptions = tuple(a for a in scene.assumptions if any(p[0] == a.id and p[1] in kept for p in scene.rests_on))
    kept |= {a.id for a in assumptions}
    trimmed = dataclasses.replace(
        scene,
        bets=tuple(b for b in scene.bets if b.id in kept),
        assumptions=assumptions,
        summaries=tuple(summaries),
        edges=tuple(e for e in scene.edges if e.child in kept and e.parent in kept)
        + tuple(Edge(summary.parent, summary.id, True) for summary in summaries),
        rests_on=tuple(p for p in scene.rests_on if p[0] in kept and p[1] in kept),
        was_edges=tuple(e for e in scene.was_edges if e.child in kept and e.parent in kept),
        was_rests_on=tuple(p for p in scene.was_rests_on if p[0] in kept and p[1] in kept),
        bands={key: band for key, band in scene.bands.items() if key in kept}
        | {summary.id: below for summary in summaries},
        findings={key: value for key, value in scene.findings.items() if key in kept},
    )
    return trimmed, tuple(sorted(loose.items()))


def _drawings(scene: Scene) -> Iterator[_Drawing]:
    """Ever smaller drawings of the scene: all of it, then summarised, then the top bands only."""
    yield _Drawing(scene)
    if scene.view.kind == "map":
        yield _Drawing(summarise(scene, threshold=0))
    yield _Drawing(summarise(scene, threshold=0) if scene.view.kind == "map" else scene, compact=True)
    if scene.view.kind == "map":
        bands = sorted({band.index for band in scene.bands.values()})
        for last in reversed(bands[:-1]):
            trimmed, left_out = _collapsed(scene, last)
            yield _Drawing(trimmed, compact=True, left_out=left_out)


def to_mermaid(scene: Scene, theme: MermaidTheme = "light") -> str:
    """The scene as a Mermaid flowchart within Mermaid's default limits, summarised if it must be."""
    for drawing in _drawings(scene):
        shown = drawing.scene
        if len(shown.edges) + len(shown.rests_on) + len(shown.was_edges) + len(shown.was_rests_on) > MAX_EDGES:
            continue
        writer = _Writer(drawing, theme)
        source = writer.write()
        if writer.edges <= MAX_EDGES and body_size(source) <= MAX_TEXT:
            return source
    raise MermaidTooLargeError(
        f"this view has {scene.size} bets and assumptions, more than Mermaid draws "
        f"(at most {MAX_TEXT:,} characters and {MAX_EDGES} links), even summarised. "
        "Draw it as SVG or PNG instead, or draw a why, impact or team view."
    )
