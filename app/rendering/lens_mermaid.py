"""The three lenses (`app.domain.lenses`) as Mermaid, for wikis and READMEs that render it.

- The board is a `kanban`: a column each for Now, Next, Later and Done, the cards in stack-rank
  order. Mermaid's kanban has neither swimlanes nor a title: the lanes follow one another down
  each column, every card names its team in `assigned`, and the front matter keeps the title for
  whoever reads the source. `ticket` carries the bet's id, what the card is found by; `priority`
  is left out, since on a board priority is the stack rank that the order already shows.
- The assumption map is a `quadrantChart`: evidence across, importance up, Bland's four quadrants.
- The portfolio is a `quadrantChart` too. `xychart-beta` draws bars and lines over a category or
  number axis but has no scatter of named points; the quadrant chart has exactly that, with four
  named regions. Its quadrants always split at the middle, so each axis bends there: the left half
  runs from today to the lint's long horizon and the right half from there to the furthest
  pay-off; the lower half from 0 to the lint's false-certainty threshold and the upper half from
  there to 100%. The quadrants then are the portfolio's regions: far out is where prescribing is
  warned about, sure is where a claim needs a chain to match.

On both quadrant charts a point in a quadrant stays inside it (a small gap keeps it off the
midline), and a point whose name would cover another's moves a line up or down (or, with no line
free, round its spot), the same way every time: Mermaid itself draws names over one another.

User text is written as `mermaid.text` writes it for flowcharts (see there): each character that
Mermaid, its directives, Markdown or HTML would read becomes a `#code;` entity that Mermaid prints
literally, inside a double-quoted string, which every one of these diagrams accepts for a label, a
point's name and a kanban card. The kanban's labels are Markdown, but Mermaid reads only emphasis
in them (`*`, `_`, escaped here): a title that starts like a list item or a heading stays as it is.

The limits are Mermaid's, as for the flowcharts (`MAX_TEXT`): a board too big is drawn with its
top-ranked cards per team and column and a card counting the rest; a chart too big has its names
shortened; when even that cannot fit, `MermaidTooLargeError` says what to draw instead.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.domain.lenses import (
    COLUMNS,
    IMPORTANT,
    NO_TEAM,
    WELL_EVIDENCED,
    AssumptionMap,
    Board,
    Card,
    Column,
    Marks,
    Portfolio,
    Quadrant,
)
from app.rendering import style
from app.rendering.lenses import named
from app.rendering.mermaid import (
    MAX_TEXT,
    MermaidTheme,
    MermaidTooLargeError,
    body_size,
    front_matter,
    text,
)
from app.words import percent, plural

# A card's title in a board cut down to fit Mermaid, and a point's name on a chart, in characters.
COMPACT_TITLE = 60
NAME_WIDTHS = (36, 24, 16)
# Cards shown per team and column when the whole board is beyond Mermaid's limits, largest first.
PER_CELL = (12, 6, 3, 1, 0)
# The chart's size in pixels: Mermaid's default 500 crowds the names.
CHART_SIZE = 720

# Where the quadrants' points lie within 0-1: each half keeps off the midline, and off the border
# by about half a name (drawn centred under its point) and the quadrant's own label at the top.
_LOW = (0.1, 0.44)
_HIGH = (0.56, 0.9)
# A name under its point spans about this much of the chart's width, and a line of it this much
# of its height (Mermaid's 12px labels on a chart of CHART_SIZE pixels).
_NAME_SPAN = 0.3
_LINE = 0.03
_MAX_SHIFT = 6  # lines a point may move up or down to keep its name clear
_SPREAD = 0.028  # how far apart points on one spot are drawn when no line is free
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _plain(value: str) -> str:
    """User text on one line, whitespace runs as one space, nothing a YAML or XML reader refuses."""
    out = []
    for ch in value:
        category = unicodedata.category(ch)
        if category in ("Cs", "Cn"):
            out.append("\ufffd")  # a lone surrogate or a noncharacter: the replacement mark
        elif ch.isspace() or category in ("Cc", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def shorten(value: str, width: int) -> str:
    """`value` on one line, cut at a space if it can be (else mid-word) to `width` characters and `…`."""
    flat = _plain(value)
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _quoted(value: str) -> str:
    return f'"{text(_plain(value))}"'


def _too_large(what: str, tried: str, instead: str) -> MermaidTooLargeError:
    return MermaidTooLargeError(
        f"{what}, more than Mermaid draws (at most {MAX_TEXT:,} characters), {tried}. {instead}"
    )


# --- the board -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cut:
    compact: bool = False  # titles cut short, lint marks as one count
    per_cell: int | None = None  # cards per team and column; None: every card


_CUTS = (
    _Cut(),
    _Cut(compact=True),
    *(_Cut(per_cell=n) for n in PER_CELL[:2]),
    *(_Cut(compact=True, per_cell=n) for n in PER_CELL),
)


def _marks_line(marks: Marks, compact: bool) -> str | None:
    if not marks.any:
        return None
    if compact:
        return f"⚠ {marks.errors + marks.warnings + marks.infos}"
    found = [
        plural(marks.errors, "error"),
        plural(marks.warnings, "warning"),
        plural(marks.infos, "note"),
    ]
    return "⚠ " + ", ".join(part for part in found if not part.startswith("0 "))


def _card_lines(card: Card, compact: bool) -> list[str]:
    facts = [card.kind.value]
    if card.rank is not None:
        facts.append(f"rank {card.rank}")
    facts.append(f"{percent(card.certainty)} sure")
    facts.append(f"chain {percent(card.chain_certainty)}")
    lines = [shorten(card.title, COMPACT_TITLE) if compact else card.title, " · ".join(facts)]
    if card.debate in style.DEBATE_MARKERS:
        lines.append(style.DEBATE_MARKERS[card.debate])
    marks = _marks_line(card.marks, compact)
    if marks is not None:
        lines.append(marks)
    return lines


def _item(node_id: str, lines: Iterable[str], team: str) -> str:
    # Mermaid's kanban reads its labels as Markdown and breaks the card's text at each newline.
    label = "\n".join(text(_plain(line)) for line in lines)
    metadata = [f"assigned: {_quoted(team)}"] if team != NO_TEAM else []
    if node_id.startswith("c_"):
        metadata.append(f'ticket: "{text(node_id[2:])}"')
    data = f"@{{ {', '.join(metadata)} }}" if metadata else ""
    return f'    {node_id}["{label}"]{data}'


def _column_items(board: Board, column: Column, cut: _Cut) -> Iterator[str]:
    for number, lane in enumerate(board.lanes):
        cards = lane.cards[column]
        shown = cards if cut.per_cell is None else cards[: cut.per_cell]
        for card in shown:
            yield _item(f"c_{card.id}", _card_lines(card, cut.compact), card.team)
        rest = len(cards) - len(shown)
        if rest:
            lines = [f"+ {rest} more", f"{lane.label}, ranked lower"]
            yield _item(f"more_{column.value}_{number}", lines, lane.team)


def _board_source(board: Board, theme: MermaidTheme, cut: _Cut) -> str:
    out = [*front_matter(named(board)[0], theme), "kanban"]
    if len(board.lanes) > 1:
        out.append(
            f"  %% {len(board.lanes)} teams: kanban has no swimlanes, so each column lists one team's cards after "
            "another's, and each card names its team (assigned)"
        )
    if cut.per_cell is not None:
        left = sum(max(0, len(lane.cards[c]) - cut.per_cell) for lane in board.lanes for c in COLUMNS)
        out.append(
            f"  %% summarised to fit Mermaid: {plural(left, 'card')} not drawn, "
            f"the top {cut.per_cell} per team and column shown"
        )
    for column in COLUMNS:
        count = sum(len(lane.cards[column]) for lane in board.lanes)
        out.append(f'  col_{column.value}["{text(f"{column.label} · {column.reach} · {count}")}"]')
        out.extend(_column_items(board, column, cut))
    return "\n".join(out) + "\n"


def board_mermaid(board: Board, theme: MermaidTheme = "light") -> str:
    """The board as a Mermaid kanban within Mermaid's limits, the lowest-ranked cards counted if it must."""
    for cut in _CUTS:
        source = _board_source(board, theme, cut)
        if body_size(source) <= MAX_TEXT:
            return source
    raise _too_large(
        f"this board has {plural(len(board.cards), 'card')} in {plural(len(board.lanes), 'lane')}",
        "even with only a count of the cards per team and column",
        "Draw it as SVG or PNG instead, or one team's board.",
    )


