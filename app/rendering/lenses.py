"""The lenses drawn: the board, the assumption map and the portfolio as DOT, in the map's grammar.

Each lens is a chart whose places are decided here, not by a layout: cards in columns and lanes,
points on two axes. So every node is pinned (`pos="x,y!"`) and Graphviz's neato only draws them:
no layout work, which keeps a 2,000-bet board well within a second. Backgrounds (lanes,
quadrants, the regions lint warns about) are nodes drawn first, behind the cards and points.

A card or point is filled by certainty and outlined by prescriptiveness, as on the map; its
words say the same (kind, certainty, debate, lint), so nothing is told by colour alone. Each
picture comes with a text alternative (`LensPicture.text`) listing what it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.domain.lenses import (
    COLUMNS,
    AssumptionMap,
    Board,
    Card,
    Marks,
    Placed,
    Portfolio,
    Quadrant,
)
from app.domain.model import Category, Debate, Prescriptiveness
from app.rendering import style
from app.rendering.dot import wrap
from app.rendering.dotwriter import DotWriter, Html
from app.rendering.escape import attribute_text, label_text
from app.words import percent, plural

Links = Callable[[str, str], str] | None  # (slug, node id) -> the viewer's address, as for the map


@dataclass(frozen=True, slots=True)
class LensPicture:
    title: str
    description: str  # one sentence: the picture's <desc>
    text: str  # the text alternative: every column and its cards, every quadrant and its points
    source: str  # DOT


def named(lens: Board | AssumptionMap | Portfolio) -> tuple[str, str]:
    """A lens's title and its description in one sentence, whatever draws it (DOT or Mermaid)."""
    for_team = f" for {lens.team}" if lens.team else ""
    if isinstance(lens, Board):
        who = f"team {lens.team}" if lens.team else "every team"
        return f"{lens.title}: Now, Next, Later{for_team}", (
            f"The board of {who} as of {lens.as_of.isoformat()}: {plural(len(lens.cards), 'bet')} "
            f"in {plural(len(lens.lanes), 'lane')}, by how far out they pay off"
        )
    if isinstance(lens, AssumptionMap):
        leaps = len(lens.in_quadrant(Quadrant.TEST_FIRST))
        return f"{lens.title}: assumptions by importance and evidence{for_team}", (
            f"{plural(len(lens.points), 'assumption')} placed by how important they are and how strong their "
            f"evidence is; {plural(leaps, 'leap')} of faith to test first"
        )
    flagged = sum(1 for placed in lens.bets if placed.regions)
    return f"{lens.title}: the portfolio of bets{for_team}", (
        f"{plural(len(lens.bets), 'bet')} placed by when they pay off and how sure they are; "
        f"{plural(flagged, 'bet')} in a region lint warns about"
    )


# Sizes in inches (Graphviz's unit for pinned positions and node sizes).
CARD_W, CARD_H, GAP = 2.5, 1.05, 0.12
LANE_LABEL_W = 1.5
HEADER_H = 0.5
PAGE = 0.3


def _font(text: str, size: float = 9, colour: str = style.MUTED) -> str:
    return f'<FONT POINT-SIZE="{size:g}" COLOR="{colour}">{text}</FONT>'


def _marks_text(marks: Marks) -> str:
    words = []
    if marks.errors:
        words.append(plural(marks.errors, "error"))
    if marks.warnings:
        words.append(plural(marks.warnings, "warning"))
    return "⚠ " + ", ".join(words) if words else ""


def _debate(debate: Debate | None) -> str:
    return style.DEBATE_MARKERS.get(debate, "") if debate is not None else ""


def _border(prescriptiveness: Prescriptiveness | None) -> style.Border:
    return style.BORDERS[prescriptiveness] if prescriptiveness is not None else style.UNSTATED_BORDER


def _pinned(x: float, y: float) -> str:
    return f"{x:.3f},{y:.3f}!"


def _writer(title: str, theme: style.ThemeName, description: str) -> DotWriter:
    palette = style.palette(theme)
    out = DotWriter()
    out.attr(
        "graph",
        layout="neato",
        outputorder="nodesfirst",
        bgcolor=palette.background,
        fontname=style.FONT,
        fontcolor=palette.ink,
        label=Html(f"<B>{label_text(title)}</B>"),
        labelloc="t",
        fontsize="18",
        tooltip=attribute_text(description),
        pad="0.2",
    )
    out.attr("node", fontname=style.FONT, fontsize="10", fixedsize="true", shape="box", fontcolor=style.INK)
    return out


