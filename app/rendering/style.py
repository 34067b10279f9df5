"""The visual grammar (the README's picture legend), in one table, shared by every view and format.

Every encoding is also text: colour carries certainty and lint, but the label always says the
percentage and the rule, so a print-out in greyscale or a colour-blind reader loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from app.domain.model import Debate, Kind, Prescriptiveness


@dataclass(frozen=True, slots=True)
class Band:
    index: int  # 0 is the top of the diagram: the longest horizon
    label: str
    fill: str


BANDS = (
    Band(0, "> 1 year", "#f4f4f6"),
    Band(1, "≤ 1 year", "#fafafa"),
    Band(2, "≤ a quarter", "#f4f4f6"),
    Band(3, "≤ 6 weeks", "#fafafa"),
)
UNATTACHED = Band(4, "assumptions no bet rests on", "#ffffff")


@dataclass(frozen=True, slots=True)
class Swatch:
    floor: float
    label: str
    fill: str


# ColorBrewer PuOr, lightened: distinguishable with every common colour-vision deficiency and
# dark enough at both ends to read as "low" and "high" in greyscale; black text passes AA on all.
CERTAINTY_RAMP = (
    Swatch(0.0, "0–19%", "#f1a340"),
    Swatch(0.2, "20–39%", "#fee0b6"),
    Swatch(0.4, "40–59%", "#f7f7f7"),
    Swatch(0.6, "60–79%", "#d8daeb"),
    Swatch(0.8, "80–100%", "#b4a7d6"),
)
UNKNOWN_FILL = "#ffffff"


def certainty_fill(certainty: float | None) -> str:
    if certainty is None:
        return UNKNOWN_FILL
    fill = CERTAINTY_RAMP[0].fill
    for swatch in CERTAINTY_RAMP:
        if certainty >= swatch.floor:
            fill = swatch.fill
    return fill


# Box-like shapes: polygons such as octagons or diamonds grow a lot around a wrapped label.
SHAPES: dict[Kind | str, str] = {
    Kind.VISION: "house",
    Kind.STRATEGY: "hexagon",
    Kind.GOAL: "box3d",
    Kind.OUTCOME: "box",  # rounded, below
    Kind.OPPORTUNITY: "folder",
    Kind.HYPOTHESIS: "cds",
    Kind.INITIATIVE: "box",
    "assumption": "note",
}
ROUNDED = frozenset({Kind.OUTCOME})
# What each Graphviz shape looks like, in the legend's words (and docs/document.md's).
SHAPE_WORDS = {
    "house": "house",
    "hexagon": "hexagon",
    "box3d": "3-D box",
    "box": "box",
    "folder": "folder",
    "cds": "arrow",
    "note": "note",
}


def shape_words(kind: Kind | str) -> str:
    """How a bet of `kind` (or "assumption") is drawn: "rounded box"."""
    return ("rounded " if kind in ROUNDED else "") + SHAPE_WORDS[SHAPES[kind]]


# Shapes whose outline cuts into the label box need more room around the text.
MARGINS = {Kind.GOAL: "0.16,0.06", Kind.HYPOTHESIS: "0.2,0.1", Kind.OPPORTUNITY: "0.14,0.08", Kind.VISION: "0.14,0.06"}


@dataclass(frozen=True, slots=True)
class Border:
    style: str  # Graphviz `style` words added to "filled"
    penwidth: float
    peripheries: int
    label: str


BORDERS = {
    Prescriptiveness.EXPLORE: Border("dashed", 1.2, 1, "explore"),
    Prescriptiveness.OPPORTUNITY: Border("dashed", 1.2, 1, "opportunity"),
    Prescriptiveness.OUTCOME: Border("solid", 1.2, 1, "outcome"),
    Prescriptiveness.GUIDED: Border("solid", 2.6, 1, "guided"),
    Prescriptiveness.PRESCRIBED: Border("solid", 1.2, 2, "prescribed"),
}
UNSTATED_BORDER = Border("solid", 1.0, 1, "")

DEBATE_MARKERS = {Debate.OPEN: "◇ open for debate", Debate.CONTESTED: "◆ contested"}


@dataclass(frozen=True, slots=True)
class Theme:
    """The colours of what lies outside the nodes: page, title, bands, lines and the legend's words."""

    background: str
    ink: str  # text outside nodes: title, legend
    edge: str
    bands: tuple[str, str]  # alternating band fills
    muted: str  # band labels and rests-on lines
    band_line: str  # the border between bands
    faint: str  # a diff's dropped links and their "was"
    path: str  # the weakest chain's links


# Nodes keep their light certainty fills (and dark text) in both themes: the ramp stays the ramp.
# Every text colour here reaches 4.5:1 (WCAG AA) on both band fills and the background.
THEMES = {
    "light": Theme("#ffffff", "#1a1a1a", "#505050", ("#f4f4f6", "#fafafa"), "#4d4d4d", "#d9d9d9", "#666666", "#6a1b9a"),
    "dark": Theme("#0d1117", "#e6edf3", "#9da7b3", ("#161b22", "#1c2128"), "#9da7b3", "#30363d", "#8b949e", "#b083f0"),
}
# "auto" draws the light picture and carries the dark theme as a colour-scheme style sheet (svg.py).
ThemeName = Literal["light", "dark", "auto"]
THEME_NAMES: tuple[ThemeName, ...] = get_args(ThemeName)


def palette(name: ThemeName) -> Theme:
    """The colours a picture is drawn in: an "auto" picture is drawn light and turns dark by its style sheet."""
    return THEMES["dark" if name == "dark" else "light"]


def dark_scheme() -> dict[str, str]:
    """Each colour of the light theme -> the dark theme's colour for the same role."""
    light, dark = THEMES["light"], THEMES["dark"]
    pairs = [
        (light.background, dark.background),
        (light.ink, dark.ink),
        (light.edge, dark.edge),
        *zip(light.bands, dark.bands, strict=True),
        (light.muted, dark.muted),
        (light.band_line, dark.band_line),
        (light.faint, dark.faint),
        (light.path, dark.path),
    ]
    mapping: dict[str, str] = {}
    for before, after in pairs:
        if mapping.setdefault(before, after) != after:
            raise ValueError(f"the light theme uses {before} for two roles that differ in the dark theme")
    return mapping


# Text inside nodes, on the certainty fills: each reaches 4.5:1 on the darkest swatch (tests/rendering/test_style.py).
INK = "#1a1a1a"
MUTED = "#3d3d3d"
EDGE = "#505050"
SECONDARY_EDGE = "#8c8c8c"
# Outlines keep the bright colour of their mark; the words of the mark are a darker shade of it.
LINT = "#c0142b"
LINT_TEXT = "#7d091b"
WEAKEST = "#5b1786"
# A diff view: each mark is also printed in words on the node ("+ added", "− removed", the changes).
ADDED = "#1a7f37"
ADDED_TEXT = "#0a4a1c"
CHANGED = "#0550ae"
CHANGED_TEXT = "#08397f"
REMOVED = "#8c8c8c"
REMOVED_FILL = "#f2f2f2"
FONT = "Helvetica,Arial,sans-serif"


def _luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two colours, 1 to 21; text needs 4.5 (level AA)."""
    a, b = sorted((_luminance(_hex(first)), _luminance(_hex(second))), reverse=True)
    return (a + 0.05) / (b + 0.05)


_NAMED = {"black": "#000000", "white": "#ffffff"}


def _hex(colour: str) -> str:
    return _NAMED.get(colour.lower(), colour)
