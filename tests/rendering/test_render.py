"""The finished pictures, as a reader sees them: every text readable."""

from __future__ import annotations

import pytest

from tests.rendering.pictures import drawn, readings, scenes

LABELS = [label for label, _ in scenes()]
AA = 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("label", LABELS)
def test_every_text_reads_against_what_it_sits_on(label: str, theme: str) -> None:
    low = [
        f"{r.text!r}: {r.ink} on {r.ground} is {r.ratio:.2f}:1" for r in readings(drawn(label, theme)) if r.ratio < AA
    ]
    assert not low, f"{label} ({theme}): {len(low)} texts under {AA}:1, e.g. " + "; ".join(low[:8])