Box = tuple[float, float, float, float]  # left, bottom, width, height, in inches


def _background(out: DotWriter, name: str, box: Box, *, fill: str, line: str) -> None:
    x, y, w, h = box
    out.node(
        name,
        pos=_pinned(x + w / 2, y + h / 2),
        width=f"{w:.3f}",
        height=f"{h:.3f}",
        style="filled",
        fillcolor=fill,
        color=line,
        label="",
        tooltip=" ",
    )


def _text(out: DotWriter, name: str, box: Box, html: str, *, tooltip: str = " ") -> None:
    x, y, w, h = box
    out.node(
        name,
        pos=_pinned(x + w / 2, y + h / 2),
        width=f"{w:.3f}",
        height=f"{h:.3f}",
        shape="plaintext",
        label=Html(html),
        tooltip=attribute_text(tooltip),
    )


def _link(links: Links, slug: str, node_id: str) -> dict[str, str]:
    return {"URL": links(slug, node_id), "target": "_top"} if links is not None else {}


# --- the board -----------------------------------------------------------------------------------


def _card_label(card: Card) -> str:
    head = f"{card.kind.value}" + (f" · #{card.rank}" if card.rank is not None else "")
    rows = [_font(label_text(head))]
    rows += [f"<B>{label_text(line)}</B>" for line in wrap(card.title, 29, 2)]
    sure = f"{percent(card.certainty)} · chain {percent(card.chain_certainty)}"
    rows.append(_font(label_text(" ".join(filter(None, (sure, _debate(card.debate)))))))
    if card.serves is not None:
        rows.append(_font(label_text("→ " + wrap(card.serves[1], 33, 1)[0])))
    if card.marks.any and (marks := _marks_text(card.marks)):
        rows.append(_font(label_text(marks), colour=style.LINT_TEXT))
    cells = "".join(f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'


def _card_tooltip(card: Card) -> str:
    lines = [card.title, f"{card.kind.value} · certainty {percent(card.certainty)}"]
    lines.append(f"chain certainty {percent(card.chain_certainty)}")
    if card.prescriptiveness is not None:
        lines.append(f"how prescribed: {card.prescriptiveness.label}")
    if card.serves is not None:
        lines.append(f"serves {card.serves[1]}")
    return "\n".join(lines)


def board_text(board: Board) -> str:
    """The board in words: each lane, each column and its cards in rank order."""
    lines = [f"{board.title}: the board as of {board.as_of.isoformat()}"]
    for lane in board.lanes:
        lines.append(f"{lane.label}:")
        for column in COLUMNS:
            cards = lane.cards[column]
            named = "; ".join(f"{card.title} ({card.kind.value}, {percent(card.certainty)})" for card in cards)
            lines.append(f"  {column.label} ({column.reach}): {named or 'nothing'}")
    return "\n".join(lines)


SHOWN = 40  # cards drawn in one column of one lane; a column beyond that ends in "+ N more"


def _shown(count: int) -> int:
    return min(count, SHOWN)


def board_dot(board: Board, slug: str, theme: style.ThemeName = "light", links: Links = None) -> LensPicture:
    palette = style.palette(theme)
    title, description = named(board)
    out = _writer(title, theme, description)
    height = [
        max(1, *(_shown(len(cards)) for cards in lane.cards.values())) * (CARD_H + GAP) + GAP for lane in board.lanes
    ]
    total = sum(height)
    left = PAGE + LANE_LABEL_W
    width = len(COLUMNS) * (CARD_W + GAP) + GAP
    # Graphviz's y grows upwards: the first lane is drawn at the top.
    top = PAGE + total
    for index, column in enumerate(COLUMNS):
        x = left + GAP + index * (CARD_W + GAP)
        header = f"<B>{column.label}</B><BR/>{_font(label_text(column.reach), colour=palette.muted)}"
        _text(out, f"col_{column.value}", (x, top, CARD_W, HEADER_H), f'<FONT COLOR="{palette.ink}">{header}</FONT>')
    y = top
    for lane_index, (lane, lane_height) in enumerate(zip(board.lanes, height, strict=True)):
        y -= lane_height
        fill = palette.bands[lane_index % 2]
        _background(
            out, f"lane_{lane_index}", (PAGE, y, LANE_LABEL_W + width, lane_height), fill=fill, line=palette.band_line
        )
        label = f'<FONT COLOR="{palette.ink}"><B>{label_text(lane.label)}</B></FONT><BR/>'
        label += _font(label_text(plural(lane.size, "bet")), colour=palette.muted)
        _text(out, f"lane_label_{lane_index}", (PAGE, y + lane_height - 0.6, LANE_LABEL_W, 0.6), label)
        for index, column in enumerate(COLUMNS):
            x = left + GAP + index * (CARD_W + GAP)
            cards = lane.cards[column]
            shown = cards if len(cards) <= SHOWN else cards[: SHOWN - 1]
            if len(shown) < len(cards):
                more = len(cards) - len(shown)
                more_y = y + lane_height - GAP - SHOWN * (CARD_H + GAP) + GAP
                words = f"+ {more:,} more, ranked below these: every card is in the text and the data"
                note = _font(label_text(words), colour=palette.ink)
                _text(out, f"more_{lane_index}_{column.value}", (x, more_y, CARD_W, CARD_H), note, tooltip=words)
            for row, card in enumerate(shown):
                card_y = y + lane_height - GAP - (row + 1) * (CARD_H + GAP) + GAP
                border = _border(card.prescriptiveness)
                out.node(
                    f"b_{card.id}",
                    pos=_pinned(x + CARD_W / 2, card_y + CARD_H / 2),
                    width=f"{CARD_W:.3f}",
                    height=f"{CARD_H:.3f}",
                    style=f"rounded,filled,{border.style}",
                    penwidth=f"{border.penwidth:g}",
                    peripheries=str(border.peripheries),
                    color=style.LINT if card.marks.errors or card.marks.warnings else style.EDGE,
                    fillcolor=style.certainty_fill(card.certainty),
                    label=Html(_card_label(card)),
                    tooltip=attribute_text(_card_tooltip(card)),
                    **_link(links, slug, card.id),
                )
    return LensPicture(title, description, board_text(board), out.source("board"))


# --- the assumption map --------------------------------------------------------------------------

CHART_W, CHART_H = 9.0, 7.0
POINT_W, POINT_H = 2.0, 0.62
AXIS = 0.55
CATEGORY_FILLS = {
    Category.DESIRABILITY: "#fde2e4",
    Category.VIABILITY: "#e2f0cb",
    Category.FEASIBILITY: "#dfe7fd",
    Category.USABILITY: "#fff1c1",
    Category.ETHICAL: "#e8dff5",
}
UNCATEGORISED = "#f2f2f2"
# Where each quadrant sits: (left or right, top or bottom), with evidence growing to the right.
QUADRANT_AT = {
    Quadrant.TEST_FIRST: (0, 1),
    Quadrant.KEEP_AN_EYE_ON: (1, 1),
    Quadrant.DEFER: (0, 0),
    Quadrant.IGNORE: (1, 0),
}


def assumptions_text(amap: AssumptionMap) -> str:
    lines = [f"{amap.title}: the assumption map (importance × evidence) as of {amap.as_of.isoformat()}"]
    for quadrant in Quadrant:
        points = amap.in_quadrant(quadrant)
        named = "; ".join(
            f"{p.statement} (importance {p.importance}, evidence {percent(p.evidence)}, {plural(p.resting, 'bet')})"
            for p in points
        )
        lines.append(f"{quadrant.label}, {quadrant.meaning}: {named or 'none'}")
    return "\n".join(lines)


# Where each importance sits, 0 (bottom) to 1: 4 and 5 in the important half, as `IMPORTANT` says.
IMPORTANCE_AT = {5: 0.84, 4: 0.64, 3: 0.38, 2: 0.24, 1: 0.1}


class _Taken:
    """The boxes already placed, in buckets of a quarter inch: a 2,000-bet portfolio asks thousands of times."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[Box]] = {}

    def add(self, box: Box) -> None:
        for cell in self._cells_of(box):
            self._cells.setdefault(cell, []).append(box)

    def clear(self, box: Box) -> bool:
        x, y, w, h = box
        return all(
            x + w + 0.03 <= bx or bx + bw + 0.03 <= x or y + h + 0.03 <= by or by + bh + 0.03 <= y
            for cell in self._cells_of(box)
            for bx, by, bw, bh in self._cells.get(cell, ())
        )

    @staticmethod
    def _cells_of(box: Box) -> list[tuple[int, int]]:
        x, y, w, h = (value * 4 for value in box)
        return [(i, j) for i in range(int(x) - 1, int(x + w) + 2) for j in range(int(y) - 1, int(y + h) + 2)]


# The steps tried around a wanted place, nearest first: up and down (a few points of certainty or
# importance) cost less than sideways (time, evidence), which is what the chart is read by.
_STEPS = sorted(
    ((dx, dy) for dx in range(-6, 7) for dy in range(-30, 31)),
    key=lambda step: (abs(step[0]) * 3 + abs(step[1]), abs(step[1]), step),
)


def _free(wanted: tuple[float, float], size: tuple[float, float], bounds: Box, taken: _Taken) -> tuple[float, float]:
    """The place nearest `wanted` (a centre) for a box of `size` within `bounds` that overlaps
    nothing `taken`; `wanted` itself when none is free nearby. The place found is taken."""
    width, height = size
    left, bottom, span_x, span_y = bounds

    def clamp(x: float, y: float) -> tuple[float, float]:
        x = min(max(x, left + width / 2 + 0.04), left + span_x - width / 2 - 0.04)
        y = min(max(y, bottom + height / 2 + 0.04), bottom + span_y - height / 2 - 0.04)
        return x, y

    def box(place: tuple[float, float]) -> Box:
        return (place[0] - width / 2, place[1] - height / 2, width, height)

    x0, y0 = clamp(*wanted)
    found = (x0, y0)
    for dx, dy in _STEPS:
        place = clamp(x0 + dx * (width * 0.35 + 0.06), y0 + dy * (height + 0.06) / 2)
        if taken.clear(box(place)):
            found = place
            break
    taken.add(box(found))
    return found


def assumptions_dot(
    amap: AssumptionMap, slug: str, theme: style.ThemeName = "light", links: Links = None
) -> LensPicture:
    palette = style.palette(theme)
    title, description = named(amap)
    out = _writer(title, theme, description)
    labelled = len(amap.points) <= LABELLED
    size = (POINT_W, POINT_H) if labelled else (DOT, DOT)
    chart_w, chart_h = _plane(len(amap.points), size) if not labelled else (CHART_W, CHART_H)
    half_w, half_h = chart_w / 2, chart_h / 2
    origin_x, origin_y = PAGE + AXIS, PAGE + AXIS
    for quadrant, (right, upper) in QUADRANT_AT.items():
        x, y = origin_x + right * half_w, origin_y + upper * half_h
        fill = palette.bands[(right + upper) % 2]
        _background(out, f"q_{quadrant.value}", (x, y, half_w, half_h), fill=fill, line=palette.band_line)
        words = f"<B>{label_text(quadrant.label)}</B><BR/>{_font(label_text(quadrant.meaning), colour=palette.muted)}"
        inked = f'<FONT COLOR="{palette.ink}">{words}</FONT>'
        _text(out, f"ql_{quadrant.value}", (x, y + half_h - 0.55, half_w, 0.55), inked)
    axis = f'<FONT COLOR="{palette.muted}">'
    _text(out, "x_axis", (origin_x, PAGE, chart_w, AXIS), f"{axis}little evidence ⟶ strong evidence</FONT>")
    _text(out, "y_top", (PAGE, origin_y + chart_h - 1.0, AXIS, 1.0), f"{axis}more<BR/>impor-<BR/>tant<BR/>↑</FONT>")
    _text(out, "y_bottom", (PAGE, origin_y, AXIS, 1.0), f"{axis}↓<BR/>less<BR/>impor-<BR/>tant</FONT>")
    taken = _Taken()
    occupied: set[tuple[int, int]] = set()
    for right, upper in QUADRANT_AT.values():  # the quadrants' names stay readable
        taken.add((origin_x + right * half_w, origin_y + upper * half_h + half_h - 0.55, half_w, 0.55))
    for point in amap.points:
        right, upper = QUADRANT_AT[point.quadrant]
        bounds = (origin_x + right * half_w, origin_y + upper * half_h, half_w, half_h)
        wanted = (origin_x + point.evidence * chart_w, origin_y + IMPORTANCE_AT[point.importance] * chart_h)
        x, y = _free(wanted, size, bounds, taken) if labelled else _dot_place(wanted, bounds, occupied)
        lines = [f"<B>{label_text(line)}</B>" for line in wrap(point.statement, 22, 2)]
        extra = f"{plural(point.resting, 'bet')} · {percent(point.evidence)}"
        if not point.importance_stated:
            extra += " · importance?"
        lines.append(_font(label_text(extra)))
        if point.marks.any and (marks := _marks_text(point.marks)):
            lines.append(_font(label_text(marks), colour=style.LINT_TEXT))
        tooltip = [
            point.statement,
            f"importance {point.importance}" + ("" if point.importance_stated else " (not stated)"),
        ]
        tooltip += [f"evidence {percent(point.evidence)}", f"{point.quadrant.label}: {point.quadrant.meaning}"]
        if point.category is not None:
            tooltip.append(f"category {point.category.value}")
        out.node(
            f"a_{point.id}",
            pos=_pinned(x, y),
            width=f"{size[0]:.3f}",
            height=f"{size[1]:.3f}",
            shape="note",
            style="filled",
            fillcolor=CATEGORY_FILLS.get(point.category, UNCATEGORISED) if point.category else UNCATEGORISED,
            color=style.LINT if point.marks.errors or point.marks.warnings else style.EDGE,
            label=Html("<BR/>".join(lines)) if labelled else "",
            tooltip=attribute_text("\n".join(tooltip)),
            **_link(links, slug, point.id),
        )
    return LensPicture(title, description, assumptions_text(amap), out.source("assumptions"))


# --- the portfolio -------------------------------------------------------------------------------

MARK_W, MARK_H = 1.8, 0.5
UNPLACED_H = 0.9


def portfolio_text(portfolio: Portfolio) -> str:
    lines = [f"{portfolio.title}: the portfolio (when each bet pays off, how sure it is) as of {portfolio.as_of}"]
    for placed in portfolio.bets:
        when = f"in {placed.days} days" if placed.days is not None else "no horizon"
        flagged = f" — {', '.join(placed.regions)}" if placed.regions else ""
        prescribed = f", {placed.prescriptiveness.label}" if placed.prescriptiveness is not None else ""
        lines.append(f"{placed.title} ({placed.kind.value}{prescribed}): {when}, {percent(placed.certainty)}{flagged}")
    return "\n".join(lines)


def _time_x(days: int, longest: int) -> float:
    # A square root: the near term, where most bets are, gets room; years still fit.
    return float((max(days, 0) / max(longest, 1)) ** 0.5)


LABELLED = 150  # beyond this many marks on a plane they are drawn as dots: names in their tooltips
DOT = 0.2  # a dot's size, inches


def _plane(count: int, mark: tuple[float, float]) -> tuple[float, float]:
    """The chart's size for `count` marks of `mark` size: the usual size, grown until a third of
    it would hold them all."""
    room = count * mark[0] * mark[1] * 3
    grow = max(1.0, (room / (CHART_W * CHART_H)) ** 0.5)
    return CHART_W * grow, CHART_H * grow


def _dot_place(wanted: tuple[float, float], bounds: Box, occupied: set[tuple[int, int]]) -> tuple[float, float]:
    """A dot's place: the free cell of a dot-sized grid nearest `wanted` (in the order of `_STEPS`),
    so that thousands of dots find room at the cost of a set lookup each."""
    left, bottom, span_x, span_y = bounds
    cell = DOT + 0.04
    columns, rows = int(span_x / cell), int(span_y / cell)
    i0 = min(max(int((wanted[0] - left) / cell), 0), columns - 1)
    j0 = min(max(int((wanted[1] - bottom) / cell), 0), rows - 1)

    def key(i: int, j: int) -> tuple[int, int]:  # where the cell is on the page: bounds may differ
        return round((left + (i + 0.5) * cell) * 100), round((bottom + (j + 0.5) * cell) * 100)

    found = (i0, j0)
    for dx, dy in _STEPS:
        i, j = i0 + dx, j0 + dy
        if 0 <= i < columns and 0 <= j < rows and key(i, j) not in occupied:
            found = (i, j)
            break
    occupied.add(key(*found))
    return left + (found[0] + 0.5) * cell, bottom + (found[1] + 0.5) * cell


def portfolio_dot(
    portfolio: Portfolio, slug: str, theme: style.ThemeName = "light", links: Links = None
) -> LensPicture:
    palette = style.palette(theme)
    title, description = named(portfolio)
    out = _writer(title, theme, description)
    placeable = [placed for placed in portfolio.bets if placed.days is not None and placed.certainty is not None]
    unplaced = [placed for placed in portfolio.bets if placed.days is None or placed.certainty is None]
    labelled = len(placeable) <= LABELLED
    mark = (MARK_W, MARK_H) if labelled else (DOT, DOT)
    width, height = _plane(len(placeable), mark)
    origin_x, origin_y = PAGE + AXIS, PAGE + AXIS + UNPLACED_H
    plane = (origin_x, origin_y, width, height)
    _background(out, "plane", plane, fill=palette.bands[1], line=palette.band_line)
    taken = _Taken()
    for region in portfolio.regions:
        if region.days_from is not None:
            x = _time_x(region.days_from, portfolio.longest) * width
            box = (origin_x + x, origin_y, width - x, height)
            label_box = (box[0], box[1], box[2], 0.35)  # at its foot: the certain band's name runs along the top
        else:
            y = (region.certainty_from or 0) * height
            box = (origin_x, origin_y + y, width, height - y)
            label_box = (box[0], box[1] + box[3] - 0.35, box[2], 0.35)
        _background(out, f"r_{region.id}", box, fill=palette.bands[0], line=palette.band_line)
        words = _font(label_text(region.label), colour=palette.muted)
        _text(out, f"rl_{region.id}", label_box, words, tooltip=region.label)
        taken.add(label_box)  # the region's name stays readable
    last = -10.0
    for days in (0, 42, 91, 182, 365, 730, 1095, 1826, 3652):
        x = origin_x + _time_x(days, portfolio.longest) * width
        if days > portfolio.longest or x - last < 1.1:  # dates never run into each other
            continue
        last = x
        when = (portfolio.as_of + dt.timedelta(days=days)).isoformat()
        _text(out, f"tick_{days}", (x - 0.5, origin_y - AXIS, 1.0, AXIS), _font(label_text(when), colour=palette.muted))
    for certainty in (0.0, 0.5, 1.0):
        y = origin_y + certainty * height
        _text(out, f"ytick_{certainty:g}", (PAGE, y - 0.2, AXIS, 0.4), _font(percent(certainty), colour=palette.muted))
    occupied: set[tuple[int, int]] = set()
    for placed in placeable:
        assert placed.days is not None
        assert placed.certainty is not None
        wanted = (origin_x + _time_x(placed.days, portfolio.longest) * width, origin_y + placed.certainty * height)
        at = _free(wanted, mark, plane, taken) if labelled else _dot_place(wanted, plane, occupied)
        _mark(out, placed, at, size=mark, slug=slug, links=links)
    if unplaced:
        names = ", ".join(placed.title for placed in unplaced[:12]) + (" …" if len(unplaced) > 12 else "")
        words = f"Not placed (no horizon on its line, or no certainty): {names}"
        muted = _font(label_text(words), colour=palette.muted)
        _text(out, "unplaced", (origin_x, PAGE, width, UNPLACED_H - 0.2), muted)
    return LensPicture(title, description, portfolio_text(portfolio), out.source("portfolio"))


def _mark(
    out: DotWriter, placed: Placed, at: tuple[float, float], *, size: tuple[float, float], slug: str, links: Links
) -> None:
    x, y = at
    border = _border(placed.prescriptiveness)
    words = [f"<B>{label_text(wrap(placed.title, 19, 1)[0])}</B>", _font(label_text(placed.kind.value))]
    tooltip = [placed.title, f"{placed.kind.value} · certainty {percent(placed.certainty)}"]
    tooltip.append(f"chain certainty {percent(placed.chain_certainty)}")
    if placed.prescriptiveness is not None:
        tooltip.append(f"how prescribed: {placed.prescriptiveness.label}")
    tooltip += [f"in a region lint warns about: {region}" for region in placed.regions]
    out.node(
        f"b_{placed.id}",
        pos=_pinned(x, y),
        width=f"{size[0]:.3f}",
        height=f"{size[1]:.3f}",
        shape=style.SHAPES.get(placed.kind, "box"),
        style=f"filled,{border.style}",
        penwidth=f"{border.penwidth:g}",
        peripheries=str(border.peripheries),
        color=style.LINT if placed.regions else style.EDGE,
        fillcolor=style.REMOVED_FILL if placed.done else style.certainty_fill(placed.certainty),
        label=Html("<BR/>".join(words)) if size[0] > DOT else "",
        tooltip=attribute_text("\n".join(tooltip)),
        **_link(links, slug, placed.id),
    )


# --- as data (the JSON format, and the API's lenses) ---------------------------------------------


def _marks_data(marks: Marks) -> dict[str, int]:
    return {"errors": marks.errors, "warnings": marks.warnings, "infos": marks.infos}


def _card_data(card: Card) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "kind": card.kind.value,
        "rank": card.rank,
        "certainty": card.certainty,
        "chain_certainty": round(card.chain_certainty, 6),
        "prescriptiveness": card.prescriptiveness.label if card.prescriptiveness is not None else None,
        "debate": card.debate.value if card.debate is not None else None,
        "lint": _marks_data(card.marks),
        "serves": {"id": card.serves[0], "title": card.serves[1]} if card.serves is not None else None,
    }


def board_data(board: Board) -> dict[str, Any]:
    return {
        "lens": "board",
        "as_of": board.as_of.isoformat(),
        "team": board.team,
        "columns": [{"id": c.value, "label": c.label, "reach": c.reach} for c in COLUMNS],
        "lanes": [
            {
                "team": lane.team or None,
                "label": lane.label,
                "columns": {c.value: [_card_data(card) for card in lane.cards[c]] for c in COLUMNS},
            }
            for lane in board.lanes
        ],
    }


def assumptions_data(amap: AssumptionMap) -> dict[str, Any]:
    return {
        "lens": "assumptions",
        "as_of": amap.as_of.isoformat(),
        "team": amap.team,
        "quadrants": [{"id": q.value, "label": q.label, "meaning": q.meaning} for q in Quadrant],
        "assumptions": [
            {
                "id": point.id,
                "statement": point.statement,
                "importance": point.importance,
                "importance_stated": point.importance_stated,
                "evidence": point.evidence,
                "quadrant": point.quadrant.value,
                "category": point.category.value if point.category is not None else None,
                "resting": point.resting,
                "resolved": point.resolved,
                "lint": _marks_data(point.marks),
            }
            for point in amap.points
        ],
    }


def portfolio_data(portfolio: Portfolio) -> dict[str, Any]:
    return {
        "lens": "portfolio",
        "as_of": portfolio.as_of.isoformat(),
        "team": portfolio.team,
        "regions": [
            {"id": r.id, "label": r.label, "days_from": r.days_from, "certainty_from": r.certainty_from}
            for r in portfolio.regions
        ],
        "bets": [
            {
                "id": placed.id,
                "title": placed.title,
                "kind": placed.kind.value,
                "days": placed.days,
                "horizon_inherited": placed.inherited,
                "certainty": placed.certainty,
                "chain_certainty": round(placed.chain_certainty, 6),
                "prescriptiveness": placed.prescriptiveness.label if placed.prescriptiveness is not None else None,
                "done": placed.done,
                "regions": list(placed.regions),
                "lint": _marks_data(placed.marks),
            }
            for placed in portfolio.bets
        ],
    }


def lens_text(lens: Board | AssumptionMap | Portfolio) -> str:
    """The text alternative of a lens's picture: what it shows, in words."""
    if isinstance(lens, Board):
        return board_text(lens)
    if isinstance(lens, AssumptionMap):
        return assumptions_text(lens)
    return portfolio_text(lens)


def lens_document(lens: Board | AssumptionMap | Portfolio) -> dict[str, Any]:
    """A lens as JSON data: its title, description and text alternative, then what it places where."""
    title, description = named(lens)
    if isinstance(lens, Board):
        data = board_data(lens)
    elif isinstance(lens, AssumptionMap):
        data = assumptions_data(lens)
    else:
        data = portfolio_data(lens)
    return {"title": title, "description": description, "text": lens_text(lens), **data}
