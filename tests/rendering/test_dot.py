from __future__ import annotations

import pytest

from app.domain.model import Graph
from app.domain.synthetic import synthetic_graph
from app.rendering.dot import FAST_FROM, DotOptions, build_dot, to_dot, wrap
from app.rendering.dotwriter import DotWriter, Html
from app.rendering.render import MAX_NODES, check_size
from app.rendering.runner import RenderTooLargeError
from app.rendering.views import View, select
from tests.domain.builders import TODAY


def test_visual_grammar(acme: Graph) -> None:
    dot = build_dot(select(acme, View(), TODAY)).source
    wizard = next(line for line in dot.splitlines() if line.strip().startswith('"b_wizard" ['))
    assert 'peripheries="2"' in wizard  # prescribed: double border
    assert 'fillcolor="#b4a7d6"' in wizard  # 80%: top of the ramp
    assert "80% · 6w · prescribed · active" in wizard  # and the same in words
    assert 'color="#c0142b"' in wizard  # red outline: false-certainty
    assert "⚠ false-certainty" in wizard
    goal = next(line for line in dot.splitlines() if line.strip().startswith('"b_self-serve" ['))
    assert "◇ open for debate" in goal
    assert 'shape="box3d"' in goal
    note = next(line for line in dot.splitlines() if line.strip().startswith('"a_setup-pain" ['))
    assert 'shape="note"' in note
    assert '"a_setup-pain" -> "b_self-serve" [style="dotted"' in dot
    assert "how much of the how is decided" in dot  # the legend


def test_legend_and_links_are_options(acme: Graph) -> None:
    dot = build_dot(
        select(acme, View(), TODAY),
        DotOptions(legend=False, links=lambda slug, node: f"https://bets.example.com/graphs/{slug}?focus={node}"),
    ).source
    assert "how much of the how is decided" not in dot
    assert 'URL="https://bets.example.com/graphs/acme?focus=wizard"' in dot


def test_large_maps_switch_to_cheaper_settings() -> None:
    small = to_dot(synthetic_graph(50))
    large = to_dot(synthetic_graph(FAST_FROM), options=DotOptions(summarise=False))
    assert "mclimit" not in small
    assert 'mclimit="0.05"' in large
    assert 'splines="line"' in large


def test_a_view_past_the_limit_is_refused_with_advice() -> None:
    scene = select(synthetic_graph(MAX_NODES + 1), View(), TODAY)
    with pytest.raises(RenderTooLargeError, match="Draw a why, impact or team view instead"):
        check_size(scene)


def test_wrap() -> None:
    assert wrap("Small businesses onboard without a call") == ["Small businesses onboard", "without a call"]
    long = wrap("x" * 500)
    assert len(long) == 4
    assert long[-1].endswith("…")


def test_dot_writer_refuses_unescaped_values() -> None:
    writer = DotWriter()
    writer.node("a", label=Html("<B>ok</B>"), tooltip="fine")
    assert '"a" [label=<<B>ok</B>> tooltip="fine"]' in writer.source()
    with pytest.raises(ValueError, match="unescaped"):
        writer.node("b", tooltip='say "hi"')


def test_to_dot_needs_a_date_only_without_as_of(acme: Graph) -> None:
    assert to_dot(acme) == to_dot(acme, View(), today=TODAY)
    with pytest.raises(ValueError, match="pass today"):
        to_dot(Graph(slug="undated", title="Undated"))
