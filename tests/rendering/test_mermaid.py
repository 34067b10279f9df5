from __future__ import annotations

import dataclasses
import re

import pytest

from app.domain.model import Assumption, Bet, Graph, Kind, Metric
from app.domain.synthetic import synthetic_graph
from app.rendering import style
from app.rendering.dot import DotOptions
from app.rendering.mermaid import (
    MAX_EDGES,
    MAX_TEXT,
    MermaidTooLargeError,
    metric_lines,
    pack,
    text_size,
    title_text,
    to_mermaid,
)
from app.rendering.progress import metric_line
from app.rendering.render import RenderOptions, prepare
from app.rendering.views import View, select
from tests.domain.builders import TODAY
from tests.rendering.test_mermaid_client import contrast


def test_mermaid_of_the_example(acme: Graph) -> None:
    text = to_mermaid(select(acme, View(), TODAY))
    assert text.startswith('---\ntitle: "Acme product map"\nconfig:\n  theme: default\n')
    assert "\nflowchart BT\n" in text  # parents above what contributes to them, as in the SVG
    assert "  b_wizard --> b_self_serve" in text
    assert "a_setup_pain -.- b_self_serve" in text
    assert re.search(r"class [\w,]*b_wizard[\w,]* lint", text)  # false-certainty


def test_bands_nest_longest_outermost(acme: Graph) -> None:
    text = to_mermaid(select(acme, View(), TODAY))
    opened = re.findall(r"^( *)subgraph (band\d)", text, re.M)
    assert [band for _, band in opened] == sorted(band for _, band in opened)
    assert [len(indent) for indent, _ in opened] == sorted(len(indent) for indent, _ in opened)


def test_mermaid_escapes_what_it_would_read() -> None:
    hostile = 'a "quote" <b>x</b> #1 [x] {y} (z) | `t` %%{init: {}}%% end'
    graph = Graph(
        slug="h",
        title=hostile,
        bets=(Bet(id="v-1", kind=Kind.VISION, title=hostile, assumes=("s",)),),
        assumptions=(Assumption(id="s", statement=hostile),),
    )
    text = to_mermaid(select(graph, View(), TODAY))
    body = text.split("\n---\n", 1)[1]
    labels = re.findall(r'"(.*)"', body)
    assert labels
    for label in labels:
        assert not set('"<>[]{}()|`%') & set(label.replace("<br/>", ""))
    assert "#34;quote#34;" in text
    assert "b_v_1" in text


def test_the_title_uses_mermaids_own_placeholders_for_what_its_sanitiser_changes() -> None:
    assert title_text("A<B & c") == '"A\ufb02\u00b0\u00b060\u00b6\u00dfB \ufb02\u00b0\u00b038\u00b6\u00df c"'
    assert title_text('say "hi" \u2028') == '"say \\"hi\\" \\u2028"'


def test_phrases_are_packed_whole() -> None:
    assert pack(["70% ■■■■□", "1y", "outcome"], width=12) == ["70%\u00a0■■■■□", "1y · outcome"]
    metric = Metric("new accounts activated", "%", baseline=22, target=70, current=31)
    assert metric_lines(metric_line(metric), metric.name) == [
        "new\u00a0accounts\u00a0activated\u00a0↑",
        "31\u00a0of\u00a022\u00a0→\u00a070\u00a0% · 19%\u00a0■□□□□",
    ]


def test_dark_differs_only_in_theme_and_band_colours(acme: Graph) -> None:
    scene = select(acme, View("why", "wizard"), TODAY)
    light, dark = to_mermaid(scene), to_mermaid(scene, "dark")
    differing = set(light.splitlines()) ^ set(dark.splitlines())
    assert "  theme: dark" in differing
    assert all(line.startswith(("  theme:", "  style band", "  linkStyle")) for line in differing)
    assert prepare(scene, "mmd", RenderOptions(dot=DotOptions(theme="dark"))).text == dark


def test_label_text_passes_aa_on_every_fill() -> None:
    fills = [s.fill for s in style.CERTAINTY_RAMP] + [style.UNKNOWN_FILL, style.REMOVED_FILL]
    assert min(contrast(fill, style.INK) for fill in fills) >= 4.5
    for theme in style.THEMES.values():
        assert min(contrast(fill, theme.ink) for fill in theme.bands) >= 4.5


@pytest.mark.parametrize("bets", [300, 2_000, 6_000])
def test_large_maps_stay_within_mermaids_limits(bets: int) -> None:
    text = to_mermaid(select(synthetic_graph(bets), View(), TODAY))
    assert text_size(text.split("\n---\n", 1)[1]) <= MAX_TEXT
    assert len(re.findall(r"^\s+\S+ (?:-->|-\.->|-\.-|-\. was \.->|-\. was \.-) \S+$", text, re.M)) <= MAX_EDGES
    assert text == to_mermaid(select(synthetic_graph(bets), View(), TODAY))  # deterministic


def test_a_view_that_cannot_fit_says_what_to_draw_instead() -> None:
    graph = synthetic_graph(1_500)
    # a team view is never summarised: give one team every bet
    every = dataclasses.replace(graph, bets=tuple(dataclasses.replace(b, team="all") for b in graph.bets))
    with pytest.raises(MermaidTooLargeError, match="Draw it as SVG or PNG instead"):
        to_mermaid(select(every, View("team", "all"), TODAY))
