"""The finished pictures, as a reader sees them: every text readable, no node over a band label."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.rendering.render import render_scene
from tests.rendering.pictures import band_label_boxes, drawn, example_scene, node_boxes, overlap, readings, scenes

LABELS = [label for label, _ in scenes()]
AA = 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("label", LABELS)
def test_every_text_reads_against_what_it_sits_on(label: str, theme: str) -> None:
    low = [
        f"{r.text!r}: {r.ink} on {r.ground} is {r.ratio:.2f}:1" for r in readings(drawn(label, theme)) if r.ratio < AA
    ]
    assert not low, f"{label} ({theme}): {len(low)} texts under {AA}:1, e.g. " + "; ".join(low[:8])


@pytest.mark.parametrize("label", LABELS)
def test_no_node_crosses_a_band_label(label: str) -> None:
    svg = drawn(label, "light")
    labels = list(band_label_boxes(svg))
    assert labels, "every view of the examples has horizon bands"
    crossing = [
        f"{node} {box} crosses {text!r} {label_box}"
        for text, label_box in labels
        for node, box in node_boxes(svg)
        if overlap(box, label_box)
    ]
    assert not crossing, f"{label}: " + "; ".join(crossing)


def test_a_pdf_is_titled_and_described_as_its_scene() -> None:
    scene = example_scene("acme why employee-invite-flow")
    read = PdfReader(io.BytesIO(render_scene(scene, "pdf")))
    assert read.metadata is not None
    assert (read.metadata.title, read.metadata.subject) == (scene.title, scene.description)
    assert read.metadata.creator == "Betgraph"
