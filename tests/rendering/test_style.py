from __future__ import annotations

import pytest

from app.rendering import style

AA = 4.5
NODE_TEXT = {
    "INK": style.INK,
    "MUTED": style.MUTED,
    "LINT_TEXT": style.LINT_TEXT,
    "WEAKEST": style.WEAKEST,
    "ADDED_TEXT": style.ADDED_TEXT,
    "CHANGED_TEXT": style.CHANGED_TEXT,
}


def test_contrast_follows_wcag() -> None:
    assert style.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert style.contrast("#ffffff", "black") == pytest.approx(21)
    assert style.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the well-known near miss
    assert style.contrast("#1a1a1a", "#1a1a1a") == 1


@pytest.mark.parametrize("name", NODE_TEXT)
def test_node_text_reads_on_every_fill(name: str) -> None:
    fills = [swatch.fill for swatch in style.CERTAINTY_RAMP] + [style.UNKNOWN_FILL, style.REMOVED_FILL]
    for fill in fills:
        assert style.contrast(NODE_TEXT[name], fill) >= AA, (name, fill)


@pytest.mark.parametrize("theme", style.THEMES)
def test_page_text_reads_on_the_page_and_every_band(theme: str) -> None:
    palette = style.THEMES[theme]
    for ink in (palette.ink, palette.muted, palette.faint):
        for ground in (palette.background, *palette.bands):
            assert style.contrast(ink, ground) >= AA, (theme, ink, ground)


def test_the_ramp_stays_a_ramp() -> None:
    """Ordered in lightness from the ends to the middle, as a diverging scheme, and no two alike."""
    fills = [style.contrast(swatch.fill, "#000000") for swatch in style.CERTAINTY_RAMP]
    assert fills[0] < fills[1] < fills[2] > fills[3] > fills[4]
    assert len(set(fills)) == len(fills)


def test_dark_scheme_maps_each_role() -> None:
    mapping = style.dark_scheme()
    assert mapping[style.THEMES["light"].background] == style.THEMES["dark"].background
    assert mapping[style.THEMES["light"].ink] == style.THEMES["dark"].ink
    assert len(mapping) == 9
    assert style.palette("auto") == style.THEMES["light"]