# --- the quadrant charts -------------------------------------------------------------------------


def _within(value: float, high: bool) -> float:
    """`value` (0-1 within its half) placed in the lower or upper half of the chart."""
    low, top = _HIGH if high else _LOW
    return low + (top - low) * min(1.0, max(0.0, value))


def _coordinate(value: float) -> str:
    # Mermaid reads a coordinate as `1`, `0` or `0.` and digits, nothing else.
    rounded = round(value, 3)
    if rounded >= 1:
        return "1"
    if rounded <= 0:
        return "0"
    return f"{rounded:.3f}"


@dataclass(frozen=True, slots=True)
class _Point:
    name: str  # the full text, cut to a width when written
    x: float
    y: float
    right: bool  # in the right half (the jitter keeps it there)
    top: bool
    css: str | None = None


def _free(x: float, y: float, placed: list[tuple[_Point, float, float]]) -> bool:
    return all(abs(x - px) >= _NAME_SPAN or abs(y - py) >= _LINE for _, px, py in placed)


def _spread(points: list[_Point]) -> list[tuple[_Point, float, float]]:
    """Each point with where it is drawn. A point whose name would cover one already placed moves up
    or down a line at a time, within its quadrant, to the nearest free place; when there is none,
    those on one spot are set around it on a sunflower spiral. The same points land the same way."""
    seen: dict[tuple[float, float], int] = {}
    placed: list[tuple[_Point, float, float]] = []
    for point in points:
        x_low, x_high = _HIGH if point.right else _LOW
        y_low, y_high = _HIGH if point.top else _LOW
        x, y = point.x, point.y
        shifts = (sign * k * _LINE for k in range(1, _MAX_SHIFT + 1) for sign in (1, -1))
        candidates = [(x, y), *((x, y + shift) for shift in shifts if y_low <= y + shift <= y_high)]
        spot = next(((cx, cy) for cx, cy in candidates if _free(cx, cy, placed)), None)
        if spot is None:
            key = (round(x, 3), round(y, 3))
            k = seen[key] = seen.get(key, 0) + 1
            radius, angle = _SPREAD * math.sqrt(k), k * _GOLDEN_ANGLE
            spot = _step(x, radius * math.cos(angle), x_low, x_high), _step(y, radius * math.sin(angle), y_low, y_high)
        placed.append((point, *spot))
    return placed


def _step(value: float, by: float, low: float, high: float) -> float:
    # A step that would leave the quadrant's half is taken the other way: a spot in a corner
    # (no evidence at all, say) is spread into the quadrant, not piled up against its edge.
    moved = value + by if low <= value + by <= high else value - by
    return min(high, max(low, moved))


@dataclass(frozen=True, slots=True)
class _Chart:
    title: str
    x_axis: tuple[str, str]
    y_axis: tuple[str, str]
    quadrants: tuple[str, str, str, str]  # Mermaid's order: top right, top left, bottom left, bottom right
    points: list[_Point]
    notes: tuple[str, ...] = ()  # `%%` comments, no user text in them
    classes: tuple[str, ...] = ()  # `classDef` lines


def _chart_source(chart: _Chart, theme: MermaidTheme, width: int) -> str:
    # Mermaid's dark theme computes its points' fill as `hsl(…, NaN%)`, which draws nothing: the
    # points take the theme's line colour instead.
    config = [
        "  themeVariables:",
        f'    quadrantPointFill: "{style.THEMES[theme].edge}"',
        "  quadrantChart:",
        f"    chartWidth: {CHART_SIZE}",
        f"    chartHeight: {CHART_SIZE}",
    ]
    out = [*front_matter(chart.title, theme, *config), "quadrantChart"]
    out += [f"  %% {note}" for note in chart.notes]
    out.append(f"  x-axis {_quoted(chart.x_axis[0])} --> {_quoted(chart.x_axis[1])}")
    out.append(f"  y-axis {_quoted(chart.y_axis[0])} --> {_quoted(chart.y_axis[1])}")
    out += [f"  quadrant-{number} {_quoted(label)}" for number, label in enumerate(chart.quadrants, start=1)]
    out += [f"  {line}" for line in chart.classes]
    for point, x, y in _spread(chart.points):
        css = f":::{point.css}" if point.css else ""
        out.append(f"  {_quoted(shorten(point.name, width))}{css}: [{_coordinate(x)}, {_coordinate(y)}]")
    return "\n".join(out) + "\n"


def _chart(chart: _Chart, theme: MermaidTheme, what: str, instead: str) -> str:
    for width in NAME_WIDTHS:
        source = _chart_source(chart, theme, width)
        if body_size(source) <= MAX_TEXT:
            return source
    raise _too_large(what, f"even with names cut to {NAME_WIDTHS[-1]} characters", instead)


def _importance(importance: int) -> float:
    # 1-5 onto the halves: 4 and 5 are important (`lenses.IMPORTANT`); 3, the undecided middle,
    # sits just under the midline, in the quadrant `quadrant_of` gives it.
    if importance >= IMPORTANT:
        return _within((importance - IMPORTANT) / max(1, 5 - IMPORTANT), high=True)
    return _within((importance - 1) / max(1, IMPORTANT - 1 - 1), high=False)


def _evidence(score: float) -> float:
    if score >= WELL_EVIDENCED:
        return _within((score - WELL_EVIDENCED) / (1 - WELL_EVIDENCED), high=True)
    return _within(score / WELL_EVIDENCED, high=False)


def assumptions_mermaid(amap: AssumptionMap, theme: MermaidTheme = "light") -> str:
    """The assumption map as a Mermaid quadrant chart: evidence across, importance up."""
    points = []
    for point in amap.points:
        name = _plain(point.statement) or point.id
        important, strong = point.importance >= IMPORTANT, point.evidence >= WELL_EVIDENCED
        css = "flagged" if point.marks.errors or point.marks.warnings else None
        points.append(_Point(name, _evidence(point.evidence), _importance(point.importance), strong, important, css))
    chart = _Chart(
        title=named(amap)[0],
        x_axis=("Little evidence", "Strong evidence"),
        y_axis=("Less important", "Important"),
        quadrants=(
            Quadrant.KEEP_AN_EYE_ON.label,
            Quadrant.TEST_FIRST.label,
            Quadrant.DEFER.label,
            Quadrant.IGNORE.label,
        ),
        points=points,
        notes=(
            f"{plural(len(points), 'assumption')}; importance 3 (undecided) sits below the midline, "
            f"evidence from {WELL_EVIDENCED:.0%} right of it",
        ),
        classes=(f"classDef flagged color: {style.LINT}, radius: 6",),
    )
    return _chart(
        chart,
        theme,
        f"this map has {plural(len(points), 'assumption')}",
        "Draw it as SVG instead, or one team's map.",
    )


def portfolio_mermaid(portfolio: Portfolio, theme: MermaidTheme = "light") -> str:
    """The portfolio as a Mermaid quadrant chart: time to pay-off across, certainty up, the lint's
    regions as the quadrants; bets with no place in time or no certainty are counted, not drawn."""
    far = next((r.days_from for r in portfolio.regions if r.days_from is not None), None)
    sure = next((r.certainty_from for r in portfolio.regions if r.certainty_from is not None), None)
    far = far if far is not None and far > 0 else max(1, portfolio.longest // 2)
    sure = sure if sure is not None and 0 < sure < 1 else 0.5
    no_time = [bet for bet in portfolio.bets if bet.days is None]
    unstated = [bet for bet in portfolio.bets if bet.days is not None and bet.certainty is None]
    points = []
    for bet in portfolio.bets:
        if bet.days is None or bet.certainty is None:
            continue
        days = max(0, bet.days)
        right = days > far
        if right:
            x = _within((days - far) / max(1, portfolio.longest - far), high=True)
        else:
            x = _within(days / far, high=False)
        top = bet.certainty >= sure
        y = (
            _within((bet.certainty - sure) / (1 - sure), high=True)
            if top
            else _within(bet.certainty / sure, high=False)
        )
        name = (_plain(bet.title) or bet.id) + (" ⚠" if bet.regions else "")
        css = "flagged" if bet.regions else "done" if bet.done else None
        points.append(_Point(name, x, y, right, top, css))
    left_out = len(no_time) + len(unstated)
    title = named(portfolio)[0]
    if left_out:
        title += f" ({left_out} not drawn: no horizon or no certainty)"
    horizon = "1 day" if far == 1 else f"{far} days"
    notes = [
        f"across: today to {horizon} (the long horizon) on the left half, "
        f"on to {portfolio.longest} days on the right; up: certainty, {sure:.0%} at the midline",
    ]
    if no_time:
        notes.append(f"{plural(len(no_time), 'bet')} left out: no horizon on its line")
    if unstated:
        notes.append(f"{plural(len(unstated), 'bet')} left out: no certainty stated")
    chart = _Chart(
        title=title,
        x_axis=("Pays off soon", f"Far out: beyond {horizon}"),
        y_axis=("Unsure", f"Sure: {sure:.0%}+"),
        quadrants=("Sure and far out", "Sure and soon", "Unsure and soon", "Unsure and far out"),
        points=points,
        notes=tuple(notes),
        classes=(
            f"classDef flagged color: {style.LINT}, radius: 6",
            f"classDef done color: {style.SECONDARY_EDGE}",
        ),
    )
    return _chart(
        chart,
        theme,
        f"this portfolio has {plural(len(points), 'bet')}",
        "Draw it as SVG instead, or one team's portfolio.",
    )
